"""The seed script: idempotent, --reset, --create, errors and exit codes."""
import json

import pytest

from seed import load
from tests.support import scheduled

TABLE = "seed-test-table"


def prices(ddb, table=TABLE):
    items = ddb.scan(TableName=table)["Items"]
    return {i["TickerName"]["S"]: i.get("Price", {}).get("N") for i in items}


def test_create_then_load_the_five_indices(aws, capsys):
    assert load.main(["--table", TABLE, "--create", "--region", "eu-west-1"]) == 0
    import boto3
    ddb = boto3.client("dynamodb")
    assert prices(ddb) == {"Index_1": "100", "Index_2": "90", "Index_3": "80", "Index_4": "70",
                           "Index_5": "60"}
    assert f"{TABLE} Index_1: created" in capsys.readouterr().out


def test_a_missing_table_without_create_exits_2_and_says_what_to_do(aws, capsys):
    assert load.main(["--table", TABLE]) == 2
    err = capsys.readouterr().err
    assert f"DynamoDB table {TABLE!r} does not exist: add --create" in err


def test_loading_again_never_overwrites_a_ticker_that_has_moved(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    moved = cloud.items()
    assert load.seed_table(cloud.ddb, cloud.table) == {f"Index_{k}": "kept" for k in range(1, 6)}
    assert cloud.items() == moved


def test_reset_restores_the_seed_state_and_the_walk_restarts_at_seq_1(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_3"}})
    outcome = load.seed_table(cloud.ddb, cloud.table, reset=True)
    assert set(outcome.values()) == {"reset"}
    assert prices(cloud.ddb, cloud.table) == {"Index_1": "100", "Index_2": "90",
                                              "Index_3": "80", "Index_4": "70", "Index_5": "60"}
    assert cloud.run_item() is None
    report = lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:05:00Z")).payload
    assert report["ticks"] == 20
    assert {int(i["Seq"]["N"]) for i in cloud.items().values()} == {4}


def test_a_ticker_deleted_by_hand_is_added_back_without_touching_the_others(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_3"}})
    outcome = load.seed_table(cloud.ddb, cloud.table)
    assert outcome["Index_3"] == "created" and outcome["Index_1"] == "kept"


@pytest.mark.parametrize("content, fault", [
    ("not json", "cannot read seed file"),
    ("[]", "non-empty JSON list"),
    ('[{"Price": 5}]', "entry 1: TickerName must be a non-empty string"),
    ('[{"TickerName": "#run", "Price": 5}]', "not starting with '#'"),
    ('[{"TickerName": "A", "Price": 0}]', "entry 1 (A): Price must be a number > 0"),
    ('[{"TickerName": "A", "Price": "10"}]', "Price must be a number"),
    ('[{"TickerName": "A", "Price": 1}, {"TickerName": "A", "Price": 2}]', "listed twice"),
    ('[{"TickerName": "A", "Price": 1, "Volatility": true}]', "Volatility must be a number"),
])
def test_bad_seed_data_is_named_and_exits_2(aws, tmp_path, capsys, content, fault):
    path = tmp_path / "indices.json"
    path.write_text(content)
    assert load.main(["--table", TABLE, "--create", "--file", str(path)]) == 2
    assert fault in capsys.readouterr().err


def test_the_shipped_seed_file_is_the_contract_s_five_indices():
    items = load.read_seed()
    assert [(i["TickerName"]["S"], i["Price"]["N"]) for i in items] == [
        ("Index_1", "100"), ("Index_2", "90"), ("Index_3", "80"), ("Index_4", "70"),
        ("Index_5", "60")]
    assert json.loads(load.SEED_FILE.read_text())[0]["Volatility"] > 0


def test_the_seed_script_runs_as_a_plain_script(tmp_path):
    """`python seed/load.py --help` from any directory: no package setup needed."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(load.SEED_FILE.with_name("load.py")), "--help"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "--table" in out and "--reset" in out and "--create" in out


def test_handlers_ignore_nothing_the_seed_wrote():
    """Every seed attribute is one the walk reads (no silent typos in indices.json)."""
    from chalicelib.items import parse_ticker
    for item in load.read_seed():
        ticker = parse_ticker(item)
        assert (ticker.drift, ticker.volatility) == (float(item["Drift"]["N"]),
                                                     float(item["Volatility"]["N"]))


def test_tickersim_seed_loads_the_stage_s_table(aws, capsys):
    from tickersim import cli
    from tickersim.stage import STREAMING, environment
    table = environment("dev", STREAMING)["TABLE_NAME"]
    assert cli.main(["seed", "--stage", "dev"]) == 2            # no table yet: says so
    assert "--create" in capsys.readouterr().err
    assert cli.main(["seed", "--stage", "dev", "--create"]) == 0
    assert f"{table} Index_5: created" in capsys.readouterr().out
    assert cli.main(["seed", "--stage", "nosuch"]) == 2
    assert "stage 'nosuch' is not in .chalice/config.json" in capsys.readouterr().err
