"""A closed market is a healthy feed: the schedule's heartbeat, not delivered ticks, is what the
dead-man alarm, /api/tickers and the page watch."""
import json

from chalicelib.api import api
from tests.functional.test_faults import go
from tests.functional.test_watch_resources import REFS
from tickersim.base.seeds import seed_table
from tickersim.local import deadman

SATURDAY = "2026-12-05T15:00:00Z"
CLOSE = "2026-12-02T21:00:00Z"        # 16:00 in New York: the NYSE's close


def stocks_only(cloud):
    for item in cloud.ddb.scan(TableName=cloud.table)["Items"]:
        cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": item["TickerName"]})
    seed_table(cloud.ddb, cloud.table, path="seed/stocks.json")


def tickers(cloud, now):
    config = api.ApiSettings(cloud.table, cloud.bucket, 60.0)
    return api.tickers_body(config, cloud.ddb, now=lambda: now)


def run_lines(text):
    return [line for line in text.splitlines() if '"message": "run"' in line]


def test_a_run_with_every_market_closed_is_one_heartbeat_for_the_alarm(cloud, capsys):
    stocks_only(cloud)
    capsys.readouterr()
    report = go(cloud, when=SATURDAY)
    log = capsys.readouterr().out
    assert report["ticks"] == 0 and report["status"] == "ok" and cloud.ticks() == []
    rule = deadman.definition({**REFS, "TableName": cloud.table})
    alarm = deadman.Alarm(rule)
    assert alarm.datapoint(deadman.samples(rule, log)) == len(run_lines(log)) == 1
    # Five such minutes keep the alarm OK; five without a run raise it.
    assert [alarm.add(alarm.datapoint(deadman.samples(rule, log))) for _ in range(5)] == \
        [None] * 5
    assert [alarm.add(None) for _ in range(5)][-1] == ("OK", "ALARM")


def test_after_the_close_the_api_says_closed_at_the_schedules_time(cloud):
    stocks_only(cloud)
    go(cloud, when="2026-12-02T20:59:00Z")
    go(cloud, when="2026-12-02T21:05:00Z")          # nothing open: walks nothing
    body = tickers(cloud, now=1796504000)
    assert body["run"]["last_run"] == "2026-12-02T21:05:00Z"
    assert {t["market"] for t in body["data"]} == {"closed"}
    assert all(t["timestamp"] == "2026-12-02T20:59:45Z" for t in body["data"])


def test_a_demo_that_starts_on_a_holiday_shows_closed_tickers_not_waiting(cloud):
    stocks_only(cloud)
    go(cloud, when="2026-12-25T15:00:00Z")           # Christmas: the NYSE is shut
    body = tickers(cloud, now=0)
    assert body["run"]["last_run"] == "2026-12-25T15:00:00Z"
    assert body["data"] and all(t["market"] == "closed" and t["price"] > 0
                                for t in body["data"])


def test_a_late_retry_of_an_older_minute_does_not_move_the_heartbeat_back(cloud):
    stocks_only(cloud)
    go(cloud, when=SATURDAY)
    go(cloud, when="2026-12-05T14:58:00Z")
    run = cloud.run_item()
    assert run["Heartbeat"] == {"S": SATURDAY}
    assert tickers(cloud, now=0)["run"]["last_run"] == SATURDAY


def test_a_run_that_walks_keeps_last_run_as_the_schedules_time(cloud):
    go(cloud, when=CLOSE)                            # indices trade around the clock
    body = tickers(cloud, now=0)
    assert body["run"]["last_run"] == CLOSE
    assert json.dumps(body).count('"open"') == 5
