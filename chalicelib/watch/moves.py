"""Price-move alerts from delivered ticks: the rule, its state items and the alert's text.

Pure: no I/O (chalicelib/watch/watch.py reads the objects, keeps the state and publishes).

The rule. Event time is cut into fixed windows of MOVE_ALERT_WINDOW_MINUTES (:00-:05,
:05-:10, ... for 5). A ticker's window holds the lowest and the highest tick seen in it; the
window has moved when (high - low) / high >= MOVE_ALERT_PERCENT %. Both extremes only widen as
ticks arrive, whatever their order, and a tick seen twice changes nothing, so the set of
windows that move does not depend on arrival order or duplication; the alerted flag kept
with each window makes the alert happen once. The alert states the move from the earlier
extreme to the later one: a rise by high/low - 1, a drop by low/high - 1, both at least the
threshold in size.
"""
import calendar
import json
import time
import zlib
from dataclasses import dataclass, replace
from urllib.parse import quote

from chalicelib.alerts.alerts import MESSAGE_LIMIT, fit
from chalicelib.alerts.text import ascii_fold, single_line
from chalicelib.walk.ticks import ISO_FORMAT, iso

STATE_PREFIX = "#moves|"         # + the window's start (+ "#<shard>"): the window's items
# DynamoDB caps an item at 400 KB and a ticker takes ~40 bytes in it: 4,000 a shard is ~160 KB.
TICKERS_PER_STATE_ITEM = 4000
SUBJECT_LIMIT = 99               # SNS: fewer than 100 ASCII characters, one line
KEEP_STATE_S = 24 * 3600         # a window's item expires (table TTL) a day after it ends


@dataclass(frozen=True, order=True)
class Tick:
    epoch: int          # the tick's own time, epoch seconds
    seq: int
    price: float


@dataclass(frozen=True)
class Range:
    """What a ticker's window has seen: its lowest and highest tick, and whether it alerted."""
    low: Tick
    high: Tick
    alerted: bool = False

    def widened(self, other):
        # Ties go to the lower seq, so that the merge is the same in any order.
        low = min(self.low, other.low, key=lambda t: (t.price, t.seq))
        high = max(self.high, other.high, key=lambda t: (t.price, -t.seq))
        return Range(low, high, self.alerted or other.alerted)

    def size_percent(self):
        """(high - low) / high in percent: the measure the threshold applies to."""
        return (self.high.price - self.low.price) / self.high.price * 100

    def change_percent(self):
        """The move from the earlier extreme to the later one, signed."""
        if self.low.seq < self.high.seq:
            return (self.high.price / self.low.price - 1) * 100
        return (self.low.price / self.high.price - 1) * 100

    def moved(self, percent):
        return self.size_percent() >= percent


@dataclass(frozen=True)
class Move:
    ticker: str
    window: int          # window number: epoch minute // window minutes
    window_minutes: int
    range: Range

    @property
    def start(self):     # epoch seconds of the earlier extreme
        return min(self.range.low.epoch, self.range.high.epoch)

    def first_last(self):
        r = self.range
        return (r.low, r.high) if r.low.seq < r.high.seq else (r.high, r.low)


def parse_ticks(data):
    """{(ticker, seq): Tick} of the object's lines that are ticks; other lines are skipped
    (news records, damaged lines). A tick seen twice is kept once."""
    ticks = {}
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or record.get("type", "tick") != "tick":
                continue
            name, seq, price = record["ticker"], record["seq"], record["price"]
            epoch = calendar.timegm(time.strptime(record["timestamp"], ISO_FORMAT))
        except (ValueError, KeyError, TypeError):
            continue
        if (isinstance(name, str) and isinstance(seq, int) and not isinstance(price, bool)
                and isinstance(price, (int, float)) and price > 0):
            ticks[(name, seq)] = Tick(epoch, seq, float(price))
    return ticks


def window_of(epoch, window_minutes):
    return epoch // 60 // window_minutes


def ranges(ticks, window_minutes):
    """{window: {ticker: Range}} of the ticks ({(ticker, seq): Tick})."""
    found = {}
    for (name, _), tick in ticks.items():
        windows = found.setdefault(window_of(tick.epoch, window_minutes), {})
        seen = windows.get(name)
        windows[name] = Range(tick, tick) if seen is None else seen.widened(Range(tick, tick))
    return found


def merge(stored, fresh, percent):
    """(the window's new state, tickers that moved in it just now): fresh ranges widen the
    stored ones; a ticker alerts when its range first reaches the threshold."""
    merged, alerted = dict(stored), []
    for name, seen in fresh.items():
        before = stored.get(name)
        now = seen if before is None else before.widened(seen)
        if not now.alerted and now.moved(percent):
            now = replace(now, alerted=True)
            alerted.append(name)
        merged[name] = now
    return merged, sorted(alerted)


# --- the state item of one window -----------------------------------------------------------

def state_key(window, window_minutes, shard=0, shards=1):
    """The key of one of the window's items; with one shard the plain window key."""
    key = STATE_PREFIX + iso(window * window_minutes * 60)
    return key if shards == 1 else f"{key}#{shard}"


def shard_of(name, shards):
    # crc32, not hash(): the same ticker lands in the same item in every invocation.
    return zlib.crc32(name.encode("utf-8", "surrogatepass")) % shards


def split(ranges_by_ticker, shards):
    """{shard: {ticker: Range}} of the shards the tickers fall in (only those)."""
    found = {}
    for name, r in ranges_by_ticker.items():
        found.setdefault(shard_of(name, shards), {})[name] = r
    return found


