"""The demo's Lambda emulation on its own: timeouts, exits and edits, as the Lambda service
reports them. Each invocation is a real process running a tiny handler."""
import os
import py_compile
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import event
from tickersim.base.stage import PROJECT_DIR
from tickersim.local import lambdas
from tickersim.local.demo_code import comment_out_body
from tickersim.local.lambdas import Function

HANDLER = "def handler(event, context):\n    {}\n"


@pytest.fixture
def function(tmp_path):
    def make(body, timeout=30.0):
        (tmp_path / "app.py").write_text(HANDLER.format(body))
        return Function(name="tickersim-local-streaming-lambda", handler="app.handler",
                        code_dir=tmp_path, environment={"TABLE_NAME": "t"}, timeout=timeout)
    return make


def test_a_handler_sees_the_lambda_environment_and_context(function):
    fn = function("import os; return {'table': os.environ['TABLE_NAME'], "
                  "'name': context.function_name, 'left': context.get_remaining_time_in_millis(),"
                  " 'shell': os.environ.get('TICKERSIM_SHELL_ONLY')}")
    os.environ["TICKERSIM_SHELL_ONLY"] = "leaks"
    try:
        outcome = lambdas.invoke(fn, {}, {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, "req-1")
    finally:
        del os.environ["TICKERSIM_SHELL_ONLY"]
    assert not outcome.failed, outcome
    assert outcome.payload["table"] == "t" and outcome.payload["name"] == fn.name
    assert 0 < outcome.payload["left"] <= 30_000
    assert outcome.payload["shell"] is None      # the operator's shell does not leak in


def test_a_timeout_kills_the_process_and_reports_as_aws_does(function):
    fn = function("import time; print('started', flush=True); time.sleep(60)", timeout=1.0)
    outcome = lambdas.invoke(fn, {}, {}, "req-2", logical_start=0)
    assert outcome.failed and "started" in outcome.log
    assert set(outcome.payload) == {"errorMessage"}
    assert re.fullmatch(r"1970-01-01T00:00:01\.\d{3}Z req-2 Task timed out after 1\.\d\d seconds",
                        outcome.payload["errorMessage"])
    assert lambdas.error_type(outcome.payload) == "Timeout"


def test_exiting_the_process_is_a_runtime_exit_error(function):
    outcome = lambdas.invoke(function("import os; os._exit(3)"), {}, {}, "req-3")
    assert outcome.payload["errorType"] == "Runtime.ExitError"
    assert outcome.payload["errorMessage"].endswith("exit status 3")


def test_a_result_that_is_not_json_is_a_marshal_error(function):
    outcome = lambdas.invoke(function("return {1, 2}"), {}, {}, "req-4")
    assert outcome.payload["errorType"] == "Runtime.MarshalError"


def test_an_edit_of_the_same_size_in_the_same_second_is_picked_up(function):
    fn = function("return 'one'")
    assert lambdas.invoke(fn, {}, {}).payload == "one"
    app = fn.code_dir / "app.py"
    py_compile.compile(str(app))          # as any import of the working tree leaves behind
    stat = app.stat()
    app.write_text(app.read_text().replace("one", "two"))
    os.utime(app, ns=(stat.st_atime_ns, stat.st_mtime_ns))   # a stale cache would match
    assert lambdas.invoke(fn, {}, {}).payload == "two"


def test_each_invocation_is_a_process_of_its_own_with_nothing_of_the_last(function):
    """Children of one fork server: no module state carries over, concurrent ones are
    separate processes, and each is its own process group (what a timeout kills)."""
    fn = function("import os, sys\n    m = sys.modules.setdefault('counter', type(sys)('counter'))"
                  "\n    m.n = getattr(m, 'n', 0) + 1\n    import time; time.sleep(0.3)"
                  "\n    return [m.n, os.getpid(), os.getpgid(0), sys.stdout.line_buffering]")
    with ThreadPoolExecutor(4) as pool:
        results = [o.payload for o in pool.map(lambda _: lambdas.invoke(fn, {}, {}), range(4))]
    assert [r[0] for r in results] == [1, 1, 1, 1]
    assert len({r[1] for r in results}) == 4 and all(r[1] == r[2] for r in results)
    assert all(r[3] for r in results)       # print reaches the log as it happens


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "cold (macOS)"])
def test_both_ways_of_starting_give_the_same_answers(function, monkeypatch, fork):
    monkeypatch.setattr(lambdas, "FORK", fork)
    fn = function("import os; print('hi'); return [os.environ['TABLE_NAME'], os.getpgid(0) == "
                  "os.getpid(), os.environ.get('TICKERSIM_SHELL_ONLY')]")
    monkeypatch.setenv("TICKERSIM_SHELL_ONLY", "leaks")
    outcome = lambdas.invoke(fn, {"big": "x" * 300_000}, {})
    assert (outcome.failed, outcome.payload) == (False, ["t", True, None])
    assert "hi" in outcome.log
    slow = function("import time; time.sleep(60)", timeout=0.5)
    assert lambdas.error_type(lambdas.invoke(slow, {}, {}).payload) == "Timeout"


