"""The seed script: idempotent, --reset, --create, errors and exit codes."""
import json

import pytest

from tests.support import scheduled
from tickersim.base import seeds

TABLE = "seed-test-table"


def prices(ddb, table=TABLE):
    items = ddb.scan(TableName=table)["Items"]
    return {i["TickerName"]["S"]: i.get("Price", {}).get("N") for i in items}


def test_create_then_load_the_five_indices(aws, capsys):
    assert seeds.main(["--table", TABLE, "--create", "--region", "eu-west-1"]) == 0
    import boto3
    ddb = boto3.client("dynamodb")
    assert prices(ddb) == {"Index_1": "100", "Index_2": "90", "Index_3": "80", "Index_4": "70",
                           "Index_5": "60"}
    assert f"{TABLE} Index_1: created" in capsys.readouterr().out


def test_a_missing_table_without_create_exits_2_and_says_what_to_do(aws, capsys):
    assert seeds.main(["--table", TABLE]) == 2
    err = capsys.readouterr().err
    assert f"DynamoDB table {TABLE!r} does not exist: add --create" in err


def test_loading_again_never_overwrites_a_ticker_that_has_moved(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    moved = cloud.items()
    assert seeds.seed_table(cloud.ddb, cloud.table) == {f"Index_{k}": "kept" for k in range(1, 6)}
    assert cloud.items() == moved


def test_reset_restores_prices_and_parameters_and_forgets_the_run_state(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_2"}},
                          UpdateExpression="SET Volatility = :v", ExpressionAttributeValues={
                              ":v": {"N": "3"}})
    outcome = seeds.seed_table(cloud.ddb, cloud.table, reset=True)
    assert set(outcome.values()) == {"reset"}
    assert prices(cloud.ddb, cloud.table) == {"Index_1": "100", "Index_2": "90",
                                              "Index_3": "80", "Index_4": "70", "Index_5": "60"}
    assert cloud.items()["Index_2"]["Volatility"] == seeds.read_seed()[1]["Volatility"]
    assert cloud.run_item() is None


def test_reset_during_a_stream_never_restarts_seq_so_ticker_and_seq_name_one_tick(
        cloud, lambdas):
    """Regression: --reset restarted seq at 1 while the stream went on, so deduplicating on
    (ticker, seq) merged distinct ticks."""
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:01:00Z"))
    seeds.seed_table(cloud.ddb, cloud.table, reset=True)
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:05:00Z"))
    seeds.seed_table(cloud.ddb, cloud.table, reset=True)
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:06:00Z"))
    ticks = cloud.ticks()
    keys = [(t["ticker"], t["seq"]) for t in ticks]
    assert len(keys) == len(set(keys)) == 5 * 4 * 4
    for name in {t["ticker"] for t in ticks}:
        assert sorted(seq for ticker, seq in keys if ticker == name) == list(range(1, 17))
    # The walk restarted from the seed price at the first run after the reset.
    first_after = next(t for t in ticks if t["ticker"] == "Index_1" and t["seq"] == 9)
    assert first_after["timestamp"] == "2026-11-26T09:05:00Z"
    assert abs(first_after["price"] - 100) < 5


@pytest.mark.parametrize("reset", [False, True])
def test_a_ticker_deleted_and_seeded_again_counts_on_so_ticker_and_seq_name_one_tick(
        cloud, lambdas, reset):
    """Regression: its seq restarted at 1, and /api/ticks, folding on (ticker, seq), hid the
    new ticks behind the old ones."""
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    assert seeds.seed_table(cloud.ddb, cloud.table, delete_names=["Index_5"]) == {
        "Index_5": "deleted"}
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:01:00Z"))
    outcome = seeds.seed_table(cloud.ddb, cloud.table, reset=reset)
    assert outcome["Index_5"] == ("reset" if reset else "created")
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:02:00Z"))
    seqs = [t["seq"] for t in cloud.ticks() if t["ticker"] == "Index_5"]
    assert sorted(seqs) == list(range(1, 9))            # 4 before the delete, 4 after
    assert "Index_5" not in {t["ticker"] for t in cloud.ticks()
                             if t["timestamp"].startswith("2026-11-26T09:01")}


def test_reset_refuses_a_damaged_seq_it_cannot_carry_on(cloud, lambdas, capsys):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_4"}},
                          UpdateExpression="SET Seq = :s",
                          ExpressionAttributeValues={":s": {"S": "four"}})
    before = cloud.items()
    assert seeds.run(cloud.ddb, cloud.table, reset=True) == 2
    assert "'Index_4' has a damaged Seq" in capsys.readouterr().err
    assert cloud.items() == before


def test_a_ticker_deleted_by_hand_is_added_back_without_touching_the_others(cloud, lambdas):
    lambdas.invoke("streaming-lambda", scheduled("2026-11-26T09:00:00Z"))
    cloud.ddb.delete_item(TableName=cloud.table, Key={"TickerName": {"S": "Index_3"}})
    outcome = seeds.seed_table(cloud.ddb, cloud.table)
    assert outcome["Index_3"] == "created" and outcome["Index_1"] == "kept"


