"""Trading calendars: when a ticker's market is open, in epoch minutes (UTC).

`24x7` never closes (indices, crypto); `24x5` is the FX week, Sunday 17:00 to Friday 17:00
New York time; `XNYS` is the New York Stock Exchange, read from a session table that
`python -m tickersim.data.sessions` computes with exchange-calendars (operator tooling: the
library stays out of the Lambda bundle). A session is (open, close), close excluded.
"""
import json
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

from chalicelib.core.errors import TickersimError

DAY = 1440
_EPOCH_DAY = date(1970, 1, 1)
XNYS_TABLE = Path(__file__).with_name("xnys_sessions.json")
_NY_OPEN, _NY_CLOSE = 9 * 60 + 30, 16 * 60     # a regular XNYS session, local time
_FX_TURN = 17 * 60                              # the FX week turns at 17:00 New York


class CalendarExhausted(TickersimError):
    """The session table does not reach the minute asked for."""


def _day(d):
    return (d - _EPOCH_DAY).days


def _nth_sunday(year, month, n):
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def new_york_offset(day):
    """Minutes New York is behind UTC on a date's local business hours (US rules since
    2007: daylight time from the second Sunday of March to the first Sunday of November)."""
    d = _EPOCH_DAY + timedelta(days=day)
    daylight = _nth_sunday(d.year, 3, 2) <= d < _nth_sunday(d.year, 11, 1)
    return 240 if daylight else 300


def new_york(day, local_minute):
    """The epoch minute of a New York wall-clock time on a date (given as an epoch day)."""
    return day * DAY + local_minute + new_york_offset(day)


class Always:
    """Never closes, so never opens: no overnight gaps."""
    name = "24x7"
    _FOREVER = (-1, 1 << 62)

    def sessions(self, first, stop):
        return (self._FOREVER,) if first < stop else ()


class FxWeek:
    """Open from Sunday 17:00 to Friday 17:00 New York time, every week."""
    name = "24x5"

    def sessions(self, first, stop):
        day = first // DAY - 7
        day -= (day + 4) % 7          # back to a Sunday (1970-01-01 was a Thursday)
        found = []
        while day * DAY < stop + DAY:
            session = (new_york(day, _FX_TURN), new_york(day + 5, _FX_TURN))
            if session[0] < stop and session[1] > first:
                found.append(session)
            day += 7
        return tuple(found)


class SessionTable:
    """Regular New York sessions on weekdays, but for the table's holidays and special hours."""

    def __init__(self, name, table):
        self.name = name
        self.first_day = _day(date.fromisoformat(table["first"]))
        self.last_day = _day(date.fromisoformat(table["last"]))
        self.closed = {_day(date.fromisoformat(d)) for d in table["closed"]}
        self.special = {_day(date.fromisoformat(d)): (_utc(d, hours[0]), _utc(d, hours[1]))
                        for d, hours in table["special"].items()}

    def session(self, day):
        if not self.first_day <= day <= self.last_day:
            first, last = (_EPOCH_DAY + timedelta(days=d)
                           for d in (self.first_day, self.last_day))
            raise CalendarExhausted(
                f"the {self.name} session table covers {first} to {last}, not "
                f"{_EPOCH_DAY + timedelta(days=day)}: extend it with `python -m "
                "tickersim.data.sessions --to YYYY-12-31` and redeploy")
        if day in self.special:
            return self.special[day]
        if day in self.closed or (day + 3) % 7 >= 5:      # a holiday, Saturday or Sunday
            return None
        return new_york(day, _NY_OPEN), new_york(day, _NY_CLOSE)

    def sessions(self, first, stop):
        found = []
        # New York sessions lie within one UTC day.
        for day in range(first // DAY, (stop - 1) // DAY + 1):
            session = self.session(day)
            if session and session[0] < stop and session[1] > first:
                found.append(session)
        return tuple(found)


def coverage(name):
    """(first day, last day) a calendar can answer for, as dates; None when it has no end."""
    table = calendar(name)
    if not isinstance(table, SessionTable):
        return None
    return tuple(_EPOCH_DAY + timedelta(days=d) for d in (table.first_day, table.last_day))


def _utc(day_text, hours):
    hour, minute = map(int, hours.split(":"))
    return _day(date.fromisoformat(day_text)) * DAY + hour * 60 + minute


@cache
def calendar(name):
    """The calendar called `name`; ValueError for one tickersim does not know."""
    if name == "XNYS":
        return SessionTable(name, json.loads(XNYS_TABLE.read_text(encoding="utf-8")))
    known = {c.name: c for c in (Always(), FxWeek())}
    if name not in known:
        raise ValueError(f"Calendar {name!r} is not one of 24x7, 24x5, XNYS")
    return known[name]


CALENDARS = ("24x7", "24x5", "XNYS")


@lru_cache(maxsize=256)
def open_spans(name, first, stop):
    """The open stretches of [first, stop), in order: ((start, end, session's open, session's
    close), ...)."""
    return tuple((max(a, first), min(b, stop), a, b)
                 for a, b in calendar(name).sessions(first, stop))


def resume_minute(name, after, upto):
    """The first open minute in (after, upto], or None when the market stays closed."""
    spans = open_spans(name, after + 1, upto + 1)
    return spans[0][0] if spans else None


def is_open(name, minute):
    return bool(open_spans(name, minute, minute + 1))
