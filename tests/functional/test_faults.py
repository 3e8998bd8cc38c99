"""Failure semantics: nothing lost, nothing forked, and errors that name what is at fault."""
import json
from collections import Counter

import pytest

from chalicelib.core.errors import (
    ClaimLost,
    CommitFailed,
    DeliveryFailed,
    MalformedItems,
    RunStateInvalid,
    StreamMissing,
    TableMissing,
)
from chalicelib.core.settings import stream_settings
from chalicelib.walk import pipeline
from chalicelib.walk.delivery import MAX_BATCH_RECORDS
from chaos.faults import Proxy, put_all_but
from tests.support import LambdaContext, scheduled
from tests.unit.test_retry import FakeTime

T0 = "2026-11-26T09:00:00Z"


class FlakyFirehose(Proxy):
    """Fails the records whose index a plan lists, call by call, like PutRecordBatch does."""

    def __init__(self, real, plan):
        super().__init__(real)
        self.plan, self.calls = list(plan), []

    def put_record_batch(self, DeliveryStreamName, Records):
        fail = self.plan.pop(0) if self.plan else set()
        fail = set(range(len(Records))) if fail == "all" else fail
        self.calls.append(len(Records))
        return put_all_but(self.real, DeliveryStreamName, Records, fail)


def go(cloud, when=T0, ddb=None, firehose=None, fake_time=None, **env):
    fake_time = fake_time or FakeTime()
    settings = stream_settings({**cloud.stream_env, **env})
    return pipeline.run(scheduled(when), LambdaContext(clock=fake_time.clock), settings,
                        ddb or cloud.ddb, firehose or cloud.firehose,
                        clock=fake_time.clock, sleep=fake_time.sleep)


def add_tickers(cloud, count, last_tick="2026-11-26T08:00:45Z"):
    for i in range(0, count, 25):
        cloud.ddb.batch_write_item(RequestItems={cloud.table: [
            {"PutRequest": {"Item": {"TickerName": {"S": f"Bulk_{n:04d}"}, "Price": {"N": "50"},
                                     "Seq": {"N": "7"}, "LastTick": {"S": last_tick}}}}
            for n in range(i, min(count, i + 25))]})


def test_records_firehose_refuses_are_resent_until_all_land_once(cloud):
    add_tickers(cloud, 400)   # 60 minutes to catch up x 400 tickers: ~8 MB, 2 batches
    flaky = FlakyFirehose(cloud.firehose, plan=[{0, 2}, {1}, {0}])
    report = go(cloud, firehose=flaky)
    assert report["records"] >= 8 and report["resends"] >= 1
    # Records of at most 500 lines (deaggregation's limit), up to 500 of them a call.
    assert max(flaky.calls) <= MAX_BATCH_RECORDS and report["records"] >= report["ticks"] / 500
    assert sum(flaky.calls) == report["records"] + 4   # exactly the 4 refused were resent
    ticks = cloud.ticks()
    keys = [(t["ticker"], t["seq"]) for t in ticks]
    assert len(keys) == len(set(keys)) == report["ticks"] == 405 * 4 - 20 + 400 * 59 * 4 + 20
    bulk = sorted(t["seq"] for t in ticks if t["ticker"] == "Bulk_0000")
    assert bulk == list(range(8, 8 + 240))


def test_a_failure_after_some_chunks_keeps_what_was_delivered_and_committed(cloud):
    add_tickers(cloud, 400)
    flaky = FlakyFirehose(cloud.firehose, plan=[set()] + ["all"] * 10**4)
    with pytest.raises(DeliveryFailed, match=r"Earlier parts of this run delivered and "
                                             r"committed \d+ ticker\(s\)"):
        go(cloud, firehose=flaky)
    first = cloud.ticks()
    advanced = {n for n, i in cloud.items().items()
                if i.get("Seq", {}).get("N") not in (None, "7")}   # 7: the Bulk tickers' start
    assert advanced and len(advanced) % 25 == 0 and len(advanced) < 405
    assert {t["ticker"] for t in first} == advanced     # delivered exactly what was committed
    go(cloud)                                           # healthy again: the rest catches up
    ticks = cloud.ticks()
    keys = [(t["ticker"], t["seq"]) for t in ticks]
    assert len(keys) == len(set(keys)) == 5 * 4 + 400 * 60 * 4


