"""The realistic model: pure draws, volatility as a function of time, shared market days, and a
daily law that a statistical test tells apart from plain GBM."""
import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk import stochvol
from chalicelib.walk.market import CALM, Model, Shock, normal, quantize
from tickersim.data import paths
from tickersim.data.days import Session

seeds = st.integers(min_value=0, max_value=2**63 - 1)
names = st.text(min_size=1, max_size=30)
kinds = st.sampled_from(sorted(stochvol.DEFAULTS))
times = st.integers(min_value=915_000_000, max_value=2_000_000_000)   # 1999 to 2033
YEARS = 1.0 / 252


def _excess_kurtosis(r):
    mean = statistics.fmean(r)
    m2 = statistics.fmean((x - mean) ** 2 for x in r)
    return statistics.fmean((x - mean) ** 4 for x in r) / m2 ** 2 - 3.0


def _acf(x, lag):
    mean = statistics.fmean(x)
    d = [v - mean for v in x]
    return sum(a * b for a, b in zip(d, d[lag:])) / sum(v * v for v in d)


def looks_like_a_market(returns):
    """Fat tails and volatility clustering at once, each well beyond what an i.i.d. normal
    law shows by chance at this size (about 0.1 and 0.03 standard errors)."""
    absolute = [abs(r) for r in returns]
    return _excess_kurtosis(returns) > 1.5 and _acf(absolute, 1) > 0.1 \
        and statistics.fmean(_acf(absolute, k) for k in range(10, 31)) > 0.05


def _weekdays(count, first_day=10_592):     # 1999-01-01 onwards, XNYS-like hours
    days = [d for d in range(first_day, first_day + count * 2) if (d + 3) % 7 < 5]
    return [Session(str(d), ((d * 1440 + 870, d * 1440 + 1260),)) for d in days[:count]]


def test_daily_returns_show_fat_tails_and_clustering_and_gbm_does_not():
    sessions = _weekdays(2500)
    p = stochvol.params("index", 0.2, 0.05)
    passed = []
    for seed in (101, 202, 303):
        days = paths.daily_path(seed, p, "Index_1", 100.0, sessions, YEARS, 0)
        passed.append(looks_like_a_market([d.close - d.previous for d in days]))
    gbm = [0.2 * math.sqrt(YEARS) * normal(101, "tIndex_1", n) for n in range(2500)]
    assert passed == [True, True, True]
    assert not looks_like_a_market(gbm)


def test_a_fall_raises_the_next_days_volatility_on_average():
    sessions = _weekdays(3000)
    p = stochvol.params("index", 0.2, 0.05)
    days = paths.daily_path(7, p, "Index_1", 100.0, sessions, YEARS, 0)
    r = [d.close - d.previous for d in days]
    after_falls = [abs(b) for a, b in zip(r, r[1:]) if a < 0]
    after_rises = [abs(b) for a, b in zip(r, r[1:]) if a > 0]
    assert statistics.fmean(after_falls) > 1.05 * statistics.fmean(after_rises)


def test_tickers_of_a_factor_move_together_and_other_factors_do_not():
    sessions = _weekdays(1500)
    returns = {}
    for name, kind in (("A", "index"), ("B", "index"), ("EURUSD", "fx")):
        days = paths.daily_path(5, stochvol.params(kind, 0.2, 0.0), name, 1.0, sessions,
                                YEARS, 0)
        returns[name] = [d.close - d.previous for d in days]
    assert statistics.correlation(returns["A"], returns["B"]) > 0.6
    assert abs(statistics.correlation(returns["A"], returns["EURUSD"])) < 0.15


