"""One history run and judged; and shrinking a failing one to the shortest that still fails."""
import os
import time
from contextlib import redirect_stdout
from dataclasses import dataclass

from chaos.checker import check
from chaos.world import World

SHRINK_BUDGET_S = 300


@dataclass
class Verdict:
    violations: dict          # invariant -> [what broke]
    figures: dict
    exceptions: dict
    counts: dict              # faults injected by kind
    attempts: int


def judge(history):
    world = World(history)
    # The handlers' JSON log lines would bury the table: CloudWatch is not emulated.
    with world.cloud(), open(os.devnull, "w") as sink, redirect_stdout(sink):
        world.run()
        bad, figures, exceptions = check(world.objects(), world.object_minute, world.alerts(),
                                         world.table(), world.edits, world.exhausted,
                                         history["max_catchup"], history["start_minute"])
    return Verdict({k: v for k, v in bad.items() if v}, figures, exceptions,
                   dict(world.counts), world.attempts)


def shrink(history, verdict, budget_s=SHRINK_BUDGET_S):
    """The shortest history found (fewest minutes, then fewest faults) that still breaks one
    of the invariants the original broke."""
    target = set(verdict.violations)
    deadline = time.monotonic() + budget_s

    def fails(candidate):
        return bool(target & set(judge(candidate).violations))

    best = history
    # Cut the end: the first failing prefix, by bisection.
    low, high = 1, len(best["steps"])
    while low < high and time.monotonic() < deadline:
        middle = (low + high) // 2
        if fails(_prefix(best, middle)):
            high = middle
        else:
            low = middle + 1
    best = _prefix(best, high)
    # Then quiet whole minutes, halves first, then one at a time.
    size = max(1, len(best["steps"]) // 2)
    while size >= 1 and time.monotonic() < deadline:
        start = 0
        while start < len(best["steps"]) and time.monotonic() < deadline:
            candidate = _quiet(best, range(start, start + size))
            if candidate != best and fails(candidate):
                best = candidate
            else:
                start += size
        size //= 2
    return best


def _prefix(history, minutes):
    return {**history, "steps": history["steps"][:minutes]}


def _quiet(history, minutes):
    """The history with no edits and no faults in those minutes (their runs still happen)."""
    steps = [dict(step) for step in history["steps"]]
    for m in minutes:
        if m < len(steps):
            steps[m] = {"minute": steps[m]["minute"], "edits": [], "invocations": [
                {"minute": steps[m]["minute"], "late": 0, "race": False,
                 "attempts": [{"rng": a["rng"]} for a in inv["attempts"]],
                 "retry_after": inv["retry_after"]}
                for inv in steps[m]["invocations"][:1]]}
    return {**history, "steps": steps}
