"""Sending lines to a Kinesis data stream with PutRecords: one record per line, keyed by ticker.

Order is the point of a stream, and PutRecords alone does not keep it: a refused record does
not stop the ones after it, so a ticker's tick n+1 could land before the re-send of tick n.
So a call carries at most one record per partition key (the oldest not yet accepted), and a
refused record stays first in its ticker's queue: within a shard, every ticker's records
land in `seq` order. A call that fails whole may still have landed; its re-send repeats the
same bytes, which consumers drop by (ticker, seq).
"""
import json
import math
from collections import deque

from botocore.exceptions import ClientError

from chalicelib.core.errors import DataStreamMissing
from chalicelib.core.retry import refused_whole, resend, still_refused

MAX_CALL_RECORDS = 500                  # PutRecords: at most 500 records ...
MAX_CALL_BYTES = 5 * 1024 * 1024        # ... and 5 MiB, partition keys included
MAX_RECORD_BYTES = 1024 * 1024          # one record: data and partition key, 1 MiB
MAX_KEY_CHARS = 256                     # a partition key is 1 to 256 Unicode characters
PUT_UNIT_BYTES = 25 * 1024              # Kinesis bills PUT payload units of 25 KB per record
# Whole-call errors worth re-sending; other errors (KMS access, validation) need the owner.
RETRYABLE = {"ProvisionedThroughputExceededException", "ThrottlingException",
             "InternalFailure", "ServiceUnavailable", "KMSThrottlingException",
             "LimitExceededException", "RequestTimeout"}
_DECODER = json.JSONDecoder()
_KEY_FIELD = '"ticker":'


def partition_key(line):
    """The ticker a tick or news line is about: the JSON string after its `"ticker":`."""
    at = line.find(_KEY_FIELD)
    if at < 0:
        raise ValueError(f"a line without a ticker cannot be keyed: {line[:80]!r}")
    key, _ = _DECODER.raw_decode(line, at + len(_KEY_FIELD))
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS:
        raise ValueError(f"ticker {key!r} cannot be a partition key (1 to 256 characters)")
    return key


def entries(lines):
    """(partition key, data) for each line, in order; a line too big for a record is refused."""
    out = []
    for line in lines:
        key, data = partition_key(line), line.encode("utf-8")
        if len(data) + len(key.encode("utf-8")) > MAX_RECORD_BYTES:
            raise ValueError(f"a line of {len(data)} bytes exceeds a Kinesis record")
        out.append((key, data))
    return out


def entry_bytes(entry):
    key, data = entry
    return len(data) + len(key.encode("utf-8"))


def next_call(queues, max_records=MAX_CALL_RECORDS, max_bytes=MAX_CALL_BYTES):
    """The keys whose oldest pending entry goes into the next call: one entry per key,
    longest queues first (so the calls a run needs stay near max(longest queue, total/500)),
    within both limits of a call."""
    chosen, size = [], 0
    for key in sorted(queues, key=lambda k: -len(queues[k])):   # stable: first seen first
        if not queues[key]:
            continue
        cost = entry_bytes(queues[key][0][1])
        if len(chosen) == max_records or size + cost > max_bytes:
            break
        chosen.append(key)
        size += cost
    return chosen


def queue(pending):
    """Pending [(index, entry)] as per-key queues in the order they were given."""
    queues = {}
    for indexed in pending:
        queues.setdefault(indexed[1][0], deque()).append(indexed)
    return queues


def put_units(entries_sent):
    return sum(max(1, math.ceil(entry_bytes(e) / PUT_UNIT_BYTES)) for e in entries_sent)


def send(kinesis, stream, lines, deadline, **retry_options):
    """Deliver every line as a record, re-sending exactly the refused ones with the same
    bytes, until the deadline. Returns (entries, resend rounds)."""
    keyed = entries(lines)
    errors = {}

    def sweep(pending):
        # Calls follow one another until one is refused in part: then back off (resend).
        queues = queue(pending)
        while any(queues.values()):
            keys = next_call(queues)
            batch = [queues[k][0] for k in keys]
            refused = _put(kinesis, stream, [e for _, e in batch], errors)
            for key, bad in zip(keys, refused):
                if not bad:
                    queues[key].popleft()
            if any(refused):
                break
        return sorted(i for q in queues.values() for i in q)

    left, resends = resend(sweep, list(enumerate(keyed)), deadline, **retry_options)
    if left:
        raise still_refused(f"Kinesis data stream {stream!r}", len(left), len(keyed), resends,
                            errors, "If this persists, add shards (`tickersim deploy --shards N` "
                            "or `--shards on-demand`) or check the stream's metrics in the "
                            "Kinesis console.")
    return keyed, resends


def _put(kinesis, stream, batch, errors):
    """One PutRecords call; returns, per entry, whether it was refused."""
    try:
        reply = kinesis.put_records(StreamName=stream, Records=[
            {"PartitionKey": key, "Data": data} for key, data in batch])
    except ClientError as exc:
        code = refused_whole(exc, RETRYABLE, DataStreamMissing(stream))
        errors[code] = errors.get(code, 0) + len(batch)
        return [True] * len(batch)
    refused = [bool(r.get("ErrorCode")) for r in reply["Records"]]
    for answer in reply["Records"]:
        if answer.get("ErrorCode"):
            errors[answer["ErrorCode"]] = errors.get(answer["ErrorCode"], 0) + 1
    return refused
