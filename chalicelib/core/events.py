"""The scheduled event as Chalice hands it to the handler, tolerant of odd shapes; and the
event a coordinator sends each of its workers (one parallel-scan segment of the minute)."""
from dataclasses import dataclass

from chalice.app import CloudWatchEvent

WORKER_SOURCE = "tickersim.fanout"    # the `source` of a worker's event
MAX_WORKERS = 1000                    # Lambda's default concurrency for an account and region


class ScheduledEvent(CloudWatchEvent):
    """Chalice's CloudWatchEvent raises KeyError on a missing field before the handler
    runs; this one keeps whatever arrived, so the handler can fall back and say why."""

    def _extract_attributes(self, event_dict):
        fields = event_dict if isinstance(event_dict, dict) else {}
        self.version = fields.get("version")
        self.account = fields.get("account")
        self.region = fields.get("region")
        self.detail = fields.get("detail")
        self.detail_type = fields.get("detail-type")
        self.source = fields.get("source")
        self.time = fields.get("time")
        self.event_id = fields.get("id")
        self.resources = fields.get("resources")


def schedule(app, expression, name):
    """`app.schedule(expression, name=name)`, with handlers that get a ScheduledEvent.

    A decorator rather than a line after the handler, so that app.py never names the
    handler twice: renaming it must fail as AWS fails, Runtime.HandlerNotFound.
    """
    register = app.schedule(expression, name=name)

    def decorate(func):
        handler = register(func)
        handler.event_class = ScheduledEvent
        return handler
    return decorate


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


def worker_events(scheduled_event, segments, seed):
    """One event per segment: the scheduled event's time, the segment, the seed to walk with
    (None when MARKET_SEED is set: the worker reads it from its environment)."""
    time = scheduled_event.get("time") if isinstance(scheduled_event, dict) else None
    return [{"source": WORKER_SOURCE, "detail-type": "Walk segment", "time": time,
             "detail": {"segment": n, "segments": segments, "seed": seed}}
            for n in range(segments)]


def is_worker_event(event):
    return isinstance(event, dict) and event.get("source") == WORKER_SOURCE


def parse_task(event):
    """The worker's task; ValueError says what is wrong with the event."""
    if not is_worker_event(event):
        raise ValueError(f"the event's source is not {WORKER_SOURCE!r}: a worker runs only the "
                         "events its coordinator sends")
    detail = event.get("detail")
    if not isinstance(detail, dict):
        raise ValueError("the event has no `detail` object")
    segment, segments, seed = (detail.get(k) for k in ("segment", "segments", "seed"))
    for name, value in (("segment", segment), ("segments", segments)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"detail.{name} {value!r} is not a whole number")
    if not 1 <= segments <= MAX_WORKERS or not 0 <= segment < segments:
        raise ValueError(f"segment {segment} of {segments} is out of range (segments 1 to "
                         f"{MAX_WORKERS}, segment 0 to segments - 1)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"detail.seed {seed!r} is not a whole number >= 0")
    return Task(time=event.get("time"), segment=segment, segments=segments, seed=seed)


def segment_of(payload):
    """`segment 3 of 7` for a worker's event (an alert names it), else None."""
    try:
        return parse_task(payload).label
    except ValueError:
        return None
