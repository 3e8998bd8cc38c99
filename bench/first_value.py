"""`make first-value`: a newcomer's first minute, timed. A fresh clone of HEAD, no package cache,
`make demo` in a terminal: how long until the demo's first screen, and until five live prices
(every ticker's row showing ticks of the first run). Once with the bootstrap as it is (uv), once
with its pip fallback (`UV=`), the way every install went before uv, in the same run.

Standard library only (it needs no venv): `python3 -m bench.first_value [--runs N]`.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKERS = 5
TIMEOUT_S = 600
ROWS, COLUMNS = 40, 110
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r")
# A row of the live view's price table: name, price, change, sparkline, ticks, the panel's edge.
PRICE_ROW = re.compile(r"(Index_\d+)\s+[\d,]+\.\d{4}\s+[+-]\d+\.\d\d %.*?(\d+)\s*\S?\s*$", re.M)
FIRST_SCREEN = "tickersim demo"
VENV_READY = "tickersim demo --runs"    # make echoes the demo's command once .venv is ready


def live_tickers(screen):
    """The tickers whose rows in the rendered text show at least one tick."""
    return {name for name, ticks in PRICE_ROW.findall(screen) if int(ticks) > 0}


def clean_env(tmp):
    """This machine's environment without any package cache, or a venv or make of ours."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")}
    env.update(UV_CACHE_DIR=str(tmp / "uv-cache"), PIP_NO_CACHE_DIR="1",
               XDG_CACHE_HOME=str(tmp / "cache"), TERM="xterm-256color")
    return env


def timed_demo(uv):
    """Seconds from `git clone` to: .venv ready, the first screen, five live prices, exit."""
    with tempfile.TemporaryDirectory(prefix="tickersim-first-value-") as tmp:
        tmp = Path(tmp)
        start = time.monotonic()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(tmp / "clone")], check=True)
        make = ["make", "--no-print-directory", "demo",
                f"ARGS=--runs 1 --out {tmp / 'out'}"] + ([] if uv else ["UV="])
        marks, output = {}, b""
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(tmp / "clone")
            os.execvpe("make", make, clean_env(tmp))
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        try:
            while time.monotonic() - start < TIMEOUT_S:
                if not select.select([fd], [], [], 1)[0]:
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except OSError:       # the terminal closed: make has exited
                    break
                if not chunk:
                    break
                now = time.monotonic() - start
                output += chunk
                screen = ANSI.sub("", output.decode("utf-8", "replace"))
                for name, seen in (("venv", VENV_READY in screen),
                                   ("screen", FIRST_SCREEN in screen.split(VENV_READY)[-1]
                                    if VENV_READY in screen else False),
                                   ("prices", len(live_tickers(screen)) >= TICKERS)):
                    if seen and name not in marks:
                        marks[name] = now
        finally:
            _, status = os.waitpid(pid, 0)
            os.close(fd)
        marks["exit"] = time.monotonic() - start
        if os.waitstatus_to_exitcode(status) != 0 or "prices" not in marks:
            sys.stdout.write(ANSI.sub("", output[-3000:].decode("utf-8", "replace")))
            raise SystemExit(f"first-value: the demo ({'uv' if uv else 'pip'}) did not show "
                             f"{TICKERS} live prices (exit {os.waitstatus_to_exitcode(status)})")
        return marks


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m bench.first_value", description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="fresh clones per bootstrap")
    args = parser.parse_args(argv)
    if shutil.which("make") is None or shutil.which("git") is None:
        raise SystemExit("first-value: needs make and git on PATH")
    results = {}
    for _ in range(args.runs):        # interleaved, so both see the same load
        for label, uv in (("uv", True), ("pip (UV=)", False)):
            results.setdefault(label, []).append(timed_demo(uv))
    print(f"fresh clone of HEAD, no package cache, `make demo`, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; medians of {args.runs} run(s), seconds")
    print(f"{'bootstrap':<12}{'.venv ready':>12}{'first screen':>14}{'5 live prices':>15}"
          f"{'demo exits':>12}")
    medians = {}
    for label, runs in results.items():
        medians[label] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        m = medians[label]
        print(f"{label:<12}{m['venv']:>12.1f}{m['screen']:>14.1f}{m['prices']:>15.1f}"
              f"{m['exit']:>12.1f}")
    print(f"five live prices: uv takes {medians['uv']['prices'] / medians['pip (UV=)']['prices']:.2f}"
          " of pip's time")


if __name__ == "__main__":
    main()
