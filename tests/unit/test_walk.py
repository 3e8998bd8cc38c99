"""The market model and the walk: pure properties, no AWS."""
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk.market import MIN_PRICE, Model, normal, quantize, uniforms
from chalicelib.walk.ticks import Ticker, due_minutes, iso, tick_times, walk

NOW = 29_400_000  # an epoch minute in 2025

names = st.text(min_size=1, max_size=40).filter(lambda s: s != "#run")
seeds = st.integers(min_value=0, max_value=2**63 - 1)
ticks_per_minute = st.sampled_from([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60])
models = st.builds(Model, kind=st.sampled_from(["realistic", "gbm", "uniform"]), seed=seeds,
                   tick_seconds=st.just(15),
                   correlation=st.floats(min_value=0, max_value=1))
tickers = st.builds(Ticker, name=names,
                    price=st.floats(min_value=MIN_PRICE, max_value=1e9).map(quantize),
                    seq=st.integers(min_value=0, max_value=10**9),
                    last_tick=st.none(),
                    drift=st.floats(min_value=-10, max_value=10),
                    volatility=st.floats(min_value=0, max_value=10))


def parsed(lines):
    """The ticks among the lines (a jump beyond the news threshold adds a news record)."""
    return [record for record in map(json.loads, lines) if "type" not in record]


@given(tickers, models, st.integers(min_value=1, max_value=120))
@settings(max_examples=60, deadline=None)
def test_prices_stay_positive_and_finite_over_long_walks(ticker, model, minutes):
    lines, moved = walk(ticker, range(NOW, NOW + minutes), 4, model)
    prices = [tick["price"] for tick in parsed(lines)]
    assert all(math.isfinite(p) and p >= MIN_PRICE for p in prices)
    assert moved.price == prices[-1]


@given(tickers, models, st.integers(min_value=1, max_value=30), ticks_per_minute)
@settings(max_examples=60, deadline=None)
def test_seq_has_no_gaps_and_every_line_is_a_json_object_with_a_newline(
        ticker, model, minutes, per_minute):
    lines, moved = walk(ticker, range(NOW, NOW + minutes), per_minute, model)
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    records = [json.loads(line) for line in lines]
    ticks = parsed(lines)
    assert all(r["type"] == "news" and r["ticker"] == ticker.name
               for r in records if "type" in r)
    assert [t["seq"] for t in ticks] == list(range(ticker.seq + 1, ticker.seq + 1 + len(ticks)))
    assert len(ticks) == minutes * per_minute
    assert {t["ticker"] for t in ticks} == {ticker.name}
    assert moved.seq == ticks[-1]["seq"]


@given(tickers, models, st.integers(min_value=1, max_value=20))
@settings(max_examples=40, deadline=None)
def test_same_seed_and_state_give_the_same_bytes(ticker, model, minutes):
    window = range(NOW, NOW + minutes)
    assert walk(ticker, window, 4, model) == walk(ticker, window, 4, model)


@given(tickers, models, st.integers(min_value=2, max_value=20), st.data())
@settings(max_examples=40, deadline=None)
def test_a_walk_split_over_runs_equals_the_walk_in_one_run(ticker, model, minutes, data):
    """Each draw depends on (seed, ticker, seq) only, so run boundaries change nothing."""
    cut = data.draw(st.integers(min_value=NOW + 1, max_value=NOW + minutes - 1))
    whole, _ = walk(ticker, range(NOW, NOW + minutes), 4, model)
    first, middle = walk(ticker, range(NOW, cut), 4, model)
    second, _ = walk(middle, range(cut, NOW + minutes), 4, model)
    assert first + second == whole


@given(seeds, seeds, names)
def test_different_seeds_give_different_draws(seed_a, seed_b, name):
    if seed_a != seed_b:
        assert [uniforms(seed_a, name, n) for n in range(3)] != \
            [uniforms(seed_b, name, n) for n in range(3)]


