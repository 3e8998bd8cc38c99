"""Markets on moto: scenarios stored in the table, trading hours, the calendar running out."""
import json

import pytest

from chalicelib.core.errors import MalformedItems
from chalicelib.walk import state
from tests.functional.test_faults import go
from tickersim import cli
from tickersim.base import scenario
from tickersim.base.seeds import seed_table

WEDNESDAY = "2026-12-02T15:00:00Z"


def minute(base_hour, n, day="2026-12-02"):
    return f"{day}T{base_hour + n // 60:02d}:{n % 60:02d}:00Z"


def scenario_cli(*argv):
    args = cli.build_parser(["scenario"]).parse_args(["scenario", *argv, "--stage", "dev"])
    return args.handler(args)


def test_scenarios_are_stored_listed_and_cleared_in_the_table(cloud, capsys):
    assert scenario_cli("apply", "halt", "--at", "2026-12-02T15:02:00Z") == 0
    assert scenario_cli("apply", "crash", "--at", "2026-12-02T16:00", "--tickers",
                        "Index_1,Index_2") == 0
    out = capsys.readouterr().out
    assert "halt applies to every ticker from 2026-12-02T15:02:00Z" in out
    assert "crash applies to Index_1, Index_2 from 2026-12-02T16:00:00Z" in out
    stored = cloud.ddb.get_item(TableName=cloud.table,
                                Key={"TickerName": {"S": "#scenarios"}})["Item"]
    records = json.loads(stored["Applied"]["S"])
    assert [(r["name"], r["at"], r["tickers"]) for r in records] == [
        ("halt", "2026-12-02T15:02:00Z", None),
        ("crash", "2026-12-02T16:00:00Z", ["Index_1", "Index_2"])]
    assert records[1]["spec"]["move"] == -0.10          # the file's content, kept as applied
    tickers, _ = state.read_all(cloud.ddb, cloud.table)     # readers of tickers skip it
    assert not [t for t in tickers if t["TickerName"]["S"].startswith("#")]
    assert scenario_cli("list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["2026-12-02T15:02:00Z  halt  every ticker  (halt, 15 min)",
                      "2026-12-02T16:00:00Z  crash  Index_1, Index_2  (move, 30 min)"]
    assert scenario_cli("clear") == 0
    assert "2 scenario(s) cleared" in capsys.readouterr().out
    assert "Item" not in cloud.ddb.get_item(TableName=cloud.table,
                                            Key={"TickerName": {"S": "#scenarios"}})


def test_scenario_list_shows_them_in_the_order_they_start(cloud, capsys):
    for name, at in (("crash", minute(16, 0)), ("halt", minute(15, 2)),
                     ("spike", minute(15, 2)), ("crash", minute(9, 0))):
        assert scenario_cli("apply", name, "--at", at) == 0
    capsys.readouterr()
    assert scenario_cli("list") == 0
    listed = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
    assert listed == [[minute(9, 0), "crash"], [minute(15, 2), "halt"],
                      [minute(15, 2), "spike"], [minute(16, 0), "crash"]]


def test_the_function_applies_a_stored_halt_and_tells_the_news(cloud):
    assert scenario_cli("apply", "halt", "--at", minute(15, 2)) == 0
    for n in range(20):
        go(cloud, when=minute(15, n))
    lines = cloud.ticks()          # every record in the bucket, news included
    ticks = [t for t in lines if "type" not in t]
    news = [t for t in lines if t.get("type") == "news"]
    # 20 minutes, 15 of them halted from minute 2: 5 minutes of ticks per ticker.
    assert len(ticks) == 5 * 5 * 4
    assert not [t for t in ticks if minute(15, 2) <= t["timestamp"] < minute(15, 17)]
    for name in {t["ticker"] for t in ticks}:
        assert sorted(t["seq"] for t in ticks if t["ticker"] == name) == list(range(1, 21))
    assert {(n["ticker"], n["timestamp"]) for n in news} == {
        (f"Index_{k}", minute(15, 2)) for k in range(1, 6)}
    assert news[0]["headline"].endswith("halted by a market-wide circuit breaker")


def test_a_stock_walks_only_in_its_session_and_an_fx_pair_through_the_night(cloud):
    seed_table(cloud.ddb, cloud.table, path="seed/stocks.json")
    seed_table(cloud.ddb, cloud.table, path="seed/fx.json")
    # 20:58 to 21:02 UTC: the NYSE closes at 21:00 (16:00 in New York); FX trades on.
    for n in range(5):
        go(cloud, when=minute(20, 58 + n))
    ticks = cloud.ticks()
    nflx = [t for t in ticks if t["ticker"] == "NFLX"]
    eurusd = [t for t in ticks if t["ticker"] == "EURUSD"]
    assert {t["timestamp"][:16] for t in nflx} == {"2026-12-02T20:58", "2026-12-02T20:59"}
    assert len(eurusd) == 5 * 4
    assert all(t["bid"] < t["price"] < t["ask"] for t in nflx + eurusd)
    assert cloud.items()["NFLX"]["LastTick"]["S"] == "2026-12-02T20:59:45Z"


def test_a_calendar_that_runs_out_names_the_ticker_and_the_others_advance(cloud):
    cloud.ddb.put_item(TableName=cloud.table, Item={
        "TickerName": {"S": "IBM"}, "Price": {"N": "150"}, "Kind": {"S": "stock"}})
    with pytest.raises(MalformedItems) as caught:
        go(cloud, when="2031-01-06T15:00:00Z")
    assert ("IBM: the XNYS session table covers 2010-01-01 to 2030-12-31, not 2031-01-06: "
            "extend it with `python -m tickersim.data.sessions --to YYYY-12-31` and "
            "redeploy") in str(caught.value)
    assert {t["ticker"] for t in cloud.ticks()} == {f"Index_{k}" for k in range(1, 6)}


@pytest.mark.parametrize("argv, message", [
    (["apply", "meltdown", "--at", WEDNESDAY], "no scenario 'meltdown': use one of"),
    (["apply", "crash", "--at", "tomorrow"], "--at 'tomorrow' is not a time"),
    (["apply", "crash", "--at", WEDNESDAY, "--tickers", "A,,B"], "--tickers 'A,,B'"),
    (["apply", "BAD.json", "--at", WEDNESDAY], "field 'minutes' must be a whole number"),
    (["apply", "NOTJSON.json", "--at", WEDNESDAY], "cannot read scenario file"),
    (["apply", "spike", "--at", WEDNESDAY, "--tickers", "Index_1,NOPE,#run"],
     "--tickers names 'NOPE', '#run', not a ticker of table"),
])
def test_bad_scenario_input_exits_2_with_one_line_naming_it(cloud, capsys, tmp_path,
                                                            monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "BAD.json").write_text(json.dumps({
        "effect": "halt", "minutes": -5, "headline": "x", "sentiment": 0}))
    (tmp_path / "NOTJSON.json").write_text("{")
    assert scenario_cli(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert "Item" not in cloud.ddb.get_item(TableName=cloud.table,
                                            Key={"TickerName": {"S": "#scenarios"}})


def test_a_damaged_scenarios_item_fails_the_run_with_how_to_fix_it(cloud):
    cloud.ddb.put_item(TableName=cloud.table, Item={
        "TickerName": {"S": "#scenarios"}, "Applied": {"S": "[{\"name\": 1}]"}})
    with pytest.raises(scenario.scenarios.ScenarioInvalid, match="tickersim scenario clear"):
        go(cloud, when=WEDNESDAY)
    assert scenario_cli("clear") == 0
    go(cloud, when=WEDNESDAY)
    assert len(cloud.ticks()) == 5 * 4
