"""Event-time partitions: the template's own JQ query, evaluated as Firehose evaluates it."""
import json
from datetime import UTC, datetime

import jq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.walk.ticks import encode, iso
from tickersim.local.firehose import destination, metadata_query, partition, render

CONFIG = destination()
QUERY = jq.compile(metadata_query(CONFIG))
PREFIX = CONFIG["Prefix"]

epochs = st.integers(min_value=0, max_value=253402300799)     # 1970 .. 9999


def where(line):
    parts, failed = partition([line], QUERY)
    assert not failed
    (keys,) = parts
    return render(PREFIX, dict(keys))


@given(st.text(min_size=1, max_size=12), epochs, st.integers(min_value=1, max_value=10**6))
def test_a_tick_lands_in_the_hour_of_its_own_timestamp(name, epoch, seq):
    stamp = iso(epoch)
    line = encode(json.dumps(name), stamp, 100.5, seq).rstrip("\n")
    assert where(line) == f"ticks/dt={stamp[:10]}/hour={stamp[11:13]}/"


def test_the_last_tick_of_an_hour_stays_in_that_hour_and_news_goes_to_news():
    assert where('{"ticker":"A","timestamp":"2026-12-01T09:59:45Z","price":1.0,"seq":4}') \
        == "ticks/dt=2026-12-01/hour=09/"
    assert where('{"type":"tick","ticker":"A","timestamp":"2026-12-31T23:59:59Z"}') \
        == "ticks/dt=2026-12-31/hour=23/"
    assert where('{"type":"news","headline":"x","timestamp":"2027-01-01T00:00:00Z"}') \
        == "news/dt=2027-01-01/hour=00/"


@pytest.mark.parametrize("line", [
    "not json", '{"ticker":"A"}', '{"ticker":"A","timestamp":"2026-12-01 09:00:00"}',
    '{"type":"trade","timestamp":"2026-12-01T09:00:00Z"}'])
def test_records_without_a_type_and_time_the_layout_knows_are_refused(line):
    parts, failed = partition([line], QUERY)
    assert parts == {} and [f[0] for f in failed] == [line]


@given(st.lists(st.tuples(epochs, st.booleans()), max_size=60))
def test_partitioning_keeps_every_line_once_and_in_order_within_its_partition(items):
    lines = [json.dumps({"type": "news" if news else "tick", "timestamp": iso(e), "n": i})
             for i, (e, news) in enumerate(items)]
    parts, failed = partition(lines, QUERY)
    assert not failed
    assert sorted(l for ls in parts.values() for l in ls) == sorted(lines)
    for keys, ls in parts.items():
        assert [json.loads(l)["n"] for l in ls] == sorted(json.loads(l)["n"] for l in ls)
        for l in ls:
            stamp = json.loads(l)["timestamp"]
            assert dict(keys)["dt"] == stamp[:10] and dict(keys)["hour"] == stamp[11:13]


def test_error_prefix_names_the_error_type_and_the_arrival_day():
    arrival = datetime(2026, 12, 1, 10, 0, 3, tzinfo=UTC)
    assert render(CONFIG["ErrorOutputPrefix"], error_type="partitioning-failed",
                  arrival=arrival) == "errors/partitioning-failed/2026/12/01/"