def test_a_firehose_that_keeps_failing_raises_and_advances_no_ticker(cloud):
    before = cloud.items()
    with pytest.raises(DeliveryFailed, match=r"still refused 1 of 1 record.*the tickers in these "
                                             r"records were not advanced") as caught:
        go(cloud, firehose=FlakyFirehose(cloud.firehose, plan=["all"] * 1000))
    assert cloud.stream in str(caught.value)
    assert cloud.items() == before and cloud.objects() == []
    # The next run, with Firehose healthy again, delivers the very same minute.
    assert go(cloud)["ticks"] == 20 and len(cloud.ticks()) == 20


class Throttled(FlakyFirehose):
    def put_record_batch(self, **kwargs):
        from botocore.exceptions import ClientError
        if self.plan:
            self.plan.pop(0)
            raise ClientError({"Error": {"Code": "ServiceUnavailableException",
                                         "Message": "Slow down."}}, "PutRecordBatch")
        return self.real.put_record_batch(**kwargs)


def test_a_throttled_call_is_retried_whole(cloud):
    report = go(cloud, firehose=Throttled(cloud.firehose, plan=[1, 1]))
    assert report["resends"] == 2 and len(cloud.ticks()) == 20


class StubbornTable(Proxy):
    """Throttles chosen tickers' statements in BatchExecuteStatement, as DynamoDB reports them."""

    def __init__(self, real, refuse, times):
        super().__init__(real)
        self.refuse, self.times = set(refuse), times

    def batch_execute_statement(self, Statements):
        if self.times == 0:
            return self.real.batch_execute_statement(Statements=Statements)
        self.times -= 1
        refused = [s["Parameters"][3]["S"] in self.refuse for s in Statements]
        keep = [s for s, no in zip(Statements, refused) if not no]
        if keep:
            self.real.batch_execute_statement(Statements=keep)
        return {"Responses": [
            {"Error": {"Code": "ProvisionedThroughputExceeded", "Message": "Slow down."}}
            if no else {} for no in refused]}


def test_throttled_statements_are_resent_until_committed(cloud):
    report = go(cloud, ddb=StubbornTable(cloud.ddb, {"Index_2", "Index_4"}, times=2))
    assert report["resends"] == 2
    assert {n: i["Seq"]["N"] for n, i in cloud.items().items()} == {
        f"Index_{k}": "4" for k in range(1, 6)}


def test_a_commit_that_never_lands_names_the_tickers_and_the_next_run_resends_same_bytes(
        cloud):
    with pytest.raises(CommitFailed, match=r"2 ticker\(s\) \(Index_2, Index_4\)"):
        go(cloud, ddb=StubbornTable(cloud.ddb, {"Index_2", "Index_4"}, times=10**6),
           MARKET_SEED="5")
    assert cloud.items()["Index_2"].get("Seq") is None          # not advanced
    assert cloud.items()["Index_1"]["Seq"]["N"] == "4"          # advanced
    go(cloud, when="2026-11-26T09:01:00Z", MARKET_SEED="5")
    lines = Counter(b"".join(cloud.raw_ticks()).splitlines())
    for line, seen in lines.items():
        tick = json.loads(line)
        resent = tick["ticker"] in ("Index_2", "Index_4") and tick["seq"] <= 4
        assert seen == (2 if resent else 1), tick     # byte-identical duplicates only
    assert sum(lines.values()) == 20 + 8 + 20


def test_two_runs_that_read_the_same_state_never_both_deliver(cloud):
    class Racing(Proxy):
        """Lets a rival run complete between this run's read and its claim."""
        raced = False

        def scan(self, **kwargs):
            page = self.real.scan(**kwargs)
            if not Racing.raced:
                Racing.raced = True
                go(cloud)
            return page

    with pytest.raises(ClaimLost, match="another run of this pipeline claimed table"):
        go(cloud, ddb=Racing(cloud.ddb))
    ticks = cloud.ticks()
    assert len(ticks) == 20 and len({(t["ticker"], t["seq"]) for t in ticks}) == 20


def test_malformed_items_are_named_the_others_advance_and_the_run_fails(cloud):
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "Broken_1"},
                                                    "Price": {"S": "n/a"}})
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "Broken_2"},
                                                    "Price": {"N": "-4"}})
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "Broken_3"}})
    with pytest.raises(MalformedItems) as caught:
        go(cloud)
    message = str(caught.value)
    assert "Broken_1: Price 'n/a' is not a number" in message
    assert "Broken_2: Price -4 is not > 0" in message
    assert "Broken_3: no Price attribute" in message
    assert "the other tickers advanced" in message
    assert {t["ticker"] for t in cloud.ticks()} == {f"Index_{k}" for k in range(1, 6)}
    assert cloud.items()["Broken_1"] == {"TickerName": {"S": "Broken_1"}, "Price": {"S": "n/a"}}


