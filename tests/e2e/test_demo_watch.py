"""`tickersim demo` watching the market and the pipeline: move alerts, the dead-man alarm and
its all-clear, the failure alert and its one recovery notice, all in the outbox."""
import json

from tests.e2e.conftest import alerts_in, summary_of, ticks_in

OWNER = "Ada Lovelace"
ALARM = '"tickersim-local-data-no-ticks" in EU (Ireland)'


def test_stall_break_and_volatility_show_every_kind_of_watch_mail(start_demo, tmp_path):
    out = tmp_path / "out"
    # Runs 2-8 stalled (7 minutes), 9-10 good, 11 broken (alert after its retry), 12 good.
    demo = start_demo("--runs", 12, "--interval", 0, "--seed", 11, "--volatility", 10,
                      "--stall-after", 1, "--break-after", 10, "--out", out)
    assert demo.finish(timeout=600) == 0, demo.text()
    mails = alerts_in(out)
    subjects = [m["Subject"].replace("\n ", " ") for m in mails]
    summary = summary_of(out)
    assert summary["problems"] == []
    assert summary["stalled_runs"] == list(range(2, 9))

    # The alarm fires during the stall, before the run that resumes, then clears.
    assert subjects.index(f"ALARM: {ALARM}") < subjects.index(f"OK: {ALARM}")
    body = mails[subjects.index(f"ALARM: {ALARM}")].get_content()
    alarm, _ = json.JSONDecoder().raw_decode(body)      # CloudWatch's JSON, then SNS's footer
    assert alarm["NewStateValue"] == "ALARM" and alarm["Trigger"]["MetricName"] == \
        "duration_ms"

    failure = subjects.index(f"Failure: {OWNER}, could not generate stream")
    recovered = [n for n, s in enumerate(subjects) if s.startswith("Recovered:")]
    assert recovered and len(recovered) == 1 and recovered[0] > failure
    notice = mails[recovered[0]].get_content()
    assert subjects[recovered[0]] == f"Recovered: {OWNER}, stream is flowing again"
    assert "Failure alerts:   1" in notice and "Caught up:        1 minute(s)" in notice

    moves = [s for s in subjects if s.startswith("Move")]
    assert moves and moves == summary["move_alerts"]
    assert all(len(s) <= 99 and s.endswith(" in 5 min") for s in moves)
    assert len(summary["move_alert_latency_s"]) == len(moves)
    # Every minute still delivered exactly once, stalled ones caught up.
    ticks = ticks_in(out)
    assert len({(t["ticker"], t["seq"]) for t in ticks}) == 12 * 5 * 4
