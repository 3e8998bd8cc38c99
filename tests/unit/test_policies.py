"""The functions' IAM policies: least privilege, and the committed files in step with config."""
import json

import pytest

from tickersim.aws import policies
from tickersim.base import naming
from tickersim.base import stage as stages

STAGES = sorted(stages.read_config()["stages"])


def _actions(document):
    return {a for s in document["Statement"]
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


def _resources(document):
    return [r for s in document["Statement"]
            for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]


@pytest.mark.parametrize("stage", STAGES)
def test_committed_policy_files_match_the_names_recorded_in_config(stage):
    # `tickersim deploy` regenerates these; a hand edit to either side shows up here.
    for function, document in policies.for_stage(stage).items():
        path = policies.policy_file(stages.PROJECT_DIR, stage, function)
        assert json.loads(path.read_text()) == document, f"run deploy or regenerate {path.name}"


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_holds_only_the_actions_it_calls(stage):
    documents = policies.for_stage(stage)
    logs = {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert _actions(documents[stages.STREAMING]) == {
        "dynamodb:Scan", "dynamodb:UpdateItem", "dynamodb:PartiQLUpdate",
        "dynamodb:DeleteItem", "sns:Publish",
        "firehose:PutRecordBatch", "lambda:InvokeFunction"} | logs
    # The log groups are created at deploy time (log_retention_in_days), not by the functions.
    assert _actions(documents[stages.NOTIFICATION]) == {
        "sns:Publish", "dynamodb:UpdateItem"} | logs
    assert _actions(documents[stages.WATCH]) == {
        "s3:GetObject", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
        "sns:Publish"} | logs


@pytest.mark.parametrize("stage", STAGES)
def test_item_actions_beyond_the_walk_reach_only_the_apps_own_items(stage):
    """The outage record and the move windows: a LeadingKeys condition keeps the notifier
    and the watcher off the tickers' items."""
    documents = policies.for_stage(stage)
    limited = {(fn, s["Sid"]): s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
               for fn, doc in documents.items() for s in doc["Statement"]
               if "ForAllValues:StringLike" in s.get("Condition", {})}
    assert limited == {(stages.STREAMING, "CloseOutage"): ["#outage"],
                       (stages.NOTIFICATION, "RecordOutage"): ["#outage"],
                       (stages.WATCH, "MoveState"): ["#moves|*"]}
    unconditioned = {a for doc in documents.values() for s in doc["Statement"]
                     if "Condition" not in s for a in _actions({"Statement": [s]})}
    assert not unconditioned & {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"}


@pytest.mark.parametrize("stage", STAGES)
def test_every_resource_is_one_of_the_stages_own(stage):
    env = stages.environment(stage, stages.STREAMING)
    topic_arn = stages.environment(stage, stages.NOTIFICATION)["TOPIC_ARN"]
    documents = policies.for_stage(stage)
    streaming, notification = documents[stages.STREAMING], documents[stages.NOTIFICATION]
    watch = documents[stages.WATCH]
    table, stream = env["TABLE_NAME"], env["DELIVERY_STREAM_NAME"]
    table_arn = f"{_prefix(topic_arn, 'dynamodb')}:table/{table}"
    assert _resources(streaming)[:5] == [
        table_arn, table_arn, topic_arn, f"{_prefix(topic_arn, 'firehose')}:deliverystream/{stream}",
        f"{_prefix(topic_arn, 'lambda')}:function:tickersim-{stage}-notification-lambda"]
    assert _resources(notification)[:2] == [topic_arn, table_arn]
    market = stages.environment(stage, stages.WATCH)["MARKET_TOPIC_ARN"]
    bucket = naming.names_for(stages.environment(stage, stages.NOTIFICATION)["OWNER_NAME"],
                              stage).bucket
    assert _resources(watch)[:3] == [f"arn:aws:s3:::{bucket}/ticks/*", table_arn, market]
    assert market.endswith("-market-sns-topic" + ("" if stage == "dev" else f"-{stage}"))
    for document, function in [(streaming, "streaming"), (notification, "notification"),
                               (watch, "watch")]:
        group = f"log-group:/aws/lambda/tickersim-{stage}-{function}-lambda"
        logs = [r for r in _resources(document) if ":logs:" in r]
        assert logs == [f"{_prefix(topic_arn, 'logs')}:{group}:*"]


def _prefix(topic_arn, service):
    _, partition, _, region, account, _ = topic_arn.split(":")
    return f"arn:{partition}:{service}:{region}:{account}"


def test_a_stage_without_a_real_topic_arn_is_refused_with_what_to_do(tmp_path):
    chalice = tmp_path / ".chalice"
    chalice.mkdir()
    config = stages.read_config()
    config["stages"]["dev"]["lambda_functions"]["notification-lambda"][
        "environment_variables"]["TOPIC_ARN"] = "not-an-arn"
    (chalice / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="run `tickersim deploy`"):
        policies.for_stage("dev", tmp_path)


def test_deploy_creates_each_functions_log_group_with_a_retention():
    # Chalice 1.34 creates /aws/lambda/<function> and sets its retention when this is set.
    assert stages.read_config()["log_retention_in_days"] in (1, 3, 5, 7, 14, 30, 60, 90)


def test_with_a_data_stream_the_function_writes_only_it_and_the_watcher_reads_only_it():
    arns = policies.concrete(policies.arn_templates(
        "dev", "T", "F", "alerts", "b", "market", data_stream="DEX-datastream"),
        "aws", "eu-west-1", "123456789012")
    docs = policies.documents(arns)
    stream = "arn:aws:kinesis:eu-west-1:123456789012:stream/DEX-datastream"
    (deliver,) = [s for s in docs[stages.STREAMING]["Statement"] if s["Sid"] == "DeliverTicks"]
    assert (deliver["Action"], deliver["Resource"]) == ("kinesis:PutRecords", stream)
    assert not any(a.startswith("firehose:") for a in _actions(docs[stages.STREAMING]))
    watch = _actions(docs[stages.WATCH])
    assert {a for a in watch if a.startswith("kinesis:")} == {
        "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
        "kinesis:GetShardIterator", "kinesis:ListShards"}
    assert "s3:GetObject" not in watch
    # The mapping's on-failure record goes to the failure topic with the watcher's role.
    (failure,) = [s for s in docs[stages.WATCH]["Statement"] if s["Sid"] == "OnFailureDestination"]
    assert failure["Resource"] == "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert stream in _resources(docs[stages.WATCH])
