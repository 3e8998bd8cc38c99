"""Kinesis event source mapping batches, as the watcher reads them.

A batch holds records of one shard, base64 data; each record is one tick or news line.
Records from other sources, and records whose data is not base64, are skipped (a damaged
record must not block the shard: the watcher's state dedupes what is re-sent).
"""
import base64
import binascii
from urllib.parse import quote


def records(event):
    """[(stream ARN, shard id, sequence number, data bytes)] of the event's Kinesis records."""
    found = []
    for record in (event or {}).get("Records", []) if isinstance(event, dict) else []:
        try:
            if record.get("eventSource") != "aws:kinesis":
                continue
            shard = record["eventID"].split(":", 1)[0]
            data = base64.b64decode(record["kinesis"]["data"], validate=True)
            found.append((record["eventSourceARN"], shard,
                          record["kinesis"]["sequenceNumber"], data))
        except (KeyError, TypeError, AttributeError, ValueError, binascii.Error):
            continue
    return found


def links(found, region):
    """Where the batch's records are: the stream in the console, and per shard the
    sequence numbers the batch covered (for `aws kinesis get-shard-iterator`)."""
    out, spans = [], {}
    for arn, shard, sequence, _ in found:
        low, high = spans.get((arn, shard), (sequence, sequence))
        spans[(arn, shard)] = (min(low, sequence, key=int), max(high, sequence, key=int))
    for (arn, shard), (low, high) in sorted(spans.items()):
        name = arn.rsplit("/", 1)[-1]
        out += [f"https://{region}.console.aws.amazon.com/kinesis/home?region={region}"
                f"#/streams/details/{quote(name, safe='')}/monitoring",
                f"kinesis://{name}/{shard} sequence numbers {low} to {high}"]
    return out
