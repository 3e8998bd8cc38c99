"""The Marketstack v1 surface through Chalice's test client, against moto: the access key, the
numbers (checked against the ticks that landed and against each other), paging and errors."""

import importlib.util
import json
import logging
import random
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

import boto3
import pytest
from chalice.config import Config
from chalice.local import LocalGateway
from chalice.test import Client

from chalicelib.api import api, msapi
from chalicelib.core import clients
from tests.functional.conftest import PROJECT, STAGE
from tickersim.aws import policies
from tickersim.base import access_key
from tickersim.base import stage as stages
from tickersim.local import web

ENV = stages.environment(STAGE, stages.API, PROJECT)
KEY = "test-key-9f2c"
PARAMETER = access_key.parameter_name(STAGE)
OPEN = int(datetime(2020, 5, 14, 13, 30, tzinfo=UTC).timestamp())
STOCKS = ("FB", "SNAP")


def iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def session_ticks(minutes=90, start=OPEN):
    """Four ticks a minute for each stock; a price walk and volumes of its own."""
    rnd, ticks = random.Random(7), []
    for symbol in STOCKS:
        price = 100.0
        for seq in range(1, minutes * 4 + 1):
            price = round(price * (1 + rnd.uniform(-0.01, 0.01)), 4)
            ticks.append(
                {
                    "ticker": symbol,
                    "timestamp": iso(start + (seq - 1) * 15),
                    "price": price,
                    "seq": seq,
                    "volume": rnd.randint(0, 5000),
                }
            )
    return ticks


@pytest.fixture
def feed(cloud, monkeypatch):
    """A stage with a backfilled session under history/ and the API function's environment."""
    api._cache.__init__()
    msapi._ticks_cache.__init__()
    msapi._key.update(value=None, read_at=-msapi.KEY_TTL_S)
    msapi._pins.clear()
    msapi._listings.clear()
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket=ENV["BUCKET_NAME"], CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    ticks = session_ticks()
    by_hour = {}
    for t in ticks:
        by_hour.setdefault(t["timestamp"][11:13], []).append(json.dumps(t) + "\n")
    for hour, lines in by_hour.items():
        s3.put_object(
            Bucket=ENV["BUCKET_NAME"],
            Body="".join(lines).encode(),
            Key=f"history/dt=2020-05-14/hour={hour}/backfill-{hour}.json",
        )
    for symbol in STOCKS:
        cloud.ddb.put_item(
            TableName=cloud.table,
            Item={
                "TickerName": {"S": symbol},
                "Price": {"N": "100"},
                "Kind": {"S": "stock"},
                "Calendar": {"S": "XNYS"},
            },
        )
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=KEY, Type="SecureString")
    for name, value in {**ENV, "API_KEY_PARAMETER": PARAMETER}.items():
        monkeypatch.setenv(name, value)
    from app import app

    with Client(app, stage_name=STAGE, project_dir=str(PROJECT)) as client:
        yield client.http, ticks


def get(http, path, **params):
    query = "&".join(f"{k}={v}" for k, v in {"access_key": KEY, **params}.items() if v is not None)
    reply = http.get(f"{path}?{query}")
    return reply.status_code, json.loads(reply.body)


def walk(http, path, limit, **params):
    """Every record, page by page, newest first, as a producer reads them."""
    found, offset = [], 0
    while True:
        status, body = get(http, path, limit=limit, offset=offset, **params)
        assert status == 200, body
        found += body["data"]
        offset += limit
        if offset >= body["pagination"]["total"]:
            return found, body["pagination"]["total"]


def test_1min_bars_are_the_ticks_of_their_minute(feed):
    http, ticks = feed
    bars, total = walk(
        http, "/v1/intraday", 50, symbols="FB,SNAP", interval="1min", date_from="2020-05-14"
    )
    assert total == len(bars) == 2 * 90
    for bar in bars:
        minute = bar["date"][:16].replace("T", " ")
        inside = [
            t
            for t in ticks
            if t["ticker"] == bar["symbol"] and t["timestamp"][:16].replace("T", " ") == minute
        ]
        assert bar["close"] == bar["last"] == max(inside, key=lambda t: t["seq"])["price"]
        assert bar["high"] == max(t["price"] for t in inside)
        assert bar["volume"] == sum(t["volume"] for t in inside)
        assert bar["exchange"] == "XNYS" and bar["date"].endswith("+0000")
    assert [b["date"] for b in bars] == sorted((b["date"] for b in bars), reverse=True)