@given(seeds, names, st.integers(min_value=0, max_value=10**12))
def test_draws_are_in_range(seed, name, n):
    u1, u2 = uniforms(seed, name, n)
    assert 0 < u1 <= 1 and 0 < u2 <= 1
    assert math.isfinite(normal(seed, name, n))


@given(tickers, seeds, st.integers(min_value=1, max_value=30))
@settings(max_examples=60, deadline=None)
def test_uniform_mode_moves_at_most_one_percent_per_tick(ticker, seed, minutes):
    model = Model(kind="uniform", seed=seed, tick_seconds=15)
    lines, _ = walk(ticker, range(NOW, NOW + minutes), 4, model)
    previous = ticker.price
    for tick in parsed(lines):
        # Rounding to 4 decimals may add half a unit in the last place; the floor may lift it.
        low = max(MIN_PRICE, previous * 0.99 - 0.00005)
        assert low - 1e-9 <= tick["price"] <= previous * 1.01 + 0.00005 + 1e-9
        previous = tick["price"]


def test_uniform_mode_really_moves_and_spans_the_band():
    model = Model(kind="uniform", seed=7, tick_seconds=15)
    start = Ticker("Index_1", 100.0, 0, None, 0.05, 0.2)
    lines, _ = walk(start, range(NOW, NOW + 250), 4, model)
    steps, previous = [], 100.0
    for tick in parsed(lines):
        steps.append(tick["price"] / previous - 1)
        previous = tick["price"]
    assert max(steps) > 0.009 and min(steps) < -0.009


def test_gbm_volatility_shows_in_the_returns():
    """Over a long walk the realised volatility of log returns matches the item's."""
    tick_seconds = 15
    model = Model(kind="gbm", seed=11, tick_seconds=tick_seconds)
    start = Ticker("Index_1", 1000.0, 0, None, 0.0, 4.0)
    lines, _ = walk(start, range(NOW, NOW + 2000), 4, model)
    prices = [1000.0] + [t["price"] for t in parsed(lines)]
    returns = [math.log(b / a) for a, b in zip(prices, prices[1:])]
    mean = sum(returns) / len(returns)
    var = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    annualised = math.sqrt(var * 365.25 * 86400 / tick_seconds)
    assert 3.6 < annualised < 4.4


def test_correlated_tickers_move_together():
    model = Model(kind="gbm", seed=3, tick_seconds=15, correlation=0.9)
    a, _ = walk(Ticker("A", 1000.0, 0, None, 0.0, 3.0), range(NOW, NOW + 500), 4, model)
    b, _ = walk(Ticker("B", 1000.0, 0, None, 0.0, 3.0), range(NOW, NOW + 500), 4, model)
    ra = [math.log(y["price"] / x["price"]) for x, y in zip(parsed(a), parsed(a)[1:])]
    rb = [math.log(y["price"] / x["price"]) for x, y in zip(parsed(b), parsed(b)[1:])]
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    corr = cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    assert corr > 0.8


@given(st.integers(min_value=0, max_value=NOW * 60 + 3599),
       st.integers(min_value=1, max_value=600))
def test_due_minutes_end_now_never_repeat_and_respect_the_window(last_tick, cap):
    due = due_minutes(last_tick, NOW, NOW - cap + 1)
    assert len(due) <= cap
    if last_tick // 60 >= NOW:
        assert len(due) == 0          # a re-delivered or older event: nothing is due
    else:
        assert due[-1] == NOW and due[0] > last_tick // 60
        assert len(due) == min(cap, NOW - last_tick // 60)


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=1, max_value=5),
       ticks_per_minute)
def test_ticks_are_evenly_spaced_over_each_minute(first, count, per_minute):
    times = tick_times(first, first + count, per_minute)
    assert len(times) == count * per_minute
    assert [t for t, _ in times] == list(range(first * 60, (first + count) * 60, 60 // per_minute))
    assert all(text == iso(t) and text.endswith("Z") for t, text in times)
