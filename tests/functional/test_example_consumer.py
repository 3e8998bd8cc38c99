"""examples/stream_consumer on moto: the tickersim stream's records, checked and counted per
ticker; bad records named, not counted."""
import base64
import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest
from chalice.test import Client

from chalicelib.walk.ticks import encode
from tests.support import event

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stream_consumer"
TABLE = json.loads((EXAMPLE / ".chalice" / "config.json").read_text())[
    "stages"]["dev"]["environment_variables"]["COUNTS_TABLE"]


@pytest.fixture
def example(aws, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    spec = importlib.util.spec_from_file_location("consumer_app", EXAMPLE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "Ticker", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "Ticker", "KeyType": "HASH"}])
    yield module, ddb
    sys.modules.pop("consumer_app", None)


def kinesis_event(records):
    """A batch in the shape of tests/events/kinesis-batch.json, one entry per (key, data)."""
    shape = event("kinesis-batch")["Records"][0]
    batch = []
    for n, (key, data) in enumerate(records):
        entry = json.loads(json.dumps(shape))
        entry["kinesis"].update(partitionKey=key, sequenceNumber=str(n),
                                data=base64.b64encode(data).decode())
        batch.append(entry)
    return {"Records": batch}


def test_the_lambda_counts_good_records_per_ticker_and_names_the_bad(example):
    module, ddb = example
    good = [(t, encode(json.dumps(t), "2026-12-04T10:00:00Z", 100.0 + s, s).encode())
            for t in ("Index_1", "Index_2") for s in (1, 2, 3)]
    with Client(module.app, project_dir=str(EXAMPLE)) as client:
        batch = kinesis_event(good + [("X", b"not json"), ("X", b'{"ticker": 1}')])
        report = client.lambda_.invoke("count_ticks", batch).payload
        client.lambda_.invoke("count_ticks", kinesis_event(good[:2]))
    assert report["good"] == 6 and report["bad"] == {
        "not JSON": 1, "field 'ticker' missing or of the wrong type": 1}
    counts = {i["Ticker"]["S"]: int(i["Records"]["N"])
              for i in ddb.scan(TableName=TABLE)["Items"]}
    assert counts == {"Index_1": 5, "Index_2": 3}


@pytest.mark.parametrize("key, data, why", [
    ("A", {"ticker": "A", "timestamp": "t", "price": 0, "seq": 1}, "price is not above 0"),
    ("A", {"ticker": "A", "timestamp": "t", "price": 1.0, "seq": 0}, "seq is below 1"),
    ("A", {"ticker": "A", "timestamp": "t", "price": True, "seq": 1}, "'price'"),
    ("B", {"ticker": "A", "timestamp": "t", "price": 1.0, "seq": 1}, "partition key 'B'"),
    ("A", [1], "not a JSON object"),
    ("A", {"type": "news", "ticker": "A", "timestamp": "t", "headline": "h"}, None),
])
def test_each_check_names_what_is_wrong(example, key, data, why):
    found = example[0].problem(key, json.dumps(data).encode())
    assert found is None if why is None else why in found
