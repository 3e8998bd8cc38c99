"""`tickersim demo --scenario` and `--tickers`: the crash shows in what the demo delivers."""
import math

from tests.e2e.conftest import summary_of, ticks_in


def test_demo_with_a_crash_shows_the_drop_and_the_news(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 4, "--interval", 0, "--seed", 5, "--scenario", "crash@1",
                      "--out", out)
    assert demo.finish(timeout=240) == 0, demo.text()
    assert "scenario crash applied from" in demo.text()
    assert "Index_1 plunges as a wave of selling hits the market" in demo.text()

    records = ticks_in(out)
    news = [r for r in records if r.get("type") == "news"]
    ticks = [r for r in records if "type" not in r]
    assert sorted(n["ticker"] for n in news) == [f"Index_{k}" for k in range(1, 6)]
    crash_start = news[0]["timestamp"]
    for name in {t["ticker"] for t in ticks}:
        own = sorted((t for t in ticks if t["ticker"] == name), key=lambda t: t["seq"])
        before = [t["price"] for t in own if t["timestamp"] < crash_start][-1]
        # Three of the crash's thirty minutes: a tenth of -10 %, give or take the noise.
        drop = math.log(own[-1]["price"] / before)
        assert math.log(0.9) * 3 / 30 - 0.01 < drop < math.log(0.9) * 3 / 30 + 0.01, name
    summary = summary_of(out)
    assert summary["news"] == 5 and summary["unreadable_lines"] == 0
    assert summary["problems"] == [] and summary["scenario"] == "crash@1"


def test_demo_with_the_crypto_set_delivers_quotes_and_volume(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 2, "--interval", 0, "--tickers", "seed/crypto.json",
                      "--out", out)
    assert demo.finish(timeout=240) == 0, demo.text()
    ticks = ticks_in(out)
    assert {t["ticker"] for t in ticks} == {"BTCUSD", "ETHUSD"} and len(ticks) == 2 * 2 * 4
    assert all(t["bid"] < t["price"] < t["ask"] and t["volume"] >= 0 for t in ticks)


def test_demo_refuses_an_unknown_scenario_before_starting(start_demo, tmp_path):
    demo = start_demo("--runs", 1, "--scenario", "meltdown@2", "--out", tmp_path / "out")
    assert demo.finish() == 2
    assert "demo: --scenario 'meltdown@2': no scenario 'meltdown'" in demo.text()
    assert not (tmp_path / "out" / "summary.json").exists()
