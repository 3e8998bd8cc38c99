"""What AWS runs beside a Kinesis data stream and moto does not, for the local demo.

moto keeps the stream's records but never reads them: an event source mapping registered in
moto would make every PutRecords invoke the function itself (it needs Docker), and a Firehose
delivery stream with the Kinesis stream as its source is stored but never fed. So the demo
reads the stream here and does both: it hands each shard's new records to the watcher in
batches, as the mapping does (bisecting a batch the function fails on, then the on-failure
destination's record), and with `--sink both` pumps them into the delivery stream. At exit it
writes every record to `kinesis/<stream>/shard-*.jsonl` (CONTRACT: partition_key,
sequence_number, data).
"""
import base64
import json
import time
from dataclasses import dataclass

from chalicelib.walk import delivery
from tickersim.base import shards
from tickersim.base.stream_trigger import BATCH_SIZE, MAX_RETRIES


@dataclass(frozen=True)
class Mapping:
    """The parts of an event source mapping that decide what the function gets."""
    stream_arn: str
    region: str
    batch_size: int = BATCH_SIZE
    max_retries: int = MAX_RETRIES


def event(mapping, shard, records):
    """A Kinesis batch in the shape Lambda hands the function (tests/events/kinesis-batch.json)."""
    return {"Records": [{
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": r["partition_key"],
                    "sequenceNumber": r["sequence_number"],
                    "data": base64.b64encode(r["data"].encode("utf-8")).decode("ascii"),
                    "approximateArrivalTimestamp": r.get("arrival", time.time())},
        "eventSource": "aws:kinesis", "eventVersion": "1.0",
        "eventID": f"{shard}:{r['sequence_number']}", "eventName": "aws:kinesis:record",
        "awsRegion": mapping.region, "eventSourceARN": mapping.stream_arn} for r in records]}


def failure_record(mapping, function_arn, shard, records, attempts, error):
    """What the mapping sends its on-failure destination for a batch it gave up on."""
    return {"requestContext": {"requestId": "local", "functionArn": function_arn,
                               "condition": "RetryAttemptsExhausted",
                               "approximateInvokeCount": attempts},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                                "functionError": error},
            "version": "1.0", "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "KinesisBatchInfo": {"shardId": shard, "batchSize": len(records),
                                 "startSequenceNumber": records[0]["sequence_number"],
                                 "endSequenceNumber": records[-1]["sequence_number"],
                                 "streamArn": mapping.stream_arn}}


def deliver_batch(mapping, shard, records, invoke):
    """Hand one batch to `invoke(event) -> error or None` as the mapping does with
    BisectBatchOnFunctionError: a failing batch is split in halves and each half retried
    (a split does not count against the retries); a single record is retried until the
    retries run out. Returns [(records given up on, attempts, error)]."""
    given_up, work = [], [(records, 0)]
    while work:
        part, attempts = work.pop(0)
        error = invoke(event(mapping, shard, part))
        if error is None:
            continue
        if len(part) > 1:
            half = len(part) // 2
            work[:0] = [(part[:half], 0), (part[half:], 0)]
        elif attempts < mapping.max_retries:
            work.insert(0, (part, attempts + 1))
        else:
            given_up.append((part, attempts + 1, error))
    return given_up


def batches(arrived, batch_size=BATCH_SIZE):
    """[(shard, records)] of new records, each shard's in order, at most batch_size each."""
    by_shard = {}
    for shard, record in arrived:
        by_shard.setdefault(shard, []).append(record)
    return [(shard, records[i:i + batch_size]) for shard, records in sorted(by_shard.items())
            for i in range(0, len(records), batch_size)]


class Pump:
    """Firehose reading the stream (`--sink both`): what arrived, packed as the function
    would, into the delivery stream (moto then writes it to the bucket)."""

    def __init__(self, firehose, delivery_stream):
        self.firehose, self.stream = firehose, delivery_stream

    def push(self, arrived):
        lines = [record["data"] for _, record in arrived]
        if lines:
            delivery.send(self.firehose, self.stream, delivery.pack(lines), time.monotonic() + 30)


class Feed:
    """Follows the demo's stream: new records for the view, the watcher and the pump; all of
    them, kept for the dump at exit."""

    def __init__(self, kinesis, stream):
        self.stream = stream
        self.follower = shards.Follower(kinesis, stream, from_start=True)
        self.held = {}

    def take(self):
        arrived = self.follower.poll()
        for shard, record in arrived:
            self.held.setdefault(shard, []).append(record)
        return arrived

    def dump(self, files):
        """Every record to kinesis/<stream>/shard-<id>.jsonl through the demo's OutDir."""
        for shard, records in sorted(self.held.items()):
            number = shard.rsplit("-", 1)[-1]       # shardId-000000000001 -> shard-000000000001
            files.write_text(f"kinesis/{self.stream}/shard-{number}.jsonl", "".join(
                json.dumps(r, ensure_ascii=False) + "\n" for r in records))
