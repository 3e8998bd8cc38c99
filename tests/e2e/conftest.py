"""End-to-end tests of `tickersim demo`: the real CLI, in a subprocess, against moto's server."""
import email
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from email.policy import default as email_policy
from pathlib import Path

import pytest

from tickersim.base import stage as stages

PROJECT = stages.PROJECT_DIR
# What a copy of the project needs to run the CLI from it (no virtualenvs, no history).
RUN_TIMEOUT_S = 60


class Demo:
    """A running `tickersim demo --no-live`, its output read line by line as it comes."""

    def __init__(self, args, cwd):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tickersim", "demo", "--no-live", *args], cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ))
        self.lines, self.output = queue.Queue(), []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern, timeout=RUN_TIMEOUT_S):
        """The first line matching pattern, waiting at most timeout seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(f"no line matching {pattern!r}; output so far:\n"
                                     + "".join(self.output))
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def finish(self, timeout=RUN_TIMEOUT_S):
        code = self.process.wait(timeout=timeout)
        while (line := self.lines.get(timeout=timeout)) is not None:
            self.output.append(line)
        return code

    def text(self):
        return "".join(self.output)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start_demo():
    """start_demo(*args, cwd=PROJECT) -> Demo; every demo still running is killed at the end."""
    started = []

    def start(*args, cwd=PROJECT):
        demo = Demo([str(a) for a in args], cwd)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        demo.kill()


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the project whose app.py a test may break while a demo runs from it."""
    return stages.copy_project(tmp_path / "project", parts=stages.PROJECT_PARTS + ("tickersim",))


def ticks_in(out):
    """Every tick line in DIR/s3, parsed, with the object it came from."""
    ticks = []
    for path in sorted((Path(out) / "s3").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            assert data.endswith(b"\n"), f"{path} does not end with a newline"
            ticks += [json.loads(line) for line in data.decode("utf-8").splitlines()]
    return ticks


def alerts_in(out):
    """The e-mails in DIR/outbox, parsed as RFC 5322 messages."""
    return [email.message_from_bytes(path.read_bytes(), policy=email_policy)
            for path in sorted((Path(out) / "outbox").glob("*.eml"))]


def summary_of(out):
    return json.loads((Path(out) / "summary.json").read_text())
