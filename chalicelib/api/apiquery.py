"""The /api/ticks query, apart from I/O: its parameters, the bucket partitions a time range
needs, reading lines into ticks, folding re-sent duplicates, ordering and paging. Pure."""
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PARAMETERS = ("symbols", "date_from", "date_to", "limit", "offset")
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_OFFSET = 10**9
MAX_SYMBOLS = 100
DEFAULT_SPAN_S = 3600          # no date_from: the hour up to date_to
MAX_SPAN_S = 86400             # one request reads at most a day of the bucket
TICKS_PREFIX = "ticks/"
_WHOLE = re.compile(r"[0-9]{1,10}")
_YEAR_10000 = 253402300800
_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HOUR = re.compile(r"hour=([0-9]{2})/")
_SHAPE = "2026-12-01, 2026-12-01T09:30 or 2026-12-01T09:30:15Z"


class BadParameter(ValueError):
    """A query parameter that cannot be served; the message names it and says what to send."""

    def __init__(self, name, problem):
        self.name = name
        super().__init__(f"{name}: {problem}")


@dataclass(frozen=True)
class Query:
    symbols: frozenset | None      # None: every ticker
    start: float                   # epoch seconds, inclusive
    end: float                     # epoch seconds, inclusive
    limit: int
    offset: int


@dataclass(frozen=True)
class Row:
    """One tick of the bucket: what ordering and folding need, and its line as it was."""
    epoch: float
    ticker: str
    seq: int
    line: str


def _single(params, name):
    values = params.get(name) or []
    if len(values) > 1:
        raise BadParameter(name, f"given {len(values)} times; give it once")
    return values[0] if values else None


def _whole(name, text, low, high):
    text = text.strip()
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise BadParameter(name, f"{text!r} is not a whole number from {low} to {high}")
    return int(text)


