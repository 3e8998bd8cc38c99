"""watch_moves: read the ticks an event brings (the delivered objects an S3 event names, or
the records of a Kinesis batch), keep each window's state in the table, publish one alert for
what moved. The rule is in chalicelib/watch/moves.py."""
import time
from collections.abc import Callable
from urllib.parse import unquote_plus

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from chalicelib.core import logs
from chalicelib.core.clients import counting
from chalicelib.core.errors import TickersimError
from chalicelib.core.settings import WatchSettings
from chalicelib.watch import moves, stream_events

TICKS_PREFIX = "ticks/"
STATE_ATTEMPTS = 8     # conditional writes lost to a concurrent watcher before giving up


class StateContended(TickersimError):
    pass


def objects(event):
    """(bucket, key) of each created object under ticks/ in an S3 event notification.

    Keys arrive URL-encoded (a space as '+'); other records and test events are skipped."""
    found = []
    for record in (event or {}).get("Records", []) if isinstance(event, dict) else []:
        try:
            if not record["eventName"].startswith("ObjectCreated:"):
                continue
            bucket = record["s3"]["bucket"]["name"]
            key = unquote_plus(record["s3"]["object"]["key"])
        except (KeyError, TypeError, AttributeError):
            continue
        if key.startswith(TICKS_PREFIX):
            found.append((bucket, key))
    return found


def run(event: dict, settings: WatchSettings, s3: BaseClient, ddb: BaseClient,
        sns: BaseClient, region: str, clock: Callable[[], float] = time.monotonic) -> dict:
    """Handle one S3 event; returns the report it logs."""
    started = clock()
    report = {"objects": 0, "records": 0, "ticks": 0, "windows": 0, "state_writes": 0,
              "alerts": 0}
    with counting(s3, ddb, sns) as (calls, _):
        try:
            _run(event, settings, s3, ddb, sns, region, report)
        finally:
            report.update(calls_total=sum(calls.values()),
                          duration_ms=round((clock() - started) * 1000, 1))
            # Plain JSON, not EMF: each custom metric would add $0.30 a month.
            logs.info("moves", **report)
    return report


def _run(event, settings, s3, ddb, sns, region, report):
    found, batch = objects(event), stream_events.records(event)
    ticks = {}
    for bucket, key in found:
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        ticks.update(moves.parse_ticks(data))
    for *_, data in batch:
        ticks.update(moves.parse_ticks(data))
    report.update(objects=len(found), records=len(batch), ticks=len(ticks))
    moved = []
    for window, fresh in sorted(moves.ranges(ticks, settings.window_minutes).items()):
        report["windows"] += 1
        alerted, merged, wrote = _update_window(ddb, settings, window, fresh)
        report["state_writes"] += wrote
        moved += [moves.Move(name, window, settings.window_minutes, merged[name])
                  for name in alerted]
    if moved:
        message = moves.body(moved, settings.percent, moves.object_links(found, region)
                             + stream_events.links(batch, region))
        subject = moves.subject(moved)
        sns.publish(TopicArn=settings.topic_arn, Subject=subject, Message=message)
        report["alerts"] = len(moved)
        logs.info("move alert published", subject=subject, tickers=[m.ticker for m in moved])


def _update_window(ddb, settings, window, fresh):
    """Merge the fresh ranges into the window's items (MOVE_STATE_SHARDS of them, a ticker
    always in the same one); only the items the fresh tickers fall in are read and written.
    Returns (tickers to alert on, their merged ranges, writes made)."""
    shards = settings.state_shards
    alerted, merged, wrote = [], {}, 0
    for shard, part in sorted(moves.split(fresh, shards).items()):
        key = moves.state_key(window, settings.window_minutes, shard, shards)
        old = window - moves.windows_kept(settings.max_catchup_minutes,
                                          settings.window_minutes)
        too_old = moves.state_key(old, settings.window_minutes, shard, shards)
        names, ranges, writes = _update_item(ddb, settings, key, too_old, window, part)
        alerted += names
        merged.update(ranges)
        wrote += writes
    return sorted(alerted), merged, wrote


def _update_item(ddb, settings, key, too_old, window, fresh):
    """Merge the fresh ranges into one item with a conditional write (optimistic: a
    concurrent watcher's write makes this one read again). The alert is claimed by the write
    that marks it, so each ticker alerts once per window."""
    for _ in range(STATE_ATTEMPTS):
        item = ddb.get_item(TableName=settings.table_name, Key={"TickerName": {"S": key}},
                            ConsistentRead=True).get("Item")
        version, stored = moves.parse_state(item, window, settings.window_minutes)
        merged, alerted = moves.merge(stored, fresh, settings.percent)
        if merged == stored:
            return [], merged, 0       # seen before: a duplicate object costs one read
        new = moves.state_item(key, window, settings.window_minutes, merged, version + 1)
        known = item is not None and "Version" in item
        condition = "Version = :seen" if known else "attribute_not_exists(Version)"
        values = {":seen": {"N": str(version)}} if known else None
        try:
            ddb.put_item(TableName=settings.table_name, Item=new, ConditionExpression=condition,
                         **({"ExpressionAttributeValues": values} if values else {}))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            continue
        if item is None:
            # A new window's item: the same item of the window now too old for any re-send
            # goes (each shard deletes its own, so every shard of that window goes).
            ddb.delete_item(TableName=settings.table_name, Key={"TickerName": {"S": too_old}})
        return alerted, merged, 1
    raise StateContended(f"the move state {key!r} in table {settings.table_name!r} kept "
                         f"changing under {STATE_ATTEMPTS} attempts; S3 retries this event")
