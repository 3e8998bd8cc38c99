"""What else a user runs beside a demo: a backfill writing history/ into its bucket, and a
second demo pointed at the same --out. Neither may make the first demo fail or lose files."""
import json
import subprocess
import sys

import boto3

from tests.e2e.conftest import PROJECT, summary_of

RUNS = 6


def history_lines(ticker, count):
    # As a backfill writes them: its own table, seqs that may repeat the live ones.
    return "".join(json.dumps({"ticker": ticker, "timestamp": f"2026-11-30T14:3{n}:00Z",
                               "price": 100.0 + n, "seq": n + 1}) + "\n"
                   for n in range(count)).encode()


def test_a_backfill_and_a_second_demo_beside_a_running_demo(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", RUNS, "--interval", 1, "--no-web", "--out", out)
    found = demo.wait_for(r"local AWS at (http://\S+) \(stage \w+\): table \S+, bucket (\S+),")
    endpoint, bucket = found.group(1), found.group(2)
    demo.wait_for(r"run 1 ok")
    # The backfill lands while the demo still has runs to go (before the slower check below).
    s3 = boto3.client("s3", endpoint_url=endpoint)
    s3.put_object(Bucket=bucket, Key="history/dt=2026-11-30/hour=14/XNYS-2026-11-30-test",
                  Body=history_lines("Index_1", 6))

    second = subprocess.run(
        [sys.executable, "-m", "tickersim", "demo", "--no-live", "--no-web", "--runs", "1",
         "--out", str(out)], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2, second.stderr
    assert second.stdout == "" and len(second.stderr.splitlines()) == 1
    assert f"--out {out} is in use by another demo (pid {demo.process.pid})" in second.stderr

    assert demo.finish() == 0, demo.text()

    summary = summary_of(out)
    assert summary["problems"] == []
    assert summary["ticks_delivered"] == summary["succeeded"] * 5 * 4   # live ticks only
    assert summary["ticks_backfilled"] == 6
    assert summary["runs"] == RUNS                 # the first demo's summary, not replaced
    assert (out / "s3" / "history" / "dt=2026-11-30" / "hour=14").is_dir()
