"""Tick records and the logical clock: which minutes are due, when each tick falls, its JSON line."""
import json
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Ticker:
    name: str
    price: float
    seq: int                     # seq of the last delivered tick; 0 before the first
    last_tick: int | None        # epoch second of the last delivered tick; None before the first
    drift: float
    volatility: float


def iso(epoch_seconds):
    return time.strftime(ISO_FORMAT, time.gmtime(epoch_seconds))


def parse_minute(text):
    """Epoch minute of an ISO-8601 time; naive times are taken as UTC. Raises ValueError."""
    moment = datetime.fromisoformat(str(text).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if not 1970 <= moment.year <= 9999:
        # Ticks carry four-digit years from the Unix epoch on.
        raise ValueError(f"{text!r} is outside the years 1970-9999")
    return int(moment.timestamp()) // 60


def run_minute(event, wall_clock=time.time):
    """The run's logical minute from the scheduled event's `time`.

    Returns (minute, problem): problem is None, or says why the wall clock was used instead.
    """
    raw = event.get("time") if isinstance(event, dict) else None
    if raw is None:
        return int(wall_clock()) // 60, "the event has no `time` field"
    try:
        return parse_minute(raw), None
    except (TypeError, ValueError, OverflowError):
        return int(wall_clock()) // 60, f"the event's `time` {raw!r} is not an ISO-8601 time"


def due_minutes(last_tick, now_minute, floor):
    """Minutes still owed to a ticker, oldest first: after its last tick, not before `floor`
    (the catch-up window's start), up to now."""
    return range(max(last_tick // 60 + 1, floor), now_minute + 1)


@lru_cache(maxsize=8)
def tick_times(first_minute, stop_minute, ticks_per_minute):
    """(epoch, ISO text) of every tick in [first_minute, stop_minute), evenly spaced."""
    step = 60 // ticks_per_minute
    return tuple((t, iso(t)) for m in range(first_minute, stop_minute)
                 for t in range(m * 60, m * 60 + 60, step))


# A line but its name: the fixed text, a 20-character time, a price below a million with 4
# decimals, a seq below ten million. Longer lines only make a chunk take one more call.
_LINE_WITHOUT_NAME = len('{"ticker":,"timestamp":"","price":,"seq":}\n') + 20 + 11 + 7


def line_bytes(name):
    """The bytes of one typical tick line of this ticker, for planning chunks."""
    return _LINE_WITHOUT_NAME + len(json.dumps(name))


def encode(name_json, timestamp, price, seq):
    """One tick as a JSON line; name_json is the ticker name already JSON-quoted."""
    return f'{{"ticker":{name_json},"timestamp":"{timestamp}","price":{price!r},"seq":{seq}}}\n'


def walk(ticker, minutes, ticks_per_minute, model):
    """The ticker's ticks over `minutes`: (JSON lines, the ticker's state after them)."""
    if not minutes:
        return [], ticker
    step = model.stepper(ticker.name, ticker.drift, ticker.volatility)
    name_json = json.dumps(ticker.name)
    price, seq, lines = ticker.price, ticker.seq, []
    for epoch, stamp in tick_times(minutes.start, minutes.stop, ticks_per_minute):
        seq += 1
        price = step(price, seq, epoch)
        lines.append(encode(name_json, stamp, price, seq))
    return lines, replace(ticker, price=price, seq=seq, last_tick=epoch)