def test_a_missing_table_is_named_with_how_to_create_it(cloud):
    cloud.ddb.delete_table(TableName=cloud.table)
    with pytest.raises(TableMissing) as caught:
        go(cloud)
    assert f"DynamoDB table {cloud.table!r} does not exist" in str(caught.value)
    assert f"python seed/load.py --table {cloud.table} --create" in str(caught.value)


def test_a_missing_stream_is_named_and_no_ticker_advances(cloud):
    cloud.firehose.delete_delivery_stream(DeliveryStreamName=cloud.stream)
    before = cloud.items()
    with pytest.raises(StreamMissing, match=f"Firehose delivery stream {cloud.stream!r} does "
                                            "not exist.*tickersim deploy"):
        go(cloud)
    assert cloud.items() == before


@pytest.mark.parametrize("odd", [{"detail": {}}, {"time": "soon"}, "not even a dict"])
def test_an_event_without_a_usable_time_runs_on_the_wall_clock_and_says_so(cloud, lambdas,
                                                                           odd, capsys):
    report = lambdas.invoke("streaming-lambda", odd).payload
    assert report["ticks"] == 20 and report["status"] == "ok"
    assert "using the wall clock's minute instead" in capsys.readouterr().out


@pytest.mark.parametrize("run_item", [
    {"Version": {"N": "1.5"}},
    {"Seed": {"S": "lucky"}},
    {"FreshStart": {"S": "tomorrow"}},
])
def test_a_damaged_run_state_item_is_named_with_the_way_out(cloud, run_item):
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "#run"}, **run_item})
    with pytest.raises(RunStateInvalid, match=r"run-state item '#run' .* is damaged .*Delete "
                                              r"that item"):
        go(cloud)
    assert cloud.objects() == []
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "#run"}})
    assert go(cloud)["ticks"] == 20


def test_a_run_state_item_made_by_hand_without_a_version_is_claimed_normally(cloud):
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "#run"}, "Note": {"S": "made by hand"}})
    assert go(cloud, MARKET_SEED="3")["ticks"] == 20
    assert cloud.run_item()["Version"] == {"N": "1"}


class SlowFirehose(Proxy):
    """Each call takes `seconds` of the run's (fake) time."""

    def __init__(self, real, fake_time, seconds):
        super().__init__(real)
        self.fake_time, self.seconds = fake_time, seconds

    def put_record_batch(self, **kwargs):
        self.fake_time.now += self.seconds
        return self.real.put_record_batch(**kwargs)


def test_a_catch_up_out_of_time_keeps_what_it_committed_and_the_next_run_carries_on(cloud):
    add_tickers(cloud, 400)
    fake_time = FakeTime()
    report = go(cloud, firehose=SlowFirehose(cloud.firehose, fake_time, 30), fake_time=fake_time)
    assert report["status"] == "partial" and 0 < report["advanced"] < 405
    assert len(cloud.ticks()) == report["ticks"]
    go(cloud)
    keys = [(t["ticker"], t["seq"]) for t in cloud.ticks()]
    assert len(keys) == len(set(keys)) == 5 * 4 + 400 * 60 * 4


def test_a_catch_up_longer_than_one_call_is_walked_in_slices_without_gaps(cloud):
    last = "2026-11-24T07:00:45Z"      # 3,000 minutes owed by the run at 09:00 two days on
    for n in range(1, 6):
        cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": f"Index_{n}"}},
                              UpdateExpression="SET Seq = :s, LastTick = :t",
                              ExpressionAttributeValues={":s": {"N": "7"}, ":t": {"S": last}})
    report = go(cloud, MAX_CATCHUP_MINUTES="3000", MARKET_SEED="9")
    assert report["ticks"] == 5 * 3000 * 4 and report["calls"]["Firehose.PutRecordBatch"] >= 2
    assert report["calls"]["DynamoDB.BatchExecuteStatement"] == \
        report["calls"]["Firehose.PutRecordBatch"]
    ticks = cloud.ticks()
    for name in (f"Index_{n}" for n in range(1, 6)):
        own = sorted((t for t in ticks if t["ticker"] == name), key=lambda t: t["seq"])
        assert [t["seq"] for t in own] == list(range(8, 8 + 12000))
        assert own[0]["timestamp"] == "2026-11-24T07:01:00Z"
        assert float(cloud.items()[name]["Price"]["N"]) == own[-1]["price"]
        assert cloud.items()[name]["LastTick"]["S"] == "2026-11-26T09:00:45Z"


