"""`make bench`: measure tickersim and the naive baseline in one run, print the tables and
write docs/benchmarks.md. Takes a few minutes; nothing here asserts a timing."""
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import chalice
import moto

from bench import (
    alert_rate,
    api,
    chaos_cpu,
    cloud,
    fanout,
    markets,
    marketstack,
    report,
    startup,
    streams,
    watching,
)
from bench import data as query_bench
from bench.runners import Runners
from chalicelib.walk.items import RUN_KEY, item_name
from tickersim.base import prices

SIZES = (5, 100, 1000, 10_000)
# Timed runs per size against moto (tickersim, baseline), interleaved. The baseline makes
# 5N + 1 calls a run: one run at 1,000 takes ~30 s here, and 10,000 (~50,000 calls, ~5 min)
# is not run against moto; its counts come from the stubbed run, its time is extrapolated.
REPEATS = {5: (25, 25), 100: (10, 8), 1000: (5, 1), 10_000: (3, 0)}
BACKFILL_TICKERS, BACKFILL_MINUTES = 1000, 390
DEFAULT_CATCHUP_MINUTES = 60       # MAX_CATCHUP_MINUTES' default: the longest normal catch-up
COLD_START_REPEATS = 7
OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def summary(runs):
    """One row's numbers from repeated runs: counts from the last, times over all."""
    last = runs[-1]
    return {"calls": last.calls, "calls_total": last.calls_total, "ticks": last.ticks,
            "records": last.records, "bytes": last.bytes, "billed_units": last.billed_units,
            "log_bytes": last.log_bytes, "runs": len(runs),
            "median_s": statistics.median(r.wall_s for r in runs),
            "p90_s": p90([r.wall_s for r in runs]),
            "cpu_s": statistics.median(r.cpu_s for r in runs),
            "op_s": {op: statistics.median(r.op_s.get(op, 0.0) for r in runs)
                     for op in last.op_s}}


def dynamodb_units(case, tickersim):
    """Read and write units of one run, from the items it reads and writes."""
    items = cloud.scan_items(case)
    tickers = [i for i in items if item_name(i) != RUN_KEY]
    run_items = [i for i in items if item_name(i) == RUN_KEY]
    # tickersim: a consistent Scan, every ticker in BatchExecuteStatement, one UpdateItem on #run;
    # the baseline: an eventually consistent Scan and one PutItem per ticker.
    return {"read_units": prices.scan_read_units(items, consistent=tickersim),
            "write_units": prices.write_units(tickers) + prices.write_units(run_items)}


def against_moto(log):
    """Handler runs against moto's server: tickersim and the baseline interleaved."""
    results, backfill = {}, None
    with cloud.moto_server():
        runners = Runners()
        for n in SIZES:
            ts_reps, bl_reps = REPEATS[n]
            ts_case, bl_case = f"tickersim-{n}", f"baseline-{n}"
            cloud.create_case(ts_case, n)
            if bl_reps:
                cloud.create_case(bl_case, n)
            log(f"N={n}: {ts_reps} tickersim run(s), {bl_reps} baseline run(s) against moto")
            runners.tickersim(ts_case, 0)          # first run: warms clients and the table
            if n == SIZES[0]:
                runners.baseline(bl_case)
            ts_runs, bl_runs = [], []
            for i in range(max(ts_reps, bl_reps)):
                if i < ts_reps:
                    ts_runs.append(runners.tickersim(ts_case, i + 1))
                if i < bl_reps:
                    bl_runs.append(runners.baseline(bl_case))
            results[n] = {"tickersim": {**summary(ts_runs), **dynamodb_units(ts_case, True)}}
            if bl_runs:
                results[n]["baseline"] = {**summary(bl_runs), **dynamodb_units(bl_case, False)}
        log(f"backfill: {BACKFILL_TICKERS} tickers x {BACKFILL_MINUTES} minutes against moto")
        case, catchup = "tickersim-backfill", {"MAX_CATCHUP_MINUTES": str(BACKFILL_MINUTES)}
        cloud.create_case(case, BACKFILL_TICKERS)
        runners.tickersim(case, 0, **catchup)
        backfill = runners.tickersim(case, BACKFILL_MINUTES, **catchup)
    return results, backfill


def probe(kind, n, minutes=1, traced=True, repeats=3):
    """Stubbed runs in a fresh interpreter (see bench/probe.py)."""
    args = [sys.executable, "-m", "bench.probe", kind, str(n), str(minutes),
            "--repeats", str(repeats)] + (["--traced"] if traced else [])
    out = subprocess.run(args, cwd=startup.ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{' '.join(args[1:])} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def stubbed(log):
    log("stubbed runs in fresh interpreters: CPU time and peak memory")
    # The baseline's 50,000 calls at 10,000 tickers take ~7 s a run (~20 s under
    # tracemalloc): one run, RSS only.
    probes = {n: {"tickersim": probe("tickersim", n, repeats=3 if n < 10_000 else 2),
                  "baseline": probe("baseline", n, traced=n < 10_000,
                                    repeats=3 if n < 10_000 else 1)} for n in SIZES}
    catchups = {minutes: probe("tickersim", BACKFILL_TICKERS, minutes, traced=False, repeats=1)
                for minutes in (DEFAULT_CATCHUP_MINUTES, BACKFILL_MINUTES)}
    return probes, catchups


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                     .splitlines() if line.startswith("MemTotal"))
    return {"cpu": cpu, "nproc": os.cpu_count(), "memory_gb": memory_kb / 2**20,
            "python": platform.python_version(), "os": platform.platform(terse=True),
            "load": os.getloadavg(),
            "versions": f"boto3 {boto3.__version__}, moto {moto.__version__}, "
                        f"chalice {chalice.__version__}"}


def main():
    started = time.monotonic()

    def log(message):
        print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)
    when, host = datetime.now(UTC), machine()
    probes, catchups = stubbed(log)
    results, backfill = against_moto(log)
    log("cold start and bundle")
    imports = startup.cold_start(COLD_START_REPEATS)
    bundle = startup.bundle()
    sections = (query_bench.render(query_bench.measure(log)) + watching.section(log)
                + streams.section(log) + api.section(log) + marketstack.section(log)
                + markets.render(log) + alert_rate.render(log) + chaos_cpu.section(log)
                + fanout.section(log))
    data = {"when": when, "machine": host, "results": results, "probes": probes,
            "backfill": backfill, "catchups": catchups,
            "backfill_shape": (BACKFILL_TICKERS, BACKFILL_MINUTES),
            "imports": imports, "import_repeats": COLD_START_REPEATS, "bundle": bundle,
            "buffering": prices.firehose_buffering(), "elapsed_s": time.monotonic() - started}
    text = report.render(data) + sections
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text)
    print(text)
    log(f"wrote {OUT.relative_to(startup.ROOT)}")


if __name__ == "__main__":
    main()
