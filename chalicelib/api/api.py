"""The read-only HTTP API: what each route answers, from the table and the bucket.

Bodies are plain dicts; app.py turns them into responses. Parameters, partitions, folding and
paging are in apiquery (pure); this module does the reading.
"""
import os
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.api import apiquery
from chalicelib.core import clients, logs
from chalicelib.core.errors import TickersimError
from chalicelib.walk.calendars import is_open
from chalicelib.walk.items import KEY, parse_ticker

log = logs.app_logger("api")
WEB = Path(__file__).parent / "web"
READERS = 16                  # GetObject calls in flight: the work is waiting, not computing
CACHE_TICKS = 200_000         # about 50 MB of parsed objects kept between warm invocations
DEFAULT_SCHEDULE_S = 60
NOT_FOUND_MESSAGE = ("no route for {method} {path}; the routes are GET /, GET /api/tickers "
                     "and GET /api/ticks")
_INTERNAL = "#"               # #run and the other items the app keeps for itself


@dataclass(frozen=True)
class ApiSettings:
    table_name: str
    bucket_name: str
    schedule_seconds: float
    wall_clock: bool = True     # runs' times are the wall clock's (not the demo's logical one)


class ApiError(Exception):
    """An answer other than 200: status, code and a message for the caller."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code, message):
    return {"error": {"code": code, "message": message}}


def settings(env=os.environ):
    missing = [n for n in ("TABLE_NAME", "BUCKET_NAME") if not (env.get(n) or "").strip()]
    if missing:
        # The deployer's mistake, not the caller's: say so without internals.
        log.error("environment variable(s) %s not set for the API function", ", ".join(missing))
        raise ApiError(503, "not_configured", "this API is not configured yet; its owner "
                                              "should run `tickersim deploy` again")
    # The demo sets RUN_INTERVAL_SECONDS: its runs come every few seconds on a logical clock.
    try:
        schedule = float(env.get("RUN_INTERVAL_SECONDS") or DEFAULT_SCHEDULE_S)
    except ValueError:
        schedule = DEFAULT_SCHEDULE_S
    return ApiSettings(env["TABLE_NAME"].strip(), env["BUCKET_NAME"].strip(), schedule,
                       wall_clock="RUN_INTERVAL_SECONDS" not in env)


def _aws(call, what):
    """Run an AWS call; its failure becomes a 503 that names what could not be read."""
    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        log.error("%s failed: %s", what, exc)
        raise ApiError(503, "upstream_unavailable",
                       f"could not read the {what} just now; try again shortly") from None


# --- the table --------------------------------------------------------------------------

def _number(item, attr):
    try:
        value = Decimal(item[attr]["N"])
    except (KeyError, TypeError, InvalidOperation):
        return None
    return value if value.is_finite() else None


def scan_table(ddb, table):
    """(ticker items, the #run item or None): one Scan, paged only past 1 MB of items."""
    # Kind and Calendar say whether the ticker's market is open.
    names = {"#k": KEY, "#p": "Price", "#s": "Seq", "#t": "LastTick", "#r": "LastRun",
             "#i": "Kind", "#c": "Calendar", "#h": "Heartbeat"}
    tickers, run, start = [], None, None
    while True:
        kwargs = {"TableName": table, "ProjectionExpression": "#k, #p, #s, #t, #r, #i, #c, #h",
                  "ExpressionAttributeNames": names}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = _aws(lambda: ddb.scan(**kwargs), "ticker table")
        for item in page.get("Items", []):
            name = item.get(KEY, {}).get("S", "")
            if name == "#run":
                run = item
            elif name and not name.startswith(_INTERNAL):
                tickers.append(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return tickers, run


def _market(item, minute):
    """"open" or "closed" at the feed's minute by the ticker's calendar; None when the item or
    the calendar's session table cannot say (the run names that ticker)."""
    try:
        return "open" if is_open(parse_ticker(item).calendar_name, minute) else "closed"
    except (ValueError, TickersimError):
        return None


def _ticker(item, minute):
    """The public view of a ticker item; None when it has no valid price (the run reports it)."""
    price, seq = _number(item, "Price"), _number(item, "Seq")
    if price is None or price <= 0:
        return None
    return {"ticker": item[KEY]["S"], "price": float(price),
            "timestamp": item.get("LastTick", {}).get("S"),
            "seq": int(seq) if seq is not None and seq == seq.to_integral_value() else 0,
            "market": _market(item, minute)}


def _epoch(text):
    """Epoch seconds of an ISO time kept in the table; None for none or a damaged one."""
    try:
        return apiquery.epoch("time", text) if isinstance(text, str) else None
    except ValueError:
        return None


RUN_TIMES = ("LastRun", "Heartbeat")


def tickers_body(config, ddb=None, now=time.time):
    items, run = scan_table(ddb or clients.get("dynamodb"), config.table_name)
    # The schedule's last run: one that walked (LastRun) or one that found nothing open to
    # walk (Heartbeat); a closed market is a healthy feed whose clock still moves.
    runs = [(at, text) for text in ((run or {}).get(a, {}).get("S") for a in RUN_TIMES)
            if (at := _epoch(text)) is not None]
    at, last_run = max(runs, default=(None, None))
    # Open or closed as of the feed's own clock (the demo's is logical), else the wall clock.
    minute = int(now() if at is None else at) // 60
    data = sorted(filter(None, (_ticker(item, minute) for item in items)),
                  key=lambda t: t["ticker"])
    behind = None if at is None or not config.wall_clock else max(0, int(now() - at))
    # The page raises its alert when the feed stops moving: a failed run leaves the table as
    # it was (see README, "The live chart").
    return {"data": data, "run": {"last_run": last_run, "behind_seconds": behind,
                                  "schedule_seconds": config.schedule_seconds}}


# --- the bucket -------------------------------------------------------------------------

class ObjectCache:
    """Parsed objects by (key, ETag), least recently used first out. Firehose never rewrites
    an object, so a warm function reads each one once however many pages are walked."""

    def __init__(self, max_ticks=CACHE_TICKS):
        self.max_ticks, self.ticks, self._entries = max_ticks, 0, OrderedDict()

    def get(self, key):
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key, entry):
        self._entries[key] = entry
        self.ticks += len(entry[0])
        while self.ticks > self.max_ticks and len(self._entries) > 1:
            _, (rows, _) = self._entries.popitem(last=False)
            self.ticks -= len(rows)


_cache = ObjectCache()


def list_partition(s3, bucket, partition):
    """(key, ETag) of the objects in the partition's hours, in key order."""
    found, token = [], None
    while True:
        kwargs = {"Bucket": bucket, "Prefix": partition.prefix}
        if token:
            kwargs["ContinuationToken"] = token
        elif partition.start_after:
            kwargs["StartAfter"] = partition.start_after
        page = _aws(lambda: s3.list_objects_v2(**kwargs), "tick bucket")
        for entry in page.get("Contents", []):
            hour = partition.hour(entry["Key"])
            if hour is not None and hour > partition.last_hour:
                return found          # keys sort by hour: nothing further is wanted
            if hour is not None and hour >= partition.first_hour:
                found.append((entry["Key"], entry.get("ETag", "")))
        token = page.get("NextContinuationToken")
        if not token:
            return found


def read_objects(s3, bucket, keys, cache=None, parse=apiquery.read_lines):
    """(rows, malformed lines) of the objects, in key order; each object read once. `parse`
    turns an object's bytes into (rows, malformed lines); each parse keeps its own cache."""
    cache = _cache if cache is None else cache
    def fetch(key):
        body = _aws(lambda: s3.get_object(Bucket=bucket, Key=key)["Body"].read(),
                    "tick bucket")
        return parse(body, source=key.split("/", 1)[0])

    # Held here too: a range larger than the cache must not lose what it just evicted.
    entries = {key: cache.get(key) for key in keys}
    missing = [key for key, entry in entries.items() if entry is None]
    if missing:
        with ThreadPoolExecutor(max_workers=min(READERS, len(missing))) as pool:
            for key, entry in zip(missing, pool.map(lambda k: fetch(k[0]), missing)):
                entries[key] = entry
                cache.put(key, entry)
    rows, malformed = [], 0
    for key in keys:
        rows.extend(entries[key][0])
        malformed += entries[key][1]
    return rows, malformed


def read_window(s3, bucket, query, cache=None):
    """(rows, malformed lines, objects read) of the window, live and backfilled tables."""
    keys = [key for prefix in apiquery.PREFIXES
            for part in apiquery.partitions(query.start, query.end, prefix)
            for key in list_partition(s3, bucket, part)]
    rows, malformed = read_objects(s3, bucket, keys, cache)
    return rows, malformed, len(keys)


def ticks_body(config, params, ddb=None, s3=None, now=time.time, cache=None):
    """One page of /api/ticks; ApiError(400) names a bad parameter.

    Without date_to the window ends at the newest tick the bucket holds at this request, and
    says so in pagination.date_to: later pages that send it are not shifted by new ticks."""
    items, _ = scan_table(ddb or clients.get("dynamodb"), config.table_name)
    stamps = [_epoch(item.get("LastTick", {}).get("S")) for item in items]
    latest = max((s for s in stamps if s is not None), default=None) or now()
    s3 = s3 or clients.get("s3")
    try:
        query = apiquery.parse(params, latest)
        rows, malformed, objects = read_window(s3, config.bucket_name, query, cache)
        newest = max((r.epoch for r in rows if query.start <= r.epoch < query.end),
                     default=None)
        if query.open_end and newest is not None and newest < latest:
            query = apiquery.parse(params, newest)
            rows, malformed, objects = read_window(s3, config.bucket_name, query, cache)
        apiquery.check_symbols(query, {item[KEY]["S"] for item in items}
                               | {row.ticker for row in rows})
    except apiquery.BadParameter as exc:
        raise ApiError(400, "invalid_parameter", str(exc)) from None
    if malformed:
        log.warning("skipped %d malformed line(s) in %d object(s)", malformed, objects)
    body = apiquery.page(apiquery.select(rows, query), query)
    body["skipped_lines"] = malformed
    return body
