"""Stopping the demo: Ctrl-C leaves no process and no port behind, and says where the data is;
`tickersim browse --stage local` reads the running demo's bucket."""
import fcntl
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e.conftest import PROJECT, summary_of

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def processes_reaching(endpoint):
    """Pids of processes (Lambda invocations) whose environment points at the endpoint."""
    marker = f"AWS_ENDPOINT_URL={endpoint}\0".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker in (proc / "environ").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue          # gone meanwhile, or not ours to read
    return pids


def accepts_connections(endpoint):
    parts = urlsplit(endpoint)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
        return True
    except OSError:
        return False


def test_browse_reads_the_running_demo_and_ctrl_c_cleans_up(start_demo, tmp_path):
    out = tmp_path / "out"
    demo = start_demo("--interval", 0.5, "--out", out)      # no --runs: until Ctrl-C
    endpoint = demo.wait_for(r"local AWS at (http://127\.0\.0\.1:\d+)").group(1)
    demo.wait_for(r"run 2 ok")

    browse = subprocess.run(
        [sys.executable, "-m", "tickersim", "browse", "--stage", "local", "--endpoint",
         endpoint, "--count", "10"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert browse.returncode == 0, browse.stderr
    assert "s3://deadalovelace-deliverystream-s3-local/ticks/" in browse.stdout
    rows = [line.split() for line in browse.stdout.splitlines() if line.startswith("Index_")]
    assert len(rows) == 10
    assert {row[0] for row in rows} == {f"Index_{n}" for n in range(1, 6)}

    demo.process.send_signal(signal.SIGINT)
    assert demo.finish(timeout=30) == 130, demo.text()
    assert f"The data is in {out}" in demo.text()
    assert not accepts_connections(endpoint)
    assert processes_reaching(endpoint) == []
    summary = summary_of(out)
    assert summary["interrupted"] is True and summary["succeeded"] >= 2
    assert summary["ticks_delivered"] >= 2 * 5 * 4


def test_browse_local_without_an_endpoint_says_what_to_pass():
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    browse = subprocess.run([sys.executable, "-m", "tickersim", "browse", "--stage", "local"],
                            cwd=PROJECT, capture_output=True, text=True, timeout=60, env=env)
    assert browse.returncode == 2
    assert "--endpoint http://127.0.0.1:PORT" in browse.stderr


def test_a_port_in_use_is_named_and_nothing_starts(start_demo, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        demo = start_demo("--port", port, "--runs", 1, "--out", tmp_path / "out")
        assert demo.finish() == 2
    assert f"cannot listen on 127.0.0.1:{port}" in demo.text()
    assert "--port" in demo.text()


def test_no_run_left_to_break_is_refused_before_anything_starts(start_demo, tmp_path):
    demo = start_demo("--runs", 2, "--break-after", 2, "--out", tmp_path / "out")
    assert demo.finish() == 2
    assert "--break-after 2 needs --runs 3 or more" in demo.text()
    assert not (tmp_path / "out").exists()


def test_ctrl_c_in_a_terminal_stops_the_live_view_and_frees_everything(tmp_path):
    """As `make demo` runs: the live view on a terminal, and Ctrl-C typed into it."""
    out = tmp_path / "out"
    pid, terminal = pty.fork()
    if pid == 0:                                   # the child: exec the demo on the terminal
        # A classic 80x24 terminal: the whole view must fit in it.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.chdir(PROJECT)
        os.execv(sys.executable, [sys.executable, "-m", "tickersim", "demo",
                                  "--interval", "0.5", "--out", str(out)])
    try:
        screen = read_until(terminal, r"run 2 ok")
        endpoint = re.search(r"http://127\.0\.0\.1:\d+", screen).group(0)
        os.write(terminal, b"\x03")                 # Ctrl-C, through the terminal driver
        screen += read_until(terminal, r"The data is in")
        _, status = os.waitpid(pid, 0)
        pid = None
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 130
    assert "tickersim demo" in screen and "Index_5" in screen    # the live view was drawn
    assert not accepts_connections(endpoint)
    assert processes_reaching(endpoint) == []
    assert summary_of(out)["interrupted"] is True


def read_until(fd, pattern, timeout=60):
    """What the terminal shows (escape codes removed) up to a match, within the deadline."""
    deadline, seen = time.monotonic() + timeout, ""
    while not re.search(pattern, seen):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, left))
        if not ready:
            raise AssertionError(f"no {pattern!r} on the terminal; it shows:\n{seen[-3000:]}")
        try:
            chunk = os.read(fd, 65536)
        except OSError:       # the other end closed
            chunk = b""
        if not chunk:
            raise AssertionError(f"terminal closed before {pattern!r}:\n{seen[-3000:]}")
        seen += ANSI.sub("", chunk.decode("utf-8", "replace"))
    return seen
