"""Stack deploys that go wrong, which moto cannot stage: CloudFormation's answers stubbed with
botocore's Stubber, the real tickersim.aws.stack code reading them."""
from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber

from tickersim.aws import deploy, stack

NAME = "tickersim-dev-data"
STACK_ID = f"arn:aws:cloudformation:eu-west-1:123456789012:stack/{NAME}/1"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
MISSING = ("ValidationError", f"Stack with id {NAME} does not exist")


def _stack(status, outputs=()):
    return {"Stacks": [{"StackName": NAME, "StackId": STACK_ID, "CreationTime": NOW,
                        "StackStatus": status,
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs]}]}


def _events(*events):
    return {"StackEvents": [
        {"StackId": STACK_ID, "StackName": NAME, "Timestamp": NOW, "EventId": f"e{n}",
         "LogicalResourceId": logical, "ResourceType": kind, "ResourceStatus": status,
         **({"ResourceStatusReason": reason} if reason else {})}
        for n, (logical, kind, status, reason) in reversed(list(enumerate(events)))]}


@pytest.fixture
def cfn():
    client = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def run(client, lines):
    return stack.deploy(client, NAME, "{}", [], say=lines.append,
                        poll_s=0, sleep=lambda _: None)


def test_a_rolled_back_create_names_the_resource_and_the_reason(cfn):
    client, stubber = cfn
    failed = ("Bucket", "AWS::S3::Bucket", "CREATE_FAILED",
              "dekylemaposa-deliverystream-s3 already exists")
    cancelled = ("Table", "AWS::DynamoDB::Table", "CREATE_FAILED",
                 "Resource creation cancelled")
    stubber.add_client_error("describe_stack_events", *MISSING)       # nothing seen yet
    stubber.add_client_error("describe_stacks", *MISSING)
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("CREATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", _events(failed))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(failed, cancelled))
    lines = []
    with pytest.raises(stack.StackError) as caught:
        run(client, lines)
    message = str(caught.value)
    assert "ROLLBACK_COMPLETE" in message
    assert "Bucket (AWS::S3::Bucket): dekylemaposa-deliverystream-s3 already exists" in message
    assert "cancelled" not in message                     # knock-on effects are left out
    assert "choose a free one with --bucket NAME" in message
    # Progress, one line per event, as they came.
    assert [line.split()[0] for line in lines[1:]] == ["Bucket", "Table"]


def test_a_stack_left_in_rollback_complete_is_deleted_and_created_again(cfn):
    client, stubber = cfn
    stubber.add_response("describe_stack_events", _events())
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))      # delete() looks
    stubber.add_response("delete_stack", {}, {"StackName": NAME})
    stubber.add_response("describe_stacks", _stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events())
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events())
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE", [("TableName", "T")]))
    lines = []
    assert run(client, lines) == {"TableName": "T"}
    assert "failed to create last time" in lines[0]


def test_nothing_to_change_returns_the_outputs_without_waiting(cfn):
    client, stubber = cfn
    stubber.add_response("describe_stack_events", _events())
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE", [("TableName", "T")]))
    stubber.add_client_error("update_stack", "ValidationError",
                             "No updates are to be performed.")
    lines = []
    assert run(client, lines) == {"TableName": "T"}
    assert lines == [f"stack {NAME} is up to date"]


def test_the_destination_is_retried_while_the_new_role_policy_propagates():
    client = boto3.client("lambda", region_name="eu-west-1")
    now = [0.0]
    with Stubber(client) as stubber:
        for _ in range(2):
            stubber.add_client_error(
                "put_function_event_invoke_config", "InvalidParameterValueException",
                "The function's execution role does not have permissions to call "
                "InvokeFunction on arn:aws:lambda:eu-west-1:123456789012:function:n")
        stubber.add_response("put_function_event_invoke_config", {})
        deploy.wire_failure_destination(client, "s", "n", 1, clock=lambda: now[0],
                                        sleep=lambda s: now.__setitem__(0, now[0] + s))
        stubber.assert_no_pending_responses()
    assert now[0] == 10.0


def test_a_destination_still_refused_after_the_propagation_window_is_reported():
    client = boto3.client("lambda", region_name="eu-west-1")
    now = [0.0]
    with Stubber(client) as stubber:
        for _ in range(20):
            stubber.add_client_error("put_function_event_invoke_config",
                                     "InvalidParameterValueException", "no permission")
        with pytest.raises(client.exceptions.InvalidParameterValueException):
            deploy.wire_failure_destination(client, "s", "n", 1, clock=lambda: now[0],
                                            sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert now[0] > deploy.PROPAGATION_S
