"""Fixtures for the deploy/teardown tests: moto's server, a scratch copy of the project, and
a snapshot of everything a stage owns in the account."""
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tickersim import cli
from tickersim.local.aws_server import local_aws

PROJECT = Path(__file__).resolve().parents[2]
# What `chalice deploy` needs from the project, and what deploy reads: never the repo itself,
# since deploy writes .chalice/config.json, policy files and .chalice/deployed/.
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def moto_endpoint():
    """The local AWS `tickersim local-aws` runs: moto's server with what a deploy needs."""
    with local_aws() as endpoint:
        yield endpoint


def tickersim(*argv):
    """`tickersim <argv>` in this process, as the console script runs it; returns the exit code."""
    return cli.main(list(argv))


class Account:
    """Read-only views of the moto account, for assertions."""

    def __init__(self, endpoint, region=REGION):
        session = boto3.session.Session(region_name=region)

        def client(service):
            return session.client(service, endpoint_url=endpoint)

        self.cfn, self.lam, self.events = client("cloudformation"), client("lambda"), \
            client("events")
        self.iam, self.dynamodb, self.s3, self.sns = client("iam"), client("dynamodb"), \
            client("s3"), client("sns")
        self.apigateway = client("apigateway")

    def snapshot(self):
        """Everything that exists, by kind: names only, so two snapshots compare equal when
        nothing was created or deleted."""
        return {
            "stacks": sorted(s["StackName"] for s in self.cfn.describe_stacks()["Stacks"]
                             if s["StackStatus"] != "DELETE_COMPLETE"),
            "functions": sorted(f["FunctionName"] for f in self.lam.list_functions()["Functions"]),
            "rules": sorted(r["Name"] for r in self.events.list_rules()["Rules"]),
            "roles": sorted(r["RoleName"] for r in self.iam.list_roles()["Roles"]),
            "tables": sorted(self.dynamodb.list_tables()["TableNames"]),
            "buckets": sorted(b["Name"] for b in self.s3.list_buckets()["Buckets"]),
            "topics": sorted(t["TopicArn"] for t in self.sns.list_topics()["Topics"]),
            "rest_apis": sorted(a["name"] for a in self.apigateway.get_rest_apis()["items"]),
        }

    def invoke_config(self, function):
        try:
            return self.lam.get_function_event_invoke_config(FunctionName=function)
        except ClientError:
            return None
