"""`deploy --check`'s list is what deploy creates: the plan (from the merged template and
Chalice's package) against what a deploy on moto's server leaves in the account, both ways.

moto's CloudFormation skips the delivery stream, bucket policy, subscriptions, log stream,
alarm, Glue and Athena resources (NOTES.md), and the event-invoke config is an API call, so those kinds are compared with the
packaged template only (tests/functional/test_merged_package.py); every kind moto creates is
compared here. Regression: the plan listed two functions of a stage that creates 32 resources.
"""
import boto3
import pytest

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.aws import inventory, plan, preflight, stack
from tickersim.base.stage import copy_project

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

OWNER, STAGE, REGION = "Grace Hopper", "pl", "eu-west-1"
EMAILS = ["grace@example.com", "ops@example.com"]


def _in_account(endpoint, names):
    """What exists for the stage, by kind, as plan kinds name it."""
    account = Account(endpoint)
    session = boto3.session.Session(region_name=REGION)
    logs = session.client("logs", endpoint_url=endpoint)
    watch = session.client("cloudwatch", endpoint_url=endpoint)
    snapshot = account.snapshot()
    mine = names.stack.removesuffix("-data")           # tickersim-pl: functions, rules, roles

    def ours(values):
        return {v for v in values if mine in v or names.code in v or names.bucket in v}
    return {
        "Lambda function": ours(snapshot["functions"]),
        # CloudFormation draws the delivery role's suffix: compared by its prefix.
        "IAM role": ours(r.rsplit("-", 1)[0] + "-…" if "DeliveryRole" in r else r
                         for r in snapshot["roles"]),
        "DynamoDB table": ours(snapshot["tables"]),
        "S3 bucket": ours(snapshot["buckets"]),
        "SNS topic": ours(t.rsplit(":", 1)[1] for t in snapshot["topics"]),
        "API Gateway REST API": set(snapshot["rest_apis"]),
        "log group": ours(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
        "CloudWatch dashboard": ours(d["DashboardName"]
                                     for d in watch.list_dashboards()["DashboardEntries"]),
        "schedule rule": ours(snapshot["rules"]),
    }


def test_the_plan_lists_what_deploy_creates_and_nothing_else(moto_endpoint, tmp_path,  # noqa: F811
                                                              capsys):
    project = copy_project(tmp_path / "project")
    common = ["--stage", STAGE, "--endpoint", moto_endpoint, "--project-dir", str(project)]
    req = preflight.request(project, STAGE, OWNER, EMAILS, endpoint=moto_endpoint)
    session = boto3.session.Session(region_name=REGION)
    findings = preflight.check(req, session)
    template = inventory.stage_template(req, findings, findings.account)
    planned = inventory.created(template, inventory.parameter_values(req, findings), STAGE,
                                stack.example_refs(findings.names, findings.account, REGION))
    printed = "\n".join(plan.describe(req, findings))
    for resource in planned:
        assert f"{resource.kind:<22} {resource.name}" in printed

    deploy_args = ["--owner", OWNER, *[a for e in EMAILS for a in ("--email", e)]]
    assert tickersim("deploy", *common, *deploy_args) == 0
    there = _in_account(moto_endpoint, findings.names)
    by_kind = {}
    for resource in planned:
        by_kind.setdefault(resource.kind, set()).add(resource.name)
        if "rule " in resource.detail:
            by_kind.setdefault("schedule rule", set()).add(resource.detail.rsplit("rule ", 1)[1])
    for kind, found in there.items():
        assert found == by_kind.get(kind, set()), kind
    assert len([r for r in planned if r.kind == "e-mail subscription"]) == len(EMAILS)
    assert tickersim("teardown", *common, "--yes") == 0
    capsys.readouterr()
