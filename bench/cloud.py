"""Where the benchmark runs: an in-process moto server on 127.0.0.1, and one case's resources."""
import logging
import os
import urllib.request
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

from chalicelib.core import clients
from chalicelib.walk.ticks import iso, parse_minute
from tests.support import event, scheduled
from tickersim.base.seeds import create_table
from tickersim.local import partiql

REGION = "eu-west-1"
# moto accepts any credentials; these keep every client away from a real account.
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def use_fake_account(endpoint=None):
    """Point every boto3 client this process creates at moto (or at nothing, for stubs)."""
    os.environ.update(FAKE_ENV)
    os.environ.pop("AWS_PROFILE", None)
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    else:
        os.environ.pop("AWS_ENDPOINT_URL", None)
    clients.reset()


@contextmanager
def moto_server():
    """An in-process moto server that every client of this process talks to, until the block
    ends; then no endpoint is set (a later section brings its own AWS)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # DynamoDB's answers to the run's conditional PartiQL commits, by key: moto's own
    # evaluates each statement against every item (a run at 1,000 tickers took 40 s).
    partiql.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto's state is per process, not per server: start from an empty account.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset",
                                                      method="POST"), timeout=10).close()
        use_fake_account(endpoint)
        yield endpoint
    finally:
        server.stop()
        use_fake_account()


def scheduled_event(minutes_later):
    """The test fixture's scheduled event, its `time` moved on by whole minutes."""
    return scheduled(iso((parse_minute(event("scheduled-event")["time"]) + minutes_later) * 60))


def ticker_items(n):
    return [{"TickerName": {"S": f"Index_{i}"}, "Price": {"N": "100"}} for i in range(1, n + 1)]


def create_case(name, n):
    """A table of n tickers, a bucket and a DirectPut stream into it, all called `name`."""
    ddb, s3, firehose = (boto3.client(s) for s in ("dynamodb", "s3", "firehose"))
    create_table(ddb, name)
    items = ticker_items(n)
    for i in range(0, n, 25):   # moto never leaves items unprocessed
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item}}
                                                  for item in items[i:i + 25]]})
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/bench-firehose",
            "BucketARN": f"arn:aws:s3:::{name}"})


def scan_items(name):
    """Every item of a table, in the low-level format (the benchmark's own read, not counted)."""
    ddb = boto3.client("dynamodb")
    items, start = [], {}
    while True:
        page = ddb.scan(TableName=name, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
