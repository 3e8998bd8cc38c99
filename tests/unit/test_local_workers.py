"""The demo's local fan-out: each worker a fresh process with its own retries and failure
record, K at a time, and Ctrl-C stopping every worker process."""
import os
import signal
import threading
import time

import pytest

from chalicelib.core import events
from tickersim.local.lambdas import Function
from tickersim.local.workers import WorkerPool

APP = '''
import json, os, pathlib, time

def walk_segment(event, context):
    detail = event["detail"]
    marks = pathlib.Path(os.environ["MARKS"])
    (marks / f"{detail['segment']}-{time.time_ns()}").write_text("")
    if detail["segment"] == int(os.environ.get("FAIL", "-1")):
        raise RuntimeError("this segment's stream is gone")
    time.sleep(float(os.environ.get("SLEEP", "0")))
    return {"tickers": 10 * (detail["segment"] + 1), "ticks": 40 * (detail["segment"] + 1)}
'''


def pool_for(tmp_path, say, notify, **env):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(APP)
    marks = tmp_path / "marks"
    marks.mkdir()
    function = Function("tickersim-local-worker-lambda", "app.walk_segment", code,
                        {"MARKS": str(marks), **env}, timeout=30)
    return WorkerPool(function, {}, processes=2, retries=1, say=say, notify=notify), marks


def test_a_failing_worker_is_retried_then_reported_while_the_others_succeed(tmp_path):
    lines, records = [], []
    pool, marks = pool_for(tmp_path, lambda text, style: lines.append(text), records.append,
                           FAIL="1")
    payloads = events.worker_events({"time": "2026-11-26T09:00:00Z"}, 3, 11)
    results = pool.run(payloads, logical_start=0.0)
    assert [o.failed for _, o, _ in results] == [False, True, False]
    attempts = sorted(name.split("-")[0] for name in os.listdir(marks))
    assert attempts == ["0", "1", "1", "2"]                 # segment 2 of 3 tried twice
    assert len(records) == 1
    assert records[0]["requestPayload"] == payloads[1]
    assert records[0]["requestContext"]["approximateInvokeCount"] == 2
    assert any("segment 3 of 3: 30 tickers, 120 ticks" in line for line in lines)
    assert any("segment 2 of 3 failed: RuntimeError" in line for line in lines)


def test_ctrl_c_stops_every_running_worker(tmp_path):
    # Ctrl-C as Python answers it by default: an earlier in-process demo may have left its
    # own SIGINT handler ("stop after this run") installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _ctrl_c_stops_every_running_worker(tmp_path)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ctrl_c_stops_every_running_worker(tmp_path):
    pool, marks = pool_for(tmp_path, lambda *_: None, lambda record: None, SLEEP="60")
    payloads = events.worker_events({"time": "2026-11-26T09:00:00Z"}, 4, 11)

    def interrupt_once_two_run():
        deadline = time.monotonic() + 30
        while len(os.listdir(marks)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_once_two_run, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        pool.run(payloads, logical_start=0.0)
    assert pool.live and all(p.poll() is not None for p in pool.live)
    assert len(os.listdir(marks)) == 2          # the two queued workers never started
