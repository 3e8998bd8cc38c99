"""What watching costs a month (watch_moves, the dead-man alarm, the dashboard, the run's
EMF metrics) at 5 and 1,000 tickers, and how long a move takes from tick to .eml in the
local demo. Counts are measured (watch_moves on moto, in process); prices are prices.py's.
"""
import contextlib
import io
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto import mock_aws

from chalicelib.core import clients
from chalicelib.core.settings import WatchSettings
from chalicelib.walk.pipeline import RUN_METRICS
from chalicelib.walk.ticks import iso
from chalicelib.watch import moves, watch
from tickersim.base import prices

SIZES = (5, 1000)
MINUTES = 10                       # steady-state minutes measured per size
TICKS_PER_MINUTE = 4
ANNUAL_VOLATILITY = 0.20           # the seed data's
START = 1_764_600_000 // 300 * 300
DEMO_RUNS = 8
WINDOW_MINUTES = 5                 # MOVE_ALERT_WINDOW_MINUTES' default
BUCKET = "bench-watch-ticks"


def _minutes(n, rng):
    """MINUTES objects of ticks for n tickers: a 20 % a year random walk, 15 s apart."""
    walked = {f"T{i:04d}": 100.0 for i in range(n)}
    step = ANNUAL_VOLATILITY * math.sqrt(60 / TICKS_PER_MINUTE / (365 * 24 * 3600))
    for minute in range(MINUTES):
        lines = []
        for k in range(TICKS_PER_MINUTE):
            seq = minute * TICKS_PER_MINUTE + k + 1
            for name in walked:
                walked[name] *= math.exp(rng.gauss(0, step))
                lines.append(json.dumps({"ticker": name, "timestamp": iso(
                    START + (seq - 1) * 60 // TICKS_PER_MINUTE), "price": round(walked[name], 4),
                    "seq": seq}))
        yield minute, ("\n".join(lines) + "\n").encode()


def steady_state(n):
    """Per object (one a minute: Firehose's 60 s buffer holds a minute's ticks): calls,
    units, CPU, alerts."""
    with mock_aws():
        clients.reset()
        session = boto3.session.Session(region_name="eu-west-1", aws_access_key_id="testing",
                                        aws_secret_access_key="testing")
        ddb, s3, sns = (session.client(s) for s in ("dynamodb", "s3", "sns"))
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "TickerName",
                                                "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "TickerName", "KeyType": "HASH"}])
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        topic = sns.create_topic(Name="m")["TopicArn"]
        settings = WatchSettings(table_name="t", topic_arn=topic)
        reports, cpu, sizes = [], [], []
        for minute, data in _minutes(n, random.Random(n)):
            key = f"ticks/{minute:02d}"
            s3.put_object(Bucket=BUCKET, Key=key, Body=data)
            event = {"Records": [{"eventName": "ObjectCreated:Put",
                                  "s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]}
            before = time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):     # its JSON log line
                reports.append(watch.run(event, settings, s3, ddb, sns, "eu-west-1"))
            cpu.append(time.process_time() - before)
            window = moves.window_of(START + minute * 60, settings.window_minutes)
            item = ddb.get_item(TableName="t", Key={"TickerName": {
                "S": moves.state_key(window, settings.window_minutes)}})["Item"]
            sizes.append(prices.item_bytes(item))
        clients.reset()
    item_bytes = statistics.median(sizes)
    return {"tickers": n, "calls": statistics.median(r["calls_total"] for r in reports),
            "writes": statistics.mean(r["state_writes"] for r in reports),
            "alerts": sum(r["alerts"] for r in reports) / MINUTES,
            "item_bytes": item_bytes, "write_units": math.ceil(item_bytes / 1024),
            "read_units": math.ceil(item_bytes / 4096), "cpu_s": statistics.median(cpu),
            "object_bytes": len(data)}


def monthly(m):
    """USD a month by line for one object a minute."""
    runs = prices.RUNS_PER_MONTH
    lambda_s = prices.lambda_seconds(m["cpu_s"], m["calls"])
    return {
        "Lambda requests": runs / 1e6 * prices.LAMBDA_PER_MILLION_REQUESTS,
        "Lambda GB-seconds": math.ceil(lambda_s * 1000) / 1000 * prices.LAMBDA_MEMORY_GB
        * runs * prices.LAMBDA_PER_GB_SECOND,
        "S3 GETs": runs / 1000 * prices.S3_PER_THOUSAND_GETS,
        "DynamoDB writes": m["writes"] * m["write_units"] * runs / 1e6
        * prices.DDB_PER_MILLION_WRITES,
        # A delete costs the deleted item's size in write units: one window every W minutes.
        "DynamoDB deletes of old windows": m["write_units"] / WINDOW_MINUTES * runs / 1e6
        * prices.DDB_PER_MILLION_WRITES,
        "DynamoDB reads": m["read_units"] * runs / 1e6 * prices.DDB_PER_MILLION_READS,
        # The streaming run's consistent Scan reads every item, the kept windows too.
        "streaming Scan of the kept windows": math.ceil(
            moves.windows_kept(60, WINDOW_MINUTES) * m["item_bytes"] / 4096) * runs / 1e6
        * prices.DDB_PER_MILLION_READS,
        "SNS (publishes, 1 e-mail each)": m["alerts"] * runs * (
            prices.SNS_PER_MILLION_PUBLISHES / 1e6 + prices.SNS_PER_100K_EMAILS / 1e5),
        "dead-man alarm": prices.ALARM_PER_MONTH,
        "dashboard": prices.DASHBOARD_PER_MONTH,
        f"run metrics ({len(RUN_METRICS)} EMF metrics)": len(RUN_METRICS)
        * prices.CUSTOM_METRIC_PER_MONTH,
    }


def demo_latency(log, sink="firehose"):
    """Seconds from the start of the run whose ticks moved to the move alert's .eml, in the
    local demo at --interval 0 (with `sink`), and the streaming run's own duration."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        log(f"local demo: {DEMO_RUNS} runs at --volatility 10, --sink {sink}, for the alert "
            "latency")
        subprocess.run([sys.executable, "-m", "tickersim", "demo", "--no-live", "--runs",
                        str(DEMO_RUNS), "--interval", "0", "--seed", "5", "--volatility", "10",
                        "--sink", sink, "--no-web", "--out", str(out)], capture_output=True, text=True, timeout=900,
                       cwd=Path(__file__).resolve().parents[1])
        summary = json.loads((out / "summary.json").read_text())
        durations = [float(line.split("Duration: ")[1].split(" ms")[0]) / 1000 for line in
                     (out / "logs" / "tickersim-local-streaming-lambda.log").read_text()
                     .splitlines() if line.startswith("REPORT")]
    return summary["move_alert_latency_s"], statistics.median(durations)


def section(log):
    """The markdown section `make bench` appends to docs/benchmarks.md."""
    rows, totals = [], {}
    for n in SIZES:
        log(f"watch_moves: {MINUTES} minutes of ticks at {n} tickers on moto")
        m = steady_state(n)
        lines = monthly(m)
        totals[n] = lines
        rows.append(f"| {n:,} | {m['object_bytes'] / 1024:,.0f} KB | {m['calls']:.0f} | "
                    f"{m['item_bytes'] / 1024:.1f} KB | {m['write_units']} | "
                    f"{m['cpu_s'] * 1000:.0f} ms | {m['alerts']:.2f} | "
                    f"${sum(lines.values()):.2f} |")
    latencies, run_s = demo_latency(log)
    out = ["", "## Watching: move alerts, dead-man alarm, dashboard, metrics", "",
           f"watch_moves handles one object a minute (Firehose's 60 s buffer holds a minute's "
           f"ticks); measured over {MINUTES} minutes of a {ANNUAL_VOLATILITY:.0%}-a-year walk "
           "on moto, in process. Per object:", "",
           "| tickers | object | AWS calls | window item | write units | CPU here | "
           "alerts | USD a month |", "|---|---|---|---|---|---|---|---|", *rows, "",
           "USD a month by line:", "", "| line | " + " | ".join(f"{n:,} tickers" for n in SIZES)
           + " |", "|---|" + "---|" * len(SIZES)]
    for line in totals[SIZES[0]]:
        out.append(f"| {line} | " + " | ".join(f"${totals[n][line]:.4f}" for n in SIZES) + " |")
    big = SIZES[-1]
    naive = big * prices.RUNS_PER_MONTH / 1e6 * prices.DDB_PER_MILLION_WRITES
    out += ["", f"A naive watcher keeping one state item per ticker would make 2 x N + 1 calls "
            f"and N write units per object: at {big:,} tickers {2 * big + 1:,} calls and "
            f"${naive:.2f} a month of DynamoDB writes, against "
            f"${totals[big]['DynamoDB writes']:.2f} here. The dashboard is free for an "
            "account's first three.", ""]
    if latencies:
        out.append(f"Move alert latency in the local demo (start of the run that made the "
                   f"ticks to the .eml on disk, {len(latencies)} alerts): median "
                   f"{statistics.median(latencies):.1f} s, max {max(latencies):.1f} s; the "
                   f"streaming run alone takes {run_s:.1f} s here (ratio "
                   f"{statistics.median(latencies) / run_s:.1f}x: the watcher is a second "
                   "fresh process). On AWS add Firehose's buffer (up to 60 s) and e-mail "
                   "delivery.")
    else:
        out.append("The latency demo raised no move alert this time.")
    return "\n".join(out) + "\n"
