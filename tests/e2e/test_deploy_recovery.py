"""Deploys that stop half way, and teardown after them, against moto's server: a new stage, a
`chalice deploy` that fails on broken code, a re-run that carries on, and a teardown that
finds what chalice never recorded."""
import io
import json

import pytest

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.base import naming
from tickersim.base.stage import copy_project
from tickersim.local import aws_server

# moto warns for each resource type its CloudFormation skips; test_deploy.py's docstring says
# where those parts are tested instead.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

STAGE = "qa"                       # not in the committed config: deploy adds it
NAMES = naming.names_for("Ada Lovelace", STAGE)
FUNCTIONS = ["tickersim-qa-notification-lambda", "tickersim-qa-streaming-lambda"]


PRISTINE = {}


@pytest.fixture(scope="module")
def setup(moto_endpoint, tmp_path_factory):  # noqa: F811
    project = copy_project(tmp_path_factory.mktemp("project"))
    # What the copy held before any deploy: teardown must put exactly this back. (Taken
    # now, not from the live checkout later: other tests may touch that meanwhile.)
    PRISTINE[project] = _checkout(project)
    common = ["--stage", STAGE, "--endpoint", moto_endpoint, "--project-dir", str(project)]
    return Account(moto_endpoint), project, common


def test_code_that_does_not_package_stops_deploy_before_anything_is_created(setup, capsys):
    account, project, common = setup
    app = project / "app.py"
    good = app.read_text()
    app.write_text(good + "\ndef broken(:\n")
    before, checkout = account.snapshot(), _checkout(project)
    try:
        assert tickersim("deploy", *common, "--owner", "Ada Lovelace",
                         "--email", "ada@example.com") == 1
    finally:
        app.write_text(good)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "app.py does not package" in err and "SyntaxError" in err
    assert account.snapshot() == before and _checkout(project) == checkout


def test_a_failed_chalice_deploy_is_reported_and_a_rerun_carries_on(setup, capsys,
                                                                    monkeypatch):
    account, project, common = setup
    deploy_args = [*common, "--owner", "Ada Lovelace", "--email", "ada@example.com"]
    checkout = _checkout(project)
    # As on plain moto: its ImportRestApi refuses the Swagger 2.0 that Chalice sends.
    with monkeypatch.context() as plain_moto:
        plain_moto.setattr(aws_server, "as_openapi3", lambda document: document)
        assert tickersim("deploy", *deploy_args) == 1
    captured = capsys.readouterr()
    assert "`chalice deploy --stage qa` failed" in captured.err
    snapshot = account.snapshot()
    assert NAMES.stack in snapshot["stacks"] and NAMES.table in snapshot["tables"]
    assert not snapshot["rest_apis"]
    # Regression: the failed deploy left stage qa in .chalice/config.json and its policy files.
    assert _checkout(project) == checkout
    assert "are as they were before it" in captured.out

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


def _checkout(project):
    """The checkout's files deploy may write (Chalice's own state, not committed, aside)."""
    return {p.relative_to(project).as_posix(): p.read_bytes()
            for p in sorted((project / ".chalice").iterdir()) if p.is_file()}


def test_teardown_puts_the_checkout_back_as_before_the_first_deploy(setup, capsys):
    """Regression: teardown left the stage's entry in .chalice/config.json and its policy
    files. (The stage qa deployed by the first test.)"""
    account, project, common = setup
    pristine = PRISTINE[project]
    assert _checkout(project) != pristine
    assert tickersim("teardown", *common, "--yes") == 0
    out = capsys.readouterr().out
    assert "stage 'qa' in .chalice/config.json removed" in out
    assert ".chalice/policy-qa-streaming.json removed" in out
    assert _checkout(project) == pristine
    _nothing_of_the_stage_is_left(account)
    assert tickersim("deploy", *common, "--owner", "Ada Lovelace", "--email", "a@x.io") == 0


def test_seeding_a_stage_with_create_then_deploying_it_is_one_line_not_a_traceback(setup,
                                                                                    capsys):
    """Regression: a ResponseParserError traceback (moto's CloudFormation answers with
    DynamoDB's JSON error when the table exists)."""
    account, project, common = setup
    endpoint = common[common.index("--endpoint") + 1]
    # The committed dev stage's table, as `tickersim seed --stage dev --create` makes it.
    assert tickersim("seed", "--stage", "dev", "--create", "--endpoint", endpoint) == 0
    before, checkout = account.snapshot(), _checkout(project)
    args = ["--stage", "dev", "--endpoint", endpoint, "--project-dir", str(project)]
    assert tickersim("deploy", *args, "--owner", "Kyle Maposa", "--email", "k@x.io") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "table DEKYLMAP-streaming-dynamodb exists" in err
    assert "delete-table --table-name DEKYLMAP-streaming-dynamodb" in err
    assert account.snapshot() == before and _checkout(project) == checkout
    account.dynamodb.delete_table(TableName="DEKYLMAP-streaming-dynamodb")


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
