"""The /api/ticks query, apart from I/O: its parameters, the bucket partitions a time range
needs, reading lines into ticks, folding re-sent duplicates, ordering and paging. Pure."""
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PARAMETERS = ("symbols", "date_from", "date_to", "limit", "offset")
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
MAX_OFFSET = 10**9
MAX_SPAN_S = 86400             # one request reads at most a day of the bucket
DEFAULT_SPAN_S = 3600          # no date_from: the hour up to date_to
MAX_SYMBOLS = 100
# Live ticks and backfilled sessions: two tables, one API; each row says which it came from.
TICKS_PREFIX, HISTORY_PREFIX = "ticks/", "history/"
PREFIXES = (TICKS_PREFIX, HISTORY_PREFIX)
# date_to=T includes T: records are stamped to the millisecond at the finest.
_RESOLUTION_S = 0.001
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
    end: float                     # epoch seconds, exclusive
    limit: int
    offset: int
    # The window's end as the caller can send it back; pages that send it see one snapshot.
    date_to: str = ""
    open_end: bool = False         # no date_to: the end is the snapshot (the newest tick)


@dataclass(frozen=True)
class Row:
    """One tick of the bucket: what ordering and folding need, and its line as it was."""
    epoch: float
    ticker: str
    seq: int
    line: str
    source: str = "ticks"          # the table (prefix) it came from: ticks or history


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


