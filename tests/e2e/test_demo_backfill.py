"""`tickersim backfill` into a running demo, as the README suggests: the API serves the
backfilled session beside the live ticks, and summary.json counts it apart from the feed."""
import json
import signal
import subprocess
import sys
import urllib.request

from tests.e2e.conftest import PROJECT, summary_of, ticks_in


def get(url):
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.loads(reply.read())


def test_a_backfill_into_a_running_demo_is_served_and_counted_apart(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--interval", 2, "--seed", 3, "--web-port", 0, "--out", out)
    site = demo.wait_for(r"live chart and API: (http://127\.0\.0\.1:\d+/)")[1]
    endpoint = demo.wait_for(r"local AWS at (http://127\.0\.0\.1:\d+)")[1]
    demo.wait_for(r"run 1 ok")
    done = subprocess.run([sys.executable, "-m", "tickersim", "backfill", "--date",
                           "2020-05-14", "--tickers", "FB", "--stage", "local", "--endpoint",
                           endpoint], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    body = get(f"{site}api/ticks?symbols=FB&date_from=2020-05-14&limit=1000")
    assert body["pagination"]["total"] == 390              # a whole session at 1min, the default
    assert {t["source"] for t in body["data"]} == {"history"}
    assert body["pagination"]["date_to"] == "2020-05-14"
    live = get(f"{site}api/ticks?symbols=Index_1")
    assert live["data"] and {t["source"] for t in live["data"]} == {"ticks"}

    demo.wait_for(r"run \d+ ok")          # a run after the backfill: its objects are synced
    demo.process.send_signal(signal.SIGINT)
    demo.finish()
    summary = summary_of(out)
    ticks = ticks_in(out)
    live_keys = {(t["ticker"], t["seq"]) for t in ticks if t["ticker"] != "FB"}
    assert summary["ticks_backfilled"] == 390
    assert summary["ticks_delivered"] == len(live_keys)
    assert not [p for p in summary["problems"] if "distinct" in p]
