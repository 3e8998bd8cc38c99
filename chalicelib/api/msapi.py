"""The Marketstack v1 routes' reading: the stage's access key, the tickers from the table, and
bars from the ticks in the bucket, read by partition with /api/ticks' own reader.

Shapes and parameters are in marketstack and msquery, the aggregation in bars (all pure).
"""

import json
import os
import time
from datetime import UTC, datetime

from chalicelib.api import api, apiquery, bars, marketstack, msquery
from chalicelib.api.marketstack import MarketstackError
from chalicelib.core import clients, logs
from chalicelib.walk.items import parse_ticker

log = logs.app_logger("marketstack")
KEY_PARAMETER_ENV = "API_KEY_PARAMETER"
KEY_TTL_S = 60  # a rotated key takes effect within a minute, without a GetParameter a call
PIN_TTL_S = 60  # how long a page walk without date_to keeps its snapshot
REMEMBERED = 64  # listings and walks kept at once (a walk's bars: ~1 MB per 5,000)
LISTING_TTL_S = 30  # a walk of pages lists each partition once; new objects show within it
MAX_DAYS = 31  # days holding data that one request may read
_FX_EVENING_MIN = 7 * 60  # an FX session starts the evening before its day (see bars)

_key = {"value": None, "read_at": -KEY_TTL_S}
_pins = {}
_listings = {}


def _aws(call, what):
    try:
        return api._aws(call, what)
    except api.ApiError as exc:
        raise MarketstackError("internal_error", exc.message) from None


def access_key(ssm=None, env=os.environ, now=time.monotonic):
    """The stage's key, from its SecureString parameter, kept for KEY_TTL_S."""
    if now() - _key["read_at"] >= KEY_TTL_S:
        name = (env.get(KEY_PARAMETER_ENV) or "").strip()
        if not name:
            log.error("%s is not set for the API function", KEY_PARAMETER_ENV)
            raise MarketstackError(
                "internal_error",
                "this API has no access key yet; its owner should run `tickersim deploy` again",
            )
        ssm = ssm or clients.get("ssm")
        reply = _aws(lambda: ssm.get_parameter(Name=name, WithDecryption=True), "access key")
        _key.update(value=reply["Parameter"]["Value"], read_at=now())
    return _key["value"]


def instruments(config, ddb=None):
    """({symbol: (kind, calendar)}, newest tick's epoch or None) from one Scan of the table."""
    items, _ = api.scan_table(ddb or clients.get("dynamodb"), config.table_name)
    found, newest = {}, None
    for item in items:
        try:
            ticker = parse_ticker(item)
        except ValueError:
            continue  # the run names a damaged item; the API skips it
        found[ticker.name] = (ticker.kind, ticker.calendar_name)
        if ticker.last_tick is not None:
            newest = max(newest or 0, ticker.last_tick)
    return found, newest


def _listed(known):
    return {symbol: marketstack.mic(*known[symbol]) for symbol in known}


# --- the bucket -------------------------------------------------------------------------


def present_days(s3, bucket, prefix):
    """The days (epoch days) that have a dt= partition under the prefix: one listing call per
    1,000 days, so a range reaching back years costs what its days with data cost."""
    days, token = set(), None
    while True:
        kwargs = {"Bucket": bucket, "Prefix": f"{prefix}dt=", "Delimiter": "/"}
        if token:
            kwargs["ContinuationToken"] = token
        page = _aws(lambda: s3.list_objects_v2(**kwargs), "tick bucket")
        for entry in page.get("CommonPrefixes", []):
            text = entry["Prefix"][len(prefix) + 3 : -1]
            try:
                days.add(
                    int(datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC).timestamp())
                    // 86400
                )
            except ValueError:
                continue  # not a partition of the layout
        token = page.get("NextContinuationToken")
        if not token:
            return days


def _remembered(key, make, now=time.monotonic):
    """A listing's (or a walk's bars') result, kept LISTING_TTL_S: listing a busy day costs
    more than aggregating it, aggregating more than answering a page, and a producer walks all
    its pages within seconds. At most REMEMBERED results, the oldest dropped first."""
    for old in [k for k, (_, at) in _listings.items() if now() - at >= LISTING_TTL_S]:
        del _listings[old]
    if key not in _listings:
        while len(_listings) >= REMEMBERED:
            del _listings[next(iter(_listings))]
        _listings[key] = (make(), now())
    return _listings[key][0]


def object_keys(config, lo, hi, s3):
    """(key, ETag) of the objects that may hold ticks stamped in [lo, hi) epoch seconds."""
    keys, days_read = [], set()
    for prefix in apiquery.PREFIXES:
        days = _remembered(
            (config.bucket_name, prefix), lambda: present_days(s3, config.bucket_name, prefix)
        )
        for part in apiquery.partitions(lo, hi - 1e-6, prefix):
            day = (
                int(
                    datetime.strptime(part.prefix[len(prefix) + 3 : -1], "%Y-%m-%d")
                    .replace(tzinfo=UTC)
                    .timestamp()
                )
                // 86400
            )
            if day in days:
                days_read.add(day)
                keys.extend(
                    _remembered(
                        (config.bucket_name, part),
                        lambda: api.list_partition(s3, config.bucket_name, part),
                    )
                )
    if len(days_read) > MAX_DAYS:
        raise marketstack.validation_error(
            {
                "date_from": (
                    "date_range_too_wide",
                    f"the range holds {len(days_read)} days of ticks; ask for "
                    f"at most {MAX_DAYS} days of data in one request (set date_from and date_to).",
                )
            }
        )
    return keys


