"""The /api/ticks query without I/O: parameters, partitions, folding and paging."""
import dataclasses
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.api import apiquery
from chalicelib.api.apiquery import (
    BadParameter,
    check_symbols,
    parse,
    partitions,
    read_lines,
    select,
)

KNOWN = {"Index_1", "Index_2", "Index_3"}
DAY = datetime(2026, 12, 1, tzinfo=UTC).timestamp()


def iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def q(latest=DAY + 7200, **params):
    query = parse({k: [v] for k, v in params.items()}, latest)
    check_symbols(query, KNOWN)
    return query


def line(ticker, seq, epoch, price=100.0):
    return json.dumps({"ticker": ticker, "timestamp": iso(epoch), "price": price, "seq": seq})


# --- parameters -----------------------------------------------------------------------------

def within(query, epoch):
    return query.start <= epoch < query.end


def test_defaults_are_the_hour_up_to_the_newest_tick_and_a_first_page_of_100():
    query = q()
    assert within(query, DAY + 7200) and not within(query, DAY + 7201)
    assert within(query, DAY + 3601) and not within(query, DAY + 3599)
    assert (query.limit, query.offset, query.symbols) == (100, 0, None)
    assert query.open_end and query.date_to == iso(DAY + 7200)


@pytest.mark.parametrize("params", [{"date_from": "2026-12-01", "date_to": "2026-12-01"},
                                    {"date_from": "2026-12-01"}])
def test_a_bare_date_is_the_whole_day_end_exclusive(params):
    query = q(latest=DAY + 5 * 86400, **params)
    assert within(query, DAY) and within(query, DAY + 86399)
    assert not within(query, DAY + 86400) and not within(query, DAY - 1)
    assert not query.open_end and query.date_to == "2026-12-01"


@given(st.integers(0, 40 * 86400), st.integers(0, 5 * 86400))
def test_walking_day_by_day_sees_each_instant_once(day_n, probe_s):
    probe = DAY + day_n + probe_s
    days = [datetime.fromtimestamp(DAY + day_n + n * 86400, UTC).strftime("%Y-%m-%d")
            for n in range(-1, 7)]
    hits = [d for d in days if within(q(latest=DAY + 99 * 86400, date_from=d), probe)]
    assert len(hits) == 1


def test_date_from_alone_of_today_answers_up_to_the_newest_tick():
    query = q(latest=DAY + 7200, date_from="2026-12-01")
    assert within(query, DAY + 7200) and not within(query, DAY + 7200.5)
    assert query.open_end and query.date_to == iso(DAY + 7200)


def test_a_window_past_the_newest_tick_ends_at_it_and_a_future_one_is_empty():
    today = q(latest=DAY + 7200, date_from="2026-12-01", date_to="2026-12-01")
    assert today.open_end and today.date_to == iso(DAY + 7200)
    assert within(today, DAY) and within(today, DAY + 7200) and not within(today, DAY + 7201)
    hour = q(latest=DAY + 7200, date_to="2026-12-01")            # the hour up to the newest
    assert within(hour, DAY + 3601) and within(hour, DAY + 7200)
    future = q(latest=DAY + 7200, date_from="2026-12-05")
    assert not future.open_end and future.date_to == "2026-12-05"
    assert within(future, DAY + 4 * 86400) and not within(future, DAY + 7200)


def test_date_from_a_time_answers_up_to_now_or_a_day_later():
    assert q(latest=DAY + 7200, date_from=iso(DAY + 60)).date_to == iso(DAY + 7200)
    far = q(latest=DAY + 9 * 86400, date_from=iso(DAY + 60))
    assert far.date_to == iso(DAY + 60 + 86400) and within(far, DAY + 60 + 86400)


@given(st.integers(0, 3 * 86400), st.sampled_from([{}, {"date_from": "2026-12-01"},
                                                   {"date_from": "2026-12-01T00:30:00Z"}]))
def test_the_echoed_date_to_pins_the_same_window(latest_s, params):
    """A later page sends back date_to; new ticks (a later `latest`) change nothing."""
    first = q(latest=DAY + 3600 + latest_s, **params)
    later = q(latest=DAY + 5 * 86400, date_to=first.date_to, **params)
    assert (later.start, later.end) == (first.start, first.end)


