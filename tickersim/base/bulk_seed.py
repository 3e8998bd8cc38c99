"""Write or delete many synthetic tickers: BatchWriteItem, resumable, with a progress line.

Resumable: the names already in the table are read first (one keys-only Scan) and only the
missing ones are written, so an interrupted `seed --count` carries on where it stopped and
a ticker that has moved since keeps its state.
"""
import sys
import time

from botocore.exceptions import ClientError

from chalicelib.walk.items import KEY, item_name
from tickersim.base import synthetic
from tickersim.base.seeds import SEQ_MARK, reset_item

BATCH_WRITE_MAX = 25          # BatchWriteItem: at most 25 requests a call
_BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
_RETRYABLE = {"ProvisionedThroughputExceededException", "ThrottlingException",
              "RequestLimitExceeded", "InternalServerError"}


class Progress:
    """`seed: 12,500 of 100,000 written` on stderr: redrawn in place on a terminal, else a
    line every tenth."""

    def __init__(self, verb, total, stream=sys.stderr):
        self.verb, self.total, self.stream = verb, total, stream
        self.tty = getattr(stream, "isatty", lambda: False)()
        self.shown = -1

    def update(self, done):
        tenth = done * 10 // max(1, self.total)
        if self.tty:
            print(f"\rseed: {done:,} of {self.total:,} {self.verb}", end="", file=self.stream,
                  flush=True)
        elif tenth != self.shown or done == self.total:
            print(f"seed: {done:,} of {self.total:,} {self.verb}", file=self.stream)
        self.shown = tenth

    def close(self):
        if self.tty:
            print(file=self.stream)


def existing(ddb, table, prefix):
    """({synthetic ticker with this prefix in the table: its Seq or None}, {ticker taken out
    earlier: the Seq its `#seq|` mark keeps}), from one Scan of keys and Seq."""
    found, marks, start = {}, {}, None
    while True:
        kwargs = {"TableName": table, "ProjectionExpression": "#k, Seq",
                  "FilterExpression": "begins_with(#k, :p) OR begins_with(#k, :m)",
                  "ExpressionAttributeNames": {"#k": KEY},
                  "ExpressionAttributeValues": {":p": {"S": prefix},
                                                ":m": {"S": SEQ_MARK + prefix}}}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = ddb.scan(**kwargs)
        for item in page.get("Items", []):
            name = item_name(item)
            if synthetic.is_synthetic(prefix, name):
                found[name] = item.get("Seq")
            elif name.startswith(SEQ_MARK) and "Seq" in item:
                marks[name[len(SEQ_MARK):]] = item
        start = page.get("LastEvaluatedKey")
        if not start:
            return found, marks


def batch_write(ddb, table, keys, requests, progress, sleep=time.sleep, per_key=1):
    """Send requests(key) (per_key of them) for every key, 25 requests a call (built a call at
    a time, so a million tickers need no more memory than 25), resending UnprocessedItems
    with backoff."""
    done, step = 0, BATCH_WRITE_MAX // per_key
    for i in range(0, len(keys), step):
        pending = [r for k in keys[i:i + step] for r in requests(k)]
        for attempt in range(len(_BACKOFF_S) + 1):
            try:
                reply = ddb.batch_write_item(RequestItems={table: pending})
                pending = reply.get("UnprocessedItems", {}).get(table, [])
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in _RETRYABLE:
                    raise
            if not pending:
                break
            if attempt == len(_BACKOFF_S):
                raise RuntimeError(
                    f"DynamoDB table {table!r} kept throttling the writes: run the same "
                    "command again to carry on from where it stopped")
            sleep(_BACKOFF_S[attempt])
        done += min(step, len(keys) - i)
        progress.update(done)
    return done


def create(ddb, table, count, prefix, kind, seed=synthetic.DEFAULT_SEED, stream=sys.stderr):
    """Make synthetic tickers 1..count; returns (written, already there)."""
    have, marks = existing(ddb, table, prefix)
    missing = [n for n in range(1, count + 1) if synthetic.name(prefix, n) not in have]
    progress = Progress("written", len(missing), stream)

    def put(n):
        # A ticker taken out earlier counts on from its last seq: (ticker, seq) names one tick.
        item = reset_item(synthetic.item(prefix, n, kind, seed),
                          marks.get(synthetic.name(prefix, n)))
        return [{"PutRequest": {"Item": item}}]
    try:
        written = batch_write(ddb, table, missing, put, progress)
    finally:
        progress.close()
    return written, count - len(missing)


def delete(ddb, table, prefix, stream=sys.stderr):
    """Remove every synthetic ticker with this prefix, keeping each one's last seq in a `#seq|`
    mark as `seed --delete` does; returns how many."""
    found, _ = existing(ddb, table, prefix)
    names = sorted(found)
    progress = Progress("deleted", len(names), stream)

    def remove(name):
        seq = found[name]
        return [{"DeleteRequest": {"Key": {KEY: {"S": name}}}}] + (
            [{"PutRequest": {"Item": {KEY: {"S": SEQ_MARK + name}, "Seq": seq}}}] if seq else [])
    try:
        return batch_write(ddb, table, names, remove, progress, per_key=2)
    finally:
        progress.close()
