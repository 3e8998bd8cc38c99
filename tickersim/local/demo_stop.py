"""What happens at stop: what is still in flight is collected, the run is checked against
what was configured, and summary.json is written (on Ctrl-C and on a full disk too)."""
import json

from chalicelib.walk.ticks import iso
from tickersim.local.demo_code import BROKEN_ERROR
from tickersim.local.demo_run import STAGE
from tickersim.local.outdir import OutDirError

SUMMARY_ROOM = 64 * 1024   # bytes kept for summary.json from the start, so a full disk still gets it


def finish(demo, interrupted, stopped=None):
    """Collect what is still in flight and write the summary; runs on Ctrl-C and on a full
    disk too (summary.json has its room reserved from the start)."""
    try:
        demo.watching.clock(demo.state.minute + 1)
        demo.collect_mail()
        demo.sync()
        demo.watching.close(interrupted)
        if demo.stream_side:
            demo.stream_side.dump()
    except OutDirError as exc:
        stopped = stopped or exc
    if stopped is not None:
        demo.state.problems.append(f"stopped early: {stopped}")
    elif not interrupted:
        demo.state.problems = check(demo)
    demo.files.write_text("summary.json", json.dumps(summary(demo, interrupted), indent=2,
                                                     allow_nan=False) + "\n")
    demo.view.update(demo.state)


def check(demo):
    """What went otherwise than configured, in words (empty: the demo behaved)."""
    s, problems = demo.state, []
    planned = 1 if demo.break_request else 0
    if s.failed != planned:
        problems.append(f"{s.failed} run(s) failed, {planned} planned")
    if s.retrying:
        problems.append(f"{s.retrying} run(s) still had retries pending")
    if len(s.alerts) != s.failed:
        problems.append(f"{len(s.alerts)} alert(s) arrived for {s.failed} failed run(s)")
    problems += [f"alert subject {a!r} is not {demo.subject!r}" for a in s.alerts
                 if a != demo.subject]
    if demo.break_request and not any(BROKEN_ERROR in a.body for a in demo.mailbox.alerts):
        problems.append(f"no alert names {BROKEN_ERROR}, the error of the broken copy")
    if demo.notifier_failures:
        problems.append(f"the notifier failed {demo.notifier_failures} time(s)")
    if s.ticks_delivered != len(s.tick_keys):
        problems.append(f"{s.ticks_delivered} ticks delivered, only {len(s.tick_keys)} "
                        "distinct")
    if demo.scripted:
        # Closed markets and halts leave minutes without ticks: check seq has no gaps.
        for name in sorted(s.tickers):
            seqs = sorted(seq for ticker, seq in s.tick_keys if ticker == name)
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"{name}: seq has gaps")
    elif s.failed == planned:
        # Each good run catches up every minute before it; a broken last run has none
        # after it. (Unplanned failures are reported above and explain any gap.)
        minutes = max((run for run, status in s.runs.items() if status == "ok"), default=0)
        expected = minutes * len(s.tickers) * demo.ticks_per_run
        if len(s.tick_keys) != expected:
            problems.append(f"{len(s.tick_keys)} distinct ticks delivered, {expected} "
                            f"expected for {minutes} minute(s)")
    failed = [run for run, status in s.runs.items() if status == "failed"]
    problems += demo.watching.check(
        None if s.failed != planned else bool(planned),
        any(status == "ok" and run > max(failed) for run, status in s.runs.items())
        if failed else False)
    if s.unreadable_lines:
        problems.append(f"{s.unreadable_lines} line(s) in the bucket are not ticks")
    for name, view in sorted(s.tickers.items()):
        if view.last_tick_price is not None and view.last_tick_price != view.price:
            problems.append(f"{name}: table price {view.price} differs from its last "
                            f"delivered tick {view.last_tick_price}")
    return problems

def summary(demo, interrupted):
    s = demo.state
    return {
        "stage": STAGE, "runs": len(s.runs), "succeeded": s.succeeded, "failed": s.failed,
        "interrupted_runs": s.interrupted_runs,
        "invocations": s.invocations, "ticks_delivered": s.ticks_delivered,
        "ticks_backfilled": s.ticks_backfilled,
        "s3_objects": s.s3_objects, "unreadable_lines": s.unreadable_lines,
        "news": s.news, "tickers_file": demo.args.tickers, "scenario": demo.args.scenario,
        "skipped_items": dict(sorted(demo.skipped.items())), "alerts": s.alerts,
        "alert_files": [str(p.relative_to(demo.out)) for p in s.alert_files],
        "prices": {name: v.price for name, v in sorted(s.tickers.items())},
        "first_time": iso(s.start_epoch), "last_time": s.clock_text(),
        "interval": demo.args.interval, "seed": demo.args.seed,
        "break_after": demo.args.break_after, "retries": demo.args.retries,
        "table": demo.table, "bucket": s.bucket, "interrupted": interrupted,
        "problems": s.problems, **demo.watching.summary(),
    }
