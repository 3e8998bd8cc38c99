"""The demo's state, as the live view and the summary show it, and the scheduler's attempts."""
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.walk.ticks import iso
from tickersim.base import stage as stages
from tickersim.local import lambdas

HISTORY = 64


@dataclass
class TickerView:
    price: float
    first_price: float
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    ticks: int = 0
    last_seq: int = 0
    last_tick_price: float | None = None
    closed: bool = False                             # its market is closed now


@dataclass
class DemoState:
    endpoint: str
    bucket: str
    out: Path
    interval: float
    start_epoch: int
    minute: int = 0
    runs: dict = field(default_factory=dict)         # run number -> ok | retrying | failed
    tickers: dict = field(default_factory=dict)      # name -> TickerView
    ticks_delivered: int = 0
    ticks_backfilled: int = 0                        # under history/: not the feed's
    tick_keys: set = field(default_factory=set)      # (ticker, seq) seen in the bucket
    unreadable_lines: int = 0                        # lines in the bucket that are not ticks
    news: int = 0                                    # news records in the bucket
    s3_objects: int = 0
    invocations: int = 0
    alerts: list = field(default_factory=list)
    alert_files: list = field(default_factory=list)
    code: str = "working tree"
    broken: bool = False
    problems: list = field(default_factory=list)

    def count(self, status):
        return sum(1 for s in self.runs.values() if s == status)

    succeeded = property(lambda self: self.count("ok"))
    interrupted_runs = property(lambda self: self.count("interrupted"))
    failed = property(lambda self: self.count("failed"))
    retrying = property(lambda self: self.count("retrying"))

    def clock_text(self):
        return iso(self.start_epoch + self.minute * 60)


@dataclass(order=True)
class Attempt:
    minute: int                                   # logical minute it is due
    order: int                                    # retries before the minute's new run
    serial: int
    run: int = field(compare=False)               # 1-based scheduled run
    number: int = field(compare=False)            # 1-based attempt
    event: dict = field(compare=False)
    request_id: str = field(compare=False)


def scheduled_event(epoch, rule_arn):
    """An EventBridge scheduled event, as `rate(1 minute)` delivers it."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": lambdas.ACCOUNT, "time": iso(epoch),
            "region": stages.DEFAULT_REGION, "resources": [rule_arn], "detail": {}}
