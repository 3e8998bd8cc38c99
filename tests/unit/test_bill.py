"""The plan's bill: fixed lines do not move with the feed, the other lines only grow with it,
and every resource that AWS bills by the month has its line."""
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk.pipeline import RUN_METRICS
from tickersim.aws import bill
from tickersim.aws.inventory import Resource
from tickersim.base.seeds import read_seed

SEED = read_seed()


def _items(n):
    return [{**SEED[i % len(SEED)], "TickerName": {"S": f"T{i:05d}"}} for i in range(n)]


@settings(max_examples=15)       # each example packs up to 2,200 tickers' lines
@given(small=st.integers(1, 200), more=st.integers(1, 2000), ticks=st.integers(1, 12))
def test_growing_lines_never_shrink_as_tickers_are_added(small, more, ticks):
    fewer, larger = bill.growing(_items(small), ticks, 30), bill.growing(_items(small + more),
                                                                          ticks, 30)
    assert fewer.keys() == larger.keys()
    assert all(larger[line] >= fewer[line] for line in fewer)
    assert sum(larger.values()) > sum(fewer.values())


def test_each_dashboard_and_alarm_has_a_line_and_the_metrics_one_more():
    resources = [Resource("D", "AWS::CloudWatch::Dashboard", "CloudWatch dashboard", "d"),
                 Resource("A", "AWS::CloudWatch::Alarm", "CloudWatch alarm", "a"),
                 Resource("A2", "AWS::CloudWatch::Alarm", "CloudWatch alarm", "b"),
                 Resource("T", "AWS::DynamoDB::Table", "DynamoDB table", "t")]
    lines = bill.fixed(resources)
    assert len(lines) == 4 and not any("table" in line for line in lines)
    assert lines["CloudWatch dashboard d"] > lines["CloudWatch alarm a"] == \
        lines["CloudWatch alarm b"] > 0
    assert f"{len(RUN_METRICS)} custom metrics of each run (EMF)" in lines


def test_what_is_billed_per_use_comes_with_an_example():
    for line in bill.per_use(SEED, 4):
        assert "$" in line and ("per" in line or "each" in line)
