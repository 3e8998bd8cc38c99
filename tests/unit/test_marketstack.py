"""Marketstack's request parameters, envelope, errors and records, without I/O."""

from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.api import marketstack, msquery
from chalicelib.api.bars import Bar
from chalicelib.api.marketstack import MarketstackError, envelope, ordered
from chalicelib.api.msquery import EOD, INTRADAY, parse

KNOWN = {"FB", "SNAP", "Index_1"}
NEWEST = int(datetime(2020, 5, 14, 20, tzinfo=UTC).timestamp()) // 60
MAY_14 = int(datetime(2020, 5, 14, tzinfo=UTC).timestamp()) // 60


def q(endpoint=INTRADAY, **params):
    return parse({k: [v] for k, v in params.items()}, endpoint, KNOWN, NEWEST)


def refused(endpoint=INTRADAY, **params):
    with pytest.raises(MarketstackError) as caught:
        q(endpoint, **params)
    return caught.value


# --- parameters -----------------------------------------------------------------------------


def test_defaults_follow_marketstack_1hour_newest_first_100_a_page():
    query = q(symbols="FB")
    assert (query.interval, query.descending, query.limit, query.offset) == (60, True, 100, 0)
    assert query.last == NEWEST and not query.pinned


def test_the_producers_request_reads_as_marketstack_means_it():
    query = q(
        symbols="FB,SNAP",
        access_key="k",
        date_from="2020-05-14",
        interval="1min",
        limit="1000",
        offset="2000",
    )
    assert query.symbols == ("FB", "SNAP") and query.interval == 1
    assert (query.first, query.last) == (MAY_14, NEWEST)
    assert (query.limit, query.offset) == (1000, 2000)


@pytest.mark.parametrize(
    "text",
    [
        "2020-05-14T00:00:00+0000",
        "2020-05-14T00:00:00 0000",
        "2020-05-14 00:00:00",
        "2020-05-14",
        "2020-05-13T20:00-04:00",
    ],
)
def test_marketstack_date_forms_are_read_alike(text):
    assert q(symbols="FB", date_from=text).first == MAY_14


def test_a_bare_date_to_takes_the_whole_day_and_the_path_date_sets_both_ends():
    query = q(EOD, symbols="FB", date_to="2020-05-14")
    assert query.last == MAY_14 + 1439 and query.pinned
    query = parse({"symbols": ["FB"]}, INTRADAY, KNOWN, NEWEST, day="2020-05-14")
    assert (query.first, query.last) == (MAY_14, MAY_14 + 1439)


def test_unknown_parameters_are_ignored_and_a_repeated_one_takes_the_last_value():
    query = parse(
        {"symbols": ["FB"], "callback": ["x"], "limit": ["5", "7"]}, INTRADAY, KNOWN, NEWEST
    )
    assert query.limit == 7


def test_unknown_symbols_among_known_ones_are_left_out_as_marketstack_does():
    assert q(symbols="FB,NOPE").symbols == ("FB",)


@pytest.mark.parametrize(
    "params, name, key",
    [
        ({"interval": "2min"}, "interval", "invalid_interval"),
        ({"limit": "0"}, "limit", "invalid_limit"),
        ({"limit": "1001"}, "limit", "invalid_limit"),
        ({"limit": "1e3"}, "limit", "invalid_limit"),
        ({"offset": "-1"}, "offset", "invalid_offset"),
        ({"offset": "٣"}, "offset", "invalid_offset"),  # a digit, but not ASCII
        ({"date_from": "14/05/2020"}, "date_from", "invalid_date"),
        ({"date_to": "2020-02-30"}, "date_to", "invalid_date"),
        ({"date_from": "2020-05-15", "date_to": "2020-05-14"}, "date_from", "invalid_date_range"),
        ({"sort": "sideways"}, "sort", "invalid_sort"),
        ({"symbols": ",".join(f"S{i}" for i in range(101))}, "symbols", "too_many_symbols"),
        ({"symbols": " , "}, "symbols", "missing_symbols"),
    ],
)
def test_each_bad_parameter_gets_a_422_validation_error_naming_it(params, name, key):
    error = refused(**{"symbols": "FB", **params})
    assert (error.status, error.code) == (422, "validation_error")
    assert [entry["key"] for entry in error.context[name]] == [key]
    assert error.body()["error"]["message"] == marketstack.VALIDATION_MESSAGE


def test_every_parameter_at_fault_is_named_at_once():
    error = refused(interval="2min", limit="0", offset="-1")
    assert set(error.context) == {"symbols", "interval", "limit", "offset"}


