"""Fan-out on moto: the coordinator starts one worker per segment; each worker walks, delivers
and commits its segment with the single run's guarantees; a failing worker alerts, naming
its segment, while the others commit; and the ticks never depend on the number of workers."""
import io
import json

import boto3
import pytest
import requests
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import handlers
from chalicelib.core import clients, events
from chalicelib.core.errors import FanOutFailed, TooManyTickers
from chalicelib.walk import fanout, state
from tests.functional.conftest import Cloud
from tests.support import LambdaContext, scheduled
from tickersim.base import bulk_seed
from tickersim.local.lambdas import Function, Outcome, failure_record

T0 = "2026-11-26T09:00:00Z"
WORKER = "tickersim-dev-worker-lambda"
SYNTHETIC = 60


def minute(n):
    return f"2026-11-26T09:{n:02d}:00Z"


@pytest.fixture
def fleet(cloud, monkeypatch):
    return make_fleet(cloud, monkeypatch)


def make_fleet(cloud, monkeypatch):
    """The dev stage with 60 synthetic tickers beside the five indices, fan-out switched on."""
    bulk_seed.create(cloud.ddb, cloud.table, SYNTHETIC, "SIM", "index", stream=io.StringIO())
    env = {**cloud.stream_env, "WORKER_FUNCTION_NAME": WORKER, "WORKER_TICKERS": "20",
           "MARKET_SEED": "7"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # moto records the worker without running it (no Docker here); the test runs it.
    requests.post("http://motoapi.amazonaws.com/moto-api/config",
                  json={"lambda": {"use_docker": False}}, timeout=10)
    lam = boto3.client("lambda")
    role = boto3.client("iam").create_role(RoleName="worker", AssumeRolePolicyDocument="{}")
    lam.create_function(FunctionName=WORKER, Runtime="python3.11", Role=role["Role"]["Arn"],
                        Handler="app.walk_segment", Code={"ZipFile": b"x"})
    return cloud


def coordinate(time_text):
    """The scheduled function's run; returns the worker events it started."""
    report = handlers.stream(scheduled(time_text), LambdaContext())
    if "fanout" not in report:
        return []                # one worker's worth: the scheduled function walked it
    return events.worker_events(scheduled(time_text), report["fanout"], report["seed"])


def test_the_coordinator_starts_one_worker_per_segment_and_walks_nothing(fleet):
    started = coordinate(T0)
    assert len(started) == 4                       # 65 tickers, 20 a worker
    assert fleet.ticks() == []                    # the workers walk, not the coordinator
    assert fleet.run_item()["Segments"] == {"N": "4"}


def test_workers_together_walk_every_ticker_once_and_claim_their_segment(fleet):
    for worker_event in coordinate(T0):
        report = handlers.walk_segment(worker_event, LambdaContext(WORKER))
        assert report["status"] == "ok"
    ticks = fleet.ticks()
    names = {t["ticker"] for t in ticks}
    assert len(names) == 5 + SYNTHETIC and len(ticks) == 4 * len(names)
    segment_items = [k for k in _special_names(fleet) if k.startswith(fanout.SEGMENT_PREFIX)]
    assert sorted(segment_items) == [fanout.segment_key(n, 4) for n in range(4)]
    # A re-delivered worker event finds its segment up to date and delivers nothing.
    again = handlers.walk_segment(coordinate(T0)[0], LambdaContext(WORKER))
    assert again["ticks"] == 0 and len(fleet.ticks()) == len(ticks)


def test_a_failing_worker_alerts_naming_its_segment_while_the_others_commit(fleet, monkeypatch):
    started = coordinate(T0)
    assert len(started) >= 3
    failed = started[1]
    for worker_event in started:
        if worker_event is failed:
            # This worker's delivery stream is gone: it fails on every attempt.
            monkeypatch.setenv("DELIVERY_STREAM_NAME", "missing-stream")
            with pytest.raises(Exception) as caught:
                handlers.walk_segment(worker_event, LambdaContext(WORKER))
            monkeypatch.setenv("DELIVERY_STREAM_NAME", fleet.stream)
        else:
            handlers.walk_segment(worker_event, LambdaContext(WORKER))
    # As the Lambda service does once the retries are spent: the record to the notifier.
    outcome = Outcome("req-1", {"errorType": type(caught.value).__name__,
                                "errorMessage": str(caught.value)}, True, 1.0, "")
    worker = Function(WORKER, "app.walk_segment", None, {}, 60)
    for name, value in fleet.alert_env.items():
        monkeypatch.setenv(name, value)
    handlers.notify(failure_record(worker, failed, outcome, 2, 0.0), LambdaContext())
    body = fleet.alerts()[0]["Message"]
    assert f"Segment:         {events.parse_task(failed).label}" in body
    assert "Stage:           dev" in body and T0 in body
    walked = {t["ticker"] for t in fleet.ticks()}
    committed = {n for n, i in fleet.items().items()
                 if not n.startswith("#") and "LastTick" in i}
    assert walked == committed and 0 < len(committed) < 5 + SYNTHETIC
    # The failed segment catches up at the next minute; the others carry on.
    for worker_event in coordinate(minute(1)):
        handlers.walk_segment(worker_event, LambdaContext(WORKER))
    ticks = fleet.ticks()
    assert {t["ticker"] for t in ticks} == set(fleet.items()) - set(_special_names(fleet))
    for name in {t["ticker"] for t in ticks}:
        assert sorted(t["seq"] for t in ticks if t["ticker"] == name) == list(range(1, 9))


def test_a_refused_invocation_names_its_segment_and_the_others_still_start(fleet):
    with Stubber(clients.get("lambda")) as stub:
        for n in range(4):
            if n == 1:
                stub.add_client_error("invoke", "TooManyRequestsException")
            else:
                stub.add_response("invoke", {"StatusCode": 202})
        with pytest.raises(FanOutFailed, match=r"1 of 4 .*segment 2 of 4 "
                                               r"\(TooManyRequestsException\)"):
            handlers.stream(scheduled(T0), LambdaContext())
        stub.assert_no_pending_responses()


def _special_names(cloud):
    found = cloud.ddb.scan(TableName=cloud.table, ConsistentRead=True)["Items"]
    return [i["TickerName"]["S"] for i in found if i["TickerName"]["S"].startswith("#")]


def _lines_with(workers_each_minute, fleet, monkeypatch):
    """Every line delivered by one run a minute, with this many workers in each minute."""
    for n, workers in enumerate(workers_each_minute):
        monkeypatch.setenv("WORKERS", str(workers))
        for worker_event in coordinate(minute(n)):
            handlers.walk_segment(worker_event, LambdaContext(WORKER))
    return sorted(b"".join(fleet.raw_ticks()).splitlines())


def _fresh_fleet(monkeypatch):
    """moto's whole state reset, the stage made again."""
    requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=10)
    clients.reset()
    return make_fleet(Cloud().create(), monkeypatch)


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9)), min_size=2, max_size=2,
                unique=True))
