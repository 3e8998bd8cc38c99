"""Advice in an error must work: the command an error suggests, run exactly as printed,
fixes the next run."""
import re
import shlex

import pytest

from chalicelib.core.errors import MalformedItems, RunStateInvalid, TableMissing
from tests.functional.test_faults import go
from tickersim.base import seeds


def suggested_commands(message):
    """Every `python seed/load.py ...` command in the message, as argv after the script."""
    commands = [shlex.split(c) for c in re.findall(r"`([^`]*seed/load\.py[^`]*)`", message)]
    assert commands, f"no command suggested in: {message}"
    for argv in commands:
        assert argv[:2] == ["python", "seed/load.py"]
    return [argv[2:] for argv in commands]


@pytest.mark.parametrize("name", ["BADSTR", "it's bad #1", "Ünïcode 株"])
def test_the_malformed_item_alert_s_advice_works_when_followed_literally(cloud, name):
    """Regression: the alert suggested --reset, which never removes tickers outside the seed
    file, so every run kept failing."""
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": name},
                                                    "Price": {"S": "abc"}})
    with pytest.raises(MalformedItems) as caught:
        go(cloud)
    [argv] = suggested_commands(str(caught.value))
    assert seeds.main(argv) == 0
    report = go(cloud, when="2026-11-26T09:01:00Z")
    assert report["malformed"] == 0 and report["ticks"] == 20


def test_a_seed_ticker_s_bad_price_is_fixed_by_reset_and_its_seq_carries_on(cloud):
    go(cloud)
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_2"}},
                          UpdateExpression="SET Price = :p",
                          ExpressionAttributeValues={":p": {"S": "abc"}})
    with pytest.raises(MalformedItems):
        go(cloud, when="2026-11-26T09:01:00Z")
    assert seeds.main(["--table", cloud.table, "--reset"]) == 0
    assert go(cloud, when="2026-11-26T09:02:00Z")["malformed"] == 0
    seqs = sorted(t["seq"] for t in cloud.ticks() if t["ticker"] == "Index_2")
    assert seqs == list(range(1, len(seqs) + 1))


def damage_the_run_state(cloud):
    cloud.ddb.put_item(TableName=cloud.table,
                       Item={"TickerName": {"S": "#run"}, "Seed": {"S": "lucky"}})


def delete_the_table(cloud):
    cloud.ddb.delete_table(TableName=cloud.table)


@pytest.mark.parametrize("damage, error", [(damage_the_run_state, RunStateInvalid),
                                           (delete_the_table, TableMissing)])
def test_the_table_errors_advice_works_when_followed_literally(cloud, damage, error):
    damage(cloud)
    with pytest.raises(error) as caught:
        go(cloud)
    [argv] = suggested_commands(str(caught.value))
    assert seeds.main(argv) == 0
    assert go(cloud)["ticks"] == 20


def test_a_stream_frozen_by_an_event_from_the_future_is_restarted_by_reset(cloud):
    """The run's log says `seed/load.py --reset` starts afresh: it does, seq carrying on."""
    go(cloud, when="2030-01-01T00:00:00Z")
    assert go(cloud)["ticks"] == 0                       # every ticker is ahead of 2026
    assert seeds.main(["--table", cloud.table, "--reset"]) == 0
    assert go(cloud)["ticks"] == 20
    keys = [(t["ticker"], t["seq"]) for t in cloud.ticks()]
    assert len(keys) == len(set(keys)) == 40