def test_missing_symbols_is_marketstacks_own_key():
    assert refused().context["symbols"][0]["key"] == "missing_symbols"


def test_no_known_symbol_is_marketstacks_no_valid_symbols_provided():
    error = refused(symbols="NOPE,ALSO_NOT")
    assert (error.status, error.code, error.context) == (422, "no_valid_symbols_provided", None)
    assert "context" not in error.body()["error"]


def test_the_interval_is_not_a_parameter_of_eod():
    assert q(EOD, symbols="FB", interval="bogus").interval == 1440


@given(
    st.dictionaries(
        st.sampled_from([*msquery.PARAMETERS, "access_key", "x"]),
        st.lists(st.text(max_size=30), max_size=3),
    ),
    st.sampled_from([INTRADAY, EOD]),
)
@settings(max_examples=300, deadline=None)
def test_any_parameters_give_a_query_or_a_marketstack_error_and_nothing_else(params, endpoint):
    try:
        query = parse(params, endpoint, KNOWN, NEWEST)
    except MarketstackError as error:
        assert error.status in (401, 404, 422) and error.body()["error"]["code"] == error.code
    else:
        assert 1 <= query.limit <= msquery.MAX_LIMIT and query.first <= query.last


# --- envelope, order and records -------------------------------------------------------------


@given(st.integers(0, 250), st.integers(1, 1000))
def test_pages_at_offsets_0_limit_2limit_cover_every_record_once(total, limit):
    records = list(range(total))
    pages = [envelope(records, limit, offset) for offset in range(0, max(total, 1), limit)]
    assert [r for p in pages for r in p["data"]] == records
    assert all(p["pagination"]["total"] == total for p in pages)
    assert all(p["pagination"]["count"] == len(p["data"]) <= limit for p in pages)


@given(st.sets(st.tuples(st.sampled_from(["FB", "SNAP", "Index_1"]), st.integers(0, 50))))
def test_order_is_total_newest_first_by_default(keys):
    made = [Bar(s, m, 1.0, 1.0, 1.0, 1.0, None) for s, m in keys]
    desc, asc = ordered(made, True), ordered(made, False)
    assert [b.start for b in desc] == sorted((b.start for b in made), reverse=True)
    assert [b.start for b in asc] == sorted(b.start for b in made)
    assert ordered(list(reversed(made)), True) == desc  # no ties left to input order


def test_records_carry_marketstacks_fields_and_parse_with_pandas():
    bar = Bar("FB", MAY_14 + 810, 1.5, 2.0, 1.0, 1.75, 1200)
    intraday = marketstack.intraday_record(bar, "XNYS")
    assert set(intraday) == {
        "open",
        "high",
        "low",
        "close",
        "last",
        "volume",
        "date",
        "symbol",
        "exchange",
    }
    assert intraday["last"] == intraday["close"] == 1.75 and intraday["volume"] == 1200.0
    assert pd.to_datetime(intraday["date"]) == pd.Timestamp("2020-05-14T13:30:00Z")
    eod = marketstack.eod_record(Bar("FB", MAY_14, 1.5, 2.0, 1.0, 1.75, None), "XNYS")
    assert eod["date"] == "2020-05-14T00:00:00+0000" and eod["volume"] is None
    assert (eod["adj_close"], eod["split_factor"], eod["dividend"]) == (1.75, 1.0, 0.0)


def test_every_ticker_is_listed_on_an_exchange_the_exchanges_list_has():
    for kind in ("index", "stock", "fx", "crypto"):
        for calendar in ("24x7", "24x5", "XNYS"):
            listed = marketstack.mic(kind, calendar)
            record = marketstack.ticker_record("X", listed)
            assert record["stock_exchange"]["mic"] == listed in marketstack.EXCHANGES


# --- access key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, code",
    [
        (None, "missing_access_key"),
        ("", "missing_access_key"),
        ("  ", "missing_access_key"),
        ("wrong", "invalid_access_key"),
        ("s3cret-", "invalid_access_key"),
        ("s3crét", "invalid_access_key"),
    ],
)
def test_a_missing_or_wrong_key_is_marketstacks_401(given, code):
    with pytest.raises(MarketstackError) as caught:
        marketstack.check_access_key(given, "s3cret")
    assert (caught.value.status, caught.value.code) == (401, code)
    assert "s3cret" not in caught.value.message  # the answer never shows the key


def test_the_right_key_passes():
    assert marketstack.check_access_key("s3cret", "s3cret") is None
