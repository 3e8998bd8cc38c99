"""`tickersim tail` on moto: ticks per ticker as they arrive, filters, raw lines, and the
bad inputs that must stop it with one line and exit 2."""
import argparse
import io
import json

import boto3
import pytest

from tickersim.base import stage as stages
from tickersim.base.naming import names_for
from tickersim.data import tail


def args(**given):
    base = {"stage": "dev", "region": "eu-west-1", "endpoint": None, "tickers": None,
            "from_start": True, "json": False}
    return argparse.Namespace(**{**base, **given})


@pytest.fixture
def stream(aws):
    owner = stages.environment("dev", stages.NOTIFICATION)["OWNER_NAME"]
    name = names_for(owner, "dev").data_stream
    kinesis = boto3.client("kinesis", region_name="eu-west-1")
    kinesis.create_stream(StreamName=name, ShardCount=2)

    def put(*ticks):
        kinesis.put_records(StreamName=name, Records=[
            {"PartitionKey": t, "Data": (json.dumps(
                {"ticker": t, "timestamp": f"2026-12-04T10:00:{s:02d}Z", "price": p, "seq": s})
                + "\n").encode()} for t, s, p in ticks])
    return put


def follow(polls, **given):
    """Run tail for `polls` rounds of reading; returns (exit code, printed lines)."""
    out, left = io.StringIO(), [polls]

    def stop():
        left[0] -= 1
        return left[0] < 0
    code = tail.main(args(**given), out=out, stop=stop, sleep=lambda s: None)
    return code, out.getvalue().splitlines()


def test_prints_every_tick_in_seq_order_per_ticker(stream):
    stream(("Index_1", 1, 100.0), ("Index_2", 1, 90.0), ("Index_1", 2, 100.5))
    code, lines = follow(2)
    assert code == 0 and len(lines) == 3
    index_1 = [line for line in lines if "Index_1" in line]
    assert [line.split()[-1] for line in index_1] == ["1", "2"]
    assert "100.50" in index_1[1]


def test_tickers_filter_and_json_prints_the_raw_lines(stream):
    stream(("Index_1", 1, 100.0), ("Index_2", 1, 90.0))
    code, lines = follow(2, tickers="Index_2", json=True)
    assert code == 0 and [json.loads(line)["ticker"] for line in lines] == ["Index_2"]


def test_without_from_start_only_new_records_show(stream):
    stream(("Index_1", 1, 100.0))
    code, lines = follow(2, from_start=False)
    assert code == 0 and lines == []


@pytest.mark.parametrize("given, words", [
    ({"tickers": " , "}, "--tickers"),
    ({"stage": "nosuch"}, "nosuch"),
    ({"region": "mars"}, "--region"),
    ({"endpoint": "127.0.0.1:1"}, "--endpoint"),
    ({"stage": "local"}, "running `tickersim demo`"),
])
def test_bad_input_is_one_line_and_exit_2(stream, capsys, given, words):
    code, lines = follow(1, **given)
    err = capsys.readouterr().err.strip()
    assert code == 2 and lines == [] and "\n" not in err and words in err


def test_a_stage_without_a_stream_says_how_to_make_one(aws, capsys):
    code, _ = follow(1)
    err = capsys.readouterr().err.strip()
    assert code == 2 and "no Kinesis data stream" in err and "--sink kinesis" in err
