"""Tick records, table items and the event clock: pure, no AWS."""
import json
import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.walk.items import (
    DEFAULT_DRIFT,
    DEFAULT_VOLATILITY,
    RunState,
    parse_run_state,
    parse_ticker,
    ticker_item,
)
from chalicelib.walk.market import MIN_PRICE, quantize
from chalicelib.walk.ticks import Ticker, encode, iso, run_minute
from tests.support import scheduled

prices = st.floats(min_value=MIN_PRICE, max_value=1e12).map(quantize)
names = st.text(min_size=1, max_size=60)


@given(names, st.integers(min_value=0, max_value=4 * 10**9), prices,
       st.integers(min_value=1, max_value=2**53))
def test_encoded_tick_is_one_json_line_with_the_contract_fields(name, epoch, price, seq):
    line = encode(json.dumps(name), iso(epoch), price, seq)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert line.isascii()
    assert json.loads(line) == {"ticker": name, "timestamp": iso(epoch), "price": price,
                                "seq": seq}


@given(names, prices, st.integers(min_value=0, max_value=10**12),
       st.integers(min_value=0, max_value=4 * 10**9),
       st.floats(min_value=-10, max_value=10), st.floats(min_value=0, max_value=10))
def test_ticker_survives_the_round_trip_through_its_item(name, price, seq, last, drift, vol):
    item = {"TickerName": {"S": name}, "Price": {"N": "1"}, "Drift": {"N": repr(drift)},
            "Volatility": {"N": repr(vol)}, "Note": {"S": "kept"}}
    ticker = Ticker(name, price, seq, last, drift, vol)
    written = ticker_item(item, ticker)
    assert written["Note"] == {"S": "kept"}            # attributes we do not own survive
    assert parse_ticker(written) == ticker


def test_an_item_with_only_name_and_price_is_a_ticker_that_has_not_moved():
    ticker = parse_ticker({"TickerName": {"S": "Mine"}, "Price": {"N": "42.5"}})
    assert ticker == Ticker("Mine", 42.5, 0, None, DEFAULT_DRIFT, DEFAULT_VOLATILITY)


def test_a_price_typed_as_a_string_in_the_console_is_still_a_number():
    assert parse_ticker({"TickerName": {"S": "X"}, "Price": {"S": " 12.5 "}}).price == 12.5


@pytest.mark.parametrize("item, fault", [
    ({}, "no Price"),
    ({"Price": {"S": "abc"}}, "Price 'abc' is not a number"),
    ({"Price": {"N": "0"}}, "Price 0 is not > 0"),
    ({"Price": {"N": "-3"}}, "Price -3 is not > 0"),
    ({"Price": {"S": "nan"}}, "Price 'nan' is not a number"),
    ({"Price": {"S": "-inf"}}, "Price '-inf' is not a finite number"),
    ({"Price": {"N": "1E+400"}}, "beyond a float's range"),
    ({"Price": {"BOOL": True}}, "is not a number"),
    ({"Price": {"N": "5"}, "Seq": {"N": "1.5"}}, "Seq 1.5"),
    ({"Price": {"N": "5"}, "Seq": {"N": "-1"}}, "Seq -1"),
    ({"Price": {"N": "5"}, "Volatility": {"N": "-0.1"}}, "Volatility -0.1"),
    ({"Price": {"N": "5"}, "Drift": {"S": "high"}}, "Drift 'high' is not a number"),
    ({"Price": {"N": "5"}, "LastTick": {"S": "yesterday"}}, "LastTick 'yesterday'"),
    ({"Price": {"N": "5"}, "LastTick": {"N": "5"}}, "LastTick"),
])
def test_malformed_items_are_refused_with_the_attribute_named(item, fault):
    with pytest.raises(ValueError, match=fault.replace(".", r"\.").replace("+", r"\+")):
        parse_ticker({"TickerName": {"S": "Index_9"}, **item})


def test_a_huge_sequence_number_is_kept_exactly():
    item = {"TickerName": {"S": "X"}, "Price": {"N": "5"}, "Seq": {"N": "1E+30"}}
    assert parse_ticker(item).seq == 10**30


def test_run_state_defaults_and_values():
    assert parse_run_state(None) == RunState(None, None)
    assert parse_run_state({"TickerName": {"S": "#run"}, "Version": {"N": "7"},
                            "Seed": {"N": "99"}}) == RunState(7, 99)
    assert parse_run_state({"TickerName": {"S": "#run"}}) == RunState(None, None)


@pytest.mark.parametrize("item, fault", [
    ({"Version": {"N": "1.5"}}, "Version 1.5 is not a whole number"),
    ({"Seed": {"S": "abc"}}, "Seed 'abc' is not a number"),
    ({"FreshStart": {"S": "soon"}}, "FreshStart 'soon' is not a time"),
])
def test_a_damaged_run_state_item_is_refused_with_the_attribute_named(item, fault):
    with pytest.raises(ValueError, match=fault):
        parse_run_state({"TickerName": {"S": "#run"}, **item})


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31),
                    timezones=st.just(UTC)))
def test_run_minute_comes_from_the_event_time_not_the_wall_clock(moment):
    text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    minute, problem = run_minute(scheduled(text), wall_clock=lambda: 0)
    assert problem is None
    assert minute == math.floor(moment.replace(microsecond=0).timestamp() / 60)


@pytest.mark.parametrize("event, why", [
    ({"detail": {}}, "no `time`"),
    ({"time": "not a time"}, "not an ISO-8601 time"),
    ({"time": 12}, "not an ISO-8601 time"),
    ({"time": "0999-01-01T00:00:00Z"}, "not an ISO-8601 time"),
    ({"time": "1969-12-31T23:59:00Z"}, "not an ISO-8601 time"),
    ("a string event", "no `time`"),
    (None, "no `time`"),
])
def test_an_event_without_a_usable_time_falls_back_to_the_wall_clock(event, why):
    minute, problem = run_minute(event, wall_clock=lambda: 6000.5)
    assert minute == 100
    assert why in problem
