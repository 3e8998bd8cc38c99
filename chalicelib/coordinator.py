"""The scheduled function as coordinator: count the tickers, fix the minute's seed, and start
one worker per parallel-scan segment, asynchronously (each worker has its own retries and
on-failure destination, so one failing segment alerts while the others commit)."""
import json
import secrets
import time

from botocore.exceptions import ClientError

from chalicelib import events, fanout, logs
from chalicelib.errors import FanOutFailed, TableMissing
from chalicelib.items import KEY, RUN_KEY, SPECIAL_PREFIX
from chalicelib.ticks import iso, run_minute


def count_tickers(ddb, table):
    """How many tickers the table holds: a COUNT Scan (no items come back, so no memory;
    its reads cost what a Scan's do, about one call a megabyte of table)."""
    count, start = 0, None
    while True:
        kwargs = {"TableName": table, "Select": "COUNT",
                  "FilterExpression": "NOT begins_with(#k, :own)",
                  "ExpressionAttributeNames": {"#k": KEY},
                  "ExpressionAttributeValues": {":own": {"S": SPECIAL_PREFIX}}}
        if start:
            kwargs["ExclusiveStartKey"] = start
        try:
            page = ddb.scan(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise TableMissing(table) from exc
            raise
        count += page.get("Count", 0)
        start = page.get("LastEvaluatedKey")
        if not start:
            return count


def fix_seed(ddb, table, now_minute, segments, market_seed):
    """Record the fan-out on the run-state item and return the seed every worker walks with:
    the stored one, or one drawn now and stored in the same write (if_not_exists: two
    coordinators racing still agree). None when MARKET_SEED is set."""
    names = {"#f": "FanOutAt", "#n": "Segments"}
    values = {":f": {"S": iso(now_minute * 60)}, ":n": {"N": str(segments)}}
    update = "SET #f = :f, #n = :n"
    if market_seed is None:
        names["#s"] = "Seed"
        values[":s"] = {"N": str(secrets.randbits(63))}
        update += ", #s = if_not_exists(#s, :s)"
    reply = ddb.update_item(TableName=table, Key={KEY: {"S": RUN_KEY}}, UpdateExpression=update,
                            ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                            ReturnValues="ALL_NEW")
    return None if market_seed is not None else int(reply["Attributes"]["Seed"]["N"])


def dispatch(lam, function, payloads):
    """Invoke the worker once per event, asynchronously; a refused invocation does not stop
    the others. Raises FanOutFailed naming the segments that did not start."""
    refused = []
    for event in payloads:
        try:
            lam.invoke(FunctionName=function, InvocationType="Event",
                       Payload=json.dumps(event).encode("utf-8"))
        except ClientError as exc:
            refused.append((events.parse_task(event).label,
                            exc.response.get("Error", {}).get("Code", "error")))
    if refused:
        raise FanOutFailed(function, len(payloads), refused)


def run(event, settings, ddb, lam, segments, wall_clock=time.time):
    """Start the workers for this minute; returns the coordinator's report (also logged).
    The report carries what a local runner needs to start the same workers itself."""
    now_minute, _ = run_minute(event, wall_clock)
    seed = fix_seed(ddb, settings.table_name, now_minute, segments, settings.market_seed)
    payloads = events.worker_events(event, segments, seed)
    report = {"run_time": iso(now_minute * 60), "fanout": segments, "seed": seed,
              "worker": settings.worker_function, "status": "ok"}
    try:
        dispatch(lam, settings.worker_function, payloads)
    except FanOutFailed as exc:
        report.update(status="failed", error=str(exc))
        raise
    finally:
        logs.info("fan-out", **report)
    return report


def segments_for(settings, ddb):
    """How many workers this minute needs (1: walk it here, as without fan-out)."""
    if settings.worker_function is None:
        return 1
    if settings.workers is not None:
        return fanout.segment_count(0, settings.worker_tickers, settings.workers)
    return fanout.segment_count(count_tickers(ddb, settings.table_name),
                                settings.worker_tickers)
