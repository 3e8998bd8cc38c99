"""`tickersim local-aws` as the README tells a new user to try a deploy: the command in one
process, and deploy, seed and teardown told only AWS_ENDPOINT_URL and fake credentials in
another. The checkout ends as it began.

Regression: on plain moto the deploy stopped in Chalice's ImportRestApi (moto takes OpenAPI 3
only) and left .chalice/config.json edited.
"""
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from tickersim.base import stage as stages

TIMEOUT_S = 240


@pytest.fixture
def local_aws_process():
    process = subprocess.Popen([sys.executable, "-m", "tickersim", "local-aws"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = process.stdout.readline()
        endpoint = re.search(r"answers at (http://127\.0\.0\.1:\d+)", first)
        assert endpoint, first + process.stdout.read()
        yield process, endpoint.group(1)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _files(project):
    return {p.relative_to(project).as_posix(): p.read_bytes()
            for p in sorted(project.rglob("*")) if p.is_file()
            and not {"deployed", "deployments", "__pycache__"} & set(p.parts)}


def test_a_deploy_and_teardown_on_the_local_aws_with_only_the_variable_set(local_aws_process,
                                                                          tmp_path):
    process, endpoint = local_aws_process
    project = stages.copy_project(tmp_path / "project",
                                  parts=stages.PROJECT_PARTS + ("tickersim",))
    before = _files(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing")

    def tickersim(*argv):
        return subprocess.run([sys.executable, "-m", "tickersim", *argv], cwd=project, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S)

    deployed = tickersim("deploy", "--stage", "try", "--owner", "Ada Lovelace", "--email",
                         "ada@example.com")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "[6/6] done" in deployed.stdout and "execute-api" in deployed.stdout
    seeded = tickersim("seed", "--stage", "try")
    assert seeded.returncode == 0 and seeded.stdout.count(": kept") == 5, seeded.stderr
    removed = tickersim("teardown", "--stage", "try", "--yes")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert _files(project) == before

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert "local-aws: stopped" in process.stdout.read()


def test_ctrl_c_stops_it_and_frees_the_port(local_aws_process):
    process, endpoint = local_aws_process
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=90) == 0          # a loaded machine takes its time
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", int(endpoint.rsplit(":", 1)[1])))


@pytest.mark.parametrize("port, needle", [("-1", "--port -1 is too small"),
                                          ("70000", "--port 70000 is too large"),
                                          ("x", "--port: invalid int value"),
                                          ("busy", "cannot listen on 127.0.0.1:")])
def test_bad_ports_are_one_line_and_exit_2(port, needle):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        if port == "busy":
            port = str(taken.getsockname()[1])
        done = subprocess.run([sys.executable, "-m", "tickersim", "local-aws", "--port", port],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr
