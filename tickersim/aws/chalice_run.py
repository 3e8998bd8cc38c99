"""Running the real `chalice` CLI for a stage, and reading what it recorded as deployed."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tickersim.base import endpoints


class ChaliceFailed(Exception):
    def __init__(self, message, output=""):
        super().__init__(message)
        self.output = output         # the end of what chalice said, when it was not shown


def executable():
    # The chalice next to this Python first: the project's own .venv, whatever PATH says.
    beside = Path(sys.executable).parent / "chalice"
    found = str(beside) if beside.exists() else shutil.which("chalice")
    if not found:
        raise ChaliceFailed("the `chalice` command is not installed next to this Python: run "
                            "`make test` once (it creates .venv with chalice), or pip install "
                            "chalice==1.34.0")
    return found


def run(project_dir, region, endpoint, *args, quiet=False):
    """`chalice <args>` in the project; region and endpoint through the environment, since
    neither is a Chalice option. Its output goes straight to the terminal, or, when quiet,
    only into the error if it fails."""
    env = dict(endpoints.subprocess_env(endpoint), AWS_DEFAULT_REGION=region)
    command = [executable(), *args]
    drop_bytecode(project_dir)
    sys.stdout.flush()   # our lines first, then chalice's, in order
    done = subprocess.run(command, cwd=project_dir, env=env, check=False, text=True,
                          capture_output=quiet)
    if done.returncode:
        said = " ".join((done.stderr or done.stdout or "").strip().splitlines()[-1:])
        raise ChaliceFailed(f"`chalice {' '.join(args)}` failed (exit {done.returncode}) in "
                            f"{project_dir}: " + (said if quiet else "its message is above"),
                            output=said)


def drop_bytecode(project_dir):
    """Chalice zips chalicelib/ as it is: Python's bytecode caches, left there by tests and the
    demo, would more than double the bundle. Lambda compiles what it imports anyway."""
    for cache in (Path(project_dir) / "chalicelib").rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def deployed_file(project_dir, stage):
    return Path(project_dir) / ".chalice" / "deployed" / f"{stage}.json"


def deployed_resources(project_dir, stage):
    """{resource name: recorded values} from .chalice/deployed/<stage>.json ({} if none)."""
    path = deployed_file(project_dir, stage)
    if not path.exists():
        return {}
    return {r["name"]: r for r in json.loads(path.read_text()).get("resources", [])}
