"""/api/ticks windows over a bucket that keeps changing: pages pinned to a snapshot, backfilled
history served beside live ticks, whole days, a ticker deleted and seeded again."""
import json
import urllib.error
import urllib.request

import pytest

from tests.functional.test_api import bucket, get, http, local_site, tick  # noqa: F401

NEWEST = "2026-12-01T09:59:45Z"


def last_tick(cloud, name, stamp, seq=1):
    cloud.ddb.put_item(TableName=cloud.table, Item={
        "TickerName": {"S": name}, "Price": {"N": "100"}, "Seq": {"N": str(seq)},
        "LastTick": {"S": stamp}})


def minute_of_ticks(minute, seq):
    return [tick(f"Index_{i}", seq, f"2026-12-01T09:{minute:02d}:{second:02d}Z")
            for i in range(1, 6) for second in (0, 15, 30, 45)]


def walk(http, first_query, landing):
    """Pages of 7, newest first, following the echoed date_to; `landing(n)` puts new ticks
    in the bucket after page n, as runs do while a reader walks."""
    seen, offset, query, n = [], 0, first_query, 0
    while True:
        status, body = get(http, f"/api/ticks?{query}&limit=7&offset={offset}")
        assert status == 200, body
        if not body["data"]:
            return seen, body
        seen += [(t["ticker"], t["seq"], t["timestamp"]) for t in body["data"]]
        offset += body["pagination"]["count"]
        query = f"{first_query}&date_to={body['pagination']['date_to']}"
        landing(n)
        n += 1


@pytest.mark.parametrize("first_query", ["symbols=Index_1,Index_2,Index_3,Index_4,Index_5",
                                         "date_from=2026-12-01"])
def test_a_walk_without_date_to_sees_one_snapshot_while_runs_land(http, bucket, cloud,
                                                                  first_query):
    for minute in range(50, 60):
        bucket(f"ticks/dt=2026-12-01/hour=09/m{minute}", *minute_of_ticks(minute, minute))
    for i in range(1, 6):
        last_tick(cloud, f"Index_{i}", NEWEST, 59)

    def landing(n):                     # a run lands 20 ticks newer than the snapshot
        minute = n + 1
        bucket(f"ticks/dt=2026-12-01/hour=10/m{minute}",
               *(t.replace("T09:", "T10:") for t in minute_of_ticks(minute, 100 + n)))
        for i in range(1, 6):
            last_tick(cloud, f"Index_{i}", f"2026-12-01T10:{minute:02d}:45Z", 100 + n)
    seen, _ = walk(http, first_query, landing)
    assert len(seen) == len(set(seen)) == 200
    assert max(stamp for _, _, stamp in seen) == NEWEST


def test_the_snapshot_is_the_newest_tick_in_the_bucket_not_in_the_table(http, bucket, cloud):
    """A run commits to the table after delivery; until its ticks are in the bucket, the
    snapshot stays at what the bucket holds, so they appear above it, not inside it."""
    bucket("ticks/dt=2026-12-01/hour=09/a", tick("Index_1", 1, "2026-12-01T09:30:00Z"))
    last_tick(cloud, "Index_1", "2026-12-01T09:31:00Z", 5)
    status, body = get(http, "/api/ticks")
    assert body["pagination"]["date_to"] == "2026-12-01T09:30:00Z"


def test_backfilled_history_is_served_with_date_from_alone(http, bucket, cloud):
    """After `tickersim backfill --date 2020-05-14` into a live stage: FB is not in the table,
    its ticks are in history/."""
    last_tick(cloud, "Index_1", "2026-12-01T09:00:00Z")
    bucket("history/dt=2020-05-14/hour=13/XNYS-2020-05-14-x",
           tick("FB", 1, "2020-05-14T13:30:00Z"), tick("SNAP", 1, "2020-05-14T13:30:00Z"))
    bucket("history/dt=2020-05-14/hour=19/XNYS-2020-05-14-x",
           tick("FB", 1560, "2020-05-14T19:59:45Z"))
    bucket("history/dt=2020-05-15/hour=00/XNYS-2020-05-15-x",
           tick("FB", 1, "2020-05-15T00:00:00Z"))      # the next day's midnight: not D
    for query in ("symbols=FB&date_from=2020-05-14&date_to=2020-05-14",
                  "symbols=FB&date_from=2020-05-14"):
        status, body = get(http, f"/api/ticks?{query}")
        assert status == 200, body
        assert [(t["seq"], t["source"]) for t in body["data"]] == [(1560, "history"),
                                                                    (1, "history")]
        assert body["pagination"]["date_to"] == "2020-05-14"


def test_a_deleted_and_seeded_again_ticker_keeps_both_lives_and_stays_filterable(
        http, bucket, cloud):
    bucket("ticks/dt=2026-12-01/hour=09/a", tick("Index_5", 1, "2026-12-01T09:00:00Z"),
           tick("Index_5", 2, "2026-12-01T09:00:15Z"))
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_5"}})
    status, body = get(http, "/api/ticks?symbols=Index_5&date_from=2026-12-01")
    assert status == 200 and [t["seq"] for t in body["data"]] == [2, 1]
    # Seeded again: its seq starts over at 1, at later times.
    bucket("ticks/dt=2026-12-01/hour=09/b", tick("Index_5", 1, "2026-12-01T09:30:00Z"))
    status, body = get(http, "/api/ticks?symbols=Index_5&date_from=2026-12-01")
    assert [(t["seq"], t["timestamp"]) for t in body["data"]] == [
        (1, "2026-12-01T09:30:00Z"), (2, "2026-12-01T09:00:15Z"), (1, "2026-12-01T09:00:00Z")]
    status, body = get(http, "/api/ticks?symbols=Index_9&date_from=2026-12-01")
    assert status == 400 and "Index_9" in body["error"]["message"]


@pytest.mark.parametrize("query", ["symbols=Index_1", "x=1", "limit=5"])
def test_tickers_refuses_parameters_it_does_not_take(http, cloud, query):
    status, body = get(http, f"/api/tickers?{query}")
    assert status == 400 and body["error"]["code"] == "invalid_parameter"
    assert body["error"]["message"].startswith(query.split("=")[0] + ": unknown parameter")


@pytest.mark.parametrize("path, status, code", [
    ("/api/ticks?symbols=" + "A" * 100_000, 414, "uri_too_long"),
    ("/api/ticks?symbols=" + "A" * 60_000, 400, "invalid_parameter"),  # read, then refused
])
def test_a_huge_url_gets_the_json_error_shape_not_an_html_page(local_site, bucket, path, status,
                                                             code):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(local_site + path, timeout=30)
    assert caught.value.code == status
    assert caught.value.headers["Content-Type"] == "application/json"
    assert json.loads(caught.value.read())["error"]["code"] == code