def test_a_keyboard_interrupt_or_a_huge_exit_code_ends_as_a_fresh_process_would(function):
    outcome = lambdas.invoke(function("raise KeyboardInterrupt"), {}, {}, "req-8")
    assert outcome.payload["errorMessage"].endswith("exit status -2")
    outcome = lambdas.invoke(function("import sys; sys.exit(2 ** 64)"), {}, {}, "req-9")
    assert outcome.payload["errorMessage"].endswith("exit status 255")


def test_the_threads_a_handler_leaves_finish_before_the_process_ends(function):
    fn = function("import threading, time\n    threading.Thread(target=lambda: (time.sleep(0.2), "
                  "print('late', flush=True))).start()\n    import os; os._exit(0)")
    assert "late" not in lambdas.invoke(fn, {}, {}).log     # os._exit: nothing waits
    fn = function("import threading, time\n    threading.Thread(target=lambda: (time.sleep(0.2), "
                  "print('late', flush=True))).start()\n    import sys; sys.exit(0)")
    assert "late" in lambdas.invoke(fn, {}, {}).log


@pytest.mark.skipif(not lambdas.FORK, reason="no fork server on macOS")
def test_a_server_that_dies_stops_what_it_ran_and_the_next_invocation_starts_anew(function):
    fn = function("import os, time\n    open('pid', 'w').write(str(os.getpid()))\n"
                  "    time.sleep(60)")
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(lambdas.invoke, fn, {}, {})
        pid_file = fn.code_dir / "pid"
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        lambdas._server.process.kill()
        outcome = running.result(timeout=30)
    assert outcome.failed and outcome.payload["errorType"] == "Runtime.ExitError"
    pid, deadline = int(pid_file.read_text()), time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)                  # not left running with no one to stop it
    assert lambdas.invoke(function("return 1"), {}, {}).payload == 1


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_exit_codes_and_uncaught_exits_end_as_a_fresh_process_would(function):
    outcome = lambdas.invoke(function("import sys; sys.exit(4)"), {}, {}, "req-6")
    assert outcome.payload["errorMessage"].endswith("exit status 4")
    outcome = lambdas.invoke(function("import sys; sys.exit('bye')"), {}, {}, "req-7")
    assert outcome.payload["errorMessage"].endswith("exit status 1") and "bye" in outcome.log


def test_the_failure_record_has_the_shape_aws_sends(function):
    fn = function("raise ValueError('no')")
    scheduled = event("scheduled-event")
    outcome = lambdas.invoke(fn, scheduled, {}, "req-5")
    record = lambdas.failure_record(fn, scheduled, outcome, 2, 0)
    fixture = event("failure-exception")
    assert set(record) == set(fixture)
    for part in ("requestContext", "responseContext", "responsePayload"):
        assert set(record[part]) == set(fixture[part])
    assert record["requestPayload"] == scheduled
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["stackTrace"][-1].startswith(f'  File "{fn.code_dir}')


def test_the_broken_copy_comments_out_exactly_the_handlers_body():
    source = (PROJECT_DIR / "app.py").read_text()
    broken = comment_out_body(source, "stream_ticks")
    changed = [(a, b) for a, b in zip(source.splitlines(), broken.splitlines()) if a != b]
    assert changed and all(b == "# " + a for a, b in changed)
    assert all(a.startswith((" ", "\t")) for a, _ in changed)     # body lines only
    with pytest.raises(IndentationError):
        compile(broken, "app.py", "exec")


def test_a_signature_over_several_lines_keeps_its_lines():
    source = "def stream_ticks(event,\n                 context=None):\n    return 1\nx = 2\n"
    assert comment_out_body(source, "stream_ticks") == (
        "def stream_ticks(event,\n                 context=None):\n#     return 1\nx = 2\n")
