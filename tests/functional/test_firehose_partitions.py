"""The local Firehose delivery: what moto wrote literally ends up where AWS would write it."""
import base64
import json
import re

import boto3
import pytest
from moto import mock_aws

from chalicelib.walk.delivery import pack
from chalicelib.walk.ticks import encode
from tickersim.local.firehose import Partitioner, destination

BUCKET = "tickersim-partitions"
STREAM = "tickersim-dev-stream"
NAME = re.compile(rf"{STREAM}-1-\d{{4}}(-\d\d){{5}}-[0-9a-f-]{{36}}$")


@pytest.fixture
def stream():
    config = destination()
    with mock_aws():
        s3, firehose = boto3.client("s3"), boto3.client("firehose")
        s3.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        firehose.create_delivery_stream(
            DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{BUCKET}", **config})
        yield s3, firehose, Partitioner(config)


def objects(s3):
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {k: s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys}


def send(firehose, lines):
    firehose.put_record_batch(DeliveryStreamName=STREAM,
                              Records=[{"Data": r} for r in pack(lines)])


def test_ticks_land_in_their_own_hour_whenever_they_are_delivered(stream):
    s3, firehose, partitioner = stream
    # A catch-up after an outage: one delivery carrying 08:59:45, then 09:00..09:59 and 10:00.
    late = [encode('"A"', "2026-12-01T08:59:45Z", 10.0, 1)]
    catch_up = [encode('"A"', f"2026-12-01T09:{m:02d}:00Z", 10.0 + m, 2 + m) for m in range(60)]
    catch_up.append(encode('"B"', "2026-12-01T10:00:00Z", 5.0, 1))
    send(firehose, late + catch_up)
    assert all(k.startswith("!{partitionKeyFromQuery:") for k in objects(s3))  # moto, literally
    written = partitioner.deliver(s3, BUCKET)
    landed = objects(s3)
    assert sorted(landed) == sorted(written)
    by_folder = {k.rsplit("/", 1)[0]: v for k, v in landed.items()}
    assert by_folder == {
        "ticks/dt=2026-12-01/hour=08": "".join(late).encode(),
        "ticks/dt=2026-12-01/hour=09": "".join(catch_up[:60]).encode(),
        "ticks/dt=2026-12-01/hour=10": catch_up[60].encode()}
    assert all(NAME.search(k) for k in landed)
    assert partitioner.deliver(s3, BUCKET) == []            # nothing is delivered twice


def test_a_record_of_more_than_one_line_per_partition_keeps_each_line_whole(stream):
    s3, firehose, partitioner = stream
    lines = [encode('"A"', "2026-12-01T09:59:45Z", 1.5, 1),
             json.dumps({"type": "news", "timestamp": "2026-12-01T10:00:05Z"}) + "\n"]
    send(firehose, lines)
    partitioner.deliver(s3, BUCKET)
    landed = {k.rsplit("/", 1)[0]: v for k, v in objects(s3).items()}
    assert landed == {"ticks/dt=2026-12-01/hour=09": lines[0].encode(),
                      "news/dt=2026-12-01/hour=10": lines[1].encode()}


def test_records_the_query_refuses_go_to_the_error_prefix_as_error_records(stream):
    s3, firehose, partitioner = stream
    send(firehose, ['{"ticker":"A","timestamp":"yesterday"}\n',
                    encode('"A"', "2026-12-01T09:00:00Z", 1.5, 1)])
    partitioner.deliver(s3, BUCKET)
    landed = objects(s3)
    (error_key,) = [k for k in landed if k.startswith("errors/")]
    assert re.match(r"errors/partitioning-failed/\d{4}/\d\d/\d\d/", error_key)
    (record,) = [json.loads(l) for l in landed[error_key].splitlines()]
    assert base64.b64decode(record["rawData"]) == b'{"ticker":"A","timestamp":"yesterday"}'
    assert record["errorCode"] == "DynamicPartitioning.MetadataExtractionFailed"
    assert [k.rsplit("/", 1)[0] for k in landed if not k.startswith("errors/")] == [
        "ticks/dt=2026-12-01/hour=09"]
