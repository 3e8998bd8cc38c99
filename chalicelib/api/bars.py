"""Bars from ticks, apart from I/O: the one aggregation behind Marketstack's intraday and eod.

A tick is a bar whose open, high, low and close are its price. Every level is the same fold
of the level below, in time order: first open, highest high, lowest low, last close, summed
volume. 1min bars fold ticks; 5min .. 24hour fold 1min bars; a session's eod bar folds its
1min bars. So an eod close is the last 1min close of its session and its volume the sum of
the session's volumes, by construction rather than by a second computation.
"""

from dataclasses import dataclass

from chalicelib.walk.calendars import DAY, new_york_offset

# Marketstack's intraday intervals, in minutes.
INTERVALS = {
    "1min": 1,
    "5min": 5,
    "10min": 10,
    "15min": 15,
    "30min": 30,
    "1hour": 60,
    "3hour": 180,
    "6hour": 360,
    "12hour": 720,
    "24hour": 1440,
}
_FX_DAY_TURN = 7 * 60  # the FX day ends at 17:00 New York: 7 hours before local midnight


@dataclass(frozen=True)
class Tick:
    symbol: str
    epoch: float
    seq: int
    price: float
    volume: int | None  # None: the feed carries no volume (indices)


@dataclass(frozen=True)
class Bar:
    symbol: str
    start: int  # epoch minute the bar opens; an eod bar opens at its day's 00:00 UTC
    open: float
    high: float
    low: float
    close: float
    volume: int | None  # None when nothing folded into it had a volume


def _add(a, b):
    return b if a is None else a if b is None else a + b


def fold(parts, bucket):
    """Bars of `parts` (bars, in time order within each symbol) grouped by symbol and
    bucket(part), the start minute of the bar each part belongs to. Ordered by symbol, then
    start."""
    acc = {}
    for part in parts:
        key = (part.symbol, bucket(part))
        bar = acc.get(key)
        if bar is None:
            acc[key] = [part.open, part.high, part.low, part.close, part.volume]
        else:
            bar[1] = max(bar[1], part.high)
            bar[2] = min(bar[2], part.low)
            bar[3] = part.close
            bar[4] = _add(bar[4], part.volume)
    return [Bar(symbol, start, *values) for (symbol, start), values in sorted(acc.items())]


def minute_bars(ticks):
    """1min bars of ticks given in any order. A re-sent tick (same symbol, seq and time: the
    walk is deterministic) counts once; seq alone is not enough, since every backfilled
    session starts again at seq 1. Within a minute the ticks fold in (time, seq) order, so
    the close is the last tick."""
    unique = {}
    for tick in ticks:
        unique.setdefault((tick.symbol, tick.seq, tick.epoch), tick)
    ordered = sorted(unique.values(), key=lambda t: (t.symbol, t.epoch, t.seq))
    as_bars = (
        Bar(t.symbol, int(t.epoch // 60), t.price, t.price, t.price, t.price, t.volume)
        for t in ordered
    )
    return fold(as_bars, lambda bar: bar.start)


def interval_bars(bars_1min, minutes):
    """Bars of `minutes` (a whole number of minutes dividing a day, see INTERVALS) from
    1min bars, aligned to UTC: a 1hour bar opens on the hour, a 24hour bar at midnight."""
    if minutes == 1:
        return list(bars_1min)
    return fold(bars_1min, lambda bar: bar.start - bar.start % minutes)


def session_day(calendar_name, minute):
    """The epoch day of the session an open minute belongs to. Stock sessions and the 24x7
    day are UTC days; an FX day runs from 17:00 New York to 17:00 New York the next day and
    is named after the day it ends."""
    if calendar_name == "24x5":
        local = minute - new_york_offset(minute // DAY)
        return (local + _FX_DAY_TURN) // DAY
    return minute // DAY


def eod_bars(bars_1min, calendar_of):
    """One bar per symbol and session from 1min bars; `calendar_of(symbol)` names the
    symbol's calendar. The bar's start is its session day's midnight UTC, in minutes."""
    return fold(bars_1min, lambda bar: session_day(calendar_of(bar.symbol), bar.start) * DAY)
