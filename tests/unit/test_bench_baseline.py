"""The benchmark's naive baseline makes the calls it is meant to, and the stub answers them."""
import ast

import boto3
import pytest
from moto import mock_aws

from bench import baseline, cloud
from bench.fake import FakeAws
from chalicelib.core.clients import counting
from chalicelib.walk.delivery import billed_units


@pytest.fixture
def case():
    with mock_aws():
        cloud.create_case("bench-case", 5)
        yield "bench-case"


def test_baseline_makes_one_call_per_tick_and_per_ticker(case):
    table, firehose = boto3.resource("dynamodb").Table(case), boto3.client("firehose")
    records = []
    firehose.meta.events.register("provide-client-params.firehose.PutRecord",
                                  lambda params, **_: records.append(params["Record"]["Data"]))
    with counting(table.meta.client, firehose) as (calls, _):
        baseline.run(table, firehose, case)
    assert calls == {"DynamoDB.Scan": 1, "DynamoDB.PutItem": 5, "Firehose.PutRecord": 20}
    assert billed_units(records) == 20
    for record in records:      # a Python repr, not JSON, and no newline
        assert "'ticker'" in record and not record.endswith("\n")
        assert ast.literal_eval(record)["ticker"].startswith("Index_")
    prices = [float(i["Price"]) for i in table.scan()["Items"]]
    assert len(prices) == 5 and all(p > 0 for p in prices)


def test_stub_answers_every_call_and_counters_still_see_them():
    table, firehose = boto3.resource("dynamodb").Table("t"), boto3.client("firehose")
    FakeAws(cloud.ticker_items(3)).attach(table.meta.client, firehose)
    with counting(table.meta.client, firehose) as (calls, _):
        baseline.run(table, firehose, "s")
        reply = firehose.put_record_batch(DeliveryStreamName="s",
                                          Records=[{"Data": b"a\n"}, {"Data": b"b\n"}])
    assert calls == {"DynamoDB.Scan": 1, "DynamoDB.PutItem": 3, "Firehose.PutRecord": 12,
                     "Firehose.PutRecordBatch": 1}
    assert reply["FailedPutCount"] == 0 and len(reply["RequestResponses"]) == 2
    # each Scan decodes a fresh copy: the resource's in-place conversion cannot leak
    assert [i["Price"] for i in table.scan()["Items"]] == [100, 100, 100]
