"""The demo's --out directory and its summary, as the user sees them: only the demo's own files
are ever replaced, a full or read-only disk is one clear line, and Ctrl-C during a run still
counts and logs that run."""
import json
import os
import select
import signal
import subprocess
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import summary_of, ticks_in
from tickersim.local.outdir import MANIFEST

GATE_WAIT_S = 60


def listed(out):
    return {line for line in (out / MANIFEST).read_text().splitlines()
            if line and not line.startswith("#")}


def files_under(out):
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_a_second_demo_replaces_what_the_first_wrote_and_nothing_else(start_demo, tmp_path):
    out = tmp_path / "D"
    assert start_demo("--runs", 1, "--interval", 0, "--out", out).finish() == 0
    first = files_under(out)
    assert listed(out) == first - {MANIFEST}
    (out / "s3" / "notes.txt").write_text("mine\n")
    (out / "mine.txt").write_text("mine too\n")
    demo = start_demo("--runs", 1, "--interval", 0, "--out", out)
    assert demo.finish() == 0, demo.text()
    second = files_under(out)
    assert (out / "s3" / "notes.txt").read_text() == "mine\n"
    assert (out / "mine.txt").read_text() == "mine too\n"
    assert listed(out) == second - {MANIFEST, "s3/notes.txt", "mine.txt"}
    old_objects = {f for f in first if f.startswith("s3/")}
    assert old_objects and not old_objects & second          # the earlier demo's are gone
    assert summary_of(out)["runs"] == 1


@contextmanager
def mounted_tmpfs(path, options):
    """A tmpfs at path (root only); skips the test where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
            capture_output=True).returncode != 0:
        pytest.skip("needs a tmpfs mount (root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


@pytest.fixture
def read_only_dir(tmp_path):
    path = tmp_path / "ro"
    if os.geteuid() != 0:
        path.mkdir()
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
        return
    with mounted_tmpfs(path, "ro,size=64k"):
        yield path


@pytest.mark.parametrize("where", ["ro", "ro/sub"])
def test_a_read_only_out_is_one_line_and_exit_2(start_demo, read_only_dir, where):
    out = read_only_dir.parent / where
    demo = start_demo("--runs", 1, "--out", out)
    assert demo.finish() == 2
    assert demo.text() == (f"demo: cannot use --out {out}: it is not writable: pass --out "
                           "with a directory you can write to\n")


def test_a_disk_that_fills_up_stops_the_demo_with_one_line_and_a_summary(start_demo, tmp_path):
    # Room for the file list, the summary kept from the start, and a few pages more.
    with mounted_tmpfs(tmp_path / "small", "size=96k") as out:
        demo = start_demo("--runs", 50, "--interval", 0, "--out", out)
        assert demo.finish() == 2
        text = demo.text()
        assert "Traceback" not in text
        last = text.splitlines()[-1]
        assert last.startswith("demo: cannot write ") and "the disk is full" in last
        summary = summary_of(out)        # valid JSON, written despite the full disk
        assert 1 <= summary["runs"] < 50
        assert any("the disk is full" in p for p in summary["problems"])


class Gate:
    """Two FIFOs between the test and the handler: the handler says it has arrived, then
    waits until the test lets it go. The test holds both open read-write, so neither side's
    open blocks and each byte is one run."""

    def __init__(self, folder):
        self.arrived, self.go = folder / "arrived", folder / "go"
        os.mkfifo(self.arrived)
        os.mkfifo(self.go)
        self.arrived_fd = os.open(self.arrived, os.O_RDWR)
        self.go_fd = os.open(self.go, os.O_RDWR)

    def install(self, app):
        """app.py whose handler stops at the gate on every run."""
        head, tail = app.read_text().split("def stream_ticks(event):\n")
        app.write_text(head + "def stream_ticks(event):\n    import os\n"
                       f"    os.write(os.open({str(self.arrived)!r}, os.O_WRONLY), b'x')\n"
                       f"    os.read(os.open({str(self.go)!r}, os.O_RDONLY), 1)\n" + tail)

    def wait_for_run(self):
        ready, _, _ = select.select([self.arrived_fd], [], [], GATE_WAIT_S)
        assert ready, "no run reached the handler"
        os.read(self.arrived_fd, 1)

    def release(self):
        os.write(self.go_fd, b"x")

    def close(self):
        os.close(self.arrived_fd)
        os.close(self.go_fd)


@pytest.fixture
def gate(tmp_path):
    gate = Gate(tmp_path)
    yield gate
    gate.close()


def test_ctrl_c_during_a_run_counts_and_logs_the_run(start_demo, project_copy, tmp_path, gate):
    """Regression: run 6's ticks were delivered and committed, yet summary.json said 5 runs
    and logs/ had no entry for it."""
    gate.install(project_copy / "app.py")
    out = tmp_path / "out"
    demo = start_demo("--interval", 0, "--out", out, cwd=project_copy)
    gate.wait_for_run()
    gate.release()                                      # run 1 goes through
    gate.wait_for_run()                                 # run 2 is inside the handler
    demo.process.send_signal(signal.SIGINT)
    demo.wait_for(r"stopping after run 2")
    gate.release()
    assert demo.finish() == 130, demo.text()
    summary = summary_of(out)
    assert (summary["runs"], summary["succeeded"], summary["interrupted"]) == (2, 2, True)
    ticks = ticks_in(out)
    assert len({(t["ticker"], t["seq"]) for t in ticks}) == summary["ticks_delivered"] == 40
    log = (out / "logs" / "tickersim-local-streaming-lambda.log").read_text()
    assert log.count("START RequestId") == log.count("REPORT RequestId") == 2


def test_a_second_ctrl_c_stops_at_once_and_the_run_is_counted_as_interrupted(
        start_demo, project_copy, tmp_path, gate):
    gate.install(project_copy / "app.py")
    out = tmp_path / "out"
    demo = start_demo("--interval", 0, "--out", out, cwd=project_copy)
    gate.wait_for_run()
    gate.release()
    gate.wait_for_run()
    demo.process.send_signal(signal.SIGINT)
    demo.wait_for(r"stopping after run 2")
    demo.process.send_signal(signal.SIGINT)
    assert demo.finish() == 130, demo.text()
    summary = summary_of(out)
    assert (summary["runs"], summary["succeeded"], summary["interrupted_runs"]) == (2, 1, 1)
    assert summary["ticks_delivered"] == 20
    log = (out / "logs" / "tickersim-local-streaming-lambda.log").read_text()
    assert log.count("START RequestId") == 2 and "stopped by Ctrl-C before it finished" in log
    json.loads((out / "summary.json").read_text())
