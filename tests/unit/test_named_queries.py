"""queries/*.sql on DuckDB against the same answers computed in Python from the raw objects;
and each query's Athena rendering (sqlglot parses it as Trino, Athena's engine)."""
import json
import os
import tempfile
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.walk.ticks import encode, iso
from tickersim.data.duck import connect
from tickersim.data.location import Location
from tickersim.data.schema import COLUMNS, PARTITIONS, partition_path

QUERIES = Path(__file__).resolve().parents[2] / "queries"
BASE = 1_796_111_940          # 2026-12-01T09:59:00Z: the series crosses an hour
PRICES = (10.0, 10.5, 11.0, 11.25)    # few values: highs are often reached more than once


def sql(name):
    return (QUERIES / f"{name}.sql").read_text()


def run(directory, name):
    return connect(Location(directory=str(directory))).execute(sql(name)).fetchall()


@st.composite
def datasets(draw):
    """Ticks of a few tickers (seq n at BASE + 15 n s), each in ticks/ or history/, some
    re-sent; objects split at random within each hour, as Firehose would split them."""
    ticks = []
    for ticker in draw(st.lists(st.sampled_from(["A", "B", "Cé"]), unique=True, max_size=3)):
        table = draw(st.sampled_from(["ticks", "history"]))
        count = draw(st.integers(min_value=1, max_value=12))
        for seq in range(1, count + 1):
            tick = (table, ticker, seq, iso(BASE + 15 * seq * draw(st.sampled_from([1, 100]))),
                    draw(st.sampled_from(PRICES)))
            ticks += [tick] * draw(st.sampled_from([1, 1, 2]))
    return ticks, draw(st.randoms(use_true_random=False))


def write(directory, ticks, rng):
    objects = defaultdict(list)
    for table, ticker, seq, stamp, price in ticks:
        folder = partition_path(table, stamp[:10], stamp[11:13])
        objects[(folder, rng.randrange(2))].append(encode(json.dumps(ticker), stamp, price, seq))
    for (folder, _), lines in objects.items():
        path = Path(directory) / folder / f"stream-1-{uuid.uuid4()}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines), encoding="utf-8")


def raw_records(directory):
    """Every record in the objects, read back as a downstream user would: (table, tick)."""
    out = []
    for root, _, files in os.walk(directory):
        for name in files:
            table = Path(root).relative_to(directory).parts[0]
            for line in Path(root, name).read_text(encoding="utf-8").splitlines():
                out.append((table, json.loads(line)))
    return out


def when(stamp):
    """The schema's types: `timestamp` a UTC datetime, `dt` a date."""
    return datetime.fromisoformat(stamp).astimezone(UTC)


def expected_hourly_high(records):
    ticks = {(t["ticker"], t["seq"], when(t["timestamp"]), t["price"]) for _, t in records}
    highs = defaultdict(float)
    for ticker, _, at, price in ticks:
        key = (ticker, at.date(), at.hour)
        highs[key] = max(highs[key], price)
    return sorted({(ticker, at.date(), at.hour, price, at)
                   for ticker, _, at, price in ticks
                   if price == highs[(ticker, at.date(), at.hour)]},
                  key=lambda r: (r[0], r[1], r[2], r[4]))


def expected_bars(records):
    minutes = defaultdict(dict)
    for _, t in records:
        at = when(t["timestamp"])
        minutes[(t["ticker"], at.replace(second=0))][at] = t["price"]
    rows = []
    for (ticker, minute), by_time in sorted(minutes.items()):
        times = sorted(by_time)
        prices = list(by_time.values())
        rows.append((ticker, minute, by_time[times[0]], max(prices), min(prices),
                     by_time[times[-1]], len(times)))
    return rows


def expected_latest(records):
    last = {}
    for _, t in records:
        if t["ticker"] not in last or when(t["timestamp"]) > last[t["ticker"]][1]:
            last[t["ticker"]] = (t["price"], when(t["timestamp"]))
    return [(ticker, price, at) for ticker, (price, at) in sorted(last.items())]


@given(datasets())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_named_queries_match_an_independent_computation_from_the_raw_objects(data):
    ticks, rng = data
    with tempfile.TemporaryDirectory() as directory:
        write(directory, ticks, rng)
        records = raw_records(directory)
        assert run(directory, "hourly_high") == expected_hourly_high(records)
        assert run(directory, "bars_1m") == expected_bars(records)
        assert run(directory, "latest") == expected_latest(records)


def test_the_classic_answer_names_every_time_a_high_was_reached(tmp_path):
    ticks = [("history", "A", 1, "2026-12-01T14:30:00Z", 11.0),
             ("history", "A", 2, "2026-12-01T14:30:15Z", 10.0),
             ("history", "A", 3, "2026-12-01T14:59:45Z", 11.0),
             ("ticks", "A", 4, "2026-12-01T15:00:00Z", 9.0),
             ("ticks", "A", 4, "2026-12-01T15:00:00Z", 9.0)]          # re-sent
    write(tmp_path, ticks, __import__("random").Random(1))
    day = date(2026, 12, 1)
    assert run(tmp_path, "hourly_high") == [
        ("A", day, 14, 11.0, when("2026-12-01T14:30:00Z")),
        ("A", day, 14, 11.0, when("2026-12-01T14:59:45Z")),
        ("A", day, 15, 9.0, when("2026-12-01T15:00:00Z"))]


def test_tables_have_the_schema_columns_even_before_anything_was_written(tmp_path):
    con = connect(Location(directory=str(tmp_path)))
    for table in ("ticks", "history"):
        described = con.execute(f"DESCRIBE {table}").fetchall()
        assert [row[0] for row in described] == [n for n, _ in COLUMNS + PARTITIONS]
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


@pytest.mark.parametrize("name", ["hourly_high", "bars_1m", "latest"])
@pytest.mark.parametrize("dialect", ["trino", "athena"])
def test_each_named_query_is_valid_athena_sql_over_the_two_tables(name, dialect):
    tree = sqlglot.parse_one(sql(name), read=dialect)
    ctes = {cte.alias for cte in tree.find_all(sqlglot.exp.CTE)}
    assert {t.name for t in tree.find_all(sqlglot.exp.Table)} - ctes == {"ticks", "history"}
    known = {n for n, _ in COLUMNS + PARTITIONS}
    for column in tree.find_all(sqlglot.exp.Column):
        assert column.name in known | {"high", "minute", "price"}, column.name
    # DuckDB's reading of the same text, rendered for Trino, is the same query.
    assert sqlglot.transpile(sql(name), read="duckdb", write=dialect) == \
        sqlglot.transpile(sql(name), read=dialect, write=dialect)
