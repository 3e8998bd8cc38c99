"""Every command that talks to AWS behaves the same whether moto's server is given with
`--endpoint`, with `AWS_ENDPOINT_URL` alone, or with botocore's per-service variables
(`AWS_ENDPOINT_URL_S3_CONTROL`, ...) while `AWS_ENDPOINT_URL` points at nothing.

Regression: with the variable alone, deploy stopped at the Block Public Access preflight
(`http://123456789012.127.0.0.1:PORT/...`): the S3 Control host fix applied to the flag only.
"""
import re

import pytest
import requests

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.base import naming
from tickersim.base.stage import copy_project

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

# The committed config's dev stage holds this owner's names, so that seed, browse and scenario
# (which read the checkout's config) find what a deploy in the copy created.
OWNER, STAGE = "Kyle Maposa", "dev"
NOTHING = "http://127.0.0.1:9"          # the discard port: nothing answers there
# botocore's documented names (AWS_ENDPOINT_URL_ + the service id) of what the commands and
# `chalice deploy` call.
SERVICE_VARIABLES = ["STS", "CLOUDFORMATION", "S3", "S3_CONTROL", "IAM", "LAMBDA",
                     "EVENTBRIDGE", "CLOUDWATCH_LOGS", "DYNAMODB", "SNS", "API_GATEWAY",
                     "FIREHOSE", "ATHENA", "GLUE", "CLOUDWATCH", "SSM", "KINESIS",
                     "APPLICATION_AUTO_SCALING"]


def _commands(project):
    here = ["--project-dir", str(project)]
    exported = str(project / "exported")
    return [
        ["deploy", "--stage", STAGE, "--owner", OWNER, "--email", "kyle@example.com", "--check",
         *here],
        ["deploy", "--stage", STAGE, "--owner", OWNER, "--email", "kyle@example.com", *here],
        ["seed", "--stage", STAGE, "--reset"],
        ["scenario", "apply", "spike", "--at", "2026-12-01T15:00Z", "--stage", STAGE],
        ["scenario", "list", "--stage", STAGE],
        ["browse", "--stage", STAGE],
        ["backfill", "--date", "2026-11-27", "--tickers", "Index_1", "--stage", STAGE],
        ["query", "SELECT 1", "--stage", STAGE],
        ["export", "--format", "parquet", "--stage", STAGE, "--to", exported],
        ["teardown", "--stage", STAGE, "--yes", *here],
    ]


def _story(endpoint, monkeypatch, tmp_path, how):
    """Each command's (exit code, account afterwards), on a fresh moto account, with the
    endpoint given `how`."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    requests.post(f"{endpoint}/moto-api/config", json={"lambda": {"use_docker": False}},
                  timeout=10).raise_for_status()
    account = Account(endpoint)
    with monkeypatch.context() as env:
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        flag = []
        if how == "flag":
            flag = ["--endpoint", endpoint]
        elif how == "AWS_ENDPOINT_URL":
            env.setenv("AWS_ENDPOINT_URL", endpoint)
        else:
            env.setenv("AWS_ENDPOINT_URL", NOTHING)
            for name in SERVICE_VARIABLES:
                env.setenv(f"AWS_ENDPOINT_URL_{name}", endpoint)
        transcript = []
        for argv in _commands(copy_project(tmp_path / how)):
            code = tickersim(*argv, *flag)
            transcript.append((" ".join(argv[:2]), code, _named(account.snapshot())))
    return transcript


def _named(snapshot):
    """The snapshot without the random suffix CloudFormation gives the roles it names."""
    return {**snapshot, "roles": sorted(re.sub(r"-[A-Z0-9]{12,13}$", "-*", r)
                                        for r in snapshot["roles"])}


@pytest.fixture(scope="module")
def stories(moto_endpoint, tmp_path_factory):  # noqa: F811
    patch = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("endpoint")
    try:
        return {how: _story(moto_endpoint, patch, tmp, how)
                for how in ("flag", "AWS_ENDPOINT_URL", "per-service")}
    finally:
        patch.undo()


def test_the_flag_story_succeeds_where_it_should(stories):
    codes = {command: code for command, code, _ in stories["flag"]}
    for command in ("deploy --stage", "seed --stage", "scenario apply", "scenario list",
                    "backfill --date", "teardown --stage"):
        assert codes[command] == 0, (command, stories["flag"])
    deployed = stories["flag"][1][2]
    assert naming.names_for(OWNER, STAGE).stack in deployed["stacks"]
    assert stories["flag"][-1][2]["functions"] == []


@pytest.mark.parametrize("how", ["AWS_ENDPOINT_URL", "per-service"])
def test_each_command_behaves_as_with_the_flag(stories, how):
    for step, (got, wanted) in enumerate(zip(stories[how], stories["flag"])):
        assert got == wanted, step
    assert len(stories[how]) == len(stories["flag"])
