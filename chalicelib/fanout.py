"""Fan-out of one minute over workers: how many, what each is told, where each keeps its state.

Pure: no I/O. A worker walks one parallel-scan segment (DynamoDB's `Segment`/`TotalSegments`,
which split the table by key hash), so which worker walks a ticker changes nothing in its
ticks: those depend on the seed, the ticker's item and the minute only.
"""
import math
from dataclasses import dataclass

# From `make bench` (docs/benchmarks.md, fan-out): a worker of 5,000 tickers peaks at ~96 MB
# and models ~6 s on a 192 MB Lambda, a tenth of its minute.
DEFAULT_WORKER_TICKERS = 5000
MAX_SEGMENTS = 1000             # Lambda's default concurrency for an account and region
SOURCE = "tickersim.fanout"     # the `source` of a worker's event
SEGMENT_PREFIX = "#run|"        # a segment's run-state item: `#run|3/7`, skipped as `#` items are


@dataclass(frozen=True)
class Task:
    """What one worker walks: segment `segment` of `segments`, at the scheduled `time`."""
    time: str
    segment: int
    segments: int
    seed: int | None

    @property
    def label(self):
        return f"segment {self.segment + 1} of {self.segments}"


def segment_count(tickers, worker_tickers, workers=None):
    """How many workers walk the minute: one per `worker_tickers` tickers (1 = no fan-out),
    or `workers` when the operator says so; never more than MAX_SEGMENTS."""
    if workers is not None:
        return max(1, min(int(workers), MAX_SEGMENTS))
    return max(1, min(math.ceil(max(0, tickers) / worker_tickers), MAX_SEGMENTS))


def segment_key(segment, segments):
    return f"{SEGMENT_PREFIX}{segment}/{segments}"


def worker_events(scheduled_event, segments, seed):
    """One event per segment: the scheduled event's time, the segment, the seed to walk with
    (None when MARKET_SEED is set: the worker reads it from its environment)."""
    time = scheduled_event.get("time") if isinstance(scheduled_event, dict) else None
    return [{"source": SOURCE, "detail-type": "Walk segment", "time": time,
             "detail": {"segment": n, "segments": segments, "seed": seed}}
            for n in range(segments)]


def is_worker_event(event):
    return isinstance(event, dict) and event.get("source") == SOURCE


def parse_task(event):
    """The worker's task; ValueError says what is wrong with the event."""
    if not is_worker_event(event):
        raise ValueError(f"the event's source is not {SOURCE!r}: a worker runs only the "
                         "events its coordinator sends")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise ValueError("the event has no `detail` object")
    segment, segments, seed = (detail.get(k) for k in ("segment", "segments", "seed"))
    for name, value in (("segment", segment), ("segments", segments)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"detail.{name} {value!r} is not a whole number")
    if not 1 <= segments <= MAX_SEGMENTS or not 0 <= segment < segments:
        raise ValueError(f"segment {segment} of {segments} is out of range (segments 1 to "
                         f"{MAX_SEGMENTS}, segment 0 to segments - 1)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"detail.seed {seed!r} is not a whole number >= 0")
    return Task(time=event.get("time"), segment=segment, segments=segments, seed=seed)


def segment_of(payload):
    """`segment 3 of 7` for a worker's event (an alert names it), else None."""
    try:
        return parse_task(payload).label
    except ValueError:
        return None
