"""Sending lines to a Kinesis stream: per-ticker order in every shard under any pattern of
refusals, call limits, the fewest calls, nothing lost, the same bytes on every re-send."""
import hashlib
import json
import math

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import DataStreamMissing, DeliveryFailed
from chalicelib.walk import kinesis_sink
from chalicelib.walk.kinesis_sink import (
    MAX_CALL_BYTES,
    MAX_CALL_RECORDS,
    entries,
    next_call,
    partition_key,
    put_units,
    queue,
)
from chalicelib.walk.ticks import encode
from tests.unit.test_retry import FakeTime


class FlakyStream:
    """A stream of `shards` shards that refuses what `script` says, call by call.

    Each call draws one of: all accepted; some records refused (per record); the whole call
    fails before landing; the whole call lands but its answer is lost (the sender sees an
    error, so it re-sends what is already in the shard)."""

    def __init__(self, shards, script):
        self.shards = [[] for _ in range(shards)]
        self.script, self.calls = script, []

    def shard_of(self, key):
        return int(hashlib.md5(key.encode()).hexdigest(), 16) % len(self.shards)

    def put_records(self, StreamName, Records):
        self.calls.append(Records)
        outcome, refusals = self.script(len(Records))
        if outcome == "lost before":
            raise _error("ProvisionedThroughputExceededException")
        answers = []
        for record, refused in zip(Records, refusals):
            if refused and outcome == "partial":
                answers.append({"ErrorCode": "ProvisionedThroughputExceededException",
                                "ErrorMessage": "Rate exceeded for shard"})
                continue
            self.shards[self.shard_of(record["PartitionKey"])].append(
                (record["PartitionKey"], record["Data"]))
            answers.append({"SequenceNumber": str(len(self.calls)), "ShardId": "shardId-0"})
        if outcome == "lost after":
            raise _error("InternalFailure")
        return {"FailedRecordCount": sum(1 for a in answers if "ErrorCode" in a),
                "Records": answers}


def _error(code):
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutRecords")


names = st.lists(st.text(alphabet="ABCÉ_1ü", min_size=1, max_size=6), min_size=1,
                 max_size=12, unique=True)


@st.composite
def walks(draw):
    """Tick lines of several tickers, each ticker's in seq order, interleaved at random."""
    counts = {name: draw(st.integers(1, 9)) for name in draw(names)}
    cursors = {name: 0 for name in counts}
    order = draw(st.permutations([n for n, c in counts.items() for _ in range(c)]))
    lines = []
    for name in order:
        cursors[name] += 1
        lines.append(encode(json.dumps(name), "2026-12-04T10:00:00Z", 100.0 + cursors[name],
                            cursors[name]))
    return lines


@st.composite
def scripts(draw):
    """A failure script: mostly flaky calls for a while, then a stream that recovers."""
    flaky_calls = draw(st.integers(0, 30))
    data = draw(st.data())
    seen = [0]

    def script(n):
        seen[0] += 1
        if seen[0] > flaky_calls:
            return "ok", [False] * n
        outcome = data.draw(st.sampled_from(["ok", "partial", "lost before", "lost after"]))
        return outcome, data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return script


def _seqs_in_shards(stream):
    """Per shard, per ticker: the seq of each record, re-sends (byte-identical repeats of
    a record already in the shard) left out; and every record's bytes by (ticker, seq)."""
    per_key, by_seq = {}, {}
    for shard in stream.shards:
        seen = set()
        for key, data in shard:
            seq = json.loads(data)["seq"]
            assert by_seq.setdefault((key, seq), data) == data      # never forked
            if data not in seen:
                seen.add(data)
                per_key.setdefault(key, []).append(seq)
    return per_key


@given(walks(), st.integers(1, 4), scripts())
@settings(max_examples=300, deadline=None)
def test_every_ticker_lands_in_seq_order_once_in_its_shard_under_any_refusals(
        lines, shards, script):
    stream, t = FlakyStream(shards, script), FakeTime()
    kinesis_sink.send(stream, "s", lines, deadline=1e9, clock=t.clock, sleep=t.sleep)
    expected = {}
    for line in lines:
        record = json.loads(line)
        expected.setdefault(record["ticker"], []).append(record["seq"])
    assert _seqs_in_shards(stream) == expected       # all of them, strictly in seq order
    for call in stream.calls:
        keys = [r["PartitionKey"] for r in call]
        assert len(keys) == len(set(keys)) and 0 < len(call) <= MAX_CALL_RECORDS


