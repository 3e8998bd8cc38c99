"""The Kinesis sink (`--sink kinesis|both`) beside Firehose: AWS calls per run (against the
issue's goal of 4 + ceil(N/25) + ceil(ticks/500)), next to a naive producer that calls
PutRecord once per tick; and what a month costs at 5 and 1,000 tickers. Counts are measured
(the real walk on moto, in process); prices are tickersim/base/prices.py's.
"""
import math
import statistics

import boto3
from moto import mock_aws

from bench import watching
from chalicelib.core import clients
from chalicelib.core.settings import stream_settings
from chalicelib.walk import pipeline, sink
from tests.support import LambdaContext, scheduled
from tickersim.aws import bill
from tickersim.base.seeds import create_table

SIZES = (5, 100, 1000)
RUNS = 1                      # steady runs measured per size, after the first (moto is slow at 1,000)
FIRST_MINUTE = "2026-12-02T15:00:00Z"


def _minute(n):
    return FIRST_MINUTE[:14] + f"{n:02d}:00Z"


def measure_calls(n, kind):
    """Calls of the last of RUNS steady runs over n tickers, by operation, and its report."""
    with mock_aws():
        clients.reset()
        session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="testing",
                                        aws_secret_access_key="testing")
        ddb = session.client("dynamodb")
        create_table(ddb, "bench")
        for i in range(0, n, 25):
            ddb.batch_write_item(RequestItems={"bench": [
                {"PutRequest": {"Item": {"TickerName": {"S": f"T{k:05d}"},
                                         "Price": {"N": "100"}}}}
                for k in range(i, min(n, i + 25))]})
        env = {"TABLE_NAME": "bench", "DELIVERY_STREAM_NAME": "bench", "MARKET_SEED": "7"}
        if kind == sink.KINESIS:
            kinesis = session.client("kinesis")
            kinesis.create_stream(StreamName="bench", ShardCount=2)
            env["DATA_STREAM_NAME"] = "bench"
            chosen = sink.KinesisSink(kinesis, "bench")
        else:
            firehose = session.client("firehose")
            s3 = session.client("s3")
            s3.create_bucket(Bucket="bench-streams",
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            firehose.create_delivery_stream(
                DeliveryStreamName="bench", ExtendedS3DestinationConfiguration={
                    "RoleARN": "arn:aws:iam::123456789012:role/f",
                    "BucketARN": "arn:aws:s3:::bench-streams"})
            chosen = sink.FirehoseSink(firehose, "bench")
        settings = stream_settings(env)
        report = None
        for minute in range(RUNS + 1):
            report = pipeline.run(scheduled(_minute(minute)), LambdaContext(), settings, ddb,
                                  None, sink=chosen)
        clients.reset()
    return report


def goal(n, ticks):
    return 4 + math.ceil(n / 25) + math.ceil(ticks / 500)


def measure(log):
    rows = []
    for n in SIZES:
        log(f"streams: calls per run at N={n}, Kinesis and Firehose, on moto")
        stream, hose = measure_calls(n, sink.KINESIS), measure_calls(n, sink.FIREHOSE)
        puts = stream["calls"].get("Kinesis.PutRecords", 0)
        others = stream["calls_total"] - puts
        rows.append({"n": n, "ticks": stream["ticks"], "kinesis": stream["calls_total"],
                     "puts": puts, "firehose": hose["calls_total"],
                     "naive": others + stream["ticks"] + stream["news"],
                     "goal": goal(n, stream["ticks"]), "records": stream["records"],
                     "put_units": stream["billed_units"], "bytes": stream["bytes"],
                     "firehose_units": hose["billed_units"]})
    return rows


def render(rows):
    lines = ["", "## Kinesis sink: calls per run", "",
             "One steady run (4 ticks per ticker), the walk on moto. A call carries at most one "
             "record per ticker, so each ticker's ticks keep their order in its shard under "
             "partial failures: PutRecords calls = max(ticks per ticker, records / 500).", "",
             "| tickers | ticks | calls, kinesis (PutRecords) | goal 4 + N/25 + ticks/500 | "
             "calls, firehose | naive PutRecord per tick | naive / kinesis |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['ticks']:,} | {r['kinesis']} ({r['puts']}) | "
                     f"{r['goal']} | {r['firehose']} | {r['naive']:,} | "
                     f"{r['naive'] / r['kinesis']:.0f}x |")
    return "\n".join(lines) + "\n"


def latency(log):
    """Move alert latency in the local demo with the stream (the watcher fed by the
    emulated event source mapping), as bench/watching.py measures it through S3."""
    latencies, run_s = watching.demo_latency(log, sink=sink.KINESIS)
    if not latencies:
        return "\nThe stream's latency demo raised no move alert this time.\n"
    return (f"\nMove alert latency in the local demo with `--sink kinesis` (start of the run "
            f"that made the ticks to the .eml on disk, {len(latencies)} alerts): median "
            f"{statistics.median(latencies):.1f} s, max {max(latencies):.1f} s (goal: 5 s); the "
            f"streaming run alone takes {run_s:.1f} s here. Each batch goes to the watcher as "
            "a fresh process (one per shard with records), as a cold Lambda would start. On "
            "AWS the mapping's batching window (2 s) replaces Firehose's 60 s buffer.\n")


def costs_table():
    """USD a month by sink at 5 and 1,000 tickers (4 ticks a minute), as `deploy --check`
    prices them (tickersim/aws/bill.py)."""
    options = [("firehose", "1"), ("kinesis", "1"), ("kinesis", "on-demand"), ("both", "1")]
    lines = ["", "## Kinesis sink: USD a month", "",
             "List prices (the stream's are recalled, not re-checked: see the prices module), "
             "one run a minute, 4 ticks per ticker, no free tier.", "",
             "| tickers | " + " | ".join(f"{s} ({sh})" for s, sh in options) + " |",
             "|---:|" + "---:|" * len(options)]
    for n in (5, 1000):
        items = [{"TickerName": {"S": f"Index_{i}"}, "Price": {"N": "100"}}
                 for i in range(1, n + 1)]
        totals = [sum(bill.monthly_cost(items, 4, s, sh).values()) for s, sh in options]
        lines.append(f"| {n:,} | " + " | ".join(f"${t:,.2f}" for t in totals) + " |")
    lines += ["", "A shard costs about $12 a month whether it carries 5 tickers or 1,000; with "
              "`both`, Firehose bills each one-tick record as 5 KB, where Direct PUT packs "
              "hundreds of ticks into one."]
    return "\n".join(lines) + "\n"


def section(log):
    return render(measure(log)) + costs_table() + latency(log)
