"""The demo's stand-in for what AWS runs beside a stream: the watcher's event source mapping
(batches per shard, bisect on error, the on-failure record), the Firehose pump, the dump."""
import json

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.watch import stream_events
from tickersim.local import stream_feed
from tickersim.local.outdir import OutDir

MAPPING = stream_feed.Mapping("arn:aws:kinesis:eu-west-1:123456789012:stream/s", "eu-west-1",
                              batch_size=4, max_retries=5)


def fake_records(n):
    return [{"partition_key": f"T{i % 3}", "sequence_number": str(1000 + i),
             "data": json.dumps({"ticker": f"T{i % 3}", "seq": i}) + "\n"} for i in range(n)]


@given(st.integers(1, 40), st.sets(st.integers(0, 39)))
@settings(max_examples=200)
def test_bisecting_gives_up_on_exactly_the_records_the_function_cannot_take(n, poisoned):
    records = fake_records(n)
    poisoned = {i for i in poisoned if i < n}
    bad = {records[i]["sequence_number"] for i in poisoned}
    handed = []

    def invoke(event):
        got = [s for _, _, s, _ in stream_events.records(event)]
        handed.append(got)
        return "Poisoned" if bad & set(got) else None

    given_up = stream_feed.deliver_batch(MAPPING, "shardId-0", records, invoke)
    assert sorted(r["sequence_number"] for part, _, _ in given_up for r in part) == sorted(bad)
    assert all(attempts == MAPPING.max_retries + 1 for _, attempts, _ in given_up)
    # Every good record reached the function in a batch that succeeded, in shard order.
    ok = [s for batch in handed if not bad & set(batch) for s in batch]
    assert ok == [r["sequence_number"] for r in records if r["sequence_number"] not in bad]


def test_the_failure_record_names_the_shard_and_the_sequence_numbers():
    records = fake_records(3)
    record = stream_feed.failure_record(MAPPING, "arn:fn", "shardId-7", records, 3, "Unhandled")
    info = record["KinesisBatchInfo"]
    assert (info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"],
            info["batchSize"]) == ("shardId-7", "1000", "1002", 3)
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"


def test_batches_keep_each_shards_order_within_the_batch_size():
    arrived = [("b", r) for r in fake_records(6)] + [("a", r) for r in fake_records(2)]
    out = stream_feed.batches(arrived, batch_size=4)
    assert [(s, len(r)) for s, r in out] == [("a", 2), ("b", 4), ("b", 2)]
    assert [r for s, rs in out if s == "b" for r in rs] == [r for _, r in arrived[:6]]


@pytest.fixture
def stream(aws):
    kinesis = boto3.client("kinesis", region_name="eu-west-1")
    kinesis.create_stream(StreamName="DETEST-ticks", ShardCount=2)
    return kinesis


def test_the_feed_takes_each_record_once_and_dumps_all_of_them(stream, tmp_path):
    feed = stream_feed.Feed(stream, "DETEST-ticks")
    lines = [json.dumps({"ticker": f"Zoë{i % 4}", "seq": i}, ensure_ascii=False) + "\n"
             for i in range(20)]
    stream.put_records(StreamName="DETEST-ticks", Records=[
        {"PartitionKey": json.loads(line)["ticker"], "Data": line.encode()} for line in lines[:12]])
    first = feed.take()
    stream.put_records(StreamName="DETEST-ticks", Records=[
        {"PartitionKey": json.loads(line)["ticker"], "Data": line.encode()} for line in lines[12:]])
    second, third = feed.take(), feed.take()
    assert len(first) == 12 and len(second) == 8 and third == []
    files = OutDir.prepare(tmp_path / "out")
    feed.dump(files)
    dumped = sorted((tmp_path / "out" / "kinesis" / "DETEST-ticks").glob("shard-*.jsonl"))
    rows = [json.loads(row) for path in dumped for row in path.read_text().splitlines()]
    assert sorted(r["data"] for r in rows) == sorted(lines)
    assert all(set(r) == {"partition_key", "sequence_number", "data"} for r in rows)
    assert all(json.loads(r["data"])["ticker"] == r["partition_key"] for r in rows)
