"""Runs in a fresh process against stubbed AWS: CPU time, peak RSS, traced peak.

    python -m bench.probe {tickersim|baseline} N [MINUTES] [--repeats K] [--traced]

MINUTES is how many minutes the run catches up (1: the steady state). Prints one JSON object.
A fresh process, so that the peak RSS is that of a Lambda worker: the runtime, `app` and
its imports, the clients, and the run, nothing else.
"""
import argparse
import io
import json
import re
import time
import tracemalloc
from contextlib import redirect_stdout
from pathlib import Path

import boto3

from bench import baseline
from bench.cloud import scheduled_event, ticker_items, use_fake_account
from bench.fake import FakeAws
from bench.runners import MARKET_SEED, FirehoseTap
from chalicelib.core import clients
from chalicelib.core.clients import counting
from chalicelib.core.settings import stream_settings
from chalicelib.walk import pipeline
from chalicelib.walk.delivery import billed_units
from chalicelib.walk.ticks import iso, parse_minute
from tests.support import LambdaContext


def _peak_rss_mb():
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent
    # across fork and exec, so a child of a big benchmark process would report its size.
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024


def walked_items(n, minutes, event):
    """n tickers whose last tick lies `minutes` before the event's minute."""
    last = iso((parse_minute(event["time"]) - minutes) * 60 + 45)
    return ({**item, "Seq": {"N": "4"}, "LastTick": {"S": last}} for item in ticker_items(n))


def handler(kind, minutes):
    """(run(event) -> ticks or None when a record is a tick, the clients it calls) for one
    implementation, built as a warm Lambda has them."""
    if kind == "baseline":
        table, firehose = boto3.resource("dynamodb").Table("bench"), boto3.client("firehose")
        return (lambda event: baseline.run(table, firehose, "bench")), (table.meta.client,
                                                                      firehose)
    settings = stream_settings({"TABLE_NAME": "bench", "DELIVERY_STREAM_NAME": "bench",
                                "MARKET_SEED": MARKET_SEED,
                                "MAX_CATCHUP_MINUTES": str(max(60, minutes))})
    ddb, firehose = clients.get("dynamodb"), clients.get("firehose")
    return (lambda event: pipeline.run(event, LambdaContext(), settings, ddb, firehose)["ticks"]), \
        (ddb, firehose)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("tickersim", "baseline"))
    parser.add_argument("n", type=int)
    parser.add_argument("minutes", type=int, nargs="?", default=1)
    parser.add_argument("--repeats", type=int, default=3, help="runs timed; the fastest counts")
    parser.add_argument("--traced", action="store_true", help="also measure with tracemalloc")
    args = parser.parse_args(argv)
    use_fake_account()
    import app  # noqa: F401  (Lambda imports the handler module before the first event)
    run, aws = handler(args.kind, args.minutes)
    event = scheduled_event(args.minutes)

    def items(n):
        return walked_items(n, args.minutes, event) if args.kind == "tickersim" \
            else ticker_items(n)
    fake = FakeAws(items(5))
    fake.attach(*aws)
    tap = FirehoseTap(aws[1])
    with redirect_stdout(io.StringIO()):
        run(scheduled_event(0))                     # warm: botocore loads its models lazily
        tap.take()
        fake.load(items(args.n))
        setup_mb = _peak_rss_mb()
        cpu = []
        for _ in range(args.repeats):
            with counting(*aws) as (calls, _):
                started = time.process_time()
                ticks = run(event)
                cpu.append(time.process_time() - started)
            records = tap.take()
        out = {"cpu_s": min(cpu), "rss_setup_mb": setup_mb,
               "rss_peak_mb": _peak_rss_mb(), "calls": dict(calls), "records": len(records),
               "ticks": len(records) if ticks is None else ticks,
               "bytes": sum(map(len, records)), "billed_units": billed_units(records)}
        if args.traced:
            tracemalloc.start()
            run(event)
            out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
