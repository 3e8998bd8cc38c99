"""The HTTP API through Chalice's own test client, against moto: what it reads, and how little."""
import json
import logging
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

import boto3
import pytest
from chalice.config import Config
from chalice.local import LocalGateway
from chalice.test import Client

from chalicelib.api import api, apiquery
from chalicelib.core import clients
from tests.functional.conftest import PROJECT, STAGE
from tickersim.aws import policies
from tickersim.base import stage as stages
from tickersim.local import web

ENV = stages.environment(STAGE, stages.API, PROJECT)
IAM_ACTIONS = {"DynamoDB.Scan": "dynamodb:Scan", "S3.ListObjectsV2": "s3:ListBucket",
               "S3.GetObject": "s3:GetObject"}


def tick(ticker, seq, stamp, price=100.0):
    return json.dumps({"ticker": ticker, "timestamp": stamp, "price": price, "seq": seq}) + "\n"


@pytest.fixture
def bucket(cloud):
    api._cache.__init__()          # a cold function: nothing read yet
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=ENV["BUCKET_NAME"],
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    def put(key, *lines):
        s3.put_object(Bucket=ENV["BUCKET_NAME"], Key=key, Body="".join(lines).encode())
    return put


@pytest.fixture
def http(cloud, monkeypatch):
    from app import app
    # Chalice's test client applies the stage's variables, not the API function's own.
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with Client(app, stage_name=STAGE, project_dir=str(PROJECT)) as client:
        yield client.http


def get(http, path):
    reply = http.get(path)
    return reply.status_code, json.loads(reply.body)


def calls_during(action):
    with clients.counting(clients.get("s3"), clients.get("dynamodb")) as (calls, _):
        result = action()
    return result, dict(calls)


def test_tickers_lists_the_table_without_internal_items(http, cloud):
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "#run"},
                                                    "LastRun": {"S": "2026-12-01T10:00:00Z"}})
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "#scenario:crash"}})
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "Broken"},
                                                    "Price": {"S": "n/a"}})
    (status, body), calls = calls_during(lambda: get(http, "/api/tickers"))
    assert status == 200
    assert [t["ticker"] for t in body["data"]] == [f"Index_{i}" for i in range(1, 6)]
    assert body["data"][0] == {"ticker": "Index_1", "price": 100.0, "timestamp": None, "seq": 0,
                               "market": "open"}
    assert body["run"]["last_run"] == "2026-12-01T10:00:00Z"
    assert body["run"]["behind_seconds"] > 0 and body["run"]["schedule_seconds"] == 60
    assert calls == {"DynamoDB.Scan": 1}


@pytest.mark.parametrize("last_run, market", [
    ("2026-12-01T15:00:00Z", "open"),       # a Tuesday, 10:00 in New York
    ("2026-12-01T22:00:00Z", "closed"),     # after the close
    ("2026-12-05T15:00:00Z", "closed"),     # a Saturday
])
def test_a_stock_shows_its_market_open_or_closed_at_the_feeds_clock(http, cloud, last_run,
                                                                   market):
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "#run"},
                                                    "LastRun": {"S": last_run}})
    cloud.ddb.put_item(TableName=cloud.table, Item={
        "TickerName": {"S": "NFLX"}, "Price": {"N": "500"}, "Kind": {"S": "stock"},
        "Calendar": {"S": "XNYS"}})
    status, body = get(http, "/api/tickers")
    by_name = {t["ticker"]: t["market"] for t in body["data"]}
    assert status == 200 and by_name["NFLX"] == market and by_name["Index_1"] == "open"


def test_the_demos_logical_clock_is_not_compared_with_the_wall_clock(cloud):
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "#run"},
                                                    "LastRun": {"S": "2020-01-01T10:00:00Z"}})
    config = api.settings({**ENV, "RUN_INTERVAL_SECONDS": "3"})
    assert api.tickers_body(config)["run"] == {"last_run": "2020-01-01T10:00:00Z",
                                               "behind_seconds": None, "schedule_seconds": 3}


