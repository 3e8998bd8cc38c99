"""watch_moves on moto with a window's state split over MOVE_STATE_SHARDS items: one object
of 12,000 tickers (one item for them all is over DynamoDB's 400 KB) alerts once per moved
ticker, and the same object again sends nothing."""
import pytest

from chalicelib.walk.ticks import iso
from chalicelib.watch import moves
from tests.functional.test_watch import START, market, put_ticks, received, s3_event
from tickersim.aws import checkout
from tickersim.base import stage as stages
from tickersim.base import synthetic

__all__ = ["market"]      # the fixture, used by name

COUNT = 12_000
SHARDS = moves.shards_for(COUNT)


@pytest.fixture
def sharded(monkeypatch):
    # Chalice's test client adds the stage's variables; this one is left as set here.
    monkeypatch.setenv("MOVE_STATE_SHARDS", str(SHARDS))


def state_items(cloud):
    items, kwargs = [], {}
    while True:
        page = cloud.ddb.scan(TableName=cloud.table, ConsistentRead=True, **kwargs)
        items += [i for i in page["Items"] if i["TickerName"]["S"].startswith("#moves|")]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_ten_thousand_tickers_alert_once_each_over_several_items(cloud, lambdas, market,
                                                                 sharded):
    names = [synthetic.name("SH", n) for n in range(COUNT)]
    movers = set(names[::7])                 # these move 2 %, the others 0.1 %
    put_ticks(cloud, "ticks/big", [(n, s, 101.2345 if s == 1 else
                                    (99.2098 if n in movers else 101.1333))
                                   for n in names for s in (1, 2)])
    first = lambdas.invoke("watch-lambda", s3_event(cloud, "ticks/big")).payload
    assert first["ticks"] == 2 * COUNT and first["state_writes"] == SHARDS
    assert first["alerts"] == len(movers)
    (alert,) = received(cloud, market)
    assert alert["Subject"].startswith("Moves: ")
    items = state_items(cloud)
    assert sorted(i["TickerName"]["S"] for i in items) == sorted(
        moves.state_key(START // 300, 5, s, SHARDS) for s in range(SHARDS))
    assert all(i["TickerName"]["S"].startswith("#moves|" + iso(START) + "#") for i in items)
    alerted = set()
    for item in items:
        _, state = moves.parse_state(item, START // 300, 5)
        alerted |= {n for n, r in state.items() if r.alerted}
    assert alerted == movers
    again = lambdas.invoke("watch-lambda", s3_event(cloud, "ticks/big")).payload
    assert again["alerts"] == 0 and again["state_writes"] == 0
    assert received(cloud, market) == [] and cloud.alerts() == []


def test_deploy_records_the_shards_the_tables_count_needs(tmp_path):
    project = stages.copy_project(tmp_path / "p", parts=(".chalice",))
    outputs = {"TableName": "t", "DeliveryStreamName": "s", "BucketName": "b",
               "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t",
               "MarketTopicArn": "arn:aws:sns:eu-west-1:123456789012:m"}

    def recorded(tickers):
        checkout.record(project, "big", "Ann", outputs, tickers)
        return stages.environment("big", stages.WATCH, project).get("MOVE_STATE_SHARDS")

    assert recorded(50) is None          # a small stage keeps one item per window
    assert recorded(100_000) == str(moves.shards_for(100_000)) != "1"
