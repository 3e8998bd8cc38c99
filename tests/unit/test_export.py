"""`tickersim export --format parquet|json`: same partitions, and the same rows for every query."""
import json
import random
from pathlib import Path

import duckdb
import pytest

from tests.unit.test_named_queries import run, write
from tickersim.cli import main

NAMED = ("hourly_high", "bars_1m", "latest")


@pytest.fixture
def json_dir(tmp_path):
    source = tmp_path / "json"
    assert main(["backfill", "--date", "2026-11-27", "--tickers", "FB,SQ,Index_2",
                 "--dir", str(source)]) == 0
    write(source, [("ticks", "A", 1, "2026-12-01T09:59:45Z", 10.0),
                   ("ticks", "A", 1, "2026-12-01T09:59:45Z", 10.0),      # re-sent
                   ("ticks", "A", 2, "2026-12-01T10:00:00Z", 10.5)], random.Random(2))
    return source


def test_parquet_has_the_same_partitions_and_every_query_the_same_rows(json_dir, tmp_path):
    target = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--dir", str(json_dir),
                 "--to", str(target)]) == 0

    def folders(root, suffix=""):
        return {p.parent.relative_to(root).as_posix() for p in Path(root).rglob("*" + suffix)
                if p.is_file()}
    assert folders(target, ".parquet") == folders(json_dir)
    assert "ticks/dt=2026-12-01/hour=09" in folders(target)
    for name in NAMED:
        assert run(target, name) == run(json_dir, name), name
    compression = duckdb.sql(f"SELECT DISTINCT compression FROM parquet_metadata("
                             f"'{target}/*/*/*/*.parquet')").fetchall()
    assert compression == [("SNAPPY",)]


def test_export_never_writes_over_an_earlier_export(json_dir, tmp_path, capsys):
    target = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--dir", str(json_dir),
                 "--to", str(target)]) == 0
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["export", "--format", "parquet", "--dir", str(json_dir),
                 "--to", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "already hold" in err
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def records(root):
    """Every line under root's tables, parsed, as a set of canonical strings."""
    return {json.dumps(json.loads(line), sort_keys=True) for path in Path(root).rglob("*")
            if path.is_file() for line in path.read_text().splitlines() if line.strip()}


def test_json_lines_are_the_records_in_the_same_partitions(json_dir, tmp_path, capsys):
    target = tmp_path / "json-copy"
    assert main(["export", "--format", "json", "--dir", str(json_dir),
                 "--to", str(target)]) == 0
    assert "as JSON lines" in capsys.readouterr().out

    def folders(root):
        return {p.parent.relative_to(root).as_posix() for p in Path(root).rglob("*")
                if p.is_file()}
    assert folders(target) == folders(json_dir)
    assert records(target) == records(json_dir)
    for name in NAMED:
        assert run(target, name) == run(json_dir, name), name
