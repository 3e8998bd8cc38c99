"""watch_moves fed by a Kinesis event source mapping on moto: batches of records in, one
alert per ticker per window out, whatever the batching, duplicates and bisected re-tries."""
import base64
import json

from chalice.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from chalicelib.core import clients
from chalicelib.walk.ticks import iso
from chalicelib.watch import stream_events
from tests.functional.conftest import PROJECT, STAGE, Cloud
from tests.functional.test_watch import START, market, received  # noqa: F401 - fixture
from tests.support import event


def records(ticks, first_sequence=100):
    """Kinesis records in the shape of tests/events/kinesis-batch.json, one per tick."""
    shape = event("kinesis-batch")["Records"][0]
    out = []
    for n, (name, seq, price) in enumerate(ticks):
        line = json.dumps({"ticker": name, "timestamp": iso(START + seq * 15), "price": price,
                           "seq": seq}) + "\n"
        copy = json.loads(json.dumps(shape))
        number = str(first_sequence + n)
        copy["kinesis"].update(partitionKey=name, sequenceNumber=number,
                               data=base64.b64encode(line.encode()).decode())
        copy["eventID"] = f"shardId-000000000000:{number}"
        out.append(copy)
    return out


MOVE = [("Index_3", 1, 80.0), ("Index_1", 1, 100.0), ("Index_3", 5, 79.2),
        ("Index_1", 5, 100.5), ("Index_3", 9, 78.864)]


def test_the_fixture_is_read_as_the_tick_it_carries():
    (arn, shard, sequence, data), = stream_events.records(event("kinesis-batch"))
    assert arn.endswith(":stream/DEKYLMAP-datastream") and shard == "shardId-000000000000"
    assert json.loads(data)["seq"] == 2 and sequence.startswith("4959")


def test_a_move_in_a_batch_alerts_once_and_names_the_stream(cloud, lambdas, market):
    batch = records(MOVE)
    lambdas.invoke("watch-lambda", {"Records": batch})
    # The mapping re-tries a batch, bisected, after an error: nothing alerts twice.
    lambdas.invoke("watch-lambda", {"Records": batch[:2]})
    lambdas.invoke("watch-lambda", {"Records": batch[2:]})
    (alert,) = received(cloud, market)
    assert alert["Subject"] == "Move: Index_3 -1.42 % in 5 min"
    assert "kinesis://DEKYLMAP-datastream/shardId-000000000000 sequence numbers 100 to 104" \
        in alert["Message"]
    assert cloud.alerts() == []


def test_damaged_and_foreign_records_are_skipped_not_fatal(cloud, lambdas, market):
    batch = records(MOVE)
    batch[1]["kinesis"]["data"] = "%%% not base64"
    foreign = {"eventSource": "aws:sqs", "body": "x"}
    report = lambdas.invoke("watch-lambda", {"Records": [foreign] + batch}).payload
    assert report["records"] == 4 and report["alerts"] == 1


@given(st.lists(st.integers(0, 4), min_size=1, max_size=12), st.data())
@settings(max_examples=15, deadline=None)
def test_any_batching_of_the_same_records_alerts_exactly_once(cuts, data):
    from app import app
    with mock_aws():     # an account of its own per example: alerts count per window
        clients.reset()
        cloud = Cloud().create()
        url = market.__wrapped__(cloud)
        batch = records(MOVE)
        order = data.draw(st.permutations(range(len(cuts))))
        with Client(app, stage_name=STAGE, project_dir=str(PROJECT)) as client:
            for n in order:      # overlapping slices, in any order: re-tries and duplicates
                lo = cuts[n]
                client.lambda_.invoke("watch-lambda", {"Records": batch[lo:lo + 3]})
            client.lambda_.invoke("watch-lambda", {"Records": batch})
        alerts = received(cloud, url)
        clients.reset()
    assert [a["Subject"] for a in alerts] == ["Move: Index_3 -1.42 % in 5 min"]
