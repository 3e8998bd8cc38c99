"""A seeded random history of one simulated stretch of the schedule: every choice drawn up front.

A history is plain JSON: the settings, the tickers at the start, and one step per simulated
minute listing what happens in it (console edits between runs, the invocations due, each
with the faults of each attempt). The executor draws nothing, so a history replays exactly,
and shrinking it is editing the list.
"""
import random

from tickersim.base.stage import DEFAULT_RETRIES
from tickersim.local.lambdas import RETRY_DELAY_MINUTES

START_MINUTE = 29_398_320           # 2025-11-24T00:00Z: a Monday
MAX_CATCHUP = 30                    # shorter than the default, so outages outlast it
KILL_STAGES = ("before_claim", "after_delivery", "mid_commit")
EDIT_KINDS = ("price", "drift", "add", "delete")
# Long faults: (kind, shortest, longest minutes), started at fault_rate / 40 a minute each.
OUTAGES = (("firehose_outage", 5, 2 * MAX_CATCHUP), ("dynamodb_outage", 3, 2 * MAX_CATCHUP),
           ("broken_deployment", 2, 6))
# `throttled`: a provisioned table running near its capacity. Most attempts see some of their
# statements refused as over capacity, and whole calls throttled far more often than on demand.
PROFILES = ("default", "throttled")


def generate(seed, minutes, tickers, fault_rate, profile="default"):
    rng = random.Random(f"chaos:{seed}" if profile == "default" else f"chaos:{seed}:{profile}")
    p = fault_rate
    names = [f"Sym_{n:03d}" for n in range(tickers)]
    start = [{"name": name, "price": round(rng.uniform(20, 500), 2),
              "drift": round(rng.uniform(-0.1, 0.2), 3),
              "volatility": round(rng.uniform(0.1, 0.5), 3)} for name in names]
    live, added = list(names), 0
    down = {kind: 0 for kind, _, _ in OUTAGES}      # minutes left of each long fault
    steps = []
    for minute in range(minutes):
        for kind, shortest, longest in OUTAGES:
            if down[kind]:
                down[kind] -= 1
            elif rng.random() < p / 40:
                down[kind] = rng.randint(shortest, longest)
        edits = []
        if rng.random() < p / 4:
            edit, live, added = _edit(rng, live, added)
            edits.append(edit)
        invocations = []
        copies = 2 if rng.random() < p / 4 else 1            # EventBridge: at least once
        for _ in range(copies):
            late = rng.randint(1, 5) if rng.random() < p / 4 else 0
            invocation = {"minute": minute, "late": late,
                          "attempts": [_faults(rng, p, down, profile)
                                       for _ in range(1 + DEFAULT_RETRIES)],
                          "retry_after": [rng.choice(RETRY_DELAY_MINUTES)
                                          for _ in range(DEFAULT_RETRIES)],
                          "race": rng.random() < p}
            # A console edit while this run is between its read and its commit.
            if rng.random() < p / 4:
                edit, live, added = _edit(rng, live, added)
                invocation["edit_during"] = edit
            invocations.append(invocation)
        steps.append({"minute": minute, "edits": edits, "invocations": invocations})
    return {"seed": seed, "profile": profile, "start_minute": START_MINUTE,
            "max_catchup": MAX_CATCHUP,
            "market_seed": seed % 1000 + 1, "tickers": start, "steps": steps}


def _edit(rng, live, added):
    kind = rng.choice(EDIT_KINDS) if live else "add"
    if kind == "add":
        name = f"New_{added:03d}"
        return ({"kind": "add", "ticker": name, "price": round(rng.uniform(20, 500), 2)},
                live + [name], added + 1)
    name = rng.choice(live)
    if kind == "delete":
        return {"kind": "delete", "ticker": name}, [n for n in live if n != name], added
    if kind == "price":
        # Far from any walk's step, so a consumer can see where the edit took effect.
        return {"kind": "price", "ticker": name, "factor": rng.choice((0.5, 2.0))}, live, added
    return {"kind": "drift", "ticker": name, "drift": round(rng.uniform(-1, 1), 3)}, live, added


def _faults(rng, p, down, profile="default"):
    """What goes wrong in one attempt; the long faults in progress hit every attempt."""
    throttled = profile == "throttled"
    faults = {"rng": rng.randrange(2 ** 32)}
    if down["broken_deployment"]:
        faults["broken"] = True
    if down["firehose_outage"]:
        faults["firehose_down"] = True
    if down["dynamodb_outage"]:
        faults["dynamodb_down"] = True
    if rng.random() < p:
        faults["firehose_partial"] = round(rng.uniform(0.1, 0.9), 2)
    if rng.random() < p / 2:
        faults["firehose_throttle"] = 1
    if rng.random() < (4 * p if throttled else p / 2):
        faults["dynamodb_throttle"] = rng.choice(("scan", "claim", "commit"))
    if rng.random() < (0.8 if throttled else p):
        faults["unprocessed"] = round(rng.uniform(0.1, 0.9), 2)
    if rng.random() < p / 2:
        faults["kill"] = rng.choice(KILL_STAGES)
    return faults


def runs(history):
    """The number of scheduled invocations in the history (retries not counted)."""
    return sum(len(step["invocations"]) for step in history["steps"])


def validate(history):
    """ValueError unless the history has the shape generate() writes."""
    for key in ("seed", "start_minute", "max_catchup", "market_seed", "tickers", "steps"):
        if key not in history:
            raise ValueError(f"it has no {key!r}")
    for step in history["steps"]:
        for invocation in step["invocations"]:
            if len(invocation["attempts"]) != len(invocation["retry_after"]) + 1:
                raise ValueError(f"minute {step['minute']}: attempts and retry_after disagree")