@given(walks(), scripts(), st.floats(0.01, 3.0))
@settings(max_examples=200, deadline=None)
def test_out_of_time_what_landed_is_each_tickers_first_ticks_and_the_error_counts_it(
        lines, script, deadline):
    stream, t = FlakyStream(2, script), FakeTime()
    try:
        kinesis_sink.send(stream, "s", lines, deadline=deadline, clock=t.clock, sleep=t.sleep)
        landed = len(lines)
    except DeliveryFailed as exc:
        landed = exc.landed
        assert "still refused" in str(exc) and "'s'" in str(exc)
    got = _seqs_in_shards(stream)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in got.values())
    # Lost answers can land more than the sender knows of, never less.
    assert sum(map(len, got.values())) >= landed


def _plan(keys_in_order, max_records, max_bytes=MAX_CALL_BYTES):
    queues = queue(list(enumerate((k, b"x") for k in keys_in_order)))
    calls = []
    while any(queues.values()):
        chosen = next_call(queues, max_records, max_bytes)
        calls.append(chosen)
        for key in chosen:
            queues[key].popleft()
    return calls


@given(st.lists(st.integers(0, 15), min_size=1, max_size=40), st.integers(1, 12))
@settings(max_examples=300)
def test_calls_are_the_fewest_possible_one_record_per_ticker_each(counts, max_records):
    keys = [f"T{i}" for i, n in enumerate(counts) for _ in range(n)]
    calls = _plan(keys, max_records)
    # A ticker's records need one call each, and a call holds at most max_records.
    assert len(calls) == max(max(counts), math.ceil(len(keys) / max_records))
    assert all(len(c) == len(set(c)) <= max_records for c in calls)


def test_a_call_stops_before_five_mib_partition_keys_included():
    big = ("K" * 10, b"x" * (1024 * 1024 - 10))              # exactly 1 MiB with its key
    queues = queue(list(enumerate([(f"K{i:09d}", big[1]) for i in range(7)])))
    assert len(next_call(queues)) == 5
    assert MAX_CALL_BYTES == 5 * 1024 * 1024 and MAX_CALL_RECORDS == 500


def test_a_thousand_tickers_four_ticks_each_take_eight_calls():
    lines = [encode(json.dumps(f"T{i}"), "2026-12-04T10:00:00Z", 1.5, s)
             for i in range(1000) for s in range(1, 5)]
    stream = FlakyStream(2, lambda n: ("ok", [False] * n))
    sent, resends = kinesis_sink.send(stream, "s", lines, deadline=1e9)
    assert len(stream.calls) == 8 and resends == 0 and len(sent) == 4000


@pytest.mark.parametrize("line, key", [
    ('{"ticker":"Index_1","timestamp":"t","price":1.0,"seq":1}\n', "Index_1"),
    ('{"type":"news","ticker":"Zoë \\"Q\\"","timestamp":"t","headline":"h"}\n', 'Zoë "Q"'),
])
def test_the_partition_key_is_the_lines_ticker(line, key):
    assert partition_key(line) == key


@pytest.mark.parametrize("line, problem", [
    ('{"price":1.0}\n', "without a ticker"),
    ('{"ticker":""}\n', "cannot be a partition key"),
    ('{"ticker":"' + "x" * 257 + '"}\n', "cannot be a partition key"),
    ('{"ticker":"' + "x" * 10 + '","pad":"' + "y" * (1024 * 1024) + '"}\n', "exceeds a Kinesis"),
])
def test_lines_that_cannot_be_records_are_refused_before_any_call(line, problem):
    with pytest.raises(ValueError, match=problem):
        entries([line])


def test_put_units_are_25_kb_per_record_rounded_up():
    assert put_units([("a", b"x" * 10), ("b", b"y" * (25 * 1024)), ("c", b"z" * 25 * 1024)]) \
        == 1 + 2 + 2


def test_a_missing_stream_is_named_and_other_errors_are_not_retried():
    class Gone:
        def put_records(self, **_):
            raise _error("ResourceNotFoundException")

    class Denied:
        calls = 0

        def put_records(self, **_):
            self.calls += 1
            raise _error("KMSAccessDeniedException")

    line = encode('"A"', "2026-12-04T10:00:00Z", 1.0, 1)
    with pytest.raises(DataStreamMissing, match="'ticks-s'.*--sink kinesis"):
        kinesis_sink.send(Gone(), "ticks-s", [line], deadline=1e9)
    denied = Denied()
    with pytest.raises(ClientError):
        kinesis_sink.send(denied, "s", [line], deadline=1e9)
    assert denied.calls == 1
