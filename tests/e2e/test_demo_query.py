"""A demo with --start writes AWS's event-time layout, and `tickersim query` reads it: over
the running demo's bucket (DuckDB's httpfs against the local endpoint) and over DIR/s3."""
import json
import subprocess
import sys

from tests.e2e.conftest import PROJECT, ticks_in


def query(*args):
    done = subprocess.run([sys.executable, "-m", "tickersim", "query", *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_demo_bucket_has_event_time_partitions_and_both_ways_query_it(start_demo,
                                                                           tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 2, "--interval", 600, "--seed", 3, "--start",
                      "2026-12-01T09:59:00Z", "--out", out)
    endpoint = demo.wait_for(r"local AWS at (http://127\.0\.0\.1:\d+)")[1]
    demo.wait_for(r"run 1 ok")
    live = query("--file", "queries/latest.sql", "--stage", "local", "--endpoint", endpoint,
                 "--format", "json")
    assert [(r["ticker"], r["timestamp"]) for r in live] == [
        (f"Index_{n}", "2026-12-01T09:59:45Z") for n in range(1, 6)]
    demo.kill()

    folders = {p.parent.relative_to(out / "s3").as_posix()
               for p in (out / "s3").rglob("*") if p.is_file()}
    assert folders == {"ticks/dt=2026-12-01/hour=09"}
    from_dir = query("--file", "queries/latest.sql", "--dir", str(out / "s3"),
                     "--format", "json")
    assert from_dir == live
    ticks = ticks_in(out)
    assert {t["ticker"]: t["price"] for t in ticks if t["seq"] == 4} == {
        r["ticker"]: r["price"] for r in live}
