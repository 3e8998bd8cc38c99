"""Tick records and the logical clock: which minutes are due, when each tick falls, its JSON line."""
import json
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from chalicelib.walk import instruments, news
from chalicelib.walk import scenarios as scripted
from chalicelib.walk.calendars import open_spans
from chalicelib.walk.market import CALM, Shock

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Ticker:
    name: str
    price: float
    seq: int                     # seq of the last delivered tick; 0 before the first
    last_tick: int | None        # epoch second of the last delivered tick; None before the first
    drift: float
    volatility: float
    kind: str = instruments.INDEX
    calendar: str | None = None  # None: the kind's default calendar
    model_params: tuple = ()     # ((seed-file attribute, value), ...) the realistic model reads

    @property
    def calendar_name(self):
        return self.calendar or instruments.DEFAULT_CALENDAR[self.kind]


# Overnight a market keeps moving more slowly than it trades: the first tick of a session
# carries this share of the closed time's variance (the gap at the open).
OVERNIGHT_SHARE = 0.25


def iso(epoch_seconds):
    return time.strftime(ISO_FORMAT, time.gmtime(epoch_seconds))


def parse_minute(text):
    """Epoch minute of an ISO-8601 time; naive times are taken as UTC. Raises ValueError."""
    moment = datetime.fromisoformat(str(text).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
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
# decimals, a seq below ten million; quotes and volume add two prices and a volume below a
# billion. Longer lines only make a chunk take one more call.
_LINE_WITHOUT_NAME = len('{"ticker":,"timestamp":"","price":,"seq":}\n') + 20 + 11 + 7
_QUOTE_BYTES = len(',"bid":,"ask":,"volume":') + 2 * 11 + 9


def line_bytes(name, kind=instruments.INDEX):
    """The bytes of one typical tick line of this ticker, for planning chunks."""
    quoted = _QUOTE_BYTES if kind in instruments.TRADABLE else 0
    return _LINE_WITHOUT_NAME + quoted + len(json.dumps(name))


def encode(name_json, timestamp, price, seq):
    """One tick as a JSON line; name_json is the ticker name already JSON-quoted."""
    return f'{{"ticker":{name_json},"timestamp":"{timestamp}","price":{price!r},"seq":{seq}}}\n'


def encode_quoted(name_json, timestamp, price, seq, bid, ask, volume):
    """A tick of a tradable instrument: the contract's fields, then its quote and volume."""
    return (f'{{"ticker":{name_json},"timestamp":"{timestamp}","price":{price!r},"seq":{seq},'
            f'"bid":{bid!r},"ask":{ask!r},"volume":{volume}}}\n')


def walk(ticker, minutes, ticks_per_minute, model, scenarios=()):
    """The ticker's ticks over `minutes` (and news lines): (JSON lines, its state after them).

    Only minutes its calendar has open are walked; a halt skips ticks without using a seq.
    """
    if not minutes:
        return [], ticker
    name, kind = ticker.name, ticker.kind
    precision = instruments.precision(kind, name) or model.precision(ticker.drift,
                                                                     ticker.volatility)
    step = model.stepper(name, ticker.drift, ticker.volatility, precision, kind,
                         ticker.calendar_name, ticker.model_params)
    tradable = kind in instruments.TRADABLE
    half = instruments.half_spread(kind, ticker.volatility) if tradable else 0.0
    tick_seconds = 60 // ticks_per_minute
    threshold = news.jump_threshold(ticker.volatility, tick_seconds)
    events = scripted.relevant(scenarios, name, minutes.start * 60, minutes.stop * 60)
    name_json = json.dumps(name)
    price, seq, last, lines = ticker.price, ticker.seq, ticker.last_tick, []
    for start, stop, opens, closes in open_spans(ticker.calendar_name, minutes.start,
                                                  minutes.stop):
        # The first tick of a session carries the overnight move (24x7 never opens).
        opening = start == opens and last is not None and last < start * 60
        for epoch, stamp in tick_times(start, stop, ticks_per_minute):
            shock = CALM
            if opening:
                shock = Shock(extra_seconds=OVERNIGHT_SHARE * (epoch - last - tick_seconds))
            if events:
                shock, halted, starting = scripted.tick_effect(
                    events, epoch, last, ticks_per_minute, shock)
                lines.extend(news.scenario_line(name, name_json, stamp, s) for s in starting)
                if halted:
                    last = epoch       # walked through, silently: nothing trades in a halt
                    continue
            opening = False
            seq += 1
            shape = instruments.intraday_shape((epoch / 60 - opens) / (closes - opens)) \
                if kind == instruments.STOCK else 1.0
            before, price = price, step(price, seq, epoch, shock, shape)
            if not tradable:
                lines.append(encode(name_json, stamp, price, seq))
            else:
                bid, ask = instruments.quote(price, half, *precision)
                busy = shape * model.activity(price / before, ticker.volatility, shape,
                                              ticker.calendar_name)
                lines.append(encode_quoted(name_json, stamp, price, seq, bid, ask,
                                           instruments.volume(model.seed, name, seq, kind,
                                                              price, busy)))
            if abs(price / before - 1) >= threshold:
                lines.append(news.jump_line(model.seed, name, name_json, seq, stamp,
                                            price / before - 1))
            last = epoch
    if last == ticker.last_tick:
        return lines, ticker
    return lines, replace(ticker, price=price, seq=seq, last_tick=last)
