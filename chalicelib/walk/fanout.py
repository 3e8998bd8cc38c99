"""Fan-out of one minute over workers: how many, what each is told, where each keeps its state.

Pure: no I/O. A worker walks one parallel-scan segment (DynamoDB's `Segment`/`TotalSegments`,
which split the table by key hash), so which worker walks a ticker changes nothing in its
ticks: those depend on the seed, the ticker's item and the minute only.
"""
import math

from chalicelib.core.events import MAX_WORKERS

SEGMENT_PREFIX = "#run|"        # a segment's run-state item: `#run|3/7`, skipped as `#` items are


def segment_count(tickers, worker_tickers, workers=None):
    """How many workers walk the minute: one per `worker_tickers` tickers (1 = no fan-out),
    or `workers` when the operator says so; never more than MAX_WORKERS."""
    if workers is not None:
        return max(1, min(int(workers), MAX_WORKERS))
    return max(1, min(math.ceil(max(0, tickers) / worker_tickers), MAX_WORKERS))


def segment_key(segment, segments):
    return f"{SEGMENT_PREFIX}{segment}/{segments}"
