"""The query side in `make bench`: what the event-time layout costs a month, how fast the
named queries run on DuckDB over backfilled sessions (against a plain-Python reading of the
same objects), how much a one-hour query reads against a whole day, and backfill throughput.

`python -m bench.data` prints this section alone.
"""
import os
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from chalicelib.walk.ticks import Ticker, encode
from tests.unit.test_named_queries import expected_hourly_high, raw_records
from tickersim.base import prices
from tickersim.data.backfill import ready_tickers
from tickersim.data.duck import connect
from tickersim.data.history import Span, calendar_history, objects
from tickersim.data.location import Location
from tickersim.local.firehose import destination, metadata_query

# Firehose dynamic partitioning, AWS list prices (us-east-1, as published in 2024; eu-west-1
# was the same when checked then). Written down, not re-checked: `make bench` runs offline.
SESSION = ("2026-11-30", "XNYS")    # a full 390-minute session
RESOLUTION = "1min"
TICKS_PER_MINUTE = 4                # live ticks, for the layout's cost
QUERY = Path(__file__).resolve().parents[1] / "queries" / "hourly_high.sql"


def write(root, span, tickers):
    """Backfill `tickers` into root; (ticks, objects, seconds)."""
    started, ticks, count = time.perf_counter(), 0, 0
    for key, body in objects(tickers, span):
        path = Path(root) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        ticks, count = ticks + body.count(b"\n"), count + 1
    return ticks, count, time.perf_counter() - started


def hourly_high(root):
    return connect(Location(directory=str(root))).execute(QUERY.read_text()).fetchall()


def naive_hourly_high(root):
    """The same answer as hourly_high.sql, by reading every object in plain Python (the
    tests' independent computation)."""
    return expected_hourly_high(raw_records(root))


