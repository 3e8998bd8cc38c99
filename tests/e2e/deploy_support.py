"""Fixtures for the deploy/teardown tests: moto's server, a scratch copy of the project, and
a snapshot of everything a stage owns in the account."""
import logging
from pathlib import Path

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto.apigateway.models import APIGatewayBackend
from moto.server import ThreadedMotoServer

from tickersim import cli

PROJECT = Path(__file__).resolve().parents[2]
# What `chalice deploy` needs from the project, and what deploy reads: never the repo itself,
# since deploy writes .chalice/config.json, policy files and .chalice/deployed/.
REGION = "eu-west-1"


_import_rest_api = APIGatewayBackend.import_rest_api
_put_rest_api = APIGatewayBackend.put_rest_api


def _as_openapi3(api_doc):
    """Chalice's swagger 2.0 document in the form moto 5.2.5 accepts (OpenAPI 3 only, with an
    info.description): API Gateway takes both, and moto reads only paths and integrations."""
    api_doc.pop("swagger", None)
    api_doc.setdefault("openapi", "3.0.1")
    api_doc.setdefault("info", {}).setdefault("description", "")
    return api_doc


def _import(self, api_doc, fail_on_warnings):
    return _import_rest_api(self, _as_openapi3(api_doc), fail_on_warnings)


def _put(self, function_id, api_doc, fail_on_warnings, mode="merge"):
    return _put_rest_api(self, function_id, _as_openapi3(api_doc), fail_on_warnings, mode)


@pytest.fixture(scope="module")
def moto_endpoint():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch = pytest.MonkeyPatch()
    patch.setattr(APIGatewayBackend, "import_rest_api", _import)
    patch.setattr(APIGatewayBackend, "put_rest_api", _put)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto stores functions without Docker; nothing here invokes them.
    requests.post(f"{endpoint}/moto-api/config", json={"lambda": {"use_docker": False}},
                  timeout=10).raise_for_status()
    yield endpoint
    server.stop()
    patch.undo()


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
