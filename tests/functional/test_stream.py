"""The streaming function on moto, called as Lambda would: runs, re-deliveries, catch-up, cost."""
import json
import math

import pytest

from chalicelib.core import clients
from tests.support import LambdaContext, scheduled

T0 = "2026-11-26T09:00:00Z"


def minute(n):
    return f"2026-11-26T{9 + n // 60:02d}:{n % 60:02d}:00Z"


def run(lambdas, when):
    return lambdas.invoke("streaming-lambda", scheduled(when)).payload


def by_ticker(ticks):
    out = {}
    for t in ticks:
        out.setdefault(t["ticker"], []).append(t)
    return out


def test_every_tick_lands_once_as_json_lines_and_the_table_follows(cloud, lambdas):
    for n in range(3):
        report = run(lambdas, minute(n))
        assert report["ticks"] == 5 * 4 and report["status"] == "ok"
    ticks = cloud.ticks()
    assert len(ticks) == 3 * 5 * 4
    assert len({(t["ticker"], t["seq"]) for t in ticks}) == len(ticks)
    items = cloud.items()
    seed_prices = {"Index_1": 100, "Index_2": 90, "Index_3": 80, "Index_4": 70, "Index_5": 60}
    for name, own in by_ticker(ticks).items():
        own.sort(key=lambda t: t["seq"])
        assert [t["seq"] for t in own] == list(range(1, 13))
        assert [t["timestamp"] for t in own[:5]] == [
            "2026-11-26T09:00:00Z", "2026-11-26T09:00:15Z", "2026-11-26T09:00:30Z",
            "2026-11-26T09:00:45Z", "2026-11-26T09:01:00Z"]
        assert all(t["price"] > 0 for t in own)
        # A random walk from the seed price: it moved, but not far in 12 ticks.
        assert own[0]["price"] != seed_prices[name]
        assert abs(own[-1]["price"] / seed_prices[name] - 1) < 0.05
        assert float(items[name]["Price"]["N"]) == own[-1]["price"]
        assert int(items[name]["Seq"]["N"]) == 12
        assert items[name]["LastTick"]["S"] == "2026-11-26T09:02:45Z"
        assert items[name]["Volatility"] == cloud.items()[name]["Volatility"]  # kept


def test_a_redelivered_event_changes_nothing_and_costs_one_read(cloud, lambdas):
    run(lambdas, T0)
    before_items, before_objects = cloud.items(), cloud.objects()
    again = run(lambdas, T0)
    assert again["ticks"] == 0 and again["calls"] == {"DynamoDB.Scan": 1}
    assert cloud.items() == before_items and cloud.objects() == before_objects


def test_an_older_event_than_the_last_run_delivers_nothing(cloud, lambdas):
    run(lambdas, minute(5))
    assert run(lambdas, minute(3))["ticks"] == 0
    assert len(cloud.ticks()) == 20


def test_missed_minutes_are_caught_up_in_order_without_gaps(cloud, lambdas):
    run(lambdas, minute(0))
    report = run(lambdas, minute(10))          # minutes 1..10 were missed
    assert report["ticks"] == 5 * 10 * 4
    for own in by_ticker(cloud.ticks()).values():
        own.sort(key=lambda t: t["seq"])
        assert [t["seq"] for t in own] == list(range(1, 45))
        stamps = [t["timestamp"] for t in own]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert stamps[4] == "2026-11-26T09:01:00Z" and stamps[-1] == "2026-11-26T09:10:45Z"


def test_catch_up_is_capped_at_max_catchup_minutes(cloud, monkeypatch):
    # Called as Lambda calls it, with the stage's variables and a smaller cap.
    from app import stream_ticks
    for name, value in {**cloud.stream_env, "MAX_CATCHUP_MINUTES": "3"}.items():
        monkeypatch.setenv(name, value)
    stream_ticks(scheduled(minute(0)), LambdaContext())
    assert stream_ticks(scheduled(minute(30)), LambdaContext())["ticks"] == 5 * 3 * 4
    own = sorted(by_ticker(cloud.ticks())["Index_1"], key=lambda t: t["seq"])
    assert [t["seq"] for t in own] == list(range(1, 17))   # seq never skips ...
    assert own[4]["timestamp"] == "2026-11-26T09:28:00Z"   # ... time does, past the cap


