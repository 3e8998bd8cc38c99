"""docs/benchmarks.md renders from one run's measurements, with verdicts that follow them."""
from datetime import UTC, datetime

from bench import report
from bench.runners import Run

SIZES = (5, 100, 1000, 10_000)


def row(n, tickersim, median_s):
    calls = ({"DynamoDB.Scan": 1, "DynamoDB.UpdateItem": 1, "Firehose.PutRecordBatch": 1,
              "DynamoDB.BatchWriteItem": -(-n // 25)} if tickersim else
             {"DynamoDB.Scan": 1, "DynamoDB.PutItem": n, "Firehose.PutRecord": 4 * n})
    return {"calls": calls, "calls_total": sum(calls.values()), "ticks": 4 * n,
            "records": 1 if tickersim else 4 * n, "bytes": 80 * 4 * n,
            "billed_units": -(-80 * 4 * n // 5120) if tickersim else 4 * n, "log_bytes": 400,
            "runs": 3, "median_s": median_s, "p90_s": median_s * 1.1, "cpu_s": median_s / 4,
            "op_s": {"Scan": median_s / 2}, "read_units": n / 100,
            "write_units": n + 1 if tickersim else n}


def probe(n, rss=70.0):
    return {"cpu_s": 0.001 * n, "rss_setup_mb": 65.0, "rss_peak_mb": rss,
            "traced_peak_mb": 1.0, "calls": {"DynamoDB.Scan": 1}, "ticks": 4 * n,
            "records": 4 * n, "bytes": 320 * n, "billed_units": 4 * n}


def data(ratio_at_5):
    results = {n: {"tickersim": row(n, True, 0.01 * n * ratio_at_5)} for n in SIZES}
    for n in SIZES[:-1]:
        results[n]["baseline"] = row(n, False, 0.01 * n)
    backfill = Run(wall_s=10.0, cpu_s=5.0, calls={"Firehose.PutRecordBatch": 33}, ticks=1_560_000,
                   records=129, bytes=132_000_000, billed_units=25_775, log_bytes=400, op_s={})
    return {"when": datetime(2026, 11, 26, tzinfo=UTC),
            "machine": {"cpu": "Test CPU", "nproc": 2, "memory_gb": 4.0, "python": "3.11",
                        "os": "Linux", "load": (0.1, 0.2, 0.3), "versions": "test"},
            "results": results,
            "probes": {n: {"tickersim": probe(n), "baseline": probe(n)} for n in SIZES},
            "backfill": backfill,
            "catchups": {60: probe(60_000, rss=140.0), 390: probe(390_000, rss=440.0)},
            "backfill_shape": (1000, 390), "imports": {"boto3": 0.15, "app_extra": 0.02},
            "import_repeats": 7, "bundle": (38_000, 19), "buffering": (60, 2 ** 20),
            "elapsed_s": 100.0}


def target_line(text, start):
    return next(line for line in text.splitlines() if line.startswith(f"| {start}"))


def test_report_names_the_machine_and_every_section():
    text = report.render(data(ratio_at_5=0.1))
    assert "Test CPU, 2 CPU(s)" in text and "2026-11-26" in text
    for heading in ("## Headline", "## Per run", "## Targets", "## Cold start and bundle",
                    "## Backfill", "## Money", "## Method and limits"):
        assert heading in text
    assert "×10 of N=1,000, not run" in text       # the untimed baseline row says so


def test_time_verdict_follows_the_measured_ratio():
    met = report.render(data(ratio_at_5=0.1))
    missed = report.render(data(ratio_at_5=0.3))
    assert target_line(met, "handler time ≤ 0.2").endswith("| met |")
    assert target_line(missed, "handler time ≤ 0.2").endswith("| **missed** |")


def test_catch_up_over_the_memory_limit_is_called_out():
    text = report.render(data(ratio_at_5=0.1))
    row = next(line for line in text.splitlines() if line.startswith("| 60 minutes |"))
    assert row.startswith("| 60 minutes | 240,000 | 140 |")
    assert row.endswith("| **missed** |")
