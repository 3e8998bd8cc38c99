"""A first deploy on someone's account, against moto's server: `--check` prints the plan and
creates nothing; a taken bucket name and Block Public Access stop it before anything exists;
`--bucket` and `--reader-account` deploy; a changed `--owner` keeps the stage's names. And
bad arguments of deploy, teardown and seed: exit 2, one line naming the input, nothing touched.
"""
import io
import re

import boto3
import pytest

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.base import endpoints, naming
from tickersim.base.stage import copy_project

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

OWNER, STAGE = "Grace Hopper", "ft"
NAMES = naming.names_for(OWNER, STAGE)
READERS = ["111122223333", "444455556666"]


@pytest.fixture(scope="module")
def setup(moto_endpoint, tmp_path_factory):  # noqa: F811
    project = copy_project(tmp_path_factory.mktemp("project"))
    common = ["--stage", STAGE, "--endpoint", moto_endpoint, "--project-dir", str(project)]
    return Account(moto_endpoint), project, common, moto_endpoint


def _deploy_args(common, owner=OWNER):
    return ["deploy", *common, "--owner", owner, "--email", "grace@example.com"]


def _public_access(endpoint, **settings):
    session = boto3.session.Session(region_name="eu-west-1")
    control = endpoints.client(session, "s3control", endpoint)
    if settings:
        control.put_public_access_block(AccountId="123456789012",
                                        PublicAccessBlockConfiguration=settings)
    else:
        control.delete_public_access_block(AccountId="123456789012")


def test_check_prints_the_plan_and_its_cost_and_creates_nothing(setup, capsys):
    account, _, common, _ = setup
    before = account.snapshot()
    assert tickersim(*_deploy_args(common), "--check") == 0
    out = capsys.readouterr().out
    assert f"Plan for stage {STAGE} in eu-west-1, account 123456789012:" in out
    for name in (NAMES.stack, NAMES.table, NAMES.bucket, NAMES.stream, NAMES.topic,
                 NAMES.streaming_function, f"/aws/lambda/{NAMES.notification_function}"):
        assert name in out
    assert "readable by any AWS account" in out
    assert "Estimated cost: about $" in out and "a month at 5 tickers x 4 ticks" in out
    assert "Nothing was created (--check)." in out and "[1/6]" not in out
    assert account.snapshot() == before


