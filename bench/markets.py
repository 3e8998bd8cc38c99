"""What instruments, quotes and scenarios cost a run: calls, write units, bytes, CPU time.

    python -m bench.markets            # prints a Markdown section (make bench appends it)

Stubbed AWS (bench.fake) in this process; the same runs of the code as it was before
markets (commit BEFORE, extracted with git into a temporary directory) in a subprocess
give today's CPU time, so the ratio is measured in one run on one machine.
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "755b4e6"           # the last commit before instruments, calendars and scenarios
SIZES = (5, 1000)
REPEATS = 3
WEDNESDAY = "2026-12-02T15:00:00Z"      # every market open
SETS = {"indices": ("index",), "stocks": ("stock",), "mixed": ("stock", "fx", "crypto")}


def items(kinds, n, last):
    """n walked tickers, kinds taken in turn; a Kind attribute only where not an index."""
    for i in range(n):
        kind = kinds[i % len(kinds)]
        item = {"TickerName": {"S": f"T{i}{'JPY' if kind == 'fx' and i % 2 else ''}"},
                "Price": {"N": "1.2345" if kind == "fx" else "100"},
                "Seq": {"N": "4"}, "LastTick": {"S": last}}
        if kind != "index":
            item["Kind"] = {"S": kind}
        yield item


def scenario_item(at):
    spec = json.loads((ROOT / "scenarios" / "crash.json").read_text())
    return {"TickerName": {"S": "#scenarios"}, "Applied": {"S": json.dumps(
        [{"name": "crash", "at": at, "tickers": None, "spec": spec}])}}


def measure(kinds, n, scenario=False, model=None):
    """One steady-state run (one minute due) of n tickers, the fastest of REPEATS; `model`:
    MARKET_MODEL (None: the default)."""
    import boto3

    from bench.cloud import use_fake_account
    from bench.fake import FakeAws
    from bench.runners import MARKET_SEED, FirehoseTap
    from chalicelib.core.clients import counting
    from chalicelib.core.settings import stream_settings
    from chalicelib.walk import pipeline
    from chalicelib.walk.delivery import billed_units
    from tests.support import LambdaContext, scheduled
    from tickersim.base.prices import item_bytes

    use_fake_account()
    settings = stream_settings({"TABLE_NAME": "bench", "DELIVERY_STREAM_NAME": "bench",
                                "MARKET_SEED": MARKET_SEED, "MARKET_MODEL": model or ""})
    ddb, firehose = boto3.client("dynamodb"), boto3.client("firehose")
    table = list(items(kinds, n, "2026-12-02T14:59:45Z"))
    if scenario:
        table.append(scenario_item("2026-12-02T14:50:00Z"))
    fake = FakeAws(table)
    fake.attach(ddb, firehose)
    tap = FirehoseTap(firehose)
    written, by_name = [], {i["TickerName"]["S"]: i for i in table}

    def committed(params, **_):
        # An update bills the size of the item it writes: about the item the run read.
        # (The code before markets committed with BatchWriteItem: same units.)
        if "Statements" in params:
            written.extend(by_name[p["S"]] for s in params["Statements"]
                           for p in s["Parameters"] if p.get("S") in by_name)
        else:
            written.extend(r["PutRequest"]["Item"]
                           for r in next(iter(params["RequestItems"].values())))

    for call in ("BatchExecuteStatement", "BatchWriteItem"):
        ddb.meta.events.register(f"provide-client-params.dynamodb.{call}", committed)
    best = None
    with redirect_stdout(io.StringIO()):
        for _ in range(REPEATS + 1):             # the first warms botocore's models
            written.clear()
            with counting(ddb, firehose) as (calls, _):
                started = time.process_time()
                report = pipeline.run(scheduled(WEDNESDAY), LambdaContext(), settings, ddb,
                                      firehose)
                cpu = time.process_time() - started
            records = tap.take()
            if best is None or cpu < best["cpu_s"]:
                best = {"cpu_s": cpu, "calls": sum(calls.values()), "ticks": report["ticks"],
                        "news": report.get("news", 0), "bytes": sum(map(len, records)),
                        "billed_units": billed_units(records),
                        # 1 KB units per item committed; the claim: one UpdateItem.
                        "write_units": sum(-(-item_bytes(i) // 1024) for i in written) + 1}
    return best


def before(n):
    """The index run of the code before markets, in a subprocess; None without git."""
    with tempfile.TemporaryDirectory(prefix="tickersim-before-") as old:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "chalicelib"],
                                 capture_output=True)
        if archive.returncode:
            return None
        subprocess.run(["tar", "-x", "-C", old], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([old, str(ROOT)])}
        out = subprocess.run([sys.executable, "-m", "bench.markets", "--probe", str(n)],
                             cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout)


def render(log=lambda message: None):
    rows = []
    for n in SIZES:
        log(f"markets: {n} tickers, stubbed, before and now")
        today = before(n)
        for name, kinds in SETS.items():
            for scenario in (False, True) if name == "indices" else (False,):
                rows.append((n, name + (" + crash" if scenario else ""), today,
                             measure(kinds, n, scenario)))
    lines = ["", "## Markets: instruments, quotes, calendars and scenarios (`bench/markets.py`)",
             "", "One steady-state run (one minute due, 4 ticks a ticker), stubbed AWS, this "
             "machine; CPU is the handler's process time, the fastest of "
             f"{REPEATS}; *before* is commit {BEFORE} (indices only, no quotes) run the same "
             "way.", "",
             "| tickers | set | calls | write units | ticks | news | bytes/tick | billed units "
             "| CPU ms | CPU before ms | ratio |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, name, today, now in rows:
        cpu_ms = now["cpu_s"] * 1000
        base, ratio = "n/a", "n/a"
        if today:
            base, ratio = f"{today['cpu_s'] * 1000:.1f}", f"{cpu_ms / today['cpu_s'] / 1000:.2f}"
        lines.append(
            f"| {n:,} | {name} | {now['calls']} | {now['write_units']:,} | {now['ticks']:,} | "
            f"{now['news']} | {now['bytes'] / max(1, now['ticks'] + now['news']):.1f} | "
            f"{now['billed_units']:,} | {cpu_ms:.1f} | {base} | {ratio} |")
    lines += ["", "The price model (`MARKET_MODEL`), same runs at 1,000 tickers: the realistic "
              "model's handler CPU against plain GBM's (goal: at most 1.5x).", "",
              "| set | gbm CPU ms | realistic CPU ms | ratio |", "|---|---|---|---|"]
    for name in ("indices", "stocks"):
        gbm, real = (measure(SETS[name], SIZES[-1], model=m)["cpu_s"] * 1000
                     for m in ("gbm", "realistic"))
        lines.append(f"| {name} | {gbm:.1f} | {real:.1f} | {real / gbm:.2f} |")
    return "\n".join(lines) + "\n"


def alias_flat_layout():
    """The BEFORE commit's chalicelib is one flat folder: answer today's names for the
    shared base and the walk (chalicelib.walk.pipeline) with its modules (chalicelib.pipeline)."""
    import importlib
    import types

    import chalicelib
    if (Path(chalicelib.__file__).parent / "walk").is_dir():
        return
    for package in ("core", "walk"):
        alias = sys.modules[f"chalicelib.{package}"] = types.ModuleType(f"chalicelib.{package}")
        for source in (ROOT / "chalicelib" / package).glob("[!_]*.py"):
            try:
                module = importlib.import_module(f"chalicelib.{source.stem}")
            except ModuleNotFoundError:       # a module added since BEFORE
                continue
            sys.modules[f"{alias.__name__}.{source.stem}"] = module
            setattr(alias, source.stem, module)


def main(argv):
    if argv[:1] == ["--probe"]:
        alias_flat_layout()
        print(json.dumps(measure(("index",), int(argv[1]))))
        return 0
    print(render(lambda message: print(message, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
