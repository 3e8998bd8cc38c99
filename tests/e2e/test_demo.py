"""`tickersim demo` end to end: scheduled runs, ticks in the bucket, alerts in the outbox."""
from collections import defaultdict
from datetime import datetime, timedelta

from tests.e2e.conftest import alerts_in, summary_of, ticks_in
from tickersim.base import stage as stages

TICKS_PER_RUN = int(stages.environment("local", stages.STREAMING)["TICKS_PER_RUN"])
OWNER = stages.environment("local", stages.NOTIFICATION)["OWNER_NAME"]
TICKERS = 5


def test_three_runs_deliver_every_tick_once_and_the_table_agrees(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 3, "--interval", 0, "--seed", 7, "--out", out)
    assert demo.finish() == 0, demo.text()

    ticks = ticks_in(out)
    assert len(ticks) == 3 * TICKERS * TICKS_PER_RUN
    by_ticker = defaultdict(list)
    for tick in ticks:
        assert set(tick) >= {"ticker", "timestamp", "price", "seq"}
        assert tick["price"] > 0
        by_ticker[tick["ticker"]].append(tick)
    assert sorted(by_ticker) == [f"Index_{n}" for n in range(1, TICKERS + 1)]
    summary = summary_of(out)
    for name, series in by_ticker.items():
        series.sort(key=lambda t: t["seq"])
        assert [t["seq"] for t in series] == list(range(1, 3 * TICKS_PER_RUN + 1))
        times = [datetime.strptime(t["timestamp"], "%Y-%m-%dT%H:%M:%SZ") for t in series]
        # Three consecutive logical minutes, evenly spaced ticks within each.
        step = timedelta(seconds=60 // TICKS_PER_RUN)
        assert all(b - a == step for a, b in zip(times, times[1:]))
        assert times[0].second == 0
        assert summary["prices"][name] == series[-1]["price"]
    assert summary["runs"] == 3 and summary["succeeded"] == 3 and summary["failed"] == 0
    assert summary["ticks_delivered"] == len(ticks)
    assert summary["s3_objects"] == 3       # moto's Firehose: one object per put
    assert summary["alerts"] == [] and alerts_in(out) == []


def test_break_after_alerts_the_owner_then_the_stream_catches_up(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 4, "--break-after", 2, "--interval", 0, "--out", out)
    assert demo.finish() == 0, demo.text()

    # The alert, then the one recovery notice from the run that caught up.
    mail, notice = alerts_in(out)
    assert mail["Subject"] == f"Failure: {OWNER}, could not generate stream"
    assert notice["Subject"] == f"Recovered: {OWNER}, stream is flowing again"
    assert OWNER in mail["To"]
    body = mail.get_content()
    assert "Error type:      Runtime.UserCodeSyntaxError" in body
    assert "expected an indented block" in body
    assert "Attempts:        2" in body          # one retry, as --retries defaults to

    summary = summary_of(out)
    assert (summary["succeeded"], summary["failed"]) == (3, 1)
    assert summary["alerts"] == [mail["Subject"]]
    assert summary["notices"] == [notice["Subject"]]
    # The run after the restore caught up the broken minute: no minute is missing.
    ticks = ticks_in(out)
    assert len(ticks) == 4 * TICKERS * TICKS_PER_RUN
    assert len({(t["ticker"], t["seq"]) for t in ticks}) == len(ticks)


def test_breaking_the_last_run_alerts_the_owner_without_a_run_to_catch_up(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--runs", 3, "--break-after", 2, "--interval", 0, "--out", out)
    assert demo.finish() == 0, demo.text()

    [mail] = alerts_in(out)
    assert "Error type:      Runtime.UserCodeSyntaxError" in mail.get_content()
    assert "Attempts:        2" in mail.get_content()    # the retry is not a fourth run
    summary = summary_of(out)
    assert (summary["runs"], summary["succeeded"], summary["failed"]) == (3, 2, 1)
    assert summary["problems"] == []
    assert len(ticks_in(out)) == 2 * TICKERS * TICKS_PER_RUN     # the broken minute is missed