def test_a_bucket_name_that_answers_but_is_not_the_stages_stops_before_anything(setup, capsys):
    account, _, common, _ = setup
    account.s3.create_bucket(Bucket=NAMES.bucket,
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    before = account.snapshot()
    try:
        assert tickersim(*_deploy_args(common)) == 2
        assert account.snapshot() == before
    finally:
        account.s3.delete_bucket(Bucket=NAMES.bucket)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and f"bucket {NAMES.bucket} exists" in err[0]
    assert f"--bucket {NAMES.bucket}-123456789012" in err[0]


@pytest.mark.parametrize("setting", ["BlockPublicPolicy", "RestrictPublicBuckets"])
def test_block_public_access_stops_before_anything_and_names_both_ways_out(setup, capsys,
                                                                            setting):
    account, _, common, endpoint = setup
    before = account.snapshot()
    _public_access(endpoint, BlockPublicAcls=True, IgnorePublicAcls=True,
                   BlockPublicPolicy=setting == "BlockPublicPolicy",
                   RestrictPublicBuckets=setting == "RestrictPublicBuckets")
    try:
        assert tickersim(*_deploy_args(common)) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and setting in err[0]
        assert "turn it off for this account" in err[0] and "--reader-account ID" in err[0]
        assert account.snapshot() == before
        # Named readers work under any setting: the check passes.
        assert tickersim(*_deploy_args(common), "--check",
                         "--reader-account", READERS[0]) == 0
    finally:
        _public_access(endpoint)


def test_bucket_and_reader_accounts_deploy_and_a_changed_owner_keeps_the_names(setup, capsys):
    account, project, common, endpoint = setup
    _public_access(endpoint, BlockPublicAcls=True, IgnorePublicAcls=True,
                   BlockPublicPolicy=True, RestrictPublicBuckets=True)
    try:
        args = [*_deploy_args(common), "--bucket", "grace-ticks-2026",
                *[a for r in READERS for a in ("--reader-account", r)]]
        assert tickersim(*args) == 0
    finally:
        _public_access(endpoint)
    out = capsys.readouterr().out
    assert "ticks/ readable by 111122223333, 444455556666" in out
    assert "From the accounts 111122223333, 444455556666" in out
    stack = account.cfn.describe_stacks(StackName=NAMES.stack)["Stacks"][0]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params["BucketName"] == "grace-ticks-2026"
    # AWS echoes a list parameter as "a,b"; moto as the list's repr: both name the two.
    assert re.findall(r"\d{12}", params["ReaderAccounts"]) == READERS
    assert "grace-ticks-2026" in account.snapshot()["buckets"]
    # chalice deploy created each function's log group with the configured retention; the
    # API's it names after its role, so deploy creates the one the API function writes to.
    assert _log_groups(endpoint) == {f"/aws/lambda/{NAMES.notification_function}": 14,
                                     f"/aws/lambda/{NAMES.streaming_function}": 14,
                                     f"/aws/lambda/tickersim-{STAGE}-watch-lambda": 14,
                                     f"/aws/lambda/tickersim-{STAGE}-worker-lambda": 14,
                                     f"/aws/lambda/tickersim-{STAGE}-api_handler": 14}
    assert _log_groups(endpoint, f"/aws/lambda/tickersim-{STAGE}")[
        f"/aws/lambda/tickersim-{STAGE}"] == 14
    before = account.snapshot()

    # Another owner, no --bucket: the stage keeps its names and bucket; alerts name the new one.
    assert tickersim(*_deploy_args(common, owner="Ada Lovelace")) == 0
    out = capsys.readouterr().out
    assert "owner: Grace Hopper -> Ada Lovelace" in out
    assert "keeping the stage's reader accounts 111122223333, 444455556666" in out
    assert account.snapshot() == before
    env = account.lam.get_function_configuration(
        FunctionName=NAMES.notification_function)["Environment"]["Variables"]
    assert env["OWNER_NAME"] == "Ada Lovelace"
    # A different bucket for a stage that has one is refused, before anything changes.
    assert tickersim(*_deploy_args(common), "--bucket", "another-bucket-2026") == 2
    assert "already keeps its ticks in bucket grace-ticks-2026" in capsys.readouterr().err
    # So is another record format: ticks/ and the Glue table hold the first one.
    assert tickersim(*_deploy_args(common), "--format", "parquet") == 2
    assert "was created with --format json" in capsys.readouterr().err
    assert tickersim("teardown", *common, "--yes") == 0
    assert "grace-ticks-2026" not in account.snapshot()["buckets"]
    assert _log_groups(endpoint, f"/aws/lambda/tickersim-{STAGE}") == {}   # teardown removes them


def _log_groups(endpoint, prefix=f"/aws/lambda/tickersim-{STAGE}-"):
    logs = boto3.client("logs", region_name="eu-west-1", endpoint_url=endpoint)
    groups = logs.describe_log_groups(logGroupNamePrefix=prefix)
    return {g["logGroupName"]: g.get("retentionInDays") for g in groups["logGroups"]}


def _one_line_naming(err, needle):
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert needle in lines[-1], err
    return lines


BAD_DEPLOY = [
    (["--email", ""], "--email ''"),
    (["--email", "not-an-email"], "--email 'not-an-email'"),
    (["--email", "a@b"], "--email 'a@b'"),
    (["--email", "a@x.com,b@x.com"], "one address per --email"),
    (["--email", "a@x.com"] * 2, "given twice"),
    (["--email", "a@x.com\n"], "--email 'a@x.com\\n'"),
    (["--email", "a@x.c0m"], "is not an e-mail address"),
    ([a for n in range(4) for a in ("--email", f"a{n}@x.com")], "--email is given 4 times"),
    (["--stage", "local"], "--stage local is reserved for `tickersim demo`"),
    (["--stage", "Dev!"], "stage 'Dev!' is not usable"),
    (["--stage", ""], "stage '' is not usable"),
    (["--owner", ""], "--owner is empty"),
    (["--owner", "   "], "--owner is empty"),
    (["--owner", "Ada\nLovelace"], "control character"),
    (["--owner", "A" * 101], "--owner is 101 characters long"),
    (["--reader-account", "12345"], "--reader-account '12345'"),
    (["--reader-account", "１２３４５６７８９０１２"], "is not an AWS account id"),
    (["--reader-account", "111122223333"] * 2, "--reader-account 111122223333 is given twice"),
    (["--reader-account", "111122223333\n"], "is not an AWS account id"),
    (["--bucket", "Grace_Ticks"], "--bucket 'Grace_Ticks'"),
    (["--bucket", "grace-ticks\n"], "may hold only lower-case letters"),
    (["--bucket", "grace.ticks"], "has a dot"),
    (["--bucket", "ab"], "is 2 characters long"),
    (["--bucket", "xn--grace"], "prefix or suffix that S3 reserves"),
    (["--region", "mars-1"], "--region 'mars-1'"),
    (["--format", "orc"], "--format 'orc' is not a record format"),
    (["--format", "Parquet"], "give --format json or --format parquet"),
    (["--sink", "kafka"], "--sink 'kafka' is not a sink"),
    (["--sink", "kinesis", "--shards", "0"], "--shards 0: a stream needs at least 1 shard"),
    (["--sink", "kinesis", "--shards", "abc"], "--shards 'abc' is not a number of shards"),
    (["--sink", "kinesis", "--shards", "501"], "default shard quota of 500 per account"),
    (["--sink", "firehose", "--shards", "2"], "--sink firehose does not have"),
    (["--endpoint", "127.0.0.1:8765"], "--endpoint '127.0.0.1:8765' is not an endpoint URL"),
    (["--endpoint", "http://127.0.0.1:99999"], "'http://127.0.0.1:99999' is not an endpoint URL"),
    (["--project-dir", "/nonexistent"], "--project-dir '/nonexistent' is not a tickersim"),
]


@pytest.mark.parametrize("bad, needle", BAD_DEPLOY, ids=[n for _, n in BAD_DEPLOY])
def test_deploy_refuses_bad_input_before_touching_aws(setup, capsys, bad, needle):
    account, _, common, _ = setup
    before = account.snapshot()
    good = {"--stage": STAGE, "--owner": OWNER}
    flags = {flag for flag in bad if flag.startswith("--")}
    args = ["deploy", *[a for k, v in good.items() if k not in flags for a in (k, v)], *bad]
    if "--email" not in flags:
        args += ["--email", "grace@example.com"]
    for flag in ("--endpoint", "--project-dir"):
        if flag not in flags:
            args += [flag, common[common.index(flag) + 1]]
    assert tickersim(*args) == 2
    captured = capsys.readouterr()
    assert len(_one_line_naming(captured.err, needle)) == 1
    assert captured.out == ""                  # not even the plan: nothing was asked of AWS
    assert account.snapshot() == before


# teardown and seed: the arguments as given, and moto's endpoint unless they give one or are
# about the lack of one.
BAD_OTHERS = [
    (["teardown", "--stage", "Dev!", "--yes"], "stage 'Dev!' is not usable"),
    (["teardown", "--stage", STAGE, "--region", "mars-1", "--yes"], "--region 'mars-1'"),
    (["teardown", "--stage", STAGE, "--endpoint", "localhost:1", "--yes"], "is not an endpoint URL"),
    (["seed", "--stage", "nope"], "stage 'nope' is not in .chalice/config.json"),
    (["seed", "--stage", "local"], "the local stage lives inside a running `tickersim demo`"),
    (["seed", "--stage", "dev", "--endpoint", "127.0.0.1:1"], "is not an endpoint URL"),
    (["seed", "--stage", "dev", "--region", "mars-1"], "--region 'mars-1'"),
]


@pytest.mark.parametrize("argv, needle", BAD_OTHERS, ids=[" ".join(map(str, a[:1])) + ": " + n
                                                         for a, n in BAD_OTHERS])
def test_teardown_and_seed_refuse_bad_input(setup, capsys, argv, needle):
    account, _, _, endpoint = setup
    before = account.snapshot()
    if "--endpoint" not in argv and "local" not in argv:
        argv = [*argv, "--endpoint", endpoint]
    assert tickersim(*argv) == 2
    assert len(_one_line_naming(capsys.readouterr().err, needle)) == 1
    assert account.snapshot() == before


def test_teardown_at_a_prompt_ended_with_ctrl_d_deletes_nothing(monkeypatch, capsys):
    from tickersim.aws import teardown

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Terminal(""))          # input() meets end of file
    with pytest.raises(teardown.NotConfirmed, match="pass --yes"):
        teardown._ask("dev", ["stack tickersim-dev-data"])


def test_argparse_refusals_also_exit_2_naming_the_flag(capsys):
    for argv, flag in [(["deploy", "--stage", "x", "--owner", "A B", "--email", "a@x.io",
                         "--retries", "5"], "--retries"),
                       (["deploy", "--stage", "x", "--owner", "A B"], "--email"),
                       (["teardown"], "--stage")]:
        with pytest.raises(SystemExit) as stopped:
            tickersim(*argv)
        assert stopped.value.code == 2
        _one_line_naming(capsys.readouterr().err, flag)
