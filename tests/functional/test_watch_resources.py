"""What deploy adds for the watching: the dead-man alarm, the dashboard, the market topic,
the table's TTL for the move windows, and the S3 trigger (moto's CloudFormation skips
dashboards and alarm actions are never evaluated: checked here in the template, and the
alarm's rule through the demo's evaluator, which reads the same template)."""
import json

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from chalicelib.core.logs import NAMESPACE
from chalicelib.walk.pipeline import RUN_METRICS
from chalicelib.watch import moves
from tests.functional.conftest import watch_function
from tickersim.aws import stack
from tickersim.base import data_template, naming, watch_trigger
from tickersim.base.data_template import load_data_template
from tickersim.local import deadman

NAMES = naming.names_for("Kyle Maposa")
TEMPLATE = load_data_template()
RESOURCES = TEMPLATE["Resources"]
REFS = {**stack.example_refs(NAMES, account="123456789012"), "AWS::StackName": NAMES.stack,
        "Topic": "arn:aws:sns:eu-west-1:123456789012:" + NAMES.topic}
RULE = deadman.definition(REFS)


def test_the_dead_man_alarm_watches_the_schedule_running_not_ticks_delivered():
    alarm = RESOURCES["NoTicksAlarm"]["Properties"]
    # One sample per run of the streaming function, ticks or none (a closed market).
    assert (alarm["Namespace"], alarm["MetricName"]) == (NAMESPACE, "duration_ms")
    assert "duration_ms" in RUN_METRICS
    assert alarm["Dimensions"] == [{"Name": "Table", "Value": {"Ref": "TableName"}}]
    assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"],
            alarm["DatapointsToAlarm"]) == ("SampleCount", 60, 5, 5)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": "Topic"}]


@given(st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=1, max_size=30))
@settings(deadline=None)
def test_the_emulated_rule_alarms_exactly_when_the_last_five_minutes_delivered_nothing(points):
    alarm = deadman.Alarm(RULE)
    changes = [alarm.add(p) for p in points]
    quiet = lambda window: len(window) == 5 and all(not v for v in window)   # noqa: E731
    states = ["ALARM" if quiet(points[max(0, n - 4):n + 1]) else "OK"
              for n in range(len(points))]
    assert alarm.state == states[-1]
    # A message exactly on each change: ALARM once per quiet stretch, then the all-clear.
    assert [c for c in changes if c] == [(a, b) for a, b in zip(["OK"] + states, states)
                                         if a != b]


def test_the_alarm_message_reads_as_cloudwatch_sends_it():
    alarm = deadman.Alarm(RULE)
    for _ in range(5):
        change = alarm.add(None)
    subject, body = deadman.message(alarm, *change, "2026-12-01T10:00:00Z", "eu-west-1",
                                    "123456789012")
    assert subject == f'ALARM: "{NAMES.stack}-no-ticks" in EU (Ireland)'
    doc = json.loads(body)
    assert doc["NewStateValue"] == "ALARM" and doc["OldStateValue"] == "OK"
    assert f"s3://{NAMES.bucket}/ticks/" in doc["AlarmDescription"]
    assert doc["Trigger"]["Dimensions"] == [{"name": "Table", "value": NAMES.table}]


def test_the_dashboard_charts_the_run_metrics_the_log_line_declares():
    body = json.loads(data_template.resolve(RESOURCES["Dashboard"]["Properties"]["DashboardBody"],
                                    {**REFS, "TableName": NAMES.table}))
    named = [m for w in body["widgets"] if w["type"] == "metric"
             for m in w["properties"]["metrics"]]
    ours = [m for m in named if m[0] == NAMESPACE]
    assert {m[1] for m in ours} == set(RUN_METRICS)
    assert all(m[2:4] == ["Table", NAMES.table] for m in ours)
    (alarms,) = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert alarms["properties"]["alarms"][0].endswith(f":alarm:{NAMES.stack}-no-ticks")


def test_the_market_topic_and_its_optional_addresses():
    assert RESOURCES["MarketTopic"]["Properties"]["TopicName"] == {"Ref": "MarketTopicName"}
    assert TEMPLATE["Outputs"]["MarketTopicArn"]["Value"] == {"Ref": "MarketTopic"}
    given_ = {p["ParameterKey"]: p["ParameterValue"]
              for p in stack.parameters(NAMES, ["a@x.io"], move_emails=["m@x.io"])}
    assert given_["MarketTopicName"] == "DEKYLMAP-market-sns-topic"
    assert (given_["MoveEmail"], given_["MoveEmail2"], given_["MoveEmail3"]) == ("m@x.io", "", "")
    assert set(given_) <= set(TEMPLATE["Parameters"])
    with pytest.raises(ValueError, match="move-alert addresses"):
        stack.parameters(NAMES, ["a@x.io"], move_emails=["m@x.io"] * 4)


def test_move_windows_expire_through_the_tables_ttl():
    ttl = RESOURCES["Table"]["Properties"]["TimeToLiveSpecification"]
    item = moves.state_item(moves.state_key(1, 5), 1, 5, {}, 1)
    assert ttl == {"AttributeName": "ExpiresAt", "Enabled": True}
    assert int(item[ttl["AttributeName"]]["N"]) == 2 * 300 + moves.KEEP_STATE_S



def test_deploy_points_the_bucket_at_the_watcher_and_keeps_other_notifications():
    with mock_aws():
        s3, lam, sqs = boto3.client("s3"), boto3.client("lambda"), boto3.client("sqs")
        s3.create_bucket(Bucket=NAMES.bucket,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        queue = sqs.get_queue_attributes(
            QueueUrl=sqs.create_queue(QueueName="other")["QueueUrl"],
            AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        other = {"Id": "someone-else", "QueueArn": queue, "Events": ["s3:ObjectRemoved:*"]}
        s3.put_bucket_notification_configuration(
            Bucket=NAMES.bucket, NotificationConfiguration={"QueueConfigurations": [other]})
        arn = watch_function(lam, boto3.client("iam"))
        for _ in range(2):           # a second deploy replaces ours, adds nothing
            watch_trigger.wire(s3, lam, NAMES.bucket, arn)
        config = s3.get_bucket_notification_configuration(Bucket=NAMES.bucket)
        assert [q["Id"] for q in config["QueueConfigurations"]] == ["someone-else"]
        (ours,) = config["LambdaFunctionConfigurations"]
        assert ours["LambdaFunctionArn"] == arn and ours["Events"] == ["s3:ObjectCreated:*"]
        assert ours["Filter"]["Key"]["FilterRules"][0]["Value"] == "ticks/"
        (grant,) = json.loads(lam.get_policy(FunctionName=arn)["Policy"])["Statement"]
        assert grant["Principal"] == {"Service": "s3.amazonaws.com"}
        assert grant["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:s3:::{NAMES.bucket}"
