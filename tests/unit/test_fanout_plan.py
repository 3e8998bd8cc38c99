"""The pure parts of fan-out: how many workers, what each is told, and the synthetic fleet."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import events
from chalicelib.walk import fanout
from chalicelib.walk.items import parse_ticker
from tickersim.base import synthetic
from tickersim.base.args import count_problem

EVENT = {"time": "2026-11-26T09:00:00Z", "source": "aws.events"}


@given(st.integers(0, 10_000_000), st.integers(1, 1_000_000))
def test_each_worker_gets_at_most_worker_tickers_while_segments_last(tickers, per_worker):
    n = fanout.segment_count(tickers, per_worker)
    assert 1 <= n <= events.MAX_WORKERS
    if n < events.MAX_WORKERS:
        assert math.ceil(tickers / n) <= per_worker          # no worker is over its share
        assert n == 1 or math.ceil(tickers / (n - 1)) > per_worker   # and no worker idles


@given(st.integers(-5, 5000))
def test_a_fixed_worker_count_wins_within_the_limits(workers):
    assert fanout.segment_count(10**6, 1, workers) == max(1, min(workers, events.MAX_WORKERS))


@given(st.integers(1, events.MAX_WORKERS), st.one_of(st.none(), st.integers(0, 2**63 - 1)))
def test_worker_events_cover_every_segment_once_and_parse_back(segments, seed):
    tasks = [events.parse_task(e) for e in events.worker_events(EVENT, segments, seed)]
    assert [t.segment for t in tasks] == list(range(segments))
    assert {(t.segments, t.seed, t.time) for t in tasks} == {(segments, seed, EVENT["time"])}
    keys = {fanout.segment_key(t.segment, t.segments) for t in tasks}
    assert len(keys) == segments and all(k.startswith("#") for k in keys)


@pytest.mark.parametrize("detail, named", [
    ({"segment": 3, "segments": 3}, "segment 3 of 3"),
    ({"segment": -1, "segments": 3}, "segment -1 of 3"),
    ({"segment": 0, "segments": 0}, "segment 0 of 0"),
    ({"segment": "1", "segments": 3}, "detail.segment '1'"),
    ({"segment": True, "segments": 3}, "detail.segment True"),
    ({"segment": 0, "segments": 2, "seed": -4}, "detail.seed -4"),
    (None, "no `detail`"),
])
def test_a_bad_worker_event_is_named(detail, named):
    with pytest.raises(ValueError, match=named):
        events.parse_task({"source": events.WORKER_SOURCE, "time": EVENT["time"], "detail": detail})


def test_a_scheduled_event_is_not_a_worker_event():
    with pytest.raises(ValueError, match="source"):
        events.parse_task(EVENT)
    assert events.segment_of(EVENT) is None


@given(st.sampled_from(synthetic.KINDS), st.integers(1, synthetic.MAX_COUNT),
       st.from_regex(r"[A-Za-z][A-Za-z0-9._-]{0,31}", fullmatch=True))
def test_synthetic_tickers_are_valid_items_named_within_their_prefix(kind, number, prefix):
    item = synthetic.item(prefix, number, kind)
    ticker = parse_ticker(item)                     # the walk accepts it
    assert ticker.kind == kind and ticker.price > 0
    assert synthetic.is_synthetic(prefix, ticker.name)
    assert item == synthetic.item(prefix, number, kind)     # resumable: the same every time
    assert synthetic.prefix_problem(prefix) is None


@pytest.mark.parametrize("value", [0, -1, synthetic.MAX_COUNT + 1])
def test_counts_out_of_range_are_named(value):
    problem = count_problem("--count", value, maximum=synthetic.MAX_COUNT)
    assert f"--count {value} is out of range" in problem and "1 to 1,000,000" in problem


@pytest.mark.parametrize("prefix", ["", "#run", "1SIM", "SIM X", "Sìm", "S" * 33, "a/b"])
def test_prefixes_that_cannot_start_a_ticker_name_are_named(prefix):
    assert f"--prefix {prefix!r}" in synthetic.prefix_problem(prefix)