def test_eod_and_larger_intervals_agree_with_the_1min_bars(feed):
    http, _ = feed
    ones, _ = walk(
        http,
        "/v1/intraday",
        1000,
        symbols="FB",
        interval="1min",
        date_from="2020-05-14",
        sort="ASC",
    )
    hours, _ = walk(
        http,
        "/v1/intraday",
        1000,
        symbols="FB",
        interval="1hour",
        date_from="2020-05-14",
        sort="ASC",
    )
    status, eod = get(http, "/v1/eod/2020-05-14", symbols="FB")
    assert status == 200 and eod["pagination"]["total"] == 1
    day = eod["data"][0]
    assert day["close"] == ones[-1]["close"] == hours[-1]["close"]
    assert day["volume"] == sum(b["volume"] for b in ones) == sum(b["volume"] for b in hours)
    assert day["high"] == max(b["high"] for b in hours) and day["open"] == ones[0]["open"]
    assert day["date"] == "2020-05-14T00:00:00+0000" and day["adj_close"] == day["close"]


def test_latest_is_each_symbols_newest_bar(feed):
    http, ticks = feed
    status, body = get(
        http, "/v1/intraday/latest", symbols="FB,SNAP", interval="1min", date_from="2020-05-14"
    )
    assert status == 200 and {b["symbol"] for b in body["data"]} == set(STOCKS)
    for bar in body["data"]:
        assert (
            bar["close"]
            == max((t for t in ticks if t["ticker"] == bar["symbol"]), key=lambda t: t["seq"])[
                "price"
            ]
        )


def test_tickers_and_exchanges_say_what_the_table_and_calendars_know(feed):
    http, _ = feed
    status, body = get(http, "/v1/tickers", limit=100)
    symbols = {t["symbol"]: t for t in body["data"]}
    assert status == 200 and set(STOCKS) <= set(symbols)
    assert symbols["FB"]["stock_exchange"]["mic"] == "XNYS"
    assert get(http, "/v1/tickers/FB")[1]["symbol"] == "FB"
    status, body = get(http, "/v1/exchanges")
    assert status == 200 and {e["mic"] for e in body["data"]} == {
        t["stock_exchange"]["mic"] for t in symbols.values()
    }


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({"access_key": None, "symbols": "FB"}, 401, "missing_access_key"),
        ({"access_key": "nope", "symbols": "FB"}, 401, "invalid_access_key"),
        ({"symbols": "FB", "interval": "2min"}, 422, "validation_error"),
        ({"symbols": "FB", "limit": "0"}, 422, "validation_error"),
        ({"symbols": "FB", "limit": "1001"}, 422, "validation_error"),
        ({"symbols": "FB", "offset": "-1"}, 422, "validation_error"),
        ({"symbols": "FB", "date_from": "14.05.2020"}, 422, "validation_error"),
        (
            {"symbols": "FB", "date_from": "2020-05-15", "date_to": "2020-05-14"},
            422,
            "validation_error",
        ),
        ({"symbols": ",".join(f"S{i}" for i in range(101))}, 422, "validation_error"),
        ({"symbols": "NOPE"}, 422, "no_valid_symbols_provided"),
    ],
)
def test_bad_input_gets_marketstacks_error_shape_and_status(feed, params, status, code):
    http, _ = feed
    got, body = get(http, "/v1/intraday", **params)
    assert (got, body["error"]["code"]) == (status, code)
    assert set(body) == {"error"} and body["error"]["message"]


def test_an_unknown_ticker_is_a_404_and_the_key_is_never_logged(feed, caplog):
    http, _ = feed
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tickersim")  # Chalice sets it to ERROR
    boto3.client("s3").put_object(
        Bucket=ENV["BUCKET_NAME"],
        Body=b"not json\n",
        Key="history/dt=2020-05-14/hour=13/damaged.json",
    )
    status, body = get(http, "/v1/tickers/NOPE")
    assert (status, body["error"]["code"]) == (404, "404_not_found")
    get(http, "/v1/intraday", symbols="FB", date_from="2020-05-14")
    get(http, "/v1/intraday", symbols="FB", access_key=KEY + "x")
    # botocore's own DEBUG wire log shows every response body (off unless asked for).
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("botocore")]
    assert ours and not any(KEY in line for line in ours)