def test_a_ticker_added_in_the_console_starts_its_walk_at_the_next_run(cloud, lambdas):
    run(lambdas, T0)
    run(lambdas, minute(1))
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "My_Index"}, "Price": {"N": "250"}})
    run(lambdas, minute(2))
    mine = sorted(by_ticker(cloud.ticks())["My_Index"], key=lambda t: t["seq"])
    assert [t["seq"] for t in mine] == [1, 2, 3, 4]
    assert mine[0]["timestamp"] == "2026-11-26T09:02:00Z"
    assert cloud.run_item()["FreshStart"] == {"S": minute(2)}
    run(lambdas, minute(3))                 # every ticker committed: the marker goes
    assert "FreshStart" not in cloud.run_item()


def test_new_tickers_start_where_the_pending_fresh_start_says(cloud, lambdas):
    """Until a run sees no uncommitted new ticker, they all start at the recorded minute, so
    a retry re-sends their first ticks byte for byte (see test_faults)."""
    run(lambdas, T0)
    assert cloud.run_item()["FreshStart"] == {"S": T0}
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "My_Index"}, "Price": {"N": "250"}})
    run(lambdas, minute(1))
    mine = sorted(by_ticker(cloud.ticks())["My_Index"], key=lambda t: t["seq"])
    assert [t["timestamp"][11:16] for t in mine] == ["09:00"] * 4 + ["09:01"] * 4


def test_same_market_seed_same_table_same_events_give_identical_bytes(aws, monkeypatch):
    from chalice.test import Client

    from app import app
    from tests.functional.conftest import PROJECT, Cloud
    monkeypatch.setenv("MARKET_SEED", "20261126")
    outputs = []
    for _ in range(2):
        cloud = Cloud().create()
        with Client(app, stage_name="dev", project_dir=str(PROJECT)) as client:
            for n in range(3):
                client.lambda_.invoke("streaming-lambda", scheduled(minute(n)))
        outputs.append(sorted(cloud.raw_ticks()))
        for key in cloud.objects():
            cloud.s3.delete_object(Bucket=cloud.bucket, Key=key)
        cloud.ddb.delete_table(TableName=cloud.table)
        cloud.firehose.delete_delivery_stream(DeliveryStreamName=cloud.stream)
        cloud.s3.delete_bucket(Bucket=cloud.bucket)
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3


def test_without_market_seed_a_seed_is_drawn_once_and_kept(cloud, lambdas):
    run(lambdas, T0)
    stored = cloud.run_item()["Seed"]["N"]
    run(lambdas, minute(1))
    assert cloud.run_item()["Seed"]["N"] == stored
    assert int(cloud.run_item()["Version"]["N"]) == 2


class WriteMeter:
    """DynamoDB write units a run consumes, read from the requests it sends."""

    def __init__(self, ddb):
        self.units, self.item_bytes = 0, []
        ddb.meta.events.register("before-parameter-build.dynamodb", self.on_request)

    def on_request(self, params, model, **_):
        if model.name == "BatchExecuteStatement":
            # Each UPDATE is billed like an UpdateItem: the item's size after the update.
            for statement in params["Statements"]:
                size = sum(len(json.dumps(v)) for v in statement["Parameters"]) + 64
                self.item_bytes.append(size)
                self.units += math.ceil(size / 1024)
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.units += 1
        elif model.name == "TransactWriteItems":
            self.units += 2 * len(params["TransactItems"])


@pytest.mark.parametrize("extra", [0, 95, 995])
def test_calls_and_write_units_per_run_grow_as_n_over_25(cloud, lambdas, extra):
    names = [f"Extra_{i:04d}" for i in range(extra)]
    for i in range(0, extra, 25):
        cloud.ddb.batch_write_item(RequestItems={cloud.table: [
            {"PutRequest": {"Item": {"TickerName": {"S": n}, "Price": {"N": "10"}}}}
            for n in names[i:i + 25]]})
    n = 5 + extra
    meter = WriteMeter(clients.get("dynamodb"))
    report = run(lambdas, T0)
    assert report["ticks"] == n * 4
    assert report["calls_total"] <= 4 + math.ceil(n / 25)
    assert report["calls"]["DynamoDB.Scan"] == 1
    assert report["calls"]["DynamoDB.UpdateItem"] == 1
    assert report["calls"]["DynamoDB.BatchExecuteStatement"] == math.ceil(n / 25)
    assert report["calls"]["Firehose.PutRecordBatch"] == 1
    assert meter.units == n + 1 and max(meter.item_bytes) < 1024
    # One record per 500 lines, each billed in whole 5 KB units.
    assert report["records"] == math.ceil(n * 4 / 500)
    assert math.ceil(report["bytes"] / 5120) <= report["billed_units"] \
        <= math.ceil(report["bytes"] / 5120) + report["records"] - 1
    if n == 5:
        assert report["calls_total"] == 4 and report["billed_units"] == 1
