"""The scheduled function as coordinator, once its read found more tickers than one worker
walks: fix the minute's seed and start one worker per parallel-scan segment, asynchronously
(each worker has its own retries and on-failure destination, so one failing segment alerts
while the others commit)."""
import json
import secrets
import time

from botocore.exceptions import ClientError

from chalicelib.core import events, logs
from chalicelib.core.errors import FanOutFailed
from chalicelib.walk.items import KEY, RUN_KEY
from chalicelib.walk.ticks import iso, run_minute


def fix_seed(ddb, table, now_minute, segments, market_seed):
    """Record the fan-out on the run-state item and return the seed every worker walks with:
    the stored one, or one drawn now and stored in the same write (if_not_exists: two
    coordinators racing still agree). None when MARKET_SEED is set."""
    # Heartbeat: the schedule ran (the API tells a stopped feed from a closed market by it).
    names = {"#f": "FanOutAt", "#n": "Segments", "#h": "Heartbeat"}
    values = {":f": {"S": iso(now_minute * 60)}, ":n": {"N": str(segments)}}
    update = "SET #f = :f, #n = :n, #h = :f"
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
