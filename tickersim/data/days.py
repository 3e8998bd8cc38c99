"""Trading days of any calendar from 1999 on, for history: an exchange's sessions from
exchange-calendars (asked for its window explicitly: by default it reaches back only about 20
years), and tickersim's own 24x7 (UTC days) and 24x5 (FX days turning at 17:00 New York).
"""
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.walk.calendars import DAY, new_york
from chalicelib.walk.stochvol import calendar_days

HISTORY_START = date(1999, 1, 1)    # every ticker's history starts from its seed price here
OWN_CALENDARS = ("24x7", "24x5")
_FX_TURN = 17 * 60


class CalendarProblem(ValueError):
    """The message names the calendar or date at fault."""


@dataclass(frozen=True)
class Session:
    day: str             # YYYY-MM-DD, the session's date on its calendar
    spans: tuple         # ((first minute, stop minute), ...): open stretches, lunch apart

    @property
    def open(self):
        return self.spans[0][0]

    @property
    def close(self):
        return self.spans[-1][1]

    @property
    def minutes(self):
        return sum(stop - start for start, stop in self.spans)


def _epoch_day(d):
    return (d - date(1970, 1, 1)).days


def _own(name, last):
    found, d = [], HISTORY_START
    while d <= last:
        n = _epoch_day(d)
        if name == "24x7":
            found.append(Session(d.isoformat(), ((n * DAY, (n + 1) * DAY),)))
        elif d.weekday() < 5:
            # An FX day runs from 17:00 New York the evening before to 17:00 on the day.
            found.append(Session(d.isoformat(), ((new_york(n - 1, _FX_TURN),
                                                  new_york(n, _FX_TURN)),)))
        d += timedelta(days=1)
    return found


def sessions(name, last):
    """Every session of calendar `name` from HISTORY_START to `last` (a date), in order;
    CalendarProblem for an unknown calendar or one whose data stop before `last`."""
    if name in OWN_CALENDARS:
        return _own(name, last)
    import exchange_calendars  # heavy (pandas): operator tooling only
    try:
        calendar = exchange_calendars.get_calendar(name, start=HISTORY_START.isoformat())
    except exchange_calendars.errors.InvalidCalendarName:
        raise CalendarProblem(f"--calendar {name!r} is not a known calendar (24x7, 24x5, or "
                              "an exchange such as XNYS, XLON, XTKS)") from None
    except ValueError as exc:
        raise CalendarProblem(f"--calendar {name}: exchange-calendars cannot reach back to "
                              f"{HISTORY_START} ({exc})") from None
    if calendar.last_session.date() < last:
        raise CalendarProblem(f"calendar {name} has sessions up to "
                              f"{calendar.last_session.date()} only, not {last}")
    schedule = calendar.schedule
    schedule = schedule[schedule.index.date <= last]
    columns = [_minutes(schedule[c]) for c in ("open", "break_start", "break_end", "close")]
    found = []
    for day, opens, pause, resume, close in zip(schedule.index.date, *columns):
        spans = ((opens, close),) if pause is None else ((opens, pause), (resume, close))
        found.append(Session(day.isoformat(), spans))
    return found


def _minutes(column):
    """Epoch minutes of a column of UTC times (None where there is none, e.g. no lunch)."""
    values = column.dt.tz_convert(None).to_numpy().astype("datetime64[m]")
    return [None if v != v else int(v.astype("int64")) for v in values]


def sessions_a_year(name):
    """How many sessions a year the calendar has: its annual volatility spreads over them."""
    return calendar_days(name)[1]
