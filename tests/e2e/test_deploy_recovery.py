"""Deploys that stop half way, and teardown after them, against moto's server: a new stage, a
`chalice deploy` that fails on broken code, a re-run that carries on, and a teardown that
finds what chalice never recorded."""
import io
import json

import pytest

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.base import naming
from tickersim.base.stage import copy_project

# moto warns for each resource type its CloudFormation skips; test_deploy.py's docstring says
# where those parts are tested instead.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

STAGE = "qa"                       # not in the committed config: deploy adds it
NAMES = naming.names_for("Ada Lovelace", STAGE)
FUNCTIONS = ["tickersim-qa-notification-lambda", "tickersim-qa-streaming-lambda"]


@pytest.fixture(scope="module")
def setup(moto_endpoint, tmp_path_factory):  # noqa: F811
    project = copy_project(tmp_path_factory.mktemp("project"))
    common = ["--stage", STAGE, "--endpoint", moto_endpoint, "--project-dir", str(project)]
    return Account(moto_endpoint), project, common


def test_a_failed_chalice_deploy_is_reported_and_a_rerun_carries_on(setup, capsys):
    account, project, common = setup
    deploy_args = [*common, "--owner", "Ada Lovelace", "--email", "ada@example.com"]
    app = project / "app.py"
    good = app.read_text()
    app.write_text(good + "\ndef broken(:\n")
    assert tickersim("deploy", *deploy_args) == 1
    assert "`chalice deploy --stage qa` failed" in capsys.readouterr().err
    snapshot = account.snapshot()
    assert NAMES.stack in snapshot["stacks"] and NAMES.table in snapshot["tables"]
    assert not set(FUNCTIONS) & set(snapshot["functions"])
    assert (project / ".chalice" / "policy-qa-streaming.json").exists()

    app.write_text(good)
    assert tickersim("deploy", *deploy_args) == 0
    assert set(FUNCTIONS) <= set(account.snapshot()["functions"])
    assert account.invoke_config(FUNCTIONS[1])["MaximumRetryAttempts"] == 1   # the default


def test_teardown_asks_first_and_deletes_nothing_without_an_answer(setup, monkeypatch, capsys):
    account, _, common = setup
    before = account.snapshot()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))       # not a terminal: cannot ask
    assert tickersim("teardown", *common) == 2
    assert capsys.readouterr().err == \
        "teardown: refusing to delete without confirmation: pass --yes\n"
    monkeypatch.setattr("sys.stdin", None)                  # closed: `<&-`
    assert tickersim("teardown", *common) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert account.snapshot() == before


def _nothing_of_the_stage_is_left(account):
    left = account.snapshot()
    assert not any("-qa-" in name or name.endswith("-qa")
                   for kind in left.values() for name in kind), left


def test_teardown_goes_on_when_a_recorded_function_was_deleted_by_hand(setup, capsys):
    account, _, common = setup
    account.lam.delete_function(FunctionName=FUNCTIONS[1])
    assert tickersim("teardown", *common, "--yes") == 0      # chalice delete stops; the sweep does not
    removed = capsys.readouterr().out
    assert "removing the rest by name" in removed
    assert f"function {FUNCTIONS[0]}" in removed and f"role {FUNCTIONS[1]}" in removed
    _nothing_of_the_stage_is_left(account)


def test_teardown_removes_what_chalice_lost_track_of(setup, capsys):
    account, project, common = setup
    assert tickersim("deploy", *common, "--owner", "Ada Lovelace", "--email", "ada@example.com") == 0
    # As after a `chalice deploy` that crashed before recording what it had created.
    (project / ".chalice" / "deployed" / f"{STAGE}.json").unlink()
    capsys.readouterr()
    assert tickersim("teardown", *common, "--yes") == 0
    removed = capsys.readouterr().out
    for function in FUNCTIONS:
        assert f"function {function}" in removed and f"role {function}" in removed
    assert "rule tickersim-qa-streaming-lambda-event" in removed
    _nothing_of_the_stage_is_left(account)


def test_region_overrides_eu_west_1_for_the_stack_chalice_and_teardown(setup):
    account, project, common = setup
    endpoint = common[common.index("--endpoint") + 1]
    args = ["--stage", "us1", "--endpoint", endpoint, "--project-dir", str(project),
            "--region", "us-east-1"]
    before_here = account.snapshot()               # eu-west-1, where nothing may appear
    assert tickersim("deploy", *args, "--owner", "Ada Lovelace", "--email", "a@x.io") == 0
    there = Account(endpoint, region="us-east-1")
    function = there.lam.get_function(FunctionName="tickersim-us1-streaming-lambda")
    assert ":us-east-1:" in function["Configuration"]["FunctionArn"]
    streaming = json.loads((project / ".chalice" / "policy-us1-streaming.json").read_text())
    assert all(":us-east-1:" in s["Resource"] for s in streaming["Statement"])
    assert "tickersim-us1-data" in there.snapshot()["stacks"]
    assert account.snapshot()["stacks"] == before_here["stacks"]

    assert tickersim("teardown", *args, "--yes") == 0
    assert not any("us1" in name for kind in there.snapshot().values() for name in kind)
