"""The records of a history backfill: every ticker's one path (tickersim/data/paths.py) over
a range of sessions at a resolution, as tick lines grouped into the history table's objects.

Pure but for reading calendars: same seed, tickers, calendar, resolution and sessions give the
same bytes at the same keys, so overlapping backfills replace each other's objects with
identical ones, and dedup on (ticker, seq) across them is exact.
"""
import hashlib
import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from chalicelib.walk import instruments, stochvol
from chalicelib.walk.market import Model, quantize
from chalicelib.walk.ticks import encode, encode_quoted, iso
from tickersim.data import days as calendars
from tickersim.data import paths
from tickersim.data.schema import partition_path

TABLE = "history"
ANCHOR_DAY = date(2020, 5, 14)    # seed prices are the classic exercise's closes of this day
LIVE_TICK_SECONDS = 15            # volume means are per live tick (TICKS_PER_RUN 4)


class HistoryError(ValueError):
    """The message names the input at fault."""


@dataclass(frozen=True)
class Span:
    """What to backfill: sessions from `first` to `last` (dates) at `resolution`."""
    first: date
    last: date
    resolution: str
    seed: int
    calendar: str | None = None     # None: each ticker's own calendar


def model_params(ticker):
    return stochvol.params(ticker.kind, ticker.volatility, ticker.drift,
                           dict(ticker.model_params))


class CalendarHistory:
    """One calendar's sessions from HISTORY_START to `last`, with the open seconds before
    each; `chosen(span)` picks the span's."""

    def __init__(self, name, last):
        self.name = name
        self.sessions = calendars.sessions(name, last)
        self.closes = not name.startswith("24x7")
        self.years = 1.0 / calendars.sessions_a_year(name)
        self.before, total = [], 0
        for session in self.sessions:
            self.before.append(total)
            total += session.minutes * 60
        self.days = [s.day for s in self.sessions]
        self.anchor = max(i for i, d in enumerate(self.days) if d <= ANCHOR_DAY.isoformat())

    def chosen(self, span):
        first, last = span.first.isoformat(), span.last.isoformat()
        return [i for i, d in enumerate(self.days) if first <= d <= last]

    def seq(self, index, second):
        """Open seconds from HISTORY_START to `second` (epoch) in session `index`."""
        done = sum(max(0, min(second, stop * 60) - start * 60)
                   for start, stop in self.sessions[index].spans)
        return self.before[index] + done


@lru_cache(maxsize=8)
def calendar_history(name, last):
    return CalendarHistory(name, last)


@lru_cache(maxsize=256)
def daily(seed, p, name, price, history):
    """The ticker's daily path over all of the calendar history's sessions (a repeated
    backfill in one process, e.g. at another resolution, reuses it)."""
    return paths.daily_path(seed, p, name, price, history.sessions, history.years,
                            history.anchor)


def _tag(seed, tickers):
    text = "\n".join([str(seed)] + [t.name for t in tickers])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def groups(tickers, span):
    """[(CalendarHistory, [tickers])] by the calendar each ticker is backfilled on."""
    by_name = defaultdict(list)
    for ticker in tickers:
        by_name[span.calendar or ticker.calendar_name].append(ticker)
    # A little past the range, so a day without a session can name the next one.
    last = max(span.last + timedelta(days=14), ANCHOR_DAY)
    return [(calendar_history(name, last), members) for name, members in by_name.items()]


def _lines(seed, ticker, history, index, day, resolution, precision):
    p = model_params(ticker)
    name_json = json.dumps(ticker.name)
    tradable = ticker.kind in instruments.TRADABLE
    half = instruments.half_spread(ticker.kind, ticker.volatility) if tradable else 0.0
    session = history.sessions[index]
    points = paths.session_path(seed, p, ticker.name, session, day, resolution,
                                history.closes)
    out, level = [], day.previous
    open_s, length = session.open * 60, session.minutes * 60
    for second, log_price, variance in points:
        price = quantize(math.exp(log_price), *precision)
        seq = history.seq(index, second)
        stamp = iso(second)
        if not tradable:
            out.append((second, encode(name_json, stamp, price, seq)))
        else:
            bid, ask = instruments.quote(price, half, *precision)
            # Volume: the interval's share of a live tick's, its place in the session's U,
            # and how far the price moved for the volatility of the moment.
            size = (variance / (day.sd * day.sd)) * length / LIVE_TICK_SECONDS \
                if resolution != "1d" else length / LIVE_TICK_SECONDS
            shape = instruments.intraday_shape(min((second - open_s) / length, 1.0)) \
                if ticker.kind == instruments.STOCK and resolution != "1d" else 1.0
            activity = stochvol.activity(log_price - level, math.sqrt(variance))
            traded = instruments.volume(seed, ticker.name, seq, ticker.kind, price,
                                        size * shape * activity)
            out.append((second, encode_quoted(name_json, stamp, price, seq, bid, ask, traded)))
        level = log_price
    return out


def objects(tickers, span, tick_seconds=LIVE_TICK_SECONDS):
    """(key, body) of every object of the backfill, a session at a time; HistoryError when
    the range holds no session of a calendar."""
    for history, members in groups(tickers, span):
        chosen = history.chosen(span)
        if not chosen:
            raise HistoryError(f"no {history.name} session from {span.first} to {span.last}")
        model = Model(kind="realistic", seed=span.seed, tick_seconds=tick_seconds)
        walks = []
        for ticker in members:
            precision = instruments.precision(ticker.kind, ticker.name) \
                or model.precision(ticker.drift, ticker.volatility)
            walks.append((ticker, precision, daily(span.seed, model_params(ticker),
                                                   ticker.name, ticker.price, history)))
        yield from _session_objects(span, history, chosen, walks, _tag(span.seed, members))


def _session_objects(span, history, chosen, walks, tag):
    for index in chosen:
        parts = defaultdict(list)
        for ticker, precision, path in walks:
            for second, line in _lines(span.seed, ticker, history, index, path[index],
                                       span.resolution, precision):
                moment = time.gmtime(second)
                parts[(time.strftime("%Y-%m-%d", moment), moment.tm_hour)].append(line)
        name = f"{history.name}-{span.resolution}-{history.sessions[index].day}-{tag}"
        for (dt, hour), lines in sorted(parts.items()):
            yield partition_path(TABLE, dt, hour) + name, "".join(lines).encode("ascii")
