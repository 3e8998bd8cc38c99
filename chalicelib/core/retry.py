"""Resending the parts of a batch call that AWS did not accept, with backoff, up to a deadline."""
import random
import time

from chalicelib.core.errors import DeliveryFailed


def resend(send_once, pending, deadline, clock=time.monotonic, sleep=time.sleep,
           base=0.05, cap=2.0):
    """Call send_once(pending) -> what is still pending, until nothing is, or the deadline.

    Returns (still pending, number of resends). Backoff is exponential with jitter,
    so runs retrying together do not hammer the service in step.
    """
    resends = 0
    pending = send_once(pending)
    while pending:
        delay = min(cap, base * 2 ** resends) * random.uniform(0.5, 1.0)
        if clock() + delay >= deadline:
            break
        sleep(delay)
        resends += 1
        pending = send_once(pending)
    return pending, resends


def refused_whole(exc, retryable, missing):
    """The code of a batch call AWS refused whole, when resending may succeed; raises
    `missing` (the stream is gone) or the error itself (resending cannot help)."""
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ResourceNotFoundException":
        raise missing from exc
    if code not in retryable:
        raise exc
    return code


def still_refused(what, left, total, resends, errors, advice):
    """The DeliveryFailed of a delivery that ran out of budget with records still refused."""
    seen = ", ".join(f"{code} x{n}" for code, n in sorted(errors.items()))
    return DeliveryFailed(
        f"{what} still refused {left} of {total} record(s) after {resends} resend(s) ({seen}); "
        "the tickers in these records were not advanced, so the next run sends their ticks "
        f"again. {advice}", landed=total - left)
