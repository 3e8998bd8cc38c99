"""`tickersim deploy` and `tickersim teardown` end to end against moto's server: the real
CloudFormation calls, the real `chalice deploy` / `chalice delete` subprocesses, real boto3.

moto's CloudFormation skips AWS::KinesisFirehose::DeliveryStream, AWS::S3::BucketPolicy,
AWS::SNS::Subscription and AWS::Logs::LogStream: those parts of infra/data.yaml are tested in
tests/functional/test_data_template.py and test_bucket_policy.py instead. The deploy path's
event-invoke config is an API call, so it is checked here; the packaged template's
AWS::Lambda::EventInvokeConfig is checked in tests/functional/test_merged_package.py.
"""
import json

import pytest

from tests.e2e.deploy_support import Account, moto_endpoint, tickersim  # noqa: F401
from tickersim.aws import api_gateway, checkout
from tickersim.base import naming, wiring
from tickersim.base.owner_ascii import owner_ascii
from tickersim.base.stage import copy_project

# moto warns for each resource type its CloudFormation skips; the module docstring says where
# those parts are tested instead.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")

OWNER, STAGE = "Zoë Ñúñez", "dev"
NAMES = naming.names_for(OWNER, STAGE)
STREAMING = "tickersim-dev-streaming-lambda"
NOTIFIER = "tickersim-dev-notification-lambda"
WATCHER = "tickersim-dev-watch-lambda"
WORKER = "tickersim-dev-worker-lambda"
API = "tickersim-dev"                 # Chalice names the REST API's function <app>-<stage>