def shards_for(tickers):
    """MOVE_STATE_SHARDS for a table of `tickers`: each item well under DynamoDB's 400 KB."""
    return max(1, -(-tickers // TICKERS_PER_STATE_ITEM))


def windows_kept(max_catchup_minutes, window_minutes):
    """How many windows back a re-sent tick can land: a catch-up re-sends at most
    MAX_CATCHUP_MINUTES. Older window items are deleted, because the streaming run's Scan
    reads every item in the table (the TTL is only a backstop: it deletes within days)."""
    return -(-max_catchup_minutes // window_minutes) + 1


def _encode(r, start):
    # Times as seconds into the window: a few bytes fewer per ticker, on every write.
    flag = "A" if r.alerted else "-"
    return " ".join([repr(r.low.price), str(r.low.seq), str(r.low.epoch - start),
                     repr(r.high.price), str(r.high.seq), str(r.high.epoch - start), flag])


def _decode(text, start):
    low_p, low_s, low_e, high_p, high_s, high_e, flag = text.split()
    return Range(Tick(start + int(low_e), int(low_s), float(low_p)),
                 Tick(start + int(high_e), int(high_s), float(high_p)), flag == "A")


def state_item(key, window, window_minutes, ranges_by_ticker, version):
    """The window's item in DynamoDB's low-level format (one string per ticker, to keep
    write units low: about 40 bytes a ticker)."""
    start = window * window_minutes * 60
    expires = start + window_minutes * 60 + KEEP_STATE_S
    return {"TickerName": {"S": key}, "Version": {"N": str(version)},
            "ExpiresAt": {"N": str(expires)},
            "Tickers": {"M": {name: {"S": _encode(r, start)}
                              for name, r in sorted(ranges_by_ticker.items())}}}


def parse_state(item, window, window_minutes):
    """(version, {ticker: Range}) of a window's item; (0, {}) for none. A damaged entry is
    dropped: at worst that ticker alerts once more in that window."""
    if not item:
        return 0, {}
    try:
        version = int(item.get("Version", {}).get("N", "0"))
    except ValueError:
        version = 0
    found, start = {}, window * window_minutes * 60
    for name, value in item.get("Tickers", {}).get("M", {}).items():
        try:
            found[name] = _decode(value["S"], start)
        except (KeyError, TypeError, ValueError):
            continue
    return version, found


# --- the alert -------------------------------------------------------------------------------

def _pct(value):
    return f"{value:+.2f} %"


def _name(text, room):
    name = single_line(ascii_fold(text))
    return name if len(name) <= room else name[:max(1, room - 3)] + "..."


def subject(moves):
    """`Move: Index_3 -1.42 % in 5 min`; several tickers share one subject, each by its
    largest move, largest first, with `(+N more)` for those that do not fit in SNS's 99
    characters."""
    largest = {}
    for m in moves:
        if abs(m.range.change_percent()) > abs(largest.get(m.ticker, m).range.change_percent()) \
                or m.ticker not in largest:
            largest[m.ticker] = m
    moves = sorted(largest.values(), key=lambda m: -abs(m.range.change_percent()))
    minutes = f" in {moves[0].window_minutes} min"
    if len(moves) == 1:
        m = moves[0]
        tail = f" {_pct(m.range.change_percent())}{minutes}"
        return "Move: " + _name(m.ticker, SUBJECT_LIMIT - len("Move: ") - len(tail)) + tail
    parts = []
    for n, m in enumerate(moves):
        more = len(moves) - n - 1
        part = f"{_name(m.ticker, 40)} {_pct(m.range.change_percent())}"
        rest = f" (+{more} more)" if more else ""
        if len("Moves: " + ", ".join(parts + [part]) + rest + minutes) > SUBJECT_LIMIT:
            break
        parts.append(part)
    left = len(moves) - len(parts)
    return ("Moves: " + ", ".join(parts) + (f" (+{left} more)" if left else "") + minutes)


def data_link(bucket, key, region):
    """The S3 console's view of the object's folder, and the object itself."""
    folder = key.rsplit("/", 1)[0] + "/" if "/" in key else ""
    return (f"https://s3.console.aws.amazon.com/s3/buckets/{quote(bucket)}?region={region}"
            f"&prefix={quote(folder, safe='')}", f"s3://{bucket}/{key}")


def object_links(objects, region):
    return [link for bucket, key in objects for link in data_link(bucket, key, region)]


def body(moves, percent, links):
    """The alert's text: per ticker the window, the two prices with their times and the
    change; then where the data is (`links`, one a line)."""
    lines = [f"{len(moves)} price move(s) of at least {percent:g} % within a "
             f"{moves[0].window_minutes}-minute window (event time, UTC):", ""]
    for m in sorted(moves, key=lambda m: (m.ticker, m.window)):
        first, last = m.first_last()
        start = m.window * m.window_minutes * 60
        lines += [f"{m.ticker}: {_pct(m.range.change_percent())}",
                  f"  window   {iso(start)} to {iso(start + m.window_minutes * 60)}",
                  f"  from     {first.price:.4f} at {iso(first.epoch)} (seq {first.seq})",
                  f"  to       {last.price:.4f} at {iso(last.epoch)} (seq {last.seq})", ""]
    lines.append("The data:")
    lines += [f"  {link}" for link in links]
    lines += ["", "One alert per ticker per window; re-sent ticks are deduplicated on "
              "(ticker, seq). Unsubscribe with the link below to stop these e-mails."]
    # A long catch-up over many tickers can move more than one message holds.
    return fit("\n".join(lines) + "\n", MESSAGE_LIMIT)