def test_ticks_lists_only_the_hours_asked_and_reads_only_their_objects(http, bucket):
    bucket("ticks/dt=2026-12-01/hour=08/a", tick("Index_1", 1, "2026-12-01T08:59:45Z"))
    bucket("ticks/dt=2026-12-01/hour=09/a", tick("Index_1", 2, "2026-12-01T09:00:00Z"),
           tick("Index_2", 1, "2026-12-01T09:00:00Z"))
    bucket("ticks/dt=2026-12-01/hour=09/b", tick("Index_1", 3, "2026-12-01T09:59:45Z"))
    bucket("ticks/dt=2026-12-01/hour=10/a", tick("Index_1", 4, "2026-12-01T10:00:00Z"))
    bucket("ticks/2026/12/01/09/old", tick("Index_3", 1, "2026-12-01T09:30:00Z"))
    bucket("history/dt=2026-12-01/hour=09/h", tick("Index_4", 1, "2026-12-01T09:30:00Z"))
    (status, body), calls = calls_during(lambda: get(
        http, "/api/ticks?date_from=2026-12-01T09:00:00Z&date_to=2026-12-01T09:59:59Z"))
    assert status == 200
    assert [(t["ticker"], t["seq"], t["source"]) for t in body["data"]] == [
        ("Index_1", 3, "ticks"), ("Index_4", 1, "history"), ("Index_1", 2, "ticks"),
        ("Index_2", 1, "ticks")]
    assert body["pagination"] == {"limit": 100, "offset": 0, "count": 4, "total": 4,
                                  "date_to": "2026-12-01T09:59:59Z"}
    # One listing per table (ticks/, history/) for the day.
    assert calls == {"DynamoDB.Scan": 1, "S3.ListObjectsV2": 2, "S3.GetObject": 3}


def test_a_range_over_two_days_lists_each_day_once(http, bucket):
    bucket("ticks/dt=2026-11-30/hour=23/a", tick("Index_1", 1, "2026-11-30T23:59:45Z"))
    bucket("ticks/dt=2026-12-01/hour=00/a", tick("Index_1", 2, "2026-12-01T00:00:00Z"))
    (status, body), calls = calls_during(lambda: get(
        http, "/api/ticks?date_from=2026-11-30T23:00:00Z&date_to=2026-12-01T01:00:00Z"))
    assert [t["seq"] for t in body["data"]] == [2, 1]
    assert calls["S3.ListObjectsV2"] == 4       # two days, two tables


def test_resent_ticks_are_folded_and_symbols_filter(http, bucket):
    both = tick("Index_1", 1, "2026-12-01T09:00:00Z") + tick("Index_2", 1, "2026-12-01T09:00:00Z")
    bucket("ticks/dt=2026-12-01/hour=09/first", both)
    bucket("ticks/dt=2026-12-01/hour=09/again", both)     # a delivery repeated by a later run
    status, body = get(http, "/api/ticks?date_from=2026-12-01&date_to=2026-12-01")
    assert body["pagination"]["total"] == 2
    status, body = get(http, "/api/ticks?symbols=Index_2&date_from=2026-12-01&date_to=2026-12-01")
    assert [t["ticker"] for t in body["data"]] == ["Index_2"]


def test_an_empty_bucket_is_an_empty_page(http, bucket):
    status, body = get(http, "/api/ticks")
    assert (status, body["data"], body["skipped_lines"]) == (200, [], 0)
    assert {k: v for k, v in body["pagination"].items() if k != "date_to"} == {
        "limit": 100, "offset": 0, "count": 0, "total": 0}


def test_a_malformed_line_is_skipped_counted_and_logged(http, bucket):
    # The app's logger, where Chalice put its handler and set the level to ERROR.
    records, handler = [], logging.Handler()
    handler.emit = records.append
    logging.getLogger("tickersim").addHandler(handler)
    bucket("ticks/dt=2026-12-01/hour=09/a", tick("Index_1", 1, "2026-12-01T09:00:00Z"),
           '{"ticker": "Index_1", "seq": 2, "price": \n', tick("Index_1", 3, "2026-12-01T09:01:00Z"))
    try:
        status, body = get(http, "/api/ticks?date_from=2026-12-01&date_to=2026-12-01")
    finally:
        logging.getLogger("tickersim").removeHandler(handler)
    assert status == 200
    assert [t["seq"] for t in body["data"]] == [3, 1]
    assert body["skipped_lines"] == 1
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", "skipped 1 malformed line(s) in 1 object(s)")]


def test_walking_the_pages_reads_each_object_once(http, bucket):
    for minute in range(10):
        bucket(f"ticks/dt=2026-12-01/hour=09/{minute:02d}",
               *(tick(f"Index_{i}", minute + 1, f"2026-12-01T09:{minute:02d}:00Z")
                 for i in range(1, 6)))

    def walk():
        seen, offset = [], 0
        while True:
            _, body = get(http, f"/api/ticks?date_from=2026-12-01&date_to=2026-12-01&limit=7"
                                f"&offset={offset}")
            if not body["data"]:
                return seen
            seen += [(t["ticker"], t["seq"]) for t in body["data"]]
            offset += body["pagination"]["count"]
    seen, calls = calls_during(walk)
    assert sorted(seen) == sorted((f"Index_{i}", m) for i in range(1, 6) for m in range(1, 11))
    assert calls["S3.GetObject"] == 10


