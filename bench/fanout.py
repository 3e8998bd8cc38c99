"""Fan-out at 10,000 and 100,000 tickers on stubbed AWS: each worker in a fresh process (as a
Lambda instance is), its CPU time, peak memory, calls and write units measured; the minute's
wall time on Lambda modelled from them; the month's bill with on-demand and provisioned
capacity. `python -m bench.fanout` prints the table; `make bench` includes it.

Workers get equal shares (ticker n walks in segment n mod segments): DynamoDB's hash split is
uneven by a few percent, which the 50 % time goal leaves room for.
"""
import json
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout

from bench.fake import MARKET_SEED, FakeAws
from chalicelib.core import clients, events, settings
from chalicelib.core.clients import counting
from chalicelib.walk import delivery, fanout, pipeline
from tests.support import LambdaContext
from tickersim.aws import capacity
from tickersim.base import prices, synthetic

SIZES = (10_000, 100_000)
TABLE = "bench-fanout"
TIME = "2026-11-26T09:00:00Z"
BUDGET_S = 60.0
# A coordinator's calls: the COUNT Scan pages, the run-state write, one Invoke a worker.
INVOKE_LATENCY_S = 0.03           # assumed: an async Invoke is answered once queued
PROCESSES = 2                     # workers measured at once on this machine


class SegmentAws(FakeAws):
    """FakeAws serving one segment, and the worker's BatchGetItem of its own items."""

    def _answer(self, model, **kwargs):
        if model.name == "BatchGetItem":
            from botocore.awsrequest import AWSResponse
            return AWSResponse(None, 200, {}, None), {"Responses": {TABLE: []}}
        return super()._answer(model, **kwargs)


def _worker(tickers, segment, segments):
    """One worker, run in this fresh process: returns its measurements."""
    items = (synthetic.item("SIM", n, synthetic.DEFAULT_KIND)
             for n in range(1 + segment, tickers + 1, segments))
    ddb, firehose = clients.get("dynamodb"), clients.get("firehose")
    fake = SegmentAws(items)
    fake.attach(ddb, firehose)
    config = settings.stream_settings({"TABLE_NAME": TABLE, "DELIVERY_STREAM_NAME": TABLE,
                                       "MARKET_SEED": MARKET_SEED})
    event = events.worker_events({"time": TIME}, segments, None)[segment]
    with counting(ddb, firehose) as (calls, _), open(os.devnull, "w") as sink, \
            redirect_stdout(sink):
        cpu = time.process_time()
        report = pipeline.run(event, LambdaContext(), config, ddb, firehose,
                              task=events.parse_task(event))
        cpu = time.process_time() - cpu
    return {"tickers": report["tickers"], "ticks": report["ticks"], "cpu_s": cpu,
            "peak_mb": pipeline.peak_memory_mb(),
            "calls": sum(calls.values()), "billed_units": report["billed_units"],
            "write_units": report["tickers"] + 1}


