"""Marketstack's v1 request parameters, apart from I/O: what a /v1/intraday or /v1/eod
request asks for, or Marketstack's validation error naming every parameter at fault.

Marketstack ignores parameters it does not know (a client may send `callback` or
`after_hours`), and so does this parser. Dates are Marketstack's: `YYYY-MM-DD`, or an ISO-8601
time such as `2020-05-21T00:00:00+0000`; a bare date in date_to takes in that whole day.
"""

from dataclasses import dataclass

from chalicelib.api.apiquery import BadParameter, epoch
from chalicelib.api.bars import INTERVALS
from chalicelib.api.marketstack import MarketstackError, validation_error
from chalicelib.walk.calendars import DAY

INTRADAY, EOD = "intraday", "eod"
# What a bars request reads besides access_key (checked apart); any other name is ignored.
PARAMETERS = ("symbols", "exchange", "interval", "sort", "date_from", "date_to", "limit", "offset")
DEFAULT_INTERVAL = "1hour"  # Marketstack's default
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_SYMBOLS = 100  # Marketstack's maximum per request
MAX_OFFSET = 10**9
# Without date_from: the day (intraday) or the 31 days (eod) up to date_to.
DEFAULT_SPAN_MIN = {INTRADAY: DAY, EOD: 31 * DAY}


@dataclass(frozen=True)
class Query:
    endpoint: str  # INTRADAY or EOD
    symbols: tuple  # the known symbols asked for, as given
    exchange: str | None  # a MIC, or None for every exchange
    interval: int  # bar length in minutes (eod: a day)
    descending: bool
    first: int  # epoch minute: bars opening at or after it ...
    last: int  # ... and at or before it
    limit: int
    offset: int
    pinned: bool  # False: date_to was not given, `last` is the newest data


def value(params, name):
    """The parameter's last value, or None; Chalice gives every value of a repeated name."""
    values = params.get(name)
    if isinstance(values, str):
        return values
    return values[-1] if values else None


def _whole(text, low, high):
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and low <= int(text) <= high else None


def _minute(name, text, end_of_day):
    # An unencoded "+0000" in a query string arrives as " 0000".
    text = text.strip()
    if len(text) > 5 and text[-5] == " " and text[-4:].isdigit():
        text = f"{text[:-5]}+{text[-4:]}"
    minute = int(epoch(name, text) // 60)
    # A bare date in date_to takes in that whole day: up to its last minute.
    return minute + 1439 if end_of_day and ":" not in text else minute


def _symbols(text, known, problems):
    names = list(dict.fromkeys(s.strip() for s in (text or "").split(",") if s.strip()))
    if not names:
        problems["symbols"] = (
            "missing_symbols",
            "You did not specify any symbols: give "
            "symbols=AAPL or symbols=AAPL,MSFT (see /v1/tickers).",
        )
        return ()
    if len(names) > MAX_SYMBOLS:
        problems["symbols"] = (
            "too_many_symbols",
            f"You asked for {len(names)} symbols; ask for at most {MAX_SYMBOLS} in one request.",
        )
        return ()
    return tuple(name for name in names if name in known)


def _paging(raw, problems):
    limit = DEFAULT_LIMIT if raw["limit"] is None else _whole(raw["limit"], 1, MAX_LIMIT)
    if limit is None:
        problems["limit"] = (
            "invalid_limit",
            f"{raw['limit'][:40]!r} is not a whole number from 1 to {MAX_LIMIT}.",
        )
    offset = 0 if raw["offset"] is None else _whole(raw["offset"], 0, MAX_OFFSET)
    if offset is None:
        problems["offset"] = (
            "invalid_offset",
            f"{raw['offset'][:40]!r} is not a whole number of 0 or more.",
        )
    return limit, offset


def paging(params):
    """(limit, offset) of a listing (/v1/tickers, /v1/exchanges); MarketstackError if bad."""
    problems = {}
    limit, offset = _paging({name: value(params, name) for name in ("limit", "offset")}, problems)
    if problems:
        raise validation_error(problems)
    return limit, offset


def _dates(raw, endpoint, newest, problems):
    first = last = None
    for name, end_of_day in (("date_from", False), ("date_to", True)):
        if raw[name] is None:
            continue
        try:
            minute = _minute(name, raw[name], end_of_day)
        except BadParameter as exc:
            problems[name] = (
                "invalid_date",
                f"{str(exc).split(': ', 1)[1]}; use YYYY-MM-DD "
                "or an ISO-8601 time like 2020-05-21T00:00:00+0000.",
            )
            continue
        if name == "date_from":
            first = minute
        else:
            last = minute
    if last is None:
        last = newest
    if first is None:
        first = last - DEFAULT_SPAN_MIN[endpoint] + 1
    if "date_from" not in problems and "date_to" not in problems and first > last:
        problems["date_from"] = (
            "invalid_date_range",
            f"date_from {raw['date_from']!r} is "
            f"after date_to {raw['date_to'] or 'the newest data'!r}.",
        )
    return first, last


def parse(params, endpoint, known, newest, day=None):
    """The Query of `params` ({name: [values]} or {name: value}) for INTRADAY or EOD.

    `known`: the symbols that exist; `newest`: epoch minute of the newest data (date_to's
    default); `day`: the path's date (/v1/intraday/{date}, /v1/eod/{date}), which sets both
    ends. Raises MarketstackError: validation_error (422) naming each parameter at fault,
    or no_valid_symbols_provided (422) when none of the symbols exists."""
    raw = {name: value(params, name) for name in PARAMETERS}
    if day is not None:
        raw["date_from"] = raw["date_to"] = day
    problems = {}
    symbols = _symbols(raw["symbols"], known, problems)
    interval = DAY
    if endpoint == INTRADAY:
        name = (raw["interval"] or DEFAULT_INTERVAL).strip()
        interval = INTERVALS.get(name)
        if interval is None:
            problems["interval"] = (
                "invalid_interval",
                f"{name[:40]!r} is not an interval; use one of {', '.join(INTERVALS)}.",
            )
    sort = (raw["sort"] or "DESC").strip().upper()
    if sort not in ("DESC", "ASC"):
        problems["sort"] = (
            "invalid_sort",
            f"{raw['sort'][:40]!r} is not a sort order; use DESC or ASC.",
        )
    limit, offset = _paging(raw, problems)
    first, last = _dates(raw, endpoint, newest, problems)
    if problems:
        raise validation_error(problems)
    if not symbols:
        raise MarketstackError(
            "no_valid_symbols_provided",
            "At least one valid symbol must be provided; see /v1/tickers "
            "for the symbols this feed has.",
        )
    exchange = (raw["exchange"] or "").strip().upper() or None
    return Query(
        endpoint=endpoint,
        symbols=symbols,
        exchange=exchange,
        interval=interval or DAY,
        descending=sort == "DESC",
        first=first,
        last=last,
        limit=limit or DEFAULT_LIMIT,
        offset=offset or 0,
        pinned=raw["date_to"] is not None,
    )
