"""Capacity modes: provisioned limits cover the steady load, and the two bills compared."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import settings
from chalicelib.walk import fanout
from tickersim.aws import capacity


@given(st.integers(1, 1_000_000), st.integers(1, 5000))
def test_the_minimum_capacity_carries_a_run_a_minute_at_the_target(tickers, per_worker):
    segments = fanout.segment_count(tickers, per_worker)
    plan = capacity.provisioned_plan(tickers, segments)
    writes, reads = capacity.per_run(tickers, segments)
    assert plan.min_wcu * 60 * plan.target >= writes
    assert plan.min_rcu * 60 * plan.target >= reads
    assert plan.max_wcu >= plan.min_wcu and plan.max_rcu >= plan.min_rcu


def test_a_run_writes_each_ticker_once_plus_a_claim_a_segment_and_the_coordinator():
    assert capacity.per_run(100_000, 20)[0] == 100_000 + 20 + 1
    assert capacity.per_run(5, 1)[0] == 5 + 1


def test_at_100000_tickers_provisioned_costs_at_most_a_third_of_on_demand():
    bills = capacity.monthly_bills(100_000, fanout.segment_count(100_000, 5000))
    assert bills["provisioned"] <= bills["on-demand"] / 3
    assert capacity.recommend(100_000, 20)[0] == "provisioned"


@given(st.integers(1, 1_000_000))
def test_the_recommendation_is_the_cheaper_bill_and_check_prints_both(tickers):
    segments = fanout.segment_count(tickers, settings.DEFAULT_WORKER_TICKERS)
    bills = capacity.monthly_bills(tickers, segments)
    mode, _ = capacity.recommend(tickers, segments)
    assert bills[mode] == min(bills.values())
    lines = capacity.check_lines(tickers, segments)
    assert lines[0].startswith("DynamoDB on-demand") and lines[1].startswith(
        "DynamoDB provisioned") and mode in lines[2]


@pytest.mark.parametrize("value", ["", "ondemand", "Provisioned", "auto"])
def test_an_unknown_capacity_is_named(value):
    assert f"--capacity {value!r}" in capacity.capacity_problem(value)


@given(st.floats(1, 10_000, allow_nan=False))
def test_worker_memory_keeps_the_peak_within_70_percent(peak):
    size = capacity.worker_memory_mb(peak)
    assert size >= 128 and size % 64 == 0 and peak <= 0.7 * size
    assert size == 128 or peak > 0.7 * (size - 64)        # the smallest such step


def test_the_peak_model_matches_the_bench_measurement_of_one_worker():
    """bench/fanout measures a worker of WORKER_TICKERS in a fresh process; the deploy's
    model of that peak must not be below it (else memory would be sized under the peak)."""
    from bench import fanout as bench_fanout
    measured = bench_fanout.measure_one(settings.DEFAULT_WORKER_TICKERS)
    modelled = capacity.worker_peak_mb(settings.DEFAULT_WORKER_TICKERS)
    assert measured["peak_mb"] <= modelled * 1.1
    assert measured["peak_mb"] <= 0.7 * capacity.worker_memory_mb(modelled)


@pytest.mark.parametrize("value", ["cheap", "", "PROVISIONED"])
def test_deploy_refuses_an_unknown_capacity_with_one_line_and_exit_2(capsys, value):
    from tickersim import cli
    with pytest.raises(SystemExit) as caught:
        cli.main(["deploy", "--stage", "dev", "--owner", "Kyle Maposa", "--email", "k@x.io",
                  "--capacity", value, "--check"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert caught.value.code == 2 and len(err) == 1 and "--capacity" in err[0]