def epoch(name, text, end_of_day=False):
    """Epoch seconds of an ISO date or time (UTC unless it says otherwise). A bare date in
    date_to means the end of that day, so date_from=D&date_to=D is the whole day D."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{text!r} is not a date or time like {_SHAPE}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    epoch = moment.timestamp()
    if not 0 <= epoch < _YEAR_10000 - 86400:
        raise BadParameter(name, f"{text!r} is outside the years 1970 to 9999")
    if end_of_day and _DATE_ONLY.fullmatch(text):
        epoch += 86400 - 1e-6
    return epoch


def _symbols(text, known):
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise BadParameter("symbols", "is empty; give tickers like Index_1,Index_2 or leave "
                                      "it out for all")
    if len(set(names)) > MAX_SYMBOLS:
        raise BadParameter("symbols", f"{len(set(names))} tickers; ask for at most "
                                      f"{MAX_SYMBOLS} at a time")
    for name in names:
        if name not in known:
            shown = ", ".join(sorted(known)[:10]) or "none yet"
            raise BadParameter("symbols", f"unknown ticker {name[:64]!r} (known: {shown}"
                                          f"{' ...' if len(known) > 10 else ''}; see "
                                          "/api/tickers)")
    return frozenset(names)


def parse(params, known, latest):
    """The Query that `params` ({name: [value, ...]}) asks for. `known`: the tickers that
    exist; `latest`: epoch of the newest tick (the default date_to). Raises BadParameter."""
    for name in sorted(params):
        if name not in PARAMETERS:
            raise BadParameter(name[:40], f"unknown parameter (use {', '.join(PARAMETERS)})")
    raw = {name: _single(params, name) for name in PARAMETERS}
    symbols = None if raw["symbols"] is None else _symbols(raw["symbols"], known)
    start = None if raw["date_from"] is None else epoch("date_from", raw["date_from"], False)
    end = None if raw["date_to"] is None else epoch("date_to", raw["date_to"], True)
    if end is None:
        end = latest if start is None else start + MAX_SPAN_S
    if start is None:
        start = end - DEFAULT_SPAN_S
    if start > end:
        raise BadParameter("date_from", f"{raw['date_from']!r} is after date_to "
                                        f"{raw['date_to'] or _iso(end)!r}")
    if end - start > MAX_SPAN_S + 1:
        raise BadParameter("date_to", "is more than 24 hours after date_from; ask for at most "
                                      "a day at a time")
    limit = DEFAULT_LIMIT if raw["limit"] is None else _whole("limit", raw["limit"], 1,
                                                               MAX_LIMIT)
    offset = 0 if raw["offset"] is None else _whole("offset", raw["offset"], 0, MAX_OFFSET)
    return Query(symbols=symbols, start=start, end=end, limit=limit, offset=offset)


def _iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Partition:
    """One day's prefix in the event-time layout, and the hours of it the range needs.

    One listing per day, starting after the hours before the first (keys sort by hour), and
    ending at the first key past the last: a day costs one call per 1,000 objects, where a
    listing per hour would cost 24 calls."""
    prefix: str
    first_hour: int
    last_hour: int

    @property
    def start_after(self):
        # "…/hour=05" sorts after every key of hour 04 and before every key of hour 05.
        return f"{self.prefix}hour={self.first_hour:02d}" if self.first_hour else None

    def hour(self, key):
        """The hour a key under the prefix belongs to, or None for a key outside the layout."""
        match = _HOUR.match(key, len(self.prefix))
        return int(match.group(1)) if match else None


def partitions(start, end, prefix=TICKS_PREFIX):
    """The partitions holding ticks stamped from `start` to `end` (epoch seconds)."""
    first = datetime.fromtimestamp(start, UTC).replace(minute=0, second=0,
                                                                microsecond=0)
    last = datetime.fromtimestamp(end, UTC)
    found, day = [], first.replace(hour=0)
    while day <= last:
        found.append(Partition(
            prefix=f"{prefix}dt={day:%Y-%m-%d}/",
            first_hour=first.hour if day.date() == first.date() else 0,
            last_hour=last.hour if day.date() == last.date() else 23))
        day += timedelta(days=1)
    return found


def read_lines(data):
    """(ticks, malformed line count) of one object's bytes. Records of other types (news) are
    neither; a line that is not a tick with ticker, seq, price and timestamp is malformed."""
    rows, malformed = [], 0
    for line in data.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            malformed += 1
            continue
        if isinstance(record, dict) and record.get("type", "tick") != "tick":
            continue
        row = _row(record, line)
        if row is None:
            malformed += 1
        else:
            rows.append(row)
    return rows, malformed


def _row(record, line):
    if not isinstance(record, dict):
        return None
    ticker, seq, price = record.get("ticker"), record.get("seq"), record.get("price")
    stamp = record.get("timestamp")
    if not (isinstance(ticker, str) and type(seq) is int and isinstance(stamp, str)
            and isinstance(price, (int, float)) and not isinstance(price, bool)):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Row(epoch=moment.timestamp(), ticker=ticker, seq=seq, line=line)


def select(rows, query):
    """The query's ticks, re-sent duplicates folded on (ticker, seq), newest first.

    The order is total (time, then ticker, then seq), so every walk through the pages of a
    range that is no longer being written sees each tick exactly once."""
    kept = {}
    for row in rows:
        if query.start <= row.epoch <= query.end and (
                query.symbols is None or row.ticker in query.symbols):
            kept.setdefault((row.ticker, row.seq), row)
    return sorted(kept.values(), key=lambda r: (-r.epoch, r.ticker, -r.seq))


def page(ordered, query):
    """The response body for one page of the ordered ticks."""
    chosen = ordered[query.offset:query.offset + query.limit]
    return {"pagination": {"limit": query.limit, "offset": query.offset, "count": len(chosen),
                           "total": len(ordered)},
            "data": [json.loads(row.line) for row in chosen]}
