"""Raw `chalice deploy` from a used checkout packs what `tickersim deploy` packs: the demo and
the tests leave no bytecode caches in the source tree for chalice to zip.

Regression: after tests or a demo, `chalice package` carried chalicelib/__pycache__ (217 KB
instead of 100 KB).
"""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tickersim.base import stage as stages

TIMEOUT_S = 180


def test_a_checkout_used_by_a_demo_and_tests_packages_no_bytecode(tmp_path):
    project = stages.copy_project(tmp_path / "project", parts=stages.PROJECT_PARTS + (
        "tickersim", "tests", "pyproject.toml"))
    # A new shell: nothing from this test run says where caches go, or not to write them.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")}

    def run(*argv):
        done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S)
        assert done.returncode == 0, done.stdout + done.stderr

    run(sys.executable, "-m", "tickersim", "demo", "--no-live", "--no-web", "--runs", "1",
        "--interval", "0", "--out", str(tmp_path / "out"))
    run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "tests/unit/test_alerts.py")
    left = sorted(p.relative_to(project).as_posix() for p in project.rglob("__pycache__"))
    assert left == []

    run(str(Path(sys.executable).with_name("chalice")), "package", "--stage", "dev",
        str(tmp_path / "package"))
    names = zipfile.ZipFile(tmp_path / "package" / "deployment.zip").namelist()
    assert "chalicelib/walk/pipeline.py" in names
    assert [n for n in names if "__pycache__" in n or n.endswith(".pyc")] == []
