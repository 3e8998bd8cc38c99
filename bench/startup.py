"""Cold start and bundle size: what a new Lambda worker imports, and what it downloads."""
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench.cloud import FAKE_ENV
from tickersim.base.stage import copy_project

ROOT = Path(__file__).resolve().parents[1]
# What `chalice package` reads; copied so the benchmark never writes into the working tree.
PROJECT_FILES = ("app.py", "chalicelib", "requirements.txt", ".chalice")
# boto3 first, then app, in one fresh interpreter: the second figure is what `app` adds on
# top of boto3 (which the Lambda runtime provides), free of the noise between processes.
_TIMED_IMPORTS = ("import time; t = time.perf_counter(); import boto3; b = time.perf_counter(); "
                  "import app; print(b - t, time.perf_counter() - b)")


def cold_start(repeats):
    """Medians over fresh interpreters: import boto3, then import app on top of it."""
    boto3_s, app_s = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _TIMED_IMPORTS], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        first, second = map(float, out.stdout.split())
        boto3_s.append(first)
        app_s.append(second)
    return {"boto3": statistics.median(boto3_s), "app_extra": statistics.median(app_s)}


def bundle(stage="dev"):
    """(zip bytes, files in it) of `chalice package` for the stage."""
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project", parts=PROJECT_FILES)
        out = Path(tmp) / "out"
        chalice = Path(sys.executable).with_name("chalice")
        subprocess.run([str(chalice), "package", "--stage", stage, str(out)], cwd=project,
                       env={**os.environ, **FAKE_ENV}, capture_output=True, text=True,
                       check=True)
        archive = out / "deployment.zip"
        with zipfile.ZipFile(archive) as zf:
            return archive.stat().st_size, len(zf.namelist())
