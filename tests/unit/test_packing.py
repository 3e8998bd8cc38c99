"""Packing ticks into Firehose records and batches: limits, order, nothing lost."""
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.walk.chunking import chunks
from chalicelib.walk.delivery import (
    BILLING_UNIT_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_RECORDS,
    MAX_RECORD_BYTES,
    MAX_RECORD_LINES,
    batches,
    billed_units,
    pack,
)
from chalicelib.walk.ticks import Ticker, encode, line_bytes

lines = st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126),
                         max_size=300).map(lambda s: s + "\n"), max_size=400)


@given(lines, st.integers(min_value=301, max_value=5000), st.integers(min_value=1, max_value=60))
@settings(max_examples=200)
def test_packing_keeps_every_line_whole_in_order_and_within_both_record_limits(
        ls, limit, max_lines):
    records = pack(ls, limit=limit, max_lines=max_lines)
    assert b"".join(records) == "".join(ls).encode()
    assert all(0 < len(r) <= limit and r.endswith(b"\n") for r in records)
    assert all(r.count(b"\n") <= max_lines for r in records)
    # Greedy packing: no record could have taken the next record's first line.
    for record, following in zip(records, records[1:]):
        first_line = following.split(b"\n", 1)[0] + b"\n"
        assert len(record) + len(first_line) > limit or record.count(b"\n") == max_lines


def test_records_hold_at_most_the_500_lines_that_firehose_deaggregation_splits():
    tick = '{"ticker":"Index_1","timestamp":"2026-11-26T09:00:15Z","price":100.4217,"seq":2}\n'
    records = pack([tick] * 1_201)
    assert MAX_RECORD_LINES == 500
    assert [r.count(b"\n") for r in records] == [500, 500, 201]


def test_packing_fills_records_up_to_firehose_limit():
    line = "x" * 99 + "\n"
    records = pack([line] * 25_000, max_lines=25_000)          # 2.5 MB of ticks
    assert [len(r) for r in records] == [1_024_000, 1_024_000, 452_000]
    assert all(len(r) <= MAX_RECORD_BYTES for r in records)


def test_a_line_longer_than_a_record_is_refused_not_split():
    with pytest.raises(ValueError, match="exceeds a Firehose record"):
        pack(["y" * 50 + "\n"], limit=10)


record_sizes = st.lists(st.integers(min_value=1, max_value=MAX_RECORD_BYTES), max_size=1200)


@given(record_sizes)
@settings(max_examples=100)
def test_batches_respect_500_records_and_4_mib_and_keep_order(sizes):
    records = [bytes(n) for n in sizes]
    out = batches(records)
    assert [r for batch in out for r in batch] == records
    for batch in out:
        assert 1 <= len(batch) <= MAX_BATCH_RECORDS
        assert sum(map(len, batch)) <= MAX_BATCH_BYTES
    # Greedy: the next batch's first record would have broken a limit of this one.
    for batch, following in zip(out, out[1:]):
        assert len(batch) == MAX_BATCH_RECORDS or \
            sum(map(len, batch)) + len(following[0]) > MAX_BATCH_BYTES


@given(st.lists(st.integers(min_value=1, max_value=MAX_RECORD_BYTES), max_size=50))
def test_billed_units_round_each_record_up_to_5_kb(sizes):
    expected = sum(math.ceil(n / BILLING_UNIT_BYTES) for n in sizes)
    assert billed_units([bytes(n) for n in sizes]) == expected


def test_twenty_small_ticks_bill_one_unit_packed_but_twenty_sent_alone():
    tick = '{"ticker":"Index_1","timestamp":"2026-11-26T09:00:15Z","price":100.4217,"seq":2}\n'
    assert billed_units(pack([tick] * 20)) == 1
    assert billed_units([tick.encode()] * 20) == 20


due_lists = st.lists(st.tuples(st.text(min_size=1, max_size=30),
                               st.integers(min_value=1, max_value=400)), max_size=300)


# No deadline: a loaded machine makes an example's time say nothing about the code.
@given(due_lists, st.sampled_from([1, 4, 60]), st.integers(min_value=1_000, max_value=10**7))
@settings(max_examples=150, deadline=None)
def test_run_chunks_walk_every_due_minute_once_in_order_within_one_put_record_batch(
        plan, per_minute, limit):
    due = [({}, Ticker(name, 1.0, 0, None, 0.0, 0.2), range(minutes)) for name, minutes in plan]
    out = list(chunks(due, per_minute, limit=limit))
    walked = {}
    for chunk in out:
        assert chunk
        for position, minutes in chunk:
            walked.setdefault(position, []).extend(minutes)
    assert walked == {p: list(m) for p, (_, _, m) in enumerate(due)}
    biggest = max((per_minute * line_bytes(t.name) for _, t, _ in due), default=0)
    for chunk in out:
        size = sum(len(m) * per_minute * line_bytes(due[p][1].name) for p, m in chunk)
        # Slices split each ticker's minutes evenly: rounding adds at most a minute each.
        assert size <= limit or size <= limit + 25 * biggest and len(chunk) <= 25
    sizes = [sum(len(m) for _, _, m in due[i:i + 25]) * per_minute
             * max(line_bytes(t.name) for _, t, _ in due[i:i + 25])
             for i in range(0, len(due), 25)]
    if all(s <= limit for s in sizes):
        # No group was sliced: whole groups only, so BatchExecuteStatement calls stay ceil(N/25).
        assert all(len(chunk) % 25 == 0 for chunk in out[:-1])
        assert sum(len(chunk) for chunk in out) == len(due)


@given(st.text(min_size=1, max_size=100), st.floats(min_value=0.0001, max_value=999999.9999),
       st.integers(min_value=1, max_value=9_999_999))
def test_line_bytes_covers_every_line_of_a_usual_price_and_seq(name, price, seq):
    line = encode(json.dumps(name), "2026-11-26T09:00:15Z", round(price, 4), seq)
    assert len(line) <= line_bytes(name) <= len(line) + 18