@pytest.mark.parametrize("query, name", [
    ("symbols=Nope", "symbols"), ("date_from=12/01/2026", "date_from"),
    ("date_from=2026-12-02&date_to=2026-12-01", "date_from"), ("limit=-1", "limit"),
    ("limit=5000", "limit"), ("offset=ten", "offset"), ("limit=1&limit=2", "limit"),
    ("colour=red", "colour")])
def test_bad_input_is_a_400_naming_the_parameter(http, bucket, query, name):
    status, body = get(http, f"/api/ticks?{query}")
    assert status == 400
    assert body["error"]["code"] == "invalid_parameter"
    assert body["error"]["message"].startswith(f"{name}: ")


def test_a_missing_table_is_a_503_in_the_error_shape_without_internals(http, cloud):
    cloud.ddb.delete_table(TableName=cloud.table)
    reply = http.get("/api/ticks")
    assert reply.status_code == 503
    body = json.loads(reply.body)
    assert body["error"]["code"] == "upstream_unavailable"
    assert b"Traceback" not in reply.body and b"ResourceNotFound" not in reply.body


def test_the_api_policy_grants_exactly_the_calls_it_makes(http, bucket):
    bucket("ticks/dt=2026-12-01/hour=09/a", tick("Index_1", 1, "2026-12-01T09:00:00Z"))
    _, calls = calls_during(lambda: (get(http, "/api/tickers"), get(
        http, "/api/ticks?date_from=2026-12-01T09:30&date_to=2026-12-01T10:30")))
    document = policies.for_stage(STAGE, PROJECT)[stages.API]
    granted = {s["Action"] for s in document["Statement"] if not s["Sid"].startswith("Own")}
    # The Marketstack routes also read the access key (test_marketstack_api checks them).
    assert granted - {"ssm:GetParameter"} == {IAM_ACTIONS[call] for call in calls}
    listing = next(s for s in document["Statement"] if s["Action"] == "s3:ListBucket")
    # Exactly the tables it serves: live ticks and backfilled history.
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [
        p + "*" for p in apiquery.PREFIXES]}}
    reading = next(s for s in document["Statement"] if s["Action"] == "s3:GetObject")
    assert reading["Resource"] == [f"arn:aws:s3:::{ENV['BUCKET_NAME']}/{p}*"
                                   for p in apiquery.PREFIXES]
    committed = json.loads((PROJECT / ".chalice" / f"policy-{STAGE}-api.json").read_text())
    assert committed == document


@pytest.fixture
def local_site(http):
    """The demo's HTTP adapter around the app, on a free port, inside the moto account."""
    from app import app
    routes = {path: set(methods) for path, methods in app.routes.items()}
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 web.handler_for(LocalGateway(app, Config()), routes))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("method, path", [("GET", "/nope"), ("GET", "/api"),
                                          ("POST", "/api/tickers"), ("DELETE", "/")])
def test_unknown_routes_and_methods_are_404_in_the_error_shape(local_site, method, path):
    request = urllib.request.Request(local_site + path, method=method)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 404
    body = json.loads(caught.value.read())
    assert body["error"]["code"] == "not_found" and path in body["error"]["message"]


def test_the_page_is_one_document_with_the_chart_library_inside(local_site):
    with urllib.request.urlopen(local_site + "/", timeout=30) as reply:
        page = reply.read().decode()
        assert reply.headers["Content-Type"].startswith("text/html")
    assert "leeoniya/uPlot (v1.6.32)" in page and "/*UPLOT_JS*/" not in page
    assert "src=\"http" not in page and "href=\"http" not in page      # nothing from a CDN


def test_an_unconfigured_function_says_so_without_internals(http, monkeypatch):
    monkeypatch.delenv("BUCKET_NAME")
    status, body = get(http, "/api/tickers")
    assert status == 503 and body["error"]["code"] == "not_configured"
    assert "tickersim deploy" in body["error"]["message"]


def test_a_range_larger_than_the_cache_is_still_read_whole(http, bucket, monkeypatch):
    monkeypatch.setattr(api, "_cache", api.ObjectCache(max_ticks=3))
    for minute in range(4):
        bucket(f"ticks/dt=2026-12-01/hour=09/{minute}",
               *(tick(f"Index_{i}", minute + 1, f"2026-12-01T09:0{minute}:00Z") for i in (1, 2)))
    status, body = get(http, "/api/ticks?date_from=2026-12-01&date_to=2026-12-01")
    assert body["pagination"]["total"] == 8
