"""One schema for every format and engine: the same rows read by DuckDB (JSON lines and the
Parquet export), pyarrow and pandas have the same types and the same values: `timestamp` a
UTC timestamp, `volume` an integer, `dt` a date, `hour` an integer."""
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas
import pyarrow
import pyarrow.dataset
import pytest

from tickersim.cli import main
from tickersim.data.duck import connect
from tickersim.data.location import Location
from tickersim.data.schema import COLUMNS, DUCKDB, PARTITIONS

NAMES = [n for n, _ in COLUMNS + PARTITIONS]
ARROW = {"string": pyarrow.string(), "double": pyarrow.float64(), "bigint": pyarrow.int64(),
         "int": pyarrow.int32(), "date": pyarrow.date32(),
         "timestamp": pyarrow.timestamp("us", tz="UTC")}
ORDER = ["ticker", "seq"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A backfilled stock session (bid, ask, volume) beside an index's live ticks (none)."""
    root = tmp_path_factory.mktemp("one-schema")
    source, target = root / "json", root / "parquet"
    assert main(["backfill", "--date", "2020-05-14", "--tickers", "FB", "--dir",
                 str(source)]) == 0
    live = source / "ticks" / "dt=2026-12-01" / "hour=09" / "stream-1-a"
    live.parent.mkdir(parents=True)
    live.write_text("".join(json.dumps({"ticker": "Index_1", "timestamp": stamp,
                                        "price": 100.5, "seq": n}) + "\n"
                            for n, stamp in enumerate(["2026-12-01T09:00:00Z",
                                                       "2026-12-01T09:00:15Z"], 1)))
    assert main(["export", "--format", "parquet", "--dir", str(source), "--to",
                 str(target)]) == 0
    return source, target


def duck(directory, table):
    cursor = connect(Location(directory=str(directory))).execute(
        f"SELECT * FROM {table} ORDER BY {', '.join(ORDER)}")
    return [(d[0], str(d[1])) for d in cursor.description], cursor.fetchall()


def arrow(directory, table):
    # Each file read on its own terms (no partition inference from the folder names).
    read = pyarrow.dataset.dataset(Path(directory) / table, format="parquet",
                                   partitioning=None).to_table()
    return read.select(NAMES).sort_by([(n, "ascending") for n in ORDER])


@pytest.mark.parametrize("table", ["ticks", "history"])
def test_duckdb_reads_json_lines_and_parquet_with_the_schema_types(exported, table):
    source, target = exported
    expected = [(n, DUCKDB[t]) for n, t in COLUMNS + PARTITIONS]
    from_json, rows_json = duck(source, table)
    from_parquet, rows_parquet = duck(target, table)
    normal = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}
    assert [(n, normal.get(t, t)) for n, t in expected] == from_json == from_parquet
    assert rows_json == rows_parquet and rows_json


@pytest.mark.parametrize("table", ["ticks", "history"])
def test_pyarrow_and_pandas_read_the_same_types_and_values_as_duckdb(exported, table):
    _, target = exported
    read = arrow(target, table)
    assert [(f.name, f.type) for f in read.schema] == [(n, ARROW[t]) for n, t in
                                                       COLUMNS + PARTITIONS]
    frame = pandas.read_parquet(Path(target) / table, partitioning=None,
                                dtype_backend="pyarrow")[NAMES].sort_values(ORDER)
    assert [(n, frame[n].dtype.pyarrow_dtype) for n in NAMES] == [
        (f.name, f.type) for f in read.schema]
    _, rows = duck(target, table)
    assert [tuple(r.values()) for r in read.to_pylist()] == rows
    assert [tuple(None if pandas.isna(v) else v for v in r)
            for r in frame.itertuples(index=False)] == rows


def test_the_values_are_the_records_own(exported):
    """2020-05-14 09:30 in New York is 13:30 UTC; volume is a whole number of shares."""
    _, target = exported
    first = arrow(target, "history").to_pylist()[0]
    assert first["timestamp"] == datetime(2020, 5, 14, 13, 30, tzinfo=UTC)
    assert (first["dt"], first["hour"]) == (date(2020, 5, 14), 13)
    assert isinstance(first["volume"], int) and first["volume"] >= 0
    live = arrow(target, "ticks").to_pylist()
    assert [(r["ticker"], r["volume"], r["bid"]) for r in live] == [("Index_1", None, None)] * 2


def test_the_schema_says_what_the_issue_asked():
    assert {n: t for n, t in COLUMNS + PARTITIONS if n in ("timestamp", "volume", "dt", "hour")
            } == {"timestamp": "timestamp", "volume": "bigint", "dt": "date", "hour": "int"}


def test_time_arithmetic_and_timestamptz_run_through_tickersim_query(exported, capsys):
    source, _ = exported
    capsys.readouterr()
    assert main(["query", "--dir", str(source), "--format", "csv",
                 'SELECT min("timestamp") + INTERVAL 1 HOUR AS later, '
                 'CAST(max("timestamp") AS TIMESTAMPTZ) AS last FROM history']) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["later,last", "2020-05-14 14:30:00+00:00,2020-05-14 19:59:45+00:00"]


def test_json_output_writes_times_as_the_records_do(exported, capsys):
    source, _ = exported
    capsys.readouterr()
    assert main(["query", "--dir", str(source), "--format", "json",
                 'SELECT "timestamp", dt, hour, volume FROM history ORDER BY "timestamp" '
                 "LIMIT 1"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["timestamp"], row["dt"], row["hour"]) == ("2020-05-14T13:30:00Z", "2020-05-14",
                                                          13)
    assert isinstance(row["volume"], int)