def test_any_worker_counts_and_resegmenting_between_runs_write_the_same_lines(aws, monkeypatch,
                                                                              plans):
    results = [_lines_with(plan, _fresh_fleet(monkeypatch), monkeypatch) for plan in plans]
    assert results[0] == results[1] and len(results[0]) == (5 + SYNTHETIC) * 8


def test_two_and_seven_workers_write_the_same_lines(aws, monkeypatch):
    results = [_lines_with([n] * 3, _fresh_fleet(monkeypatch), monkeypatch) for n in (2, 7)]
    assert results[0] == results[1]
    assert len({json.loads(line)["ticker"] for line in results[0]}) == 5 + SYNTHETIC


def test_the_single_run_is_unchanged_without_a_worker_function(cloud, monkeypatch):
    for name, value in cloud.stream_env.items():
        monkeypatch.setenv(name, value)
    report = handlers.stream(scheduled(T0), LambdaContext())
    assert "fanout" not in report and report["ticks"] == 5 * 4


def test_the_count_is_of_tickers_not_the_apps_own_items(cloud):
    bulk_seed.create(cloud.ddb, cloud.table, 30, "SIM", "stock", stream=io.StringIO())
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "#run|0/2"}})
    assert state.count_tickers(cloud.ddb, cloud.table) == 35


def test_the_read_stops_after_the_page_that_passes_the_share_and_counts_the_rest():
    ddb = boto3.client("dynamodb", region_name="eu-west-1")
    items = [{"TickerName": {"S": f"T{n}"}, "Price": {"N": "1"}} for n in range(3)]
    with Stubber(ddb) as stub:
        stub.add_response("scan", {"Items": items, "LastEvaluatedKey": {"TickerName": {"S": "T2"}}})
        stub.add_response("scan", {"Count": 4, "LastEvaluatedKey": {"TickerName": {"S": "T9"}}},
                          {"TableName": "t", "Select": "COUNT",
                           "ExclusiveStartKey": {"TickerName": {"S": "T2"}},
                           "FilterExpression": "NOT begins_with(#k, :own)",
                           "ExpressionAttributeNames": {"#k": "TickerName"},
                           "ExpressionAttributeValues": {":own": {"S": "#"}}})
        stub.add_response("scan", {"Count": 5})
        with pytest.raises(TooManyTickers) as caught:
            state.read_all(ddb, "t", stop_above=2)
        stub.assert_no_pending_responses()
    assert caught.value.count == 3 + 4 + 5