def test_times_with_offsets_are_read_as_utc():
    assert q(date_from="2026-12-01T01:00+01:00", date_to="2026-12-01T00:30:00Z").start == DAY


@pytest.mark.parametrize("params, name", [
    ({"symbols": "Index_9"}, "symbols"),                    # unknown symbol
    ({"symbols": "Index_1,Nope"}, "symbols"),
    ({"symbols": " , "}, "symbols"),
    ({"date_from": "yesterday"}, "date_from"),              # malformed date
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_to": "2026-12-01T25:00"}, "date_to"),
    ({"date_from": "1969-12-31T23:00:00Z"}, "date_from"),
    ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "date_from"),   # from after to
    ({"date_from": "2026-12-01", "date_to": "2026-12-03"}, "date_to"),     # more than a day
    ({"limit": "-1"}, "limit"),                              # negative limit
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),                            # huge limit
    ({"limit": "99999999999999999999"}, "limit"),
    ({"limit": "1e3"}, "limit"),
    ({"offset": "abc"}, "offset"),                           # non-numeric offset
    ({"offset": "-5"}, "offset"),
    ({"offset": "1.5"}, "offset"),
    ({"symbol": "Index_1"}, "symbol"),                       # a typo is not ignored
])
def test_bad_input_names_the_parameter(params, name):
    with pytest.raises(BadParameter) as caught:
        q(**params)
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ")


def test_a_repeated_parameter_is_refused_by_name():
    with pytest.raises(BadParameter, match="^limit: given 2 times"):
        parse({"limit": ["5", "6"]}, DAY)


@given(st.dictionaries(st.sampled_from(apiquery.PARAMETERS + ("x", "")),
                       st.text(max_size=30), max_size=5))
def test_any_input_is_a_query_or_a_bad_parameter_never_another_error(params):
    try:
        query = q(**params)
    except BadParameter as exc:
        assert exc.name in params
    else:
        assert 1 <= query.limit <= apiquery.MAX_LIMIT and query.start < query.end
        assert query.end - query.start <= apiquery.MAX_SPAN_S + 1


# --- partitions -----------------------------------------------------------------------------

def test_one_listing_per_day_starting_at_the_first_hour():
    found = partitions(DAY + 5 * 3600 + 10, DAY + 86400 + 2 * 3600)
    assert [(p.prefix, p.first_hour, p.last_hour, p.start_after) for p in found] == [
        ("ticks/dt=2026-12-01/", 5, 23, "ticks/dt=2026-12-01/hour=05"),
        ("ticks/dt=2026-12-02/", 0, 1, None)]     # the end is exclusive


@given(st.integers(0, 3 * 86400), st.integers(1, 86400), st.integers(0, 3 * 86400))
def test_partitions_hold_exactly_the_hours_of_the_range(start_s, span_s, probe_s):
    start, end, probe = DAY + start_s, DAY + start_s + span_s, DAY + probe_s
    moment = datetime.fromtimestamp(probe, UTC)
    key = f"ticks/dt={moment:%Y-%m-%d}/hour={moment:%H}/stream-1-obj"
    matching = [p for p in partitions(start, end) if key.startswith(p.prefix)]
    listed = [p for p in matching if p.first_hour <= p.hour(key) <= p.last_hour
              and (p.start_after is None or key > p.start_after)]
    hour_start = probe - probe % 3600
    assert bool(listed) == (hour_start < end and hour_start + 3600 > start)


# --- lines, folding, paging -----------------------------------------------------------------

def test_malformed_lines_are_counted_and_other_record_types_skipped():
    data = "\n".join([line("Index_1", 1, DAY), "not json", '{"ticker": "Index_1"}', "[1]",
                      json.dumps({"type": "news", "headline": "x"}),
                      line("Index_1", 2, DAY).replace("2026-12-01T00:00:00Z", "noon"),
                      json.dumps({"type": "tick", "ticker": "Index_2", "seq": 1,
                                  "price": 3, "timestamp": iso(DAY)}), ""]).encode()
    rows, malformed = read_lines(data)
    assert [(r.ticker, r.seq) for r in rows] == [("Index_1", 1), ("Index_2", 1)]
    assert malformed == 4