def timed(call, repeats):
    """(median wall seconds, the result, median CPU seconds of this process's threads)."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(times), result, statistics.median(cpu)


def files_read(con, sql):
    """How many objects DuckDB opened for sql (EXPLAIN ANALYZE's scan counters)."""
    plan = con.execute(f"EXPLAIN ANALYZE {sql}").fetchall()[0][1]
    return sum(int(n) for n in re.findall(r"Total Files Read: (\d+)", plan))


def pruning(root, day):
    con = connect(Location(directory=str(root)))
    hour_sql = f"SELECT max(price) FROM history WHERE dt = '{day}' AND hour = 15"
    day_sql = f"SELECT max(price) FROM history WHERE dt = '{day}'"
    size = {h: sum(p.stat().st_size for p in (Path(root) / "history" / f"dt={day}").glob(
        f"hour={h}/*")) for h in [p.name[5:] for p in (Path(root) / "history" / f"dt={day}")
                                   .iterdir()]}
    return {"hour_objects": files_read(con, hour_sql), "day_objects": files_read(con, day_sql),
            "hour_bytes": size["15"], "day_bytes": sum(size.values())}


def layout_costs(line_bytes, tickers):
    """USD a month of the event-time layout at `tickers`, one run a minute."""
    import jq
    query = jq.compile(metadata_query(destination()))
    sample = encode('"Index_1"', "2026-12-01T09:59:45Z", 100.4217, 2).rstrip("\n")
    _, _, jq_s = timed(lambda: [query.input_text(sample).first() for _ in range(10_000)], 3)
    records = tickers * TICKS_PER_MINUTE * prices.RUNS_PER_MONTH
    gb = records * line_bytes / prices.GB
    interval_s, _ = prices.firehose_buffering()
    flushes = prices.RUNS_PER_MONTH * 60 / interval_s
    # One partition per flush, two in the flush that straddles an hour (its last ticks).
    objects_month = flushes * (1 + 1 / 60)
    lines = {"dynamic partitioning, per GB": gb * prices.FIREHOSE_PARTITIONING_PER_GB,
             "dynamic partitioning, per object": objects_month / 1000
             * prices.FIREHOSE_PARTITIONING_PER_THOUSAND_OBJECTS,
             "JQ processing (CPU time measured here)":
                 records * jq_s / 10_000 / 3600 * prices.FIREHOSE_JQ_PER_HOUR,
             "S3 PUTs": objects_month / 1000 * prices.S3_PER_THOUSAND_PUTS}
    return lines, objects_month, gb


def measure(log=print):
    day = date.fromisoformat(SESSION[0])
    span = Span(day, day, RESOLUTION, 1, SESSION[1])
    minutes = calendar_history(SESSION[1], day).sessions[-1].minutes
    out = {"session": SESSION, "minutes": minutes}
    with tempfile.TemporaryDirectory(prefix="tickersim-bench-") as tmp:
        small, big = Path(tmp) / "ten", Path(tmp) / "thousand"
        log("data: backfill 10 stocks, hourly_high on DuckDB and in plain Python")
        out["small_ticks"], _, _ = write(small, span, ready_tickers())
        duck_s, duck_rows, duck_cpu = timed(lambda: hourly_high(small), 5)
        naive_s, naive_rows, naive_cpu = timed(lambda: naive_hourly_high(small), 3)
        assert duck_rows == naive_rows, "hourly_high and the plain-Python answer differ"
        out.update(small_duck_s=duck_s, small_naive_s=naive_s, small_duck_cpu=duck_cpu,
                   small_naive_cpu=naive_cpu)

        log(f"data: backfill 1,000 tickers x one session at {RESOLUTION}, hourly_high over "
            f"{1000 * minutes:,} ticks")
        thousand = [Ticker(f"T{n:04d}", 50.0 + n % 400, 0, None, 0.05, 0.3)
                    for n in range(1000)]
        out["big_ticks"], out["big_objects"], out["backfill_s"] = write(big, span, thousand)
        out["big_bytes"] = sum(p.stat().st_size for p in big.rglob("*") if p.is_file())
        out["big_duck_s"], _, out["big_duck_cpu"] = timed(lambda: hourly_high(big), 3)
        out["pruning"] = pruning(big, SESSION[0])
        line_bytes = out["big_bytes"] / out["big_ticks"]
    log("data: layout cost, JQ timed on this machine")
    out["costs"] = {n: layout_costs(line_bytes, n) for n in (5, 1000)}
    out["line_bytes"] = line_bytes
    out["load"], out["cores"] = os.getloadavg()[0], os.cpu_count()
    return out


def render(m):
    p, (day, calendar) = m["pruning"], m["session"]
    rows = []
    for n, (lines, objects_month, gb) in m["costs"].items():
        rows.append(f"| {n:,} | {gb:,.2f} | {objects_month:,.0f} | "
                    + " | ".join(f"{v:,.4f}" for v in lines.values())
                    + f" | {sum(lines.values()):,.2f} |")
    header = " | ".join(next(iter(m["costs"].values()))[0])
    return "\n".join([
        "", "## Querying the ticks (`bench/data.py`)", "",
        f"One backfilled {calendar} session ({day}, {m['minutes']} minutes, "
        f"one tick a minute), written by `tickersim backfill`'s code into a "
        "temporary directory in the bucket's layout, queried with `queries/hourly_high.sql` "
        "on DuckDB; medians.", "",
        "| data | ticks | DuckDB hourly_high: wall (CPU) | plain Python, same answer: wall "
        "(CPU) | wall ratio |",
        "|---|---|---|---|---|",
        f"| 10 stocks (seed/stocks.json) | {m['small_ticks']:,} | {m['small_duck_s']:.3f} s "
        f"({m['small_duck_cpu']:.3f} s) | {m['small_naive_s']:.3f} s "
        f"({m['small_naive_cpu']:.3f} s) | {m['small_duck_s'] / m['small_naive_s']:.2f}x |",
        f"| 1,000 tickers | {m['big_ticks']:,} | {m['big_duck_s']:.2f} s "
        f"({m['big_duck_cpu']:.2f} s; target < 10 s) | not run | |", "",
        f"Load average while measuring: {m['load']:.1f} on {m['cores']} cores (CPU seconds "
        "count every DuckDB thread; on an idle machine wall time is at most about the CPU "
        "time).", "",
        f"Backfill of 1,000 tickers x one session: {m['big_ticks']:,} ticks in "
        f"{m['big_objects']} objects ({m['big_bytes'] / 2**20:,.0f} MiB) in "
        f"{m['backfill_s']:.1f} s = {m['big_ticks'] / m['backfill_s']:,.0f} ticks/s.", "",
        f"Partition pruning (1,000 tickers): a one-hour query (`dt = '{day}' AND hour = 15`) "
        f"opened {p['hour_objects']} object(s), {p['hour_bytes'] / 2**20:,.1f} MiB; the whole "
        f"day opened {p['day_objects']} objects, {p['day_bytes'] / 2**20:,.1f} MiB.", "",
        "Monthly cost of the event-time layout (USD, one run a minute, "
        f"{m['line_bytes']:.0f} bytes a tick, 60 s buffer: one object a flush, two in the "
        "flush that straddles an hour). Firehose ingestion, Lambda and DynamoDB are in the "
        "table above and do not change with the layout; the arrival-time layout it replaces "
        "paid only the S3 PUTs.", "",
        f"| tickers | GB a month | objects a month | {header} | total |",
        "|" + "---|" * (5 + len(next(iter(m["costs"].values()))[0]) - 1),
        *rows,
    ]) + "\n"


if __name__ == "__main__":
    print(render(measure()))
