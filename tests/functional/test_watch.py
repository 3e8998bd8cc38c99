"""watch_moves on moto: delivered objects in, one move alert per ticker per window out, its
state in `#moves|...` items that no ticker reader sees."""
import json

import boto3
import pytest

from chalicelib.walk.ticks import iso
from tests.functional.conftest import PROJECT, STAGE
from tests.support import event
from tickersim.base import stage as stages

START = 1_764_600_000 // 300 * 300


@pytest.fixture
def market(cloud):
    """The market topic with a queue subscribed, as the stage's watcher publishes to it."""
    env = stages.environment(STAGE, stages.WATCH, PROJECT)
    sns = boto3.client("sns")
    arn = sns.create_topic(Name=env["MARKET_TOPIC_ARN"].rsplit(":", 1)[1])["TopicArn"]
    assert arn == env["MARKET_TOPIC_ARN"]
    url = cloud.sqs.create_queue(QueueName="market")["QueueUrl"]
    queue_arn = cloud.sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
    return url


def received(cloud, url):
    found = []
    while True:
        got = cloud.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        if not got.get("Messages"):
            return found
        for m in got["Messages"]:
            found.append(json.loads(m["Body"]))
            cloud.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def put_ticks(cloud, key, ticks):
    body = "".join(json.dumps({"ticker": n, "timestamp": iso(START + s * 15), "price": p,
                               "seq": s}) + "\n" for n, s, p in ticks)
    cloud.s3.put_object(Bucket=cloud.bucket, Key=key, Body=body.encode())


def s3_event(cloud, *keys):
    shape = event("s3-object-created")
    record = shape["Records"][0]
    records = []
    for key in keys:
        copy = json.loads(json.dumps(record))
        copy["s3"]["bucket"]["name"] = cloud.bucket
        copy["s3"]["object"]["key"] = key.replace(" ", "+")
        records.append(copy)
    return {"Records": records}


def test_a_move_alerts_once_whatever_the_order_and_duplicates(cloud, lambdas, market):
    # Index_3 falls 1.42 % within one window; Index_1 moves 0.5 %: only Index_3 alerts.
    put_ticks(cloud, "ticks/a 1", [("Index_3", 1, 80.0), ("Index_1", 1, 100.0)])
    put_ticks(cloud, "ticks/b", [("Index_3", 5, 79.2), ("Index_1", 5, 100.5)])
    put_ticks(cloud, "ticks/c", [("Index_3", 9, 78.864)])
    for key in ["ticks/c", "ticks/a 1", "ticks/c", "ticks/b", "ticks/a 1"]:
        lambdas.invoke("watch-lambda", s3_event(cloud, key))
    alerts = received(cloud, market)
    assert [a["Subject"] for a in alerts] == ["Move: Index_3 -1.42 % in 5 min"]
    assert "80.0000 at " + iso(START + 15) in alerts[0]["Message"]
    # The object that completed the move is the one linked (c alone moved nothing).
    assert f"s3://{cloud.bucket}/ticks/a 1" in alerts[0]["Message"]
    assert cloud.alerts() == []      # nothing on the failure topic


def test_one_message_covers_every_ticker_that_moved_in_one_event(cloud, lambdas, market):
    put_ticks(cloud, "ticks/x", [("Index_1", 1, 100.0), ("Index_1", 2, 102.0),
                                 ("Index_2", 1, 90.0), ("Index_2", 2, 88.0)])
    lambdas.invoke("watch-lambda", s3_event(cloud, "ticks/x"))
    (alert,) = received(cloud, market)
    assert alert["Subject"] == "Moves: Index_2 -2.22 %, Index_1 +2.00 % in 5 min"


def test_state_lives_in_its_own_items_and_the_stream_skips_them(cloud, lambdas, market):
    before = cloud.items()
    put_ticks(cloud, "ticks/x", [("Index_1", 1, 100.0), ("Index_1", 2, 102.0)])
    lambdas.invoke("watch-lambda", s3_event(cloud, "ticks/x"))
    names = {i["TickerName"]["S"] for i in
             cloud.ddb.scan(TableName=cloud.table, ConsistentRead=True)["Items"]}
    assert {n for n in names if n.startswith("#")} == {"#moves|" + iso(START)}
    assert {n: i for n, i in cloud.items().items() if not n.startswith("#")} == before
    report = lambdas.invoke("streaming-lambda", event("scheduled-event")).payload
    assert report["status"] == "ok" and report["tickers"] == 5 and report["malformed"] == 0


def test_objects_outside_ticks_and_test_events_alert_nothing(cloud, lambdas, market):
    cloud.s3.put_object(Bucket=cloud.bucket, Key="errors/x", Body=b"{}\n")
    lambdas.invoke("watch-lambda", s3_event(cloud, "errors/x"))
    lambdas.invoke("watch-lambda", {"Service": "Amazon S3", "Event": "s3:TestEvent"})
    assert received(cloud, market) == []


def test_old_windows_are_deleted_so_the_streams_scan_stays_small(cloud, lambdas, market):
    """A catch-up re-sends at most MAX_CATCHUP_MINUTES (60): 13 windows of 5 minutes are
    kept, older ones go as new ones open."""
    for n in range(20):
        put_ticks(cloud, f"ticks/w{n}", [("Index_1", 1 + n * 20, 100.0)])
        lambdas.invoke("watch-lambda", s3_event(cloud, f"ticks/w{n}"))
    kept = sorted(i["TickerName"]["S"] for i in
                  cloud.ddb.scan(TableName=cloud.table)["Items"]
                  if i["TickerName"]["S"].startswith("#moves|"))
    assert kept == ["#moves|" + iso(START + w * 300) for w in range(7, 20)]
