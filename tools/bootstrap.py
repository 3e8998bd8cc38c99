"""Builds the project's venvs from their locks: with a pinned uv where it can be had, else pip.

    python3 tools/bootstrap.py [--uv UV] venv DIR LOCK [--requirements FILE] [--editable]
    python3 tools/bootstrap.py [--uv UV] uv       # prints the uv to use (installs the pinned one)

--uv: `pinned` (default) installs uv UV_VERSION from PyPI into .venv-tools/ on first use; a path
uses that uv; empty uses pip (`make test UV=`). Standard library only: it runs before any venv
exists. The Makefile runs `venv` when DIR/.ready is missing or older than what DIR is built from:
DIR is wiped, built, and marked ready last, so an interrupted build is never taken for ready.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

UV_VERSION = "0.13.9"
TOOLS = Path(".venv-tools")                  # the project's own: never the user's environment
READY = ".ready"
MIN_PYTHON = (3, 11, 5)   # policy-sentry's soupsieve needs 3.11.5
# A requirement line's name and, if pinned, its version: `moto[server]==5.2.5 ; marker  # note`.
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:==\s*([^\s;#]+))?",
                         re.M)
QUIET_PIP = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_ROOT_USER_ACTION": "ignore"}


class BootstrapError(Exception):
    """The venv cannot be built as asked: the message says what to do."""


def say(text):
    print(f"bootstrap: {text}", file=sys.stderr, flush=True)


def requirements(text):
    """[(name as PEP 503 compares them, pinned version or "")] of a requirements file's text."""
    return [(re.sub(r"[-_.]+", "-", name).lower(), version)
            for name, version in REQUIREMENT.findall(text)]


def unlocked(requirements_text, lock_text):
    """The requirements that the lock does not pin as asked, as `name==version` (or `name`)."""
    locked = {}
    for name, version in requirements(lock_text):   # a universal lock may pin one name twice
        locked.setdefault(name, set()).add(version)
    return [name + (f"=={version}" if version else "")
            for name, version in requirements(requirements_text)
            if name not in locked or (version and version not in locked[name])]


def pinned_uv():
    """.venv-tools/bin/uv at UV_VERSION, installed by pip on first use; (uv, None) or (None, why)."""
    uv, marker = TOOLS / "bin" / "uv", TOOLS / f"uv-{UV_VERSION}{READY}"
    if marker.exists() and uv.exists():
        return uv, None
    shutil.rmtree(TOOLS, ignore_errors=True)
    pip = [sys.executable, "-m", "pip"]
    if importlib.util.find_spec("pip") is None:
        # A Python without pip of its own (e.g. Debian's): a venv lends its pip.
        lender = TOOLS / "pip"
        made = subprocess.run([sys.executable, "-m", "venv", lender], capture_output=True)
        if made.returncode:
            return None, f"{sys.executable} has neither pip nor a working venv module"
        pip = [lender / "bin" / "python", "-m", "pip"]
    result = subprocess.run(pip + ["install", "--quiet", "--target", TOOLS, f"uv=={UV_VERSION}"],
                            capture_output=True, text=True, env={**os.environ, **QUIET_PIP})
    if result.returncode or not uv.exists():
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        return None, (errors or [f"pip exited with {result.returncode}"])[-1]
    marker.touch()
    return uv, None


def find_uv(option):
    """(the uv to use, None) or (None, why there is none)."""
    if not option:
        return None, "UV is empty"
    if option != "pinned":
        return Path(option), None
    uv, why = pinned_uv()
    return uv, why and f"uv {UV_VERSION} could not be installed ({why})"


def run(command):
    if subprocess.run([str(part) for part in command]).returncode:
        raise BootstrapError(f"`{' '.join(map(str, command))}` failed (see above)")


def build(venv, lock, editable, uv):
    """DIR from scratch: the locked set exactly, then this project in editable mode."""
    (venv / READY).unlink(missing_ok=True)       # first: the wipe itself may be cut short
    shutil.rmtree(venv, ignore_errors=True)
    python = venv / "bin" / "python"
    if uv:
        run([uv, "venv", "--quiet", "--python", sys.executable, venv])
        install = [uv, "pip", "install", "--quiet", "--python", python]
        # The lock is complete: sync installs it as it is (no resolving), then checks it.
        run([uv, "pip", "sync", "--quiet", "--strict", "--python", python, lock])
    else:
        run([sys.executable, "-m", "venv", venv])
        install = [python, "-m", "pip", "install", "--quiet", "--no-compile",
                   "--disable-pip-version-check"]
        run(install + ["-r", lock])
    if editable:
        # setuptools comes from the lock: no build isolation, nothing unpinned is fetched.
        run(install + ["--no-deps", "--no-build-isolation", "-e", "."])
    keep_bytecode_out(python)
    (venv / READY).touch()


def keep_bytecode_out(python):
    """Every process of this venv writes its bytecode caches under DIR/pycache, never beside
    the sources: raw `chalice deploy` zips chalicelib/ as it finds it, caches included."""
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True).stdout
    prefix = Path(python).parent.parent.resolve() / "pycache"
    # A .pth line that starts with `import` runs at every interpreter start.
    Path(site.strip(), "tickersim-pycache.pth").write_text(
        f"import sys; sys.pycache_prefix = sys.pycache_prefix or {str(prefix)!r}\n")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tools/bootstrap.py", description=__doc__.split("\n")[0])
    parser.add_argument("--uv", default="pinned", help="pinned (default), a path, or empty for pip")
    sub = parser.add_subparsers(dest="command", required=True)
    venv = sub.add_parser("venv", help="build DIR from LOCK")
    venv.add_argument("dir", type=Path)
    venv.add_argument("lock", type=Path)
    venv.add_argument("--requirements", type=Path,
                      help="the file LOCK was compiled from: each of its pins must be in LOCK")
    venv.add_argument("--editable", action="store_true", help="then install this project with -e")
    sub.add_parser("uv", help="print the path of the uv to use")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if sys.version_info < MIN_PYTHON:
            raise BootstrapError(
                f"tickersim needs Python {'.'.join(map(str, MIN_PYTHON))} or newer, and "
                f"{sys.executable} is {sys.version.split()[0]}: run make PYTHON=python3.11")
        uv, why = find_uv(args.uv)
        if args.command == "uv":
            if uv is None:
                raise BootstrapError(f"{why}: `make lock` needs uv (or UV=/path/to/uv)")
            print(uv)
            return 0
        if args.requirements:
            missing = unlocked(args.requirements.read_text(), args.lock.read_text())
            if missing:
                raise BootstrapError(f"{args.lock} does not pin {', '.join(missing)} from "
                                     f"{args.requirements}: run `make lock`")
        if uv is None:
            say(f"{why}: installing with pip instead (slower)")
        build(args.dir, args.lock, args.editable, uv)
    except BootstrapError as exc:
        say(str(exc))
        return 2
    except KeyboardInterrupt:
        say("interrupted: nothing is marked ready, the next run starts over")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