@pytest.fixture
def site(feed):
    """The demo's HTTP adapter around the app, on a free port."""
    from app import app

    routes = {path: set(methods) for path, methods in app.routes.items()}
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), web.handler_for(LocalGateway(app, Config()), routes)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", feed[1]
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_producer_example_gets_every_bar_once_over_http(site, tmp_path):
    base, ticks = site
    spec = importlib.util.spec_from_file_location(
        "producer", PROJECT / "examples" / "marketstack_producer.py"
    )
    producer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(producer)
    out = tmp_path / "bars.jsonl"
    with out.open("a", encoding="utf-8") as sink:
        pages, written = producer.produce(
            f"{base}/v1", KEY, "FB,SNAP", "2020-05-14", "1min", 70, sink
        )
    bars = [json.loads(line) for line in out.read_text().splitlines()]
    minutes = {(t["ticker"], t["timestamp"][:16]) for t in ticks}
    assert written == len(bars) == len(minutes) and pages == -(-len(minutes) // 70)
    assert {(b["symbol"], b["date"][:16]) for b in bars} == minutes


@pytest.mark.parametrize("path", ["/v1/intraday/latest", "/v1/eod/2020-05-14", "/v1/tickers/FB"])
def test_the_demos_server_routes_templated_paths(site, path):
    base, _ = site
    with urllib.request.urlopen(f"{base}{path}?access_key={KEY}&symbols=FB", timeout=30) as r:
        assert r.status == 200 and json.loads(r.read())


def test_the_demos_server_still_answers_404_off_the_routes(site):
    base, _ = site
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{base}/v1/tickers/FB/splits", timeout=30)
    assert caught.value.code == 404


def test_the_policy_grants_the_calls_these_routes_make_on_exact_resources(feed):
    http, _ = feed
    with clients.counting(clients.get("s3"), clients.get("dynamodb"), clients.get("ssm")) as (
        calls,
        _,
    ):
        get(http, "/v1/eod/2020-05-14", symbols="FB")
        get(http, "/v1/tickers")
    actions = {
        "DynamoDB.Scan": "dynamodb:Scan",
        "S3.ListObjectsV2": "s3:ListBucket",
        "S3.GetObject": "s3:GetObject",
        "SSM.GetParameter": "ssm:GetParameter",
    }
    document = policies.for_stage(STAGE, PROJECT)[stages.API]
    granted = {s["Action"]: s for s in document["Statement"] if not s["Sid"].startswith("Own")}
    assert set(granted) == {actions[call] for call in calls}
    key_arn = granted["ssm:GetParameter"]["Resource"]
    assert key_arn.endswith(f":parameter{PARAMETER}") and "*" not in key_arn


def test_a_newest_first_walk_does_not_shift_while_ticks_arrive(feed, cloud):
    http, ticks = feed
    stamp = max(t["timestamp"] for t in ticks)
    for symbol in STOCKS:
        cloud.ddb.update_item(
            TableName=cloud.table,
            Key={"TickerName": {"S": symbol}},
            UpdateExpression="SET LastTick = :t",
            ExpressionAttributeValues={":t": {"S": stamp}},
        )
    params = {"symbols": "FB,SNAP", "interval": "1min", "date_from": "2020-05-14", "limit": 40}
    status, first = get(http, "/v1/intraday", offset=0, **params)
    assert status == 200
    # Ten more minutes land (and the listings kept for 30 s have expired) mid-walk.
    later = session_ticks(minutes=10, start=OPEN + 90 * 60)
    s3 = boto3.client("s3")
    s3.put_object(
        Bucket=ENV["BUCKET_NAME"],
        Key="history/dt=2020-05-14/hour=15/later.json",
        Body="".join(json.dumps({**t, "seq": t["seq"] + 360}) + "\n" for t in later).encode(),
    )
    for symbol in STOCKS:
        cloud.ddb.update_item(
            TableName=cloud.table,
            Key={"TickerName": {"S": symbol}},
            UpdateExpression="SET LastTick = :t",
            ExpressionAttributeValues={":t": {"S": later[-1]["timestamp"]}},
        )
    msapi._listings.clear()
    total = first["pagination"]["total"]
    pages = [first] + [
        get(http, "/v1/intraday", offset=o, **params)[1] for o in range(40, total, 40)
    ]
    walked = [(b["symbol"], b["date"]) for p in pages for b in p["data"]]
    assert {p["pagination"]["total"] for p in pages} == {total}
    assert (
        len(walked)
        == len(set(walked))
        == total
        == len({(t["ticker"], t["timestamp"][:16]) for t in ticks})
    )
    # A new walk (another date_from, so another snapshot) sees the new minutes.
    status, fresh = get(http, "/v1/intraday", offset=0, **{**params, "date_from": "2020-05-13"})
    assert fresh["pagination"]["total"] == total + 2 * 10