@given(seeds, names, kinds, times)
@settings(max_examples=80, deadline=None)
def test_volatility_is_a_positive_pure_function_of_seed_ticker_and_time(seed, name, kind, t):
    p = stochvol.params(kind, 0.3, 0.0)
    level = stochvol.vol_multiplier(seed, p, name, t)
    assert level > 0 and math.isfinite(level)
    stochvol.cached_normal.cache_clear()
    stochvol.market_day.cache_clear()
    assert stochvol.vol_multiplier(seed, p, name, t) == level
    assert stochvol.day_move(seed, p, name, stochvol.day_index(t)) == \
        stochvol.day_move(seed, p, name, stochvol.day_index(t))


def test_volatility_keeps_its_long_run_level():
    p = stochvol.params("index", 0.2, 0.0)
    squares = [stochvol.vol_multiplier(s, p, "X", t) ** 2
               for s in range(40) for t in range(946_684_800, 1_600_000_000, 86_400 * 97)]
    assert 0.75 < statistics.fmean(squares) < 1.3


@given(seeds, st.sampled_from(sorted(stochvol.FACTORS.values())),
       st.integers(min_value=10_000, max_value=30_000))
@settings(max_examples=40, deadline=None)
def test_the_market_day_is_shared_by_every_ticker_of_a_factor(seed, factor, day):
    kind = next(k for k, f in stochvol.FACTORS.items() if f == factor)
    a, b = (stochvol.params(kind, 0.2, 0.0, {"Beta": 1.0}) for _ in range(2))
    assert stochvol.day_move(seed, a, "A", day).shock == \
        stochvol.day_move(seed, b, "B", day).shock


@pytest.mark.parametrize("attr,value", [("Beta", 1.5), ("Leverage", -0.1), ("Jumps", 1e9),
                                        ("VolOfVol", float("nan")), ("Tails", 2)])
def test_out_of_range_parameters_name_the_attribute(attr, value):
    with pytest.raises(ValueError, match=attr):
        stochvol.params("stock", 0.2, 0.0, {attr: value})


def _stepper(seed, name, kind="stock", day_seconds=23400, days_a_year=252):
    p = stochvol.params(kind, 0.4, 0.1)
    return stochvol.stepper(seed, p, name, 15, day_seconds, days_a_year,
                            lambda price: quantize(price, 12, 4))


@given(seeds, names, times, st.integers(min_value=1, max_value=10**9),
       st.floats(min_value=0.01, max_value=1e6))
@settings(max_examples=60, deadline=None)
def test_a_tick_is_a_pure_function_and_scales_with_an_edited_price(seed, name, epoch, seq,
                                                                   price):
    first = _stepper(seed, name)(price, seq, epoch, CALM)
    assert _stepper(seed, name)(price, seq, epoch, CALM) == first > 0
    # A console edit: the next tick moves from the edited price by the same factor.
    edited = _stepper(seed, name)(price * 3, seq, epoch, CALM)
    assert edited == pytest.approx(3 * first, rel=1e-9)


def test_the_opening_tick_carries_the_night_and_midday_ticks_are_calmer_than_the_open():
    step = _stepper(3, "FB")
    epochs = range(1_600_000_000, 1_600_000_000 + 15 * 4000, 15)
    plain = [abs(math.log(step(100.0, n, e, CALM, 1.0) / 100.0)) for n, e in enumerate(epochs)]
    opening = [abs(math.log(step(100.0, n, e, Shock(extra_seconds=60_000), 1.0) / 100.0))
               for n, e in enumerate(epochs)]
    quiet = [abs(math.log(step(100.0, n, e, CALM, 0.3) / 100.0)) for n, e in enumerate(epochs)]
    assert statistics.fmean(opening) > 3 * statistics.fmean(plain)
    assert statistics.fmean(quiet) < 0.7 * statistics.fmean(plain)


def test_model_names_the_realistic_kind_and_keeps_gbm_and_uniform():
    for kind in ("realistic", "gbm", "uniform"):
        step = Model(kind=kind, seed=1, tick_seconds=15).stepper("X", 0.05, 0.2)
        assert step(100.0, 1, 1_600_000_000, CALM) > 0
