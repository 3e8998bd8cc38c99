"""The table's capacity mode: what provisioned capacity with target tracking needs for a fleet,
and the month's DynamoDB bill either way. Pure: no I/O.

Each run writes every ticker once (one write unit each, items under 1 KB) plus one unit per
segment claim and one for the coordinator, and reads the table once with a consistent Scan.
Provisioned capacity is billed per unit-hour whether used or not; DynamoDB keeps up to
300 seconds of unused capacity as burst, which absorbs each run's burst at the top of the
minute as long as the average stays under the provisioned rate.
"""
import math
from dataclasses import dataclass

from tickersim.base import prices

MODES = ("on-demand", "provisioned")
HOURS_PER_MONTH = prices.RUNS_PER_MONTH // 60
TARGET_UTILISATION = 0.9          # target tracking's highest target: AWS allows 20-90 %
HEADROOM = 2.0                    # max capacity: twice the steady need, for catch-up runs
ITEM_BYTES = 200                  # a ticker item with its model state, as measured by bench
SCALE_UP_MINUTES = 2              # target tracking acts on 2 consecutive minutes of alarms
MEMORY_SHARE = 0.7                # a worker's measured peak uses at most this of its memory
MEMORY_STEP_MB = 64
# A worker's peak RSS as `make bench` measures it in a fresh interpreter (docs/benchmarks.md):
# Python with boto3's clients, plus the segment's items and one chunk of lines.
# 10 tickers: 51 MB; 5,000 tickers: 90 MB (the realistic model keeps more state a ticker).
PEAK_BASE_MB = 51.0
PEAK_PER_TICKER_MB = 0.0079


@dataclass(frozen=True)
class Plan:
    min_wcu: int
    max_wcu: int
    min_rcu: int
    max_rcu: int
    target: float = TARGET_UTILISATION


def per_run(tickers, segments):
    """(write units, read units) of one run: every ticker committed, a claim per segment and
    the coordinator's write; a strongly consistent Scan reads 4 KB a unit."""
    writes = tickers + segments + (1 if segments > 1 else 0)
    reads = math.ceil(tickers * ITEM_BYTES / 4096) + segments
    return writes, reads


def provisioned_plan(tickers, segments):
    """Auto scaling limits for the fleet: the minimum covers the steady average at the
    target utilisation (so the warm-up needs no scaling), the maximum leaves room for
    catch-up runs. Ticks a run change the bytes, not the units (one write per ticker)."""
    writes, reads = per_run(tickers, segments)
    min_wcu = max(1, math.ceil(writes / 60 / TARGET_UTILISATION))
    min_rcu = max(1, math.ceil(reads / 60 / TARGET_UTILISATION))
    return Plan(min_wcu, math.ceil(min_wcu * HEADROOM), min_rcu, math.ceil(min_rcu * HEADROOM))


def monthly_bills(tickers, segments):
    """{mode: USD a month} of the table's reads and writes at one run a minute."""
    writes, reads = per_run(tickers, segments)
    plan = provisioned_plan(tickers, segments)
    return {
        "on-demand": prices.RUNS_PER_MONTH * (writes * prices.DDB_PER_MILLION_WRITES
                                              + reads * prices.DDB_PER_MILLION_READS) / 1e6,
        "provisioned": HOURS_PER_MONTH * (plan.min_wcu * prices.DDB_WCU_HOUR
                                          + plan.min_rcu * prices.DDB_RCU_HOUR),
    }


def recommend(tickers, segments):
    """(mode, one line saying why) for a steady fleet."""
    bills = monthly_bills(tickers, segments)
    cheaper = min(bills, key=bills.get)
    other = "provisioned" if cheaper == "on-demand" else "on-demand"
    return cheaper, (f"{cheaper}: ${bills[cheaper]:,.2f} a month against ${bills[other]:,.2f} "
                     f"{other} for {tickers:,} tickers a minute")


def worker_memory_mb(peak_mb):
    """The worker's memory size from its measured peak: the peak at most 70 % of it, never
    below Lambda's 128 MB, in 64 MB steps (more memory also buys CPU in proportion)."""
    return max(128, math.ceil(peak_mb / MEMORY_SHARE / MEMORY_STEP_MB) * MEMORY_STEP_MB)


def worker_peak_mb(tickers_per_worker):
    """The peak memory a worker of this many tickers reaches (the bench's linear fit)."""
    return PEAK_BASE_MB + PEAK_PER_TICKER_MB * tickers_per_worker


def capacity_problem(value):
    if value not in MODES:
        return f"--capacity {value!r} is unknown: pass on-demand or provisioned"
    return None


def check_lines(tickers, segments):
    """What `deploy --check` prints about the table: both bills and the recommendation."""
    bills = monthly_bills(tickers, segments)
    plan = provisioned_plan(tickers, segments)
    mode, why = recommend(tickers, segments)
    return [f"DynamoDB on-demand:   ${bills['on-demand']:,.2f} a month",
            f"DynamoDB provisioned: ${bills['provisioned']:,.2f} a month ({plan.min_wcu:,}-"
            f"{plan.max_wcu:,} write units, target {plan.target:.0%}; new capacity takes "
            f"about {SCALE_UP_MINUTES} minutes to arrive)",
            f"recommended: {why}"]