def _spawn(args):
    """One worker in a fresh interpreter, as a cold Lambda instance: nothing of this process
    (moto, the test runner) weighs on its memory."""
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench"}    # FakeAws answers before anything is signed
    out = subprocess.run([sys.executable, "-m", "bench.fanout", "--worker", *map(str, args)],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        raise RuntimeError(f"bench.fanout --worker {args} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def measure_one(tickers):
    """One worker walking `tickers` tickers alone, in a fresh process."""
    return _spawn((tickers, 0, 1))


def measure(tickers, worker_tickers=settings.DEFAULT_WORKER_TICKERS):
    segments = fanout.segment_count(tickers, worker_tickers)
    with ThreadPoolExecutor(PROCESSES) as pool:
        workers = list(pool.map(_spawn, [(tickers, s, segments) for s in range(segments)]))
    return row(tickers, segments, workers)


def row(tickers, segments, workers):
    """The table row: per-worker extremes, the modelled minute and the month's bill."""
    peak = max(w["peak_mb"] for w in workers)
    # The memory deploy gives the worker (from the peak model), against which the peak counts.
    memory = capacity.worker_memory_mb(capacity.worker_peak_mb(settings.DEFAULT_WORKER_TICKERS))
    slowdown = prices.LAMBDA_CPU_SLOWDOWN * prices.LAMBDA_MEMORY_GB * 1024 / memory
    lambda_s = [w["cpu_s"] * slowdown + w["calls"] * prices.AWS_CALL_LATENCY_S for w in workers]
    pages = math.ceil(tickers * capacity.ITEM_BYTES / 2 ** 20)
    coordinator_calls = pages + 1 + segments
    coordinator_s = (pages + 1) * prices.AWS_CALL_LATENCY_S + segments * INVOKE_LATENCY_S
    calls = sum(w["calls"] for w in workers) + coordinator_calls
    writes = sum(w["write_units"] for w in workers) + 1
    gb_s = (sum(lambda_s) * memory + coordinator_s * 128) / 1024
    lambda_month = prices.RUNS_PER_MONTH * (
        (1 + segments) / 1e6 * prices.LAMBDA_PER_MILLION_REQUESTS
        + gb_s * prices.LAMBDA_PER_GB_SECOND)
    firehose_month = (sum(w["billed_units"] for w in workers) * delivery.BILLING_UNIT_BYTES
                      * prices.RUNS_PER_MONTH / prices.GB * prices.FIREHOSE_PER_GB)
    bills = capacity.monthly_bills(tickers, segments)
    per_worker = max(math.ceil(w["tickers"] / 25) for w in workers)
    return {
        "tickers": tickers, "workers": segments, "memory_mb": memory,
        "worker_cpu_s_max": round(max(w["cpu_s"] for w in workers), 2),
        "worker_peak_mb_max": round(peak, 1),
        "worker_memory_share": round(peak / memory, 2),
        "worker_lambda_s_max": round(max(lambda_s), 1),
        "worker_time_share": round(max(lambda_s) / BUDGET_S, 2),
        "minute_wall_s": round(coordinator_s + max(lambda_s), 1),
        "calls": calls, "calls_goal": segments * (4 + per_worker) + segments,
        "write_units": writes, "write_units_goal": tickers + segments + 1,
        "ticks": sum(w["ticks"] for w in workers),
        "month_on_demand": round(bills["on-demand"] + lambda_month + firehose_month, 2),
        "month_provisioned": round(bills["provisioned"] + lambda_month + firehose_month, 2),
        "dynamodb_on_demand": round(bills["on-demand"], 2),
        "dynamodb_provisioned": round(bills["provisioned"], 2),
    }


COLUMNS = (("tickers", "tickers"), ("workers", "workers"), ("memory_mb", "MB a worker"),
           ("worker_cpu_s_max", "CPU s (max)"), ("worker_peak_mb_max", "peak MB (max)"),
           ("worker_memory_share", "memory share"), ("worker_lambda_s_max", "Lambda s (max)"),
           ("worker_time_share", "time share"), ("minute_wall_s", "minute wall s"),
           ("calls", "calls"), ("calls_goal", "calls goal"), ("write_units", "write units"),
           ("write_units_goal", "write goal"), ("month_on_demand", "USD/month on-demand"),
           ("month_provisioned", "USD/month provisioned"))


def _cell(value):
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}" if value >= 1000 else str(value)


def table(rows):
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(_cell(r[key]) for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def section(log, sizes=SIZES):
    """docs/benchmarks.md's fan-out section."""
    log(f"fan-out: {', '.join(f'{n:,}' for n in sizes)} tickers, one fresh process a worker")
    rows = measure_all(sizes)
    worst = max(rows, key=lambda r: r["tickers"])
    return "\n".join([
        "", "## Fan-out: one worker per segment (stubbed AWS)", "",
        f"WORKER_TICKERS = {settings.DEFAULT_WORKER_TICKERS:,}. Each worker runs in a fresh "
        "process on stubbed AWS (`bench/fanout.py`); CPU time and peak RSS are per worker "
        "(the largest shown), its Lambda time is modelled at the memory deploy gives it "
        "(from the peak model of `tickersim/aws/capacity.py`), the minute's wall time is the coordinator's plus the slowest "
        "worker's. Calls and write units are the whole minute's, coordinator included; the "
        "goals are the issue's (calls <= workers x (4 + tickers a worker / 25) + workers, "
        "write units <= N + segments + 1). The month adds Lambda and Firehose to each "
        "DynamoDB capacity mode (`tickersim/aws/capacity.py`: provisioned at 90 % target "
        "utilisation).", "",
        table(rows), "",
        f"At {worst['tickers']:,} tickers provisioned capacity costs "
        f"{worst['dynamodb_provisioned'] / worst['dynamodb_on_demand']:.2f} of on-demand for "
        f"the table (${worst['dynamodb_provisioned']:,.2f} against "
        f"${worst['dynamodb_on_demand']:,.2f} a month).", ""])


def measure_all(sizes=SIZES):
    return [measure(n) for n in sizes]


def main(argv):
    if argv[:1] == ["--worker"]:
        print(json.dumps(_worker(*map(int, argv[1:4]))))
        return
    rows = measure_all()
    print(table(rows))
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
