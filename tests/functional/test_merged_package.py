"""`make package`: one template for the whole system, built offline by the real
`chalice package --merge-template`.

moto's CloudFormation skips AWS::Lambda::EventInvokeConfig, so the failure wiring of the
packaged system is checked in the template: the config, its destination, and the permission
the destination needs, which must be the very policy `tickersim deploy` writes.
"""
import json

import pytest

from tickersim.aws import lint, package, resource_formats, stack
from tickersim.base import data_template, naming
from tickersim.base import stage as stages

STAGE = "dev"
NOTIFIER = "tickersim-dev-notification-lambda"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "out"
    path = package.package(STAGE, out, "eu-west-1")
    assert (out / "deployment.zip").stat().st_size < 150 * 1024     # with the chart page
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def refs(template):
    """What CloudFormation resolves references to when the stage is deployed as recorded."""
    env = stages.environment(STAGE, stages.STREAMING)
    topic_arn = stages.environment(STAGE, stages.NOTIFICATION)["TOPIC_ARN"]
    _, partition, _, region, account, topic = topic_arn.split(":")
    market = stages.environment(STAGE, stages.WATCH)["MARKET_TOPIC_ARN"].rsplit(":", 1)[1]
    return {"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account,
            "Table": env["TABLE_NAME"], "DeliveryStream": env["DELIVERY_STREAM_NAME"],
            "Topic.TopicName": topic, "MarketTopic.TopicName": market,
            "BucketName": template["Parameters"]["BucketName"]["Default"]}


def test_one_template_holds_the_data_resources_and_the_functions(template):
    types = {name: r["Type"] for name, r in template["Resources"].items()}
    assert {types[n] for n in ("Table", "Bucket", "BucketPolicy", "DeliveryStream", "Topic",
                               "AlertSubscription", "DeliveryRole")} == {
        "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
        "AWS::KinesisFirehose::DeliveryStream", "AWS::SNS::Topic", "AWS::SNS::Subscription",
        "AWS::IAM::Role"}
    assert types["StreamingLambda"] == types["NotificationLambda"] == \
        "AWS::Serverless::Function"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_failed_runs_go_to_the_notifier(template):
    config = template["Resources"]["StreamingFailureDestination"]
    assert config["Type"] == "AWS::Lambda::EventInvokeConfig"
    props = config["Properties"]
    assert props["FunctionName"] == {"Ref": "StreamingLambda"}
    assert props["Qualifier"] == "$LATEST"
    assert props["MaximumRetryAttempts"] == {"Ref": "MaximumRetryAttempts"}
    retries = template["Parameters"]["MaximumRetryAttempts"]
    assert (retries["MinValue"], retries["MaxValue"], retries["Default"]) == (0, 2, 1)
    assert props["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["NotificationLambda", "Arn"]}}}


def test_the_roles_carry_the_same_policies_deploy_writes(template, refs):
    resources = template["Resources"]
    for logical_id, function in [("StreamingLambda", "streaming"),
                                 ("NotificationLambda", "notification"),
                                 ("WatchLambda", "watch"), ("WorkerLambda", "worker")]:
        (policy,) = resources[f"{logical_id}Role"]["Properties"]["Policies"]
        committed = json.loads((stages.PROJECT_DIR / ".chalice" /
                                f"policy-{STAGE}-{function}.json").read_text())
        assert data_template.resolve(policy["PolicyDocument"], refs) == committed


def test_the_streaming_role_may_invoke_the_packaged_notifier_and_workers(template, refs):
    resources = template["Resources"]
    assert resources["NotificationLambda"]["Properties"]["FunctionName"] == NOTIFIER
    worker = resources["WorkerLambda"]["Properties"]["FunctionName"]
    streaming = resources["StreamingLambda"]["Properties"]["Environment"]["Variables"]
    assert streaming["WORKER_FUNCTION_NAME"] == worker
    where = f"arn:aws:lambda:{refs['AWS::Region']}:{refs['AWS::AccountId']}:function:"
    for role, may_invoke in (("StreamingLambdaRole", [NOTIFIER, worker]),
                             ("WorkerLambdaRole", [NOTIFIER])):
        (policy,) = resources[role]["Properties"]["Policies"]
        document = data_template.resolve(policy["PolicyDocument"], refs)
        invoke = [s["Resource"] for s in document["Statement"]
                  if s["Action"] == "lambda:InvokeFunction"]
        assert invoke == [where + name for name in may_invoke]
    # The worker's failures reach the notifier as the scheduled function's do.
    config = resources["WorkerFailureDestination"]["Properties"]
    assert config["FunctionName"] == {"Ref": "WorkerLambda"}
    assert config["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["NotificationLambda", "Arn"]}}}


def test_functions_read_the_names_of_the_resources_in_the_same_template(template):
    resources = template["Resources"]
    streaming = resources["StreamingLambda"]["Properties"]["Environment"]["Variables"]
    notifier = resources["NotificationLambda"]["Properties"]["Environment"]["Variables"]
    assert streaming["TABLE_NAME"] == {"Ref": "Table"}
    assert streaming["DELIVERY_STREAM_NAME"] == {"Ref": "DeliveryStream"}
    assert streaming["TICKS_PER_RUN"] == "4"              # Chalice's own values are kept
    assert notifier["TOPIC_ARN"] == {"Ref": "Topic"}
    assert notifier["OWNER_NAME"] == {"Ref": "OwnerName"}


def test_new_tick_objects_invoke_the_packaged_watcher(template, refs):
    resources = template["Resources"]
    bucket = resources["Bucket"]
    (config,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert config == {"Event": "s3:ObjectCreated:*",
                      "Function": {"Fn::GetAtt": ["WatchLambda", "Arn"]},
                      "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "ticks/"}]}}}
    # S3 checks it may invoke the function when the configuration is put: the grant first.
    assert bucket["DependsOn"] == "WatchInvokePermission"
    grant = data_template.resolve(resources["WatchInvokePermission"]["Properties"],
                          {**refs, "WatchLambda.Arn": "watcher"})
    assert (grant["Principal"], grant["FunctionName"]) == ("s3.amazonaws.com", "watcher")
    assert grant["SourceArn"] == f"arn:aws:s3:::{refs['BucketName']}"
    assert template["Parameters"]["MarketTopicName"]["Default"] == \
        refs["MarketTopic.TopicName"]


def test_parameters_default_to_the_stage_as_recorded(template, refs):
    params = template["Parameters"]
    assert params["TableName"]["Default"] == refs["Table"]
    assert params["DeliveryStreamName"]["Default"] == refs["DeliveryStream"]
    assert params["TopicName"]["Default"] == refs["Topic.TopicName"]
    assert "Default" not in params["AlertEmail"]          # the pipeline must say who to alert


def test_every_policy_in_the_packaged_template_acts_on_what_it_names(template, refs):
    every_ref = {**stack.example_refs(naming.names_for("Kyle Maposa", STAGE)), **refs}
    documents = lint.template_documents(template, every_ref)
    assert {"StreamingLambdaRole-StreamingLambdaRolePolicy", "BucketPolicy-policy",
            "DeliveryRole-deliver-to-bucket"} <= set(documents)
    for name, document in documents.items():
        assert resource_formats.problems(document, where=name) == []
