"""`tickersim demo --sink kinesis|both`: the function writes the local stream, the view and the
watcher read it, `both` still fills the bucket, the dump holds every record per shard in order,
and bad --sink/--shards stop the demo before anything starts."""
import json

import pytest

from tests.e2e.conftest import summary_of, ticks_in


def dumped(out):
    """{shard file: [record, ...]} of DIR/kinesis/<stream>/shard-*.jsonl."""
    (stream,) = (out / "kinesis").iterdir()
    return {p.name: [json.loads(line) for line in p.read_text().splitlines()]
            for p in sorted(stream.glob("shard-*.jsonl"))}


@pytest.mark.parametrize("sink", ["kinesis", "both"])
def test_the_stream_holds_every_tick_once_per_ticker_in_seq_order(start_demo, tmp_path, sink):
    out = tmp_path / "out"
    demo = start_demo("--runs", 2, "--interval", 0, "--sink", sink, "--shards", 2,
                      "--no-web", "--out", out)
    assert demo.finish() == 0, demo.text()
    summary = summary_of(out)
    assert summary["problems"] == [] and summary["ticks_delivered"] == 2 * 5 * 4
    shards = dumped(out)
    assert len(shards) == 2 and all(name.startswith("shard-") for name in shards)
    seqs = {}
    for records in shards.values():
        for record in records:
            tick = json.loads(record["data"])
            assert record["partition_key"] == tick["ticker"]
            assert int(record["sequence_number"]) > 0
            seqs.setdefault(tick["ticker"], []).append(tick["seq"])
    assert seqs and all(s == list(range(1, 9)) for s in seqs.values())
    # With both, Firehose reads the stream into the bucket; with kinesis nothing writes it.
    assert len(ticks_in(out)) == (40 if sink == "both" else 0)


@pytest.mark.parametrize("flags, words", [
    (["--sink", "kafka"], "--sink 'kafka' is not a sink"),
    (["--sink", "kinesis", "--shards", "0"], "at least 1 shard"),
    (["--sink", "kinesis", "--shards", "abc"], "not a number of shards"),
    (["--sink", "kinesis", "--shards", "501"], "default shard quota of 500"),
    (["--shards", "2"], "--sink firehose does not have"),
])
def test_bad_sink_or_shards_stop_the_demo_in_one_line(start_demo, tmp_path, flags, words):
    demo = start_demo("--runs", 1, "--no-web", "--out", tmp_path / "o", *flags)
    assert demo.finish() == 2
    errors = [line for line in demo.text().splitlines() if line.startswith("demo:")]
    assert len(errors) == 1 and words in errors[0]
    assert not (tmp_path / "o").exists()
