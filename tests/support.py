"""Test helpers shared by every layer: the event fixtures and a Lambda context."""
import json
import time
import uuid
from pathlib import Path

EVENTS = Path(__file__).parent / "events"
FAILURE_SHAPES = sorted(p.stem for p in EVENTS.glob("failure-*.json"))


def event(name, **changes):
    """A copy of the fixture tests/events/<name>.json, with top-level fields changed."""
    data = json.loads((EVENTS / f"{name}.json").read_text())
    data.update(changes)
    return data


def scheduled(time_text):
    return event("scheduled-event", time=time_text)


class LambdaContext:
    """The parts of the Lambda context object that the handlers use."""

    def __init__(self, function_name="tickersim-dev-streaming-lambda", timeout_s=60.0,
                 clock=time.monotonic):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 128
        self._clock = clock
        self._deadline = clock() + timeout_s

    def get_remaining_time_in_millis(self):
        return int(max(0.0, self._deadline - self._clock()) * 1000)
