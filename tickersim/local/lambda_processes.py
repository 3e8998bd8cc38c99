"""How an invocation's process starts: forked by one warm server (`lambda_bootstrap.py
--serve`, whose answers a thread reads into the Child they are about), or, where forking is
unsafe, as a cold interpreter. Both give what lambdas.invoke uses of a Popen: pid, poll, wait,
returncode."""
import json
import os
import subprocess
import sys
import threading

from tickersim.local.lambda_bootstrap import kill_group


def start_cold(bootstrap, order):
    """The invocation in a new interpreter: slower, but safe where forking a process that has
    imported urllib is not (macOS: the system proxy lookup can crash a forked child)."""
    with open(order["log_file"], "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-P", str(bootstrap), order["result_file"]], cwd=order["cwd"],
            env=order["env"], stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        process.stdin.write(json.dumps(order["request"]).encode())
        process.stdin.close()
    except OSError:
        pass                # it died at start: its exit status says so
    return process


class Child:
    """One invocation's process, forked by the server: what callers use of a Popen. The
    server's reader sets pid and returncode; any thread may poll or wait."""

    def __init__(self, server):
        self.server, self.pid, self.returncode = server, None, None

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        with self.server.changed:
            if not self.server.changed.wait_for(lambda: self.returncode is not None, timeout):
                raise subprocess.TimeoutExpired("lambda invocation", timeout)
        return self.returncode


class ForkServer:
    """`lambda_bootstrap.py --serve`, started at the first invocation and kept while this
    process runs; a thread reads its answers into the Child they are about."""

    ANSWER_S = 60       # for the pid of a fork: far beyond a healthy server's milliseconds

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap
        self.lock, self.changed = threading.Lock(), threading.Condition()
        self.process, self.numbers, self.running = None, 0, {}   # running: number -> Child

    def ensure_running(self):
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                # The operator's variables stay out: each child gets only its function's.
                self.process = subprocess.Popen(
                    [sys.executable, "-P", str(self.bootstrap), "--serve"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
                    env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                         "LANG": "en_US.UTF-8", "TZ": "UTC"})
                self.running = {}        # each server's children in a dict of their own
                threading.Thread(target=self._read, args=(self.process, self.running),
                                 name="lambda-server", daemon=True).start()

    def start(self, order):
        """Fork a child for the order; returns its Child once the server names its pid."""
        self.ensure_running()
        child = Child(self)
        with self.lock:
            self.numbers += 1
            with self.changed:
                self.running[self.numbers] = child
            try:
                self.process.stdin.write(json.dumps({"id": self.numbers, **order}).encode()
                                         + b"\n")
                self.process.stdin.flush()
            except OSError:
                pass            # the server is gone: its reader ends this child as failed
        with self.changed:
            if not self.changed.wait_for(lambda: child.pid is not None
                                         or child.returncode is not None, self.ANSWER_S):
                raise RuntimeError("the local Lambda runtime (lambda_bootstrap.py --serve) "
                                   f"did not answer in {self.ANSWER_S} s; stop and start again")
        return child

    def _read(self, process, running):
        for line in process.stdout:
            answer = json.loads(line)
            with self.changed:
                child = running.get(answer["id"])
                if child is None:
                    continue
                if "pid" in answer:
                    child.pid = answer["pid"]
                if "status" in answer:
                    child.returncode = answer["status"]
                    del running[answer["id"]]
                self.changed.notify_all()
        process.wait()
        with self.changed:     # the server is gone: stop what it ran, and say so
            for child in running.values():
                if child.pid:
                    kill_group(child.pid)
                child.returncode = process.returncode or -1
            running.clear()
            self.changed.notify_all()
