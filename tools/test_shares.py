"""`make test`: the suite as a few pytest processes side by side, each running its share of
the test folders in order, in one interpreter. Each share's output is printed whole as it
ends, and the exit status is the worst of theirs.

Why processes and not pytest-xdist: under xdist, in full runs, three e2e teardown tests
failed as if their module's local AWS and deployed stage had been rebuilt half way (each
passed alone). moto's state lives in the process, and every `mock_aws` of a unit test resets
it; here the e2e tests never share a process with `mock_aws`, and each share keeps pytest's
order.

`python tools/test_shares.py [pytest args]`: the args go to every share (e.g. `-x`, `-k`).
"""
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# (name, patterns): each test file goes to the first share with a pattern that matches it.
# About even in time: the e2e demos, the other e2e tests (deploys on moto's server), and the
# unit and functional tests in two. The e2e tests wait on demo runs and servers, so four
# processes keep 2 cores busier than two.
SHARES = (
    ("e2e demos", ["tests/e2e/test_demo*.py"]),
    ("other e2e", ["tests/e2e/test_*.py"]),
    ("unit, functional a-c", ["tests/unit/test_*.py", "tests/functional/test_[a-c]*.py"]),
    ("functional d-z", ["tests/functional/test_*.py"]),
)
ROOT = Path(__file__).resolve().parents[1]


def assign(root=ROOT, shares=SHARES):
    """{share name: [test files]}; every test file under tests/ in exactly one share."""
    taken, out = set(), {}
    for name, patterns in shares:
        files = sorted({p.relative_to(root).as_posix() for pattern in patterns
                        for p in root.glob(pattern)} - taken)
        taken.update(files)
        out[name] = files
    missed = sorted({p.relative_to(root).as_posix() for p in root.glob("tests/**/test_*.py")}
                    - taken)
    if missed:
        raise SystemExit(f"test_shares: no share takes {', '.join(missed)}: add a pattern to "
                         "SHARES in tools/test_shares.py")
    return out


def main(argv):
    started = time.monotonic()
    runs = []
    try:
        for name, files in assign().items():
            if not files:
                continue            # with no file, pytest would run the whole suite
            # Closed (and deleted) when the process ends, after it was printed.
            log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
            process = subprocess.Popen([sys.executable, "-m", "pytest", *files, *argv],
                                       cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       text=True)
            runs.append((name, process, log))
        ended = queue.Queue()        # each share printed as soon as it ends
        for run in runs:
            threading.Thread(target=lambda r=run: ended.put((r, r[1].wait())), daemon=True).start()
        codes = []
        for _ in runs:
            (name, _, log), code = ended.get()
            codes.append(code)
            log.seek(0)
            sys.stdout.write(log.read())
            print(f"== {name}: pytest exited {codes[-1]} after "
                  f"{time.monotonic() - started:.0f} s ==", flush=True)
    except KeyboardInterrupt:
        for _, process, _ in runs:
            process.terminate()
        for _, process, _ in runs:
            process.wait()
        return 130
    print(f"make test: {len(runs)} pytest processes, {time.monotonic() - started:.0f} s in all")
    # 5 is pytest's "no test collected": a -k that matches in one share only is no failure.
    failed = [code for code in codes if code not in (0, 5)]
    return max(failed) if failed else min(codes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