@pytest.mark.parametrize("content, fault", [
    ("not json", "cannot read seed file"),
    ("[]", "non-empty JSON list"),
    ("[5]", "entry 1: is not a JSON object"),
    ('[{"Price": 5}]', "entry 1: TickerName must be a non-empty string"),
    ('[{"TickerName": "#run", "Price": 5}]', "not starting with '#'"),
    ('[{"TickerName": "#moves|x", "Price": 5}]', "not starting with '#'"),
    ('[{"TickerName": "A"}]', "entry 1 (A): no Price attribute"),
    ('[{"TickerName": "A", "Price": 0}]', "entry 1 (A): Price 0 is not > 0"),
    ('[{"TickerName": "A", "Price": "10"}]', "Price '10' is not a number"),
    ('[{"TickerName": "A", "Price": NaN}]', "Price 'nan' is not a number"),
    ('[{"TickerName": "A", "Price": Infinity}]', "Price 'inf' is not a finite number"),
    ('[{"TickerName": "A", "Price": 1e-200}]', "cannot be stored in DynamoDB"),
    ('[{"TickerName": "A", "Price": 1.0000000000000000000000000000000000000001}]',
     "38 significant digits"),
    ('[{"TickerName": "A", "Price": 1, "Kind": "bond"}]', "entry 1 (A): Kind 'bond'"),
    ('[{"TickerName": "A", "Price": 1, "Calendar": "LSE"}]', "Calendar 'LSE' is not one of"),
    ('[{"TickerName": "A", "Price": 1, "Kind": 3}]', "Kind 3 is not text"),
    ('[{"TickerName": "A", "Price": 1}, {"TickerName": "A", "Price": 2}]', "listed twice"),
    ('[{"TickerName": "' + "株" * 683 + '", "Price": 1}]', "longer than DynamoDB's 2048 bytes"),
    ('[{"TickerName": "A", "Price": 1, "Volatility": true}]', "Volatility True is not a number"),
    # /api/ticks?symbols= splits on commas and trims: these could never be asked for.
    ('[{"TickerName": "A,B", "Price": 1}]', "TickerName 'A,B' has a comma"),
    ('[{"TickerName": " A", "Price": 1}]', "surrounding spaces"),
])
def test_bad_seed_data_is_named_and_exits_2(aws, tmp_path, capsys, content, fault):
    path = tmp_path / "indices.json"
    path.write_text(content)
    assert seeds.main(["--table", TABLE, "--create", "--file", str(path)]) == 2
    assert fault in capsys.readouterr().err


@pytest.mark.parametrize("entry, refused", [
    ({"Volatility": 50}, "Volatility 50 is not between 0 and 10"),
    ({"Volatility": -0.2}, "Volatility -0.2 is not between 0 and 10"),
    ({"Drift": -20}, "Drift -20 is not between -10 and 10"),
])
def test_the_loader_refuses_what_the_function_would_refuse(aws, tmp_path, capsys, entry,
                                                            refused):
    """Regression: these loaded with exit 0, then every run failed on them."""
    from chalicelib.walk.items import parse_ticker
    path = tmp_path / "indices.json"
    path.write_text(json.dumps([{"TickerName": "A", "Price": 10, **entry}]))
    assert seeds.main(["--table", TABLE, "--create", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert refused in err and "the streaming function would refuse it" in err
    with pytest.raises(ValueError, match=refused):      # the very same check
        parse_ticker({"TickerName": {"S": "A"}, "Price": {"N": "10"},
                      **{k: {"N": str(v)} for k, v in entry.items()}})


def test_the_shipped_seed_file_is_the_contract_s_five_indices():
    items = seeds.read_seed()
    assert [(i["TickerName"]["S"], i["Price"]["N"]) for i in items] == [
        ("Index_1", "100"), ("Index_2", "90"), ("Index_3", "80"), ("Index_4", "70"),
        ("Index_5", "60")]
    assert json.loads(seeds.SEED_FILE.read_text())[0]["Volatility"] > 0


def test_the_seed_script_runs_as_a_plain_script(tmp_path):
    """`python seed/load.py --help` from any directory: no package setup needed."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(seeds.SEED_FILE.with_name("load.py")), "--help"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert "--table" in out and "--reset" in out and "--create" in out


def test_handlers_ignore_nothing_the_seed_wrote():
    """Every seed attribute is one the walk reads (no silent typos in indices.json)."""
    from chalicelib.walk.items import parse_ticker
    for item in seeds.read_seed():
        ticker = parse_ticker(item)
        assert (ticker.drift, ticker.volatility) == (float(item["Drift"]["N"]),
                                                     float(item["Volatility"]["N"]))


def test_tickersim_seed_loads_the_stage_s_table(aws, capsys):
    from tickersim import cli
    from tickersim.base.stage import STREAMING, environment
    table = environment("dev", STREAMING)["TABLE_NAME"]
    assert cli.main(["seed", "--stage", "dev"]) == 2            # no table yet: says so
    assert "--create" in capsys.readouterr().err
    assert cli.main(["seed", "--stage", "dev", "--create"]) == 0
    assert f"{table} Index_5: created" in capsys.readouterr().out
    assert cli.main(["seed", "--stage", "nosuch"]) == 2
    assert "stage 'nosuch' is not in .chalice/config.json" in capsys.readouterr().err
