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


def existing_names(ddb, table, prefix):
    """The synthetic tickers with this prefix already in the table (keys only)."""
    names, start = set(), None
    while True:
        kwargs = {"TableName": table, "ProjectionExpression": "#k",
                  "FilterExpression": "begins_with(#k, :p)",
                  "ExpressionAttributeNames": {"#k": KEY},
                  "ExpressionAttributeValues": {":p": {"S": prefix}}}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = ddb.scan(**kwargs)
        names.update(n for n in map(item_name, page.get("Items", []))
                     if synthetic.is_synthetic(prefix, n))
        start = page.get("LastEvaluatedKey")
        if not start:
            return names


def batch_write(ddb, table, keys, request, progress, sleep=time.sleep):
    """Send request(key) for every key, 25 a call (built a call at a time, so a million
    tickers need no more memory than 25), resending UnprocessedItems with backoff."""
    done = 0
    for i in range(0, len(keys), BATCH_WRITE_MAX):
        pending = [request(k) for k in keys[i:i + BATCH_WRITE_MAX]]
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
        done += min(BATCH_WRITE_MAX, len(keys) - i)
        progress.update(done)
    return done


def create(ddb, table, count, prefix, kind, seed=synthetic.DEFAULT_SEED, stream=sys.stderr):
    """Make synthetic tickers 1..count; returns (written, already there)."""
    have = existing_names(ddb, table, prefix)
    missing = [n for n in range(1, count + 1) if synthetic.name(prefix, n) not in have]
    progress = Progress("written", len(missing), stream)
    try:
        written = batch_write(
            ddb, table, missing,
            lambda n: {"PutRequest": {"Item": synthetic.item(prefix, n, kind, seed)}}, progress)
    finally:
        progress.close()
    return written, count - len(missing)


def delete(ddb, table, prefix, stream=sys.stderr):
    """Remove every synthetic ticker with this prefix; returns how many."""
    names = sorted(existing_names(ddb, table, prefix))
    progress = Progress("deleted", len(names), stream)
    try:
        return batch_write(ddb, table, names,
                           lambda n: {"DeleteRequest": {"Key": {KEY: {"S": n}}}}, progress)
    finally:
        progress.close()
