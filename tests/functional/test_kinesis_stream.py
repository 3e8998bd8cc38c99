"""The walk writing to a Kinesis data stream on moto: one record per line keyed by ticker,
each ticker's ticks in seq order in its shard, state committed after.

(moto 5.2.5 keeps writing to a split shard's closed parent, so a reshard is not tested here.)"""
import json

import boto3
import pytest

from chalicelib.core.errors import DataStreamMissing
from chalicelib.core.settings import stream_settings
from chalicelib.walk import pipeline, sink
from tests.support import LambdaContext, scheduled
from tests.unit.test_retry import FakeTime
from tickersim.base import shards

STREAM = "DETEST-ticks"


@pytest.fixture
def kinesis(cloud):
    client = boto3.client("kinesis")
    client.create_stream(StreamName=STREAM, ShardCount=3)
    return client


def go(cloud, kinesis, when, stream=STREAM):
    t = FakeTime()
    settings = stream_settings({**cloud.stream_env, "DATA_STREAM_NAME": stream})
    chosen = sink.for_settings(settings, {"kinesis": kinesis}.get)
    return pipeline.run(scheduled(when), LambdaContext(clock=t.clock), settings, cloud.ddb, None,
                        sink=chosen, clock=t.clock, sleep=t.sleep)


def test_every_line_is_one_record_keyed_by_ticker_in_seq_order(
        cloud, kinesis):
    first = go(cloud, kinesis, "2026-11-26T09:00:00Z")
    second = go(cloud, kinesis, "2026-11-26T09:01:00Z")

    held = shards.read_all(kinesis, STREAM)
    assert len(held) > 1
    records = [r for sid in held for r in held[sid]]
    assert len(records) == first["records"] + second["records"] == first["ticks"] * 2
    per_ticker = {}
    for r in records:
        tick = json.loads(r["data"])
        assert r["partition_key"] == tick["ticker"] and r["data"].endswith("\n")
        per_ticker.setdefault(tick["ticker"], []).append(tick["seq"])
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in per_ticker.values())
    # The table's state is what the last record says.
    for name, item in cloud.items().items():
        last = max((json.loads(r["data"]) for r in records if r["partition_key"] == name),
                   key=lambda t: t["seq"])
        assert float(item["Price"]["N"]) == last["price"]
    assert cloud.objects() == []          # nothing went to Firehose
    assert first["billed_units"] == first["records"]     # one 25 KB PUT unit per tick


def test_a_missing_stream_stops_the_run_before_any_state_moves(cloud, kinesis):
    before = cloud.items()
    with pytest.raises(DataStreamMissing, match="DETEST-gone"):
        go(cloud, kinesis, "2026-11-26T09:00:00Z", stream="DETEST-gone")
    assert cloud.items() == before
