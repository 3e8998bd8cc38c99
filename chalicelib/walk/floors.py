"""The catch-up floor of each ticker: the first minute a run may walk it. Pure: no I/O.

A run walks a ticker from max(its last tick + 1, its floor). Normally the floor is the
window of MAX_CATCHUP_MINUTES ending at the run's minute. But a ticker still behind the
last claimed run may have had ticks delivered by a run that then failed to commit: it must
walk from the very floor that run used, so the re-sent ticks are byte-identical. The #run
item keeps those floors as a staircase of (since, floor) steps: a ticker behind `LastRun`
whose last tick minute is at or after `since` (and before the next step) walks from `floor`
(None: uncapped, it was walked from its own last tick). A step is dropped once no ticker is
left in its range, so a ticker that stays behind pins only its own floor, never the others'.
"""
from bisect import bisect_right

UNCAPPED = None


def plan(last_minutes, now, max_catchup, last_run, steps):
    """(the floor of each ticker, the steps to record for the next run).

    last_minutes: each ticker's last tick minute; last_run: the latest claimed minute or
    None; steps: the recorded ((since, floor), ...) in increasing `since`.
    """
    window = now - max_catchup + 1
    sinces = [since for since, _ in steps]
    found, below, fresh, used = [], [], [], set()
    for last in last_minutes:
        at = bisect_right(sinces, last) - 1
        if last_run is not None and last < last_run and at >= 0:
            used.add(at)
            floor = steps[at][1]
            found.append(last + 1 if floor is UNCAPPED else floor)
            continue
        found.append(window)
        (fresh if last_run is None or last >= last_run else below).append(last)

    def step(since, lasts):
        # The window, only where it capped a ticker; else each walked from its last tick.
        return since, window if any(last + 1 < window for last in lasts) else UNCAPPED

    # Steps for the tickers walked from the window now, in case this run does not commit
    # them: those behind the last run but in no step, and those in step with it.
    recorded = ([step(0, below)] if below else []) + [steps[n] for n in sorted(used)]
    if fresh and (last_run is None or now >= last_run):
        recorded.append(step(0 if last_run is None else last_run, fresh))
    return found, tuple(_merged(recorded))


def _merged(steps):
    """Adjacent steps with the same floor are one step."""
    out = []
    for since, floor in steps:
        if out and out[-1][1] == floor:
            continue
        out.append((since, floor))
    return out


def encode(steps, iso_minute):
    """The steps as the #run item's `Floors` text: `SINCE/FLOOR` pairs (`-`: uncapped)."""
    return ",".join(f"{iso_minute(since)}/{'-' if floor is UNCAPPED else iso_minute(floor)}"
                    for since, floor in steps) or None


def decode(text, parse_minute):
    """The steps from a `Floors` text; ValueError says what is wrong with it."""
    steps = []
    for part in filter(None, text.split(",")):
        since, sep, floor = part.partition("/")
        if not sep:
            raise ValueError(f"{part!r} is not SINCE/FLOOR")
        steps.append((parse_minute(since), UNCAPPED if floor == "-" else parse_minute(floor)))
    if [s for s, _ in steps] != sorted({s for s, _ in steps}):
        raise ValueError("its steps are not in increasing time")
    return tuple(steps)
