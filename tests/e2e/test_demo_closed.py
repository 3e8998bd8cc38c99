"""A demo whose markets are closed is a healthy demo: no dead-man alarm before the open, and
on a holiday the API shows the tickers closed at the schedule's clock, with their prices."""
import json
from urllib.request import urlopen

from tests.e2e.conftest import summary_of, ticks_in


def test_minutes_before_the_open_raise_no_alarm(start_demo, tmp_path):
    out = tmp_path / "out"
    # Six closed minutes (more than the alarm's five), then the NYSE opens at 14:30.
    demo = start_demo("--tickers", "seed/stocks.json", "--start", "2026-12-01T14:24Z",
                      "--runs", 8, "--interval", 0, "--no-web", "--out", out)
    assert demo.finish(timeout=300) == 0, demo.text()
    summary = summary_of(out)
    assert summary["problems"] == [] and summary["notices"] == [], summary
    assert summary["alerts"] == []
    stamps = {t["timestamp"][:16] for t in ticks_in(out) if "seq" in t}
    assert stamps == {"2026-12-01T14:30", "2026-12-01T14:31"}


def test_a_demo_started_on_a_holiday_shows_its_tickers_closed(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--tickers", "seed/stocks.json", "--start", "2026-12-25T15:00Z",
                      "--runs", 3, "--interval", 2, "--web-port", 0, "--out", out)
    url = demo.wait_for(r"live chart: (http://\S+/) ").group(1)
    demo.wait_for(r"run 1 ok at 2026-12-25T15:00:00Z: 0 ticks")
    with urlopen(url + "api/tickers", timeout=30) as reply:
        body = json.load(reply)
    assert body["run"]["last_run"] >= "2026-12-25T15:00:00Z"
    assert len(body["data"]) == 10
    assert all(t["market"] == "closed" and t["price"] > 0 for t in body["data"])
    assert demo.finish(timeout=120) == 0, demo.text()
    assert summary_of(out)["notices"] == []