ticks = st.lists(st.tuples(st.sampled_from(sorted(KNOWN)), st.integers(1, 80)), max_size=120)


def rows_of(triples):
    """Rows as the bucket would hold them: the same (ticker, seq) re-sent keeps its time."""
    data = "\n".join(line(t, s, DAY + s * 80 + int(t[-1]) * 7) for t, s in triples)
    return read_lines(data.encode())[0]


@settings(max_examples=150)
@given(ticks, st.data())
def test_any_limit_offset_walk_returns_every_tick_once(triples, data):
    """Each page may ask for another limit; the next offset is where the last page ended."""
    rows = rows_of(triples)
    query = q(date_from=iso(DAY), date_to=iso(DAY + 7200))
    ordered = select(rows, query)
    seen, offset = [], 0
    while True:
        limit = data.draw(st.integers(1, 25), label="limit")
        body = apiquery.page(ordered, dataclasses.replace(query, limit=limit, offset=offset))
        assert body["pagination"] == {"limit": limit, "offset": offset,
                                      "count": len(body["data"]), "total": len(ordered),
                                      "date_to": iso(DAY + 7200)}
        assert len(body["data"]) <= limit
        if not body["data"]:
            break
        seen.extend((t["ticker"], t["seq"]) for t in body["data"])
        offset += len(body["data"])
    assert len(seen) == len(set(seen))
    assert set(seen) == {(r.ticker, r.seq) for r in rows}


@given(ticks, st.integers(1, 30))
def test_pages_are_newest_first_and_the_same_on_every_read(triples, limit):
    rows = rows_of(triples)
    query = q(date_from=iso(DAY), date_to=iso(DAY + 7200), limit=str(limit))
    ordered = select(rows, query)
    assert ordered == select(list(reversed(rows)), query)       # read order does not matter
    stamps = [r.epoch for r in ordered]
    assert stamps == sorted(stamps, reverse=True)


@given(ticks, st.sets(st.sampled_from(sorted(KNOWN)), min_size=1), st.integers(0, 7200),
       st.integers(0, 7200))
def test_selection_is_exactly_the_symbols_and_times_asked(triples, symbols, a, b):
    rows = rows_of(triples)
    start, end = DAY + min(a, b), DAY + max(a, b)
    query = q(symbols=",".join(sorted(symbols)), date_from=iso(start), date_to=iso(end))
    wanted = {(r.ticker, r.seq) for r in rows
              if r.ticker in symbols and start <= r.epoch <= end}
    assert {(r.ticker, r.seq) for r in select(rows, query)} == wanted


def test_two_lives_of_a_ticker_and_a_backfilled_session_are_all_kept():
    """Deleted and seeded again, a ticker's seq restarts: its new ticks are new times. A
    backfill of the same name is another table. Only a re-sent line (same time) folds."""
    first = read_lines("\n".join([line("Index_1", 1, DAY), line("Index_1", 1, DAY)]).encode())[0]
    second = read_lines(line("Index_1", 1, DAY + 600).encode())[0]
    backfilled = read_lines(line("Index_1", 1, DAY).encode(), source="history")[0]
    query = q(date_from=iso(DAY), date_to=iso(DAY + 7200))
    chosen = select(first + second + backfilled, query)
    assert [(r.source, r.epoch) for r in chosen] == [("ticks", DAY + 600), ("history", DAY),
                                                    ("ticks", DAY)]
    body = apiquery.page(chosen, query)
    assert [t["source"] for t in body["data"]] == ["ticks", "history", "ticks"]


def test_a_symbol_absent_from_the_table_is_known_by_its_ticks():
    query = parse({"symbols": ["FB"]}, DAY)
    with pytest.raises(BadParameter, match="^symbols: unknown ticker 'FB'"):
        check_symbols(query, KNOWN)
    check_symbols(query, KNOWN | {"FB"})
