"""`tickersim seed --count N` and `--delete-count` on moto: BatchWriteItem, resumable, and
bad input refused with one line before anything is written."""
import io

import pytest

from tickersim import cli
from tickersim.base import bulk_seed, synthetic


def seed(*argv):
    return cli.main(["seed", "--stage", "dev", *argv])


def names(cloud):
    return set(cloud.items())


@pytest.mark.parametrize("argv, named", [
    (["--count", "0"], "--count 0"),
    (["--count", "1000001"], "--count 1000001"),
    (["--count", "-3"], "--count -3"),
    (["--count", "nan"], "--count"),
    (["--count", "5", "--prefix", "#run"], "--prefix '#run'"),
    (["--count", "5", "--prefix", "Sì m"], "--prefix 'Sì m'"),
    (["--count", "5", "--kind", "bond"], "--kind 'bond'"),
    (["--count", "5", "--delete-count"], "--delete-count"),
    (["--delete-count", "--prefix", ""], "--prefix ''"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(cloud, capsys, monkeypatch, argv,
                                                         named):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    before = cloud.items()
    try:
        code = seed(*argv)
    except SystemExit as exc:
        code = exc.code
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(err) == 1 and named in err[0]
    assert cloud.items() == before


def test_count_writes_valid_tickers_and_a_rerun_resumes_without_touching_moved_ones(
        cloud, capsys):
    assert seed("--count", "120", "--kind", "stock") == 0
    made = {synthetic.name("SIM", n) for n in range(1, 121)}
    assert made <= names(cloud) and len(names(cloud)) == 125
    # An interrupted run: some never written, one moved since by the walk.
    for n in (3, 77, 120):
        cloud.ddb.delete_item(TableName=cloud.table,
                              Key={"TickerName": {"S": synthetic.name("SIM", n)}})
    moved = synthetic.name("SIM", 5)
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": moved}},
                          UpdateExpression="SET Seq = :s", ExpressionAttributeValues={
                              ":s": {"N": "9"}})
    capsys.readouterr()
    assert seed("--count", "120", "--kind", "stock") == 0
    assert "3 synthetic ticker(s) written, 117 already there" in capsys.readouterr().out
    assert cloud.items()[moved]["Seq"] == {"N": "9"}
    assert cloud.items()[synthetic.name("SIM", 77)] == synthetic.item("SIM", 77, "stock")


def test_delete_count_removes_only_that_prefix_s_synthetic_tickers(cloud, capsys):
    seed("--count", "30")
    seed("--count", "4", "--prefix", "LOAD")
    cloud.ddb.put_item(TableName=cloud.table, Item={"TickerName": {"S": "SIMPLE"},
                                                    "Price": {"N": "5"}})
    assert seed("--delete-count") == 0
    assert "deleted 30 synthetic" in capsys.readouterr().out
    left = names(cloud)
    assert {"SIMPLE", "Index_1"} <= left and len(left) == 5 + 4 + 1


def test_progress_goes_to_stderr_and_ends_at_the_total(cloud):
    out = io.StringIO()
    written, kept = bulk_seed.create(cloud.ddb, cloud.table, 60, "P", "fx", stream=out)
    lines = out.getvalue().splitlines()
    assert (written, kept) == (60, 0)
    assert lines[-1] == "seed: 60 of 60 written" and len(lines) <= 11


def test_a_deleted_fleet_seeded_again_counts_on_from_its_last_seq(cloud):
    bulk_seed.create(cloud.ddb, cloud.table, 30, "SIM", "index", stream=io.StringIO())
    moved = synthetic.name("SIM", 7)
    cloud.ddb.update_item(TableName=cloud.table, Key={"TickerName": {"S": moved}},
                          UpdateExpression="SET Seq = :s", ExpressionAttributeValues={
                              ":s": {"N": "41"}})
    assert bulk_seed.delete(cloud.ddb, cloud.table, "SIM", stream=io.StringIO()) == 30
    assert not any(synthetic.is_synthetic("SIM", n) for n in names(cloud))
    bulk_seed.create(cloud.ddb, cloud.table, 30, "SIM", "index", stream=io.StringIO())
    assert cloud.items()[moved]["Seq"] == {"N": "41"}
    assert "Seq" not in cloud.items()[synthetic.name("SIM", 8)]     # never walked: from 1