def epoch(name, text):
    """Epoch seconds of an ISO date or time (UTC unless it says otherwise)."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter(name, f"{text!r} is not a date or time like {_SHAPE}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    epoch = moment.timestamp()
    if not 0 <= epoch < _YEAR_10000 - 2 * 86400:
        raise BadParameter(name, f"{text!r} is outside the years 1970 to 9999")
    return epoch


def _bound(name, text):
    """(epoch, the exclusive end it stands for) of a date_from/date_to: a bare date is the
    whole day, a time includes itself."""
    at = epoch(name, text)
    return at, at + (86400 if _DATE_ONLY.fullmatch(text.strip()) else _RESOLUTION_S)


def _symbols(text):
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise BadParameter("symbols", "is empty; give tickers like Index_1,Index_2 or leave "
                                      "it out for all")
    if len(set(names)) > MAX_SYMBOLS:
        raise BadParameter("symbols", f"{len(set(names))} tickers; ask for at most "
                                      f"{MAX_SYMBOLS} at a time")
    return frozenset(names)


def check_symbols(query, known):
    """BadParameter for a symbol that is neither a ticker of the table nor one with ticks in
    the window read (a deleted ticker, a backfilled one: still worth asking for)."""
    for name in sorted(query.symbols or ()):
        if name not in known:
            shown = ", ".join(sorted(known)[:10]) or "none yet"
            raise BadParameter("symbols", f"unknown ticker {name[:64]!r}: not in the table "
                                          f"and no ticks in this window (known: {shown}"
                                          f"{' ...' if len(known) > 10 else ''}; see "
                                          "/api/tickers)")


def parse(params, latest):
    """The Query that `params` ({name: [value, ...]}) asks for. `latest`: epoch of the newest
    tick, the snapshot that a window reaching past it ends at. Raises BadParameter.

    date_from=D and date_from=D&date_to=D are both the whole day D, end exclusive; date_from=T
    alone reaches a day after T; without date_from, the hour up to date_to (or the snapshot,
    whichever is first)."""
    for name in sorted(params):
        if name not in PARAMETERS:
            raise BadParameter(name[:40], f"unknown parameter (use {', '.join(PARAMETERS)})")
    raw = {name: _single(params, name) for name in PARAMETERS}
    symbols = None if raw["symbols"] is None else _symbols(raw["symbols"])
    start, day_end = (None, None) if raw["date_from"] is None else _bound(
        "date_from", raw["date_from"])
    if raw["date_to"] is not None:
        end, date_to = _bound("date_to", raw["date_to"])[1], raw["date_to"].strip()
    elif start is None:
        end, date_to = math.inf, ""
    elif _DATE_ONLY.fullmatch(raw["date_from"].strip()):
        end, date_to = day_end, raw["date_from"].strip()
    else:
        end, date_to = start + MAX_SPAN_S + _RESOLUTION_S, _iso(start + MAX_SPAN_S)
    snapshot = latest + _RESOLUTION_S
    if start is None:
        start = min(end, snapshot) - DEFAULT_SPAN_S
    if start >= end:
        raise BadParameter("date_from", f"{raw['date_from']!r} is after date_to {date_to!r}")
    if raw["date_from"] is not None and end - start > MAX_SPAN_S + _RESOLUTION_S:
        raise BadParameter("date_to", "is more than 24 hours after date_from; ask for at most "
                                      "a day at a time")
    # A window reaching past the newest tick ends at it: the pages that send date_to back
    # all see this snapshot, whatever lands meanwhile.
    open_end = end > snapshot > start
    if open_end:
        end, date_to = snapshot, _iso(latest)
    limit = DEFAULT_LIMIT if raw["limit"] is None else _whole("limit", raw["limit"], 1,
                                                               MAX_LIMIT)
    offset = 0 if raw["offset"] is None else _whole("offset", raw["offset"], 0, MAX_OFFSET)
    return Query(symbols=symbols, start=start, end=end, limit=limit, offset=offset,
                 date_to=date_to, open_end=open_end)


def _iso(epoch):
    moment = datetime.fromtimestamp(epoch, UTC)
    milli = f".{moment.microsecond // 1000:03d}" if moment.microsecond >= 1000 else ""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{milli}Z"


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
    """The partitions holding records stamped from `start` to before `end` (epoch seconds)."""
    first = datetime.fromtimestamp(start, UTC).replace(minute=0, second=0,
                                                                microsecond=0)
    last = datetime.fromtimestamp(max(start, end - _RESOLUTION_S), UTC)
    found, day = [], first.replace(hour=0)
    while day <= last:
        found.append(Partition(
            prefix=f"{prefix}dt={day:%Y-%m-%d}/",
            first_hour=first.hour if day.date() == first.date() else 0,
            last_hour=last.hour if day.date() == last.date() else 23))
        day += timedelta(days=1)
    return found


def read_lines(data, source="ticks"):
    """(ticks, malformed line count) of one object's bytes from table `source`. Records of
    other types (news) are neither; a line that is not a tick with ticker, seq, price and
    timestamp is malformed."""
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
        row = _row(record, line, source)
        if row is None:
            malformed += 1
        else:
            rows.append(row)
    return rows, malformed


def _row(record, line, source):
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
    return Row(epoch=moment.timestamp(), ticker=ticker, seq=seq, line=line, source=source)


def select(rows, query):
    """The query's ticks, re-sent duplicates folded, newest first.

    A re-sent tick repeats its line, so (table, ticker, seq, time) folds it while keeping
    apart a ticker's two lives (deleted and seeded again, its seq restarts) and a backfilled
    session beside the live feed. The order is total (time, ticker, table, seq), so every
    walk through the pages of one window sees each tick exactly once."""
    kept = {}
    for row in rows:
        if query.start <= row.epoch < query.end and (
                query.symbols is None or row.ticker in query.symbols):
            kept.setdefault((row.source, row.ticker, row.seq, row.epoch), row)
    return sorted(kept.values(), key=lambda r: (-r.epoch, r.ticker, r.source, -r.seq))


def page(ordered, query):
    """The response body for one page of the ordered ticks; `date_to` is what later pages
    send to see the same snapshot while new ticks land."""
    chosen = ordered[query.offset:query.offset + query.limit]
    return {"pagination": {"limit": query.limit, "offset": query.offset, "count": len(chosen),
                           "total": len(ordered), "date_to": query.date_to},
            "data": [{**json.loads(row.line), "source": row.source} for row in chosen]}
