"""Issue 14 item 5: low prices froze, rounded to 4 decimals. Precision follows the price."""
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk.market import (
    MIN_PRICE,
    PRICE_DECIMALS,
    SIGNIFICANT_DIGITS,
    Model,
    decimals,
    price_text,
    quantize,
)
from chalicelib.walk.ticks import Ticker, walk

NOW = 29_400_000
positive_prices = st.floats(min_value=1e-10, max_value=1e9)


def prices_of(lines):
    # Only ticks: a jump beyond the news threshold adds a news record among them.
    return [r["price"] for r in map(json.loads, lines) if "type" not in r]


def test_low_prices_move_instead_of_freezing_at_four_decimals():
    model = Model(kind="gbm", seed=1, tick_seconds=15)
    for start, ticks in ((0.05, 20), (0.00001, 60)):
        lines, moved = walk(Ticker("LOW", start, 0, None, 0.05, 0.2),
                            range(NOW, NOW + ticks // 4), 4, model)
        prices = prices_of(lines)
        moves = sum(a != b for a, b in zip([start] + prices, prices))
        assert moves > ticks * 3 // 4, prices          # it walks, tick after tick
        assert all(p > 0 and abs(p / start - 1) < 0.05 for p in prices)  # no floor
        assert moved.price == prices[-1]


def test_no_floor_under_a_price_however_low():
    """The 0.0001 floor froze a walk at 0.00001; no other floor may take its place."""
    model = Model(kind="gbm", seed=3, tick_seconds=15)
    for start in (1e-13, 1e-30, 1e-200):
        lines, _ = walk(Ticker("DUST", start, 0, None, 0.0, 0.5), range(NOW, NOW + 5), 4,
                        model)
        prices = prices_of(lines)
        assert len(set(prices)) > 15 and all(0.9 < p / start < 1.1 for p in prices)


def test_prices_of_one_and_more_keep_their_four_decimals():
    assert quantize(100.42174999) == 100.4217
    assert decimals(100.0) == PRICE_DECIMALS
    assert price_text(1234.5) == "1,234.5000"
    assert price_text(0.0000123456) == "0.0000123456"


@given(positive_prices,
       st.floats(min_value=-10, max_value=10),
       st.floats(min_value=1e-6, max_value=10),
       st.sampled_from([1, 5, 15, 60]),
       st.integers(min_value=0, max_value=2**63 - 1),
       st.sampled_from(["gbm", "uniform"]))
@settings(max_examples=200, deadline=None)
def test_a_walk_from_any_positive_price_moves(price, drift, volatility, tick_seconds, seed,
                                              kind):
    model = Model(kind=kind, seed=seed, tick_seconds=tick_seconds)
    start = quantize(price)
    lines, _ = walk(Ticker("X", start, 0, None, drift, volatility), range(NOW, NOW + 5),
                    60 // tick_seconds, model)
    prices = prices_of(lines)
    assert all(p >= MIN_PRICE for p in prices)
    assert len(set([start] + prices)) > 1


@given(st.floats(min_value=-1, max_value=1).filter(lambda d: abs(d) >= 1e-3),
       positive_prices)
@settings(deadline=None)
def test_a_walk_without_volatility_still_drifts(drift, price):
    model = Model(kind="gbm", seed=5, tick_seconds=15)
    start = quantize(price)
    lines, moved = walk(Ticker("X", start, 0, None, drift, 0.0), range(NOW, NOW + 3), 4, model)
    assert (moved.price > start) == (drift > 0) and moved.price != start


@given(positive_prices)
def test_precision_follows_the_price(price):
    rounded = quantize(price)
    # At least SIGNIFICANT_DIGITS significant digits, and at least 4 decimals.
    assert abs(rounded - price) <= price * 10 ** (1 - SIGNIFICANT_DIGITS) / 2 * (1 + 1e-9)
    assert abs(rounded - price) <= 0.5 * 10 ** -PRICE_DECIMALS * (1 + 1e-9)
    assert rounded > 0 and json.loads(json.dumps(rounded)) == rounded
    assert quantize(rounded) == rounded           # a stored price is already on its grid
    shown = price_text(rounded).replace(",", "")
    assert math.isclose(float(shown), rounded, rel_tol=10 ** (1 - SIGNIFICANT_DIGITS))