def test_a_capped_catch_up_repeated_at_a_later_minute_re_sends_the_same_ticks(cloud):
    """Run A (09:00) delivers a capped catch-up but cannot commit; run B (09:01) must not
    start the window a minute later: same (ticker, seq), same bytes, no fork."""
    for n in range(1, 6):
        cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": f"Index_{n}"}},
                              UpdateExpression="SET Seq = :s, LastTick = :t",
                              ExpressionAttributeValues={":s": {"N": "4"},
                                                         ":t": {"S": "2026-11-26T07:00:45Z"}})
    everyone = {f"Index_{n}" for n in range(1, 6)}
    with pytest.raises(CommitFailed):
        go(cloud, ddb=StubbornTable(cloud.ddb, everyone, times=10**6), MARKET_SEED="4")
    assert cloud.run_item()["Floors"] == {"S": "1970-01-01T00:00:00Z/2026-11-26T08:01:00Z"}
    report = go(cloud, when="2026-11-26T09:01:00Z", MARKET_SEED="4")
    assert report["ticks"] == 5 * 61 * 4                  # the recorded window, plus 09:01
    seen = {}
    for line in b"".join(cloud.raw_ticks()).splitlines():
        tick = json.loads(line)
        assert seen.setdefault((tick["ticker"], tick["seq"]), line) == line
    go(cloud, when="2026-11-26T09:02:00Z", MARKET_SEED="4")
    # Nobody is behind any more: no floor is kept but the one for tickers in step.
    assert cloud.run_item()["Floors"] == {"S": "2026-11-26T09:01:00Z/-"}


def set_state(cloud, name, seq, last_tick):
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": name}},
                          UpdateExpression="SET Seq = :s, LastTick = :t",
                          ExpressionAttributeValues={":s": {"N": str(seq)},
                                                     ":t": {"S": last_tick}})


def assert_one_walk(cloud):
    """Every (ticker, seq) landed with one content, seqs have no gaps, the table agrees."""
    lines = {}
    for line in b"".join(cloud.raw_ticks()).splitlines():
        tick = json.loads(line)
        assert lines.setdefault((tick["ticker"], tick["seq"]), line) == line, tick
    for name, item in cloud.items().items():
        seqs = sorted(seq for ticker, seq in lines if ticker == name)
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        last = json.loads(lines[(name, seqs[-1])])
        assert (float(item["Price"]["N"]), int(item["Seq"]["N"])) == (last["price"], last["seq"])


def uncommitted_normal_run_then_a_later_run_past_the_window(cloud):
    go(cloud, when="2026-11-26T08:59:00Z", MARKET_SEED="1")
    with pytest.raises(CommitFailed):
        go(cloud, when="2026-11-26T09:00:00Z", MARKET_SEED="1",
           ddb=StubbornTable(cloud.ddb, {"Index_1"}, times=10**6))
    go(cloud, when="2026-11-26T10:05:00Z", MARKET_SEED="1")


def uncommitted_capped_run_then_a_late_retry_of_an_older_minute(cloud):
    go(cloud, when="2026-11-26T07:00:00Z", MARKET_SEED="1")
    for n in range(1, 6):
        set_state(cloud, f"Index_{n}", 4, "2026-11-26T07:58:45Z")
    with pytest.raises(CommitFailed):
        go(cloud, when="2026-11-26T09:00:00Z", MARKET_SEED="1",
           ddb=StubbornTable(cloud.ddb, {"Index_1"}, times=10**6))
    go(cloud, when="2026-11-26T08:58:00Z", MARKET_SEED="1")
    go(cloud, when="2026-11-26T09:01:00Z", MARKET_SEED="1")


def uncommitted_new_ticker_then_a_run_past_the_window(cloud):
    go(cloud, when="2026-11-26T08:59:00Z", MARKET_SEED="1")
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "My_Index"}, "Price": {"N": "250"}})
    with pytest.raises(CommitFailed):
        go(cloud, when="2026-11-26T09:00:00Z", MARKET_SEED="1",
           ddb=StubbornTable(cloud.ddb, {"My_Index"}, times=10**6))
    go(cloud, when="2026-11-26T09:02:00Z", MARKET_SEED="1", MAX_CATCHUP_MINUTES="2")


@pytest.mark.parametrize("story", [uncommitted_normal_run_then_a_later_run_past_the_window,
                                   uncommitted_capped_run_then_a_late_retry_of_an_older_minute,
                                   uncommitted_new_ticker_then_a_run_past_the_window])
def test_a_delivery_repeated_by_any_later_run_never_forks_the_walk(cloud, story):
    story(cloud)
    assert_one_walk(cloud)