def read_ticks(config, symbols, lo, hi, keys, s3, cache=None):
    """Ticks of `symbols` stamped in [lo, hi) epoch seconds in the objects, live and
    backfilled alike."""
    found, malformed = api.read_objects(
        s3, config.bucket_name, keys, _ticks_cache if cache is None else cache, parse_ticks
    )
    if malformed:
        log.warning("skipped %d malformed line(s) in %d object(s)", malformed, len(keys))
    wanted = set(symbols)
    return [t for t in found if t.symbol in wanted and lo <= t.epoch < hi]


def parse_ticks(data, source="ticks"):
    """(ticks, malformed lines) of one object: /api/ticks' reading, plus price and volume."""
    rows, malformed = apiquery.read_lines(data, source)
    ticks = []
    for row in rows:
        record = json.loads(row.line)
        volume = record.get("volume")
        ticks.append(
            bars.Tick(
                row.ticker,
                row.epoch,
                row.seq,
                float(record["price"]),
                volume if type(volume) is int else None,
            )
        )
    return ticks, malformed


# Parsed ticks by object, apart from /api/ticks' rows: a warm function parses each object once.
_ticks_cache = api.ObjectCache()


# --- bars -------------------------------------------------------------------------------


def _pin(query, mode, newest, now=time.monotonic):
    """The newest tick time a walk of pages sees: date_to when given, else a snapshot taken
    at the walk's first page and kept PIN_TTL_S, so newest-first pages do not shift while
    ticks arrive (one process; the README says to send date_to for an exact walk anywhere)."""
    if query.pinned:
        return None
    key = (query.endpoint, mode, query.symbols, query.interval, query.exchange, query.first)
    for old in [k for k, (_, at) in _pins.items() if now() - at >= PIN_TTL_S]:
        del _pins[old]
    if key not in _pins:
        _pins[key] = (newest, now())
    return _pins[key][0]


def bars_body(config, params, endpoint, mode=None, ddb=None, s3=None, now=time.time, cache=None):
    """A page of /v1/intraday or /v1/eod; `mode` is None, "latest" or the path's date."""
    known, newest = instruments(config, ddb)
    newest = newest if newest is not None else now()
    day = mode if mode not in (None, "latest") else None
    query = msquery.parse(params, endpoint, known, int(newest // 60), day=day)
    cutoff = _pin(query, mode, newest)
    step = query.interval
    lo = query.first - query.first % step
    if endpoint == msquery.EOD:
        lo -= _FX_EVENING_MIN
    hi = (query.last - query.last % step + step) * 60
    s3 = s3 or clients.get("s3")
    keys = object_keys(config, lo * 60, hi, s3)
    listed = _listed(known)

    def aggregate():
        ticks = read_ticks(config, query.symbols, lo * 60, hi, keys, s3, cache)
        if cutoff is not None:
            ticks = [t for t in ticks if t.epoch <= cutoff]
        ones = bars.minute_bars(ticks)
        if endpoint == msquery.EOD:
            made = bars.eod_bars(ones, lambda symbol: known[symbol][1])
        else:
            made = bars.interval_bars(ones, step)
        made = [
            b
            for b in made
            if query.first - query.first % step <= b.start <= query.last
            and query.exchange in (None, listed[b.symbol])
        ]
        if mode == "latest":
            newest_bar = {}
            for bar in made:
                if bar.start >= newest_bar.get(bar.symbol, bar).start:
                    newest_bar[bar.symbol] = bar
            made = list(newest_bar.values())
        return marketstack.ordered(made, query.descending)

    # The same objects (keys and ETags) and the same question give the same bars: the next
    # pages of a walk are slices of the first one's.
    walk = (
        query.endpoint,
        mode,
        query.symbols,
        query.interval,
        query.exchange,
        query.descending,
        query.first,
        query.last,
        cutoff,
        tuple(keys),
    )
    record = marketstack.eod_record if endpoint == msquery.EOD else marketstack.intraday_record
    body = marketstack.envelope(_remembered(walk, aggregate), query.limit, query.offset)
    body["data"] = [record(b, listed[b.symbol]) for b in body["data"]]  # the page's only
    return body


# --- tickers and exchanges --------------------------------------------------------------


def tickers_body(config, params, ddb=None):
    limit, offset = msquery.paging(params)
    known, _ = instruments(config, ddb)
    exchange = (msquery.value(params, "exchange") or "").strip().upper() or None
    search = (msquery.value(params, "search") or "").strip().lower()
    listed = _listed(known)
    records = [
        marketstack.ticker_record(s, listed[s])
        for s in sorted(known)
        if exchange in (None, listed[s]) and search in s.lower()
    ]
    return marketstack.envelope(records, limit, offset)


def ticker_body(config, symbol, ddb=None):
    known, _ = instruments(config, ddb)
    if symbol not in known:
        raise MarketstackError(
            "404_not_found",
            f"no ticker {symbol[:64]!r} in this feed; see /v1/tickers for the symbols it has",
        )
    return marketstack.ticker_record(symbol, _listed(known)[symbol])


def exchanges_body(config, params, ddb=None):
    limit, offset = msquery.paging(params)
    known, _ = instruments(config, ddb)
    used = sorted(set(_listed(known).values()))
    return marketstack.envelope([marketstack.EXCHANGES[m] for m in used], limit, offset)