class Story:
    """One stage's life, run once for the module: deploy, deploy again, tear down twice."""

    def __init__(self, endpoint, project):
        self.account, self.project = Account(endpoint), project
        common = ["--stage", STAGE, "--endpoint", endpoint, "--project-dir", str(project)]
        deploy_args = common + ["--owner", OWNER, "--email", "zoe@example.com",
                                "--email", "ops@example.com", "--retries", "2"]
        self.empty = self.account.snapshot()
        self.checkout_before = self._checkout()
        assert tickersim("deploy", *deploy_args) == 0
        self.first = self.account.snapshot()
        self.outputs = self._outputs()
        self.config = self._files()
        self.stream_env = self._env(STREAMING)
        self.notifier_env = self._env(NOTIFIER)
        self.invoke_config = self.account.invoke_config(STREAMING)
        self.worker_invoke_config = self.account.invoke_config(WORKER)
        self.worker_env = self._env(WORKER)
        self.worker_memory = self.account.lam.get_function_configuration(
            FunctionName=WORKER)["MemorySize"]
        self.notification = self.account.s3.get_bucket_notification_configuration(
            Bucket=NAMES.bucket)
        self.rule = self.account.events.describe_rule(Name=f"{STREAMING}-event")
        self.targets = self.account.events.list_targets_by_rule(Rule=f"{STREAMING}-event")
        self.streaming_arn = self.account.lam.get_function(
            FunctionName=STREAMING)["Configuration"]["FunctionArn"]
        self.role_policy = self._role_policy(STREAMING)
        self.items = self._items()
        self.api_env = self._env(API)
        self.api_role_policy = self._role_policy("tickersim-dev-api_handler")
        self.rest_api = self.account.apigateway.get_rest_apis()["items"][0]["id"]
        self.gateway = {r["responseType"]: r for r in self.account.apigateway.get_gateway_responses(
            restApiId=self.rest_api)["items"]}
        self.api_stage = self.account.apigateway.get_stage(restApiId=self.rest_api,
                                                           stageName="api")

        # A ticker that has moved must survive a re-deploy (the seed never overwrites it).
        self.account.dynamodb.update_item(
            TableName=NAMES.table, Key={"TickerName": {"S": "Index_1"}},
            UpdateExpression="SET Price = :p", ExpressionAttributeValues={":p": {"N": "123.5"}})
        assert tickersim("deploy", *deploy_args) == 0
        self.second = self.account.snapshot()
        self.config_after_second = self._files()
        self.items_after_second = self._items()
        self.invoke_config_after_second = self.account.invoke_config(STREAMING)

        self._fill_bucket()
        self.teardown_exit = tickersim("teardown", *common, "--yes")
        self.after_teardown = self.account.snapshot()
        self.deployed_state_left = (project / ".chalice" / "deployed" / "dev.json").exists()
        self.checkout_after_teardown = self._checkout()
        self.second_teardown_exit = tickersim("teardown", *common, "--yes")

    def _checkout(self):
        return {p.name: p.read_bytes() for p in (self.project / ".chalice").iterdir()
                if p.is_file()}

    def _outputs(self):
        stack = self.account.cfn.describe_stacks(StackName=NAMES.stack)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}

    def _files(self):
        chalice_dir = self.project / ".chalice"
        return {p.name: json.loads(p.read_text()) for p in chalice_dir.glob("*.json")}

    def _env(self, function):
        config = self.account.lam.get_function_configuration(FunctionName=function)
        return config["Environment"]["Variables"]

    def _role_policy(self, role):
        iam = self.account.iam
        names = iam.list_role_policies(RoleName=role)["PolicyNames"]
        return [iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"] for n in names]

    def _items(self):
        items = self.account.dynamodb.scan(TableName=NAMES.table, ConsistentRead=True)["Items"]
        return {i["TickerName"]["S"]: i["Price"]["N"] for i in items}

    def _fill_bucket(self):
        # Versions and delete markers, as Firehose writes and a user deletes: teardown must
        # remove them all or the stack cannot delete the bucket. moto's CloudFormation leaves
        # VersioningConfiguration unapplied, so it is switched on here as AWS would have it.
        s3 = self.account.s3
        s3.put_bucket_versioning(Bucket=NAMES.bucket,
                                 VersioningConfiguration={"Status": "Enabled"})
        for body in (b"1\n", b"2\n"):
            s3.put_object(Bucket=NAMES.bucket, Key="ticks/2026/11/26/09/a", Body=body)
        s3.put_object(Bucket=NAMES.bucket, Key="errors/x", Body=b"e")
        s3.delete_object(Bucket=NAMES.bucket, Key="errors/x")


@pytest.fixture(scope="module")
def story(moto_endpoint, tmp_path_factory):  # noqa: F811
    return Story(moto_endpoint, copy_project(tmp_path_factory.mktemp("project")))


def test_deploy_creates_the_stack_both_functions_their_roles_and_the_schedule(story):
    created = {kind: sorted(set(story.first[kind]) - set(story.empty[kind]))
               for kind in story.first}
    assert created["stacks"] == [NAMES.stack]
    assert created["functions"] == [API, NOTIFIER, STREAMING, WATCHER, WORKER]
    assert created["rest_apis"] == ["tickersim"]
    assert created["rules"] == [f"{STREAMING}-event"]
    assert {NOTIFIER, STREAMING, WATCHER, WORKER} <= set(created["roles"])
    assert len(created["roles"]) == 6          # + the API's and the delivery stream's roles
    assert created["tables"] == [NAMES.table] == ["DEZOENUN-streaming-dynamodb"]
    assert created["buckets"] == [NAMES.bucket] == ["dezoenunez-deliverystream-s3"]
    assert sorted(t.rsplit(":", 1)[1] for t in created["topics"]) == sorted(
        [NAMES.topic, NAMES.market_topic])
    assert story.rule["ScheduleExpression"] == "rate(1 minute)"
    assert [t["Arn"] for t in story.targets["Targets"]] == [story.streaming_arn]


def test_new_tick_objects_trigger_the_watcher(story):
    (config,) = story.notification["LambdaFunctionConfigurations"]
    assert config["LambdaFunctionArn"].endswith(f":function:{WATCHER}")
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["Filter"]["Key"]["FilterRules"][0]["Value"] == "ticks/"


def test_failed_runs_retry_then_go_to_the_notifier(story):
    config = story.invoke_config
    assert config["MaximumRetryAttempts"] == 2             # --retries 2
    assert config["MaximumEventAgeInSeconds"] == wiring.MAX_EVENT_AGE_S
    destination = config["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination.endswith(f":function:{NOTIFIER}")
    # ... and the streaming role may invoke exactly that function and the workers.
    statements = [s for doc in story.role_policy for s in doc["Statement"]
                  if s["Action"] == "lambda:InvokeFunction"]
    assert [s["Resource"] for s in statements] == [
        destination, destination.replace(NOTIFIER, WORKER)]
    # A worker has the same contract: its failure alerts, naming its segment.
    assert {k: v for k, v in story.worker_invoke_config.items()
            if k in ("MaximumRetryAttempts", "DestinationConfig")} == {
        k: v for k, v in config.items() if k in ("MaximumRetryAttempts", "DestinationConfig")}
    assert story.worker_memory == checkout.WORKER_MEMORY_MB


def test_stack_outputs_are_recorded_in_the_config_and_reach_the_functions(story):
    outputs = story.outputs
    assert outputs["TableName"] == NAMES.table
    assert outputs["DeliveryStreamName"] == NAMES.stream
    stage = story.config["config.json"]["stages"][STAGE]["lambda_functions"]
    recorded_stream = stage["streaming-lambda"]["environment_variables"]
    recorded_alerts = stage["notification-lambda"]["environment_variables"]
    # The streaming function sends the recovery notice; the notifier records the outage.
    assert recorded_stream == {"TABLE_NAME": NAMES.table, "DELIVERY_STREAM_NAME": NAMES.stream,
                               "BUCKET_NAME": NAMES.bucket, "TOPIC_ARN": outputs["TopicArn"],
                               "OWNER_NAME": OWNER, "OWNER_ASCII": owner_ascii(OWNER),
                               "WORKER_FUNCTION_NAME": WORKER}
    assert story.worker_env.items() >= {"TABLE_NAME": NAMES.table,
                                        "DELIVERY_STREAM_NAME": NAMES.stream}.items()
    assert recorded_alerts == {"TOPIC_ARN": outputs["TopicArn"], "OWNER_NAME": OWNER,
                               "OWNER_ASCII": owner_ascii(OWNER), "TABLE_NAME": NAMES.table}
    assert stage["watch-lambda"]["environment_variables"] == {
        "TABLE_NAME": NAMES.table, "MARKET_TOPIC_ARN": outputs["MarketTopicArn"]}
    # chalice deployed what was recorded, merged with the app-wide variables.
    assert story.stream_env.items() >= recorded_stream.items()
    assert story.stream_env["TICKS_PER_RUN"] == "4"
    assert story.notifier_env.items() >= recorded_alerts.items()
    assert "MARKET_TOPIC_ARN" not in story.notifier_env


def test_policy_files_are_regenerated_with_the_stacks_exact_arns(story):
    streaming = story.config["policy-dev-streaming.json"]
    resources = {s["Sid"]: s["Resource"] for s in streaming["Statement"]}
    assert resources["TableState"] == story.outputs["TableArn"]
    assert resources["DeliverTicks"] == story.outputs["DeliveryStreamArn"]
    notification = story.config["policy-dev-notification.json"]
    assert {s["Sid"]: s["Resource"] for s in notification["Statement"]}["PublishAlerts"] == \
        story.outputs["TopicArn"]
    # What chalice put on the role is the file, as written.
    assert story.role_policy == [streaming]


def test_deploy_seeds_the_table(story):
    assert story.items == {"Index_1": "100", "Index_2": "90", "Index_3": "80",
                           "Index_4": "70", "Index_5": "60"}


def test_a_second_deploy_changes_nothing(story):
    assert story.second == story.first
    assert story.config_after_second == story.config
    assert story.invoke_config_after_second["DestinationConfig"] == \
        story.invoke_config["DestinationConfig"]
    assert story.items_after_second == {**story.items, "Index_1": "123.5"}


def test_deploy_creates_the_read_only_api_throttled_with_json_404s(story):
    assert story.api_env["TABLE_NAME"] == NAMES.table
    assert story.api_env["BUCKET_NAME"] == NAMES.bucket
    assert story.api_role_policy == [story.config["policy-dev-api.json"]]
    actions = {s["Action"] for s in story.config["policy-dev-api.json"]["Statement"]
               if not s["Sid"].startswith("Own")}
    assert actions == {"dynamodb:Scan", "s3:ListBucket", "s3:GetObject", "ssm:GetParameter"}
    key_grants = [s["Resource"] for s in story.config["policy-dev-api.json"]["Statement"]
                  if s["Action"] == "ssm:GetParameter"]
    assert key_grants == ["arn:aws:ssm:eu-west-1:123456789012:parameter/tickersim/dev/api-access-key"]
    missing_route = story.gateway["MISSING_AUTHENTICATION_TOKEN"]
    assert missing_route["statusCode"] == "404"
    assert '"not_found"' in missing_route["responseTemplates"]["application/json"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(story.gateway)
    throttle = story.api_stage["methodSettings"]["*/*"]
    assert (throttle["throttlingRateLimit"], throttle["throttlingBurstLimit"]) == (
        api_gateway.RATE_LIMIT, api_gateway.BURST_LIMIT)


def test_teardown_leaves_nothing_behind_and_can_run_again(story):
    assert story.teardown_exit == 0
    assert story.after_teardown == story.empty
    assert not story.deployed_state_left
    # The committed stage's entry and policy files are as committed again.
    assert story.checkout_after_teardown == story.checkout_before
    assert story.second_teardown_exit == 0
