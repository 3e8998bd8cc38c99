"""Stack deploys that go wrong, which moto cannot stage: CloudFormation's answers stubbed with
botocore's Stubber, the real tickersim.aws.stack code reading them."""
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from tickersim.aws import stack
from tickersim.base import wiring

NAME = "tickersim-dev-data"
STACK_ID = f"arn:aws:cloudformation:eu-west-1:123456789012:stack/{NAME}/1"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
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
        wiring.wire_failure_destination(client, "s", "n", 1, clock=lambda: now[0],
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
            wiring.wire_failure_destination(client, "s", "n", 1, clock=lambda: now[0],
                                            sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert now[0] > wiring.PROPAGATION_S


# Answers a first deploy on a real account can meet, in CloudFormation's words.
ROLE_RACE = ("Resource handler returned message: \"Firehose is unable to assume role "
             f"arn:aws:iam::123456789012:role/{NAME}-DeliveryRole-1A2B3C. Please check the role "
             "provided. (Service: Firehose, Status Code: 400, Request ID: 5b1c)\" "
             "(RequestToken: 9f2e, HandlerErrorCode: InvalidRequest)")
RACE = ("DeliveryStream", "AWS::KinesisFirehose::DeliveryStream", "CREATE_FAILED", ROLE_RACE)
POLICY_DENIED = ("BucketPolicy", "AWS::S3::BucketPolicy", "CREATE_FAILED",
                 "Resource handler returned message: \"Access Denied (Service: S3, Status "
                 "Code: 403, Request ID: 7d3a)\" (RequestToken: 1c4b, HandlerErrorCode: "
                 "AccessDenied)")


def _create_fails(stubber, failure, first=True):
    """A create that rolls back on `failure`; `first`: nothing was there before it."""
    if first:
        stubber.add_client_error("describe_stack_events", *MISSING)
        stubber.add_client_error("describe_stacks", *MISSING)
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    # After a first attempt its event is listed too (the older one, already seen).
    stubber.add_response("describe_stack_events", _events(*[failure] * (1 if first else 2)))


def _rolled_back_stack_is_deleted(stubber, failure):
    stubber.add_response("describe_stack_events", _events(failure))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("delete_stack", {}, {"StackName": NAME})
    stubber.add_response("describe_stacks", _stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(failure))


def test_firehose_not_seeing_its_new_role_yet_is_retried_once_and_succeeds(cfn):
    client, stubber = cfn
    _create_fails(stubber, RACE)
    _rolled_back_stack_is_deleted(stubber, RACE)
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(RACE))
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE", [("TableName", "T")]))
    lines = []
    assert run(client, lines) == {"TableName": "T"}
    assert any("had not reached Firehose yet" in line for line in lines)


def test_the_role_race_twice_in_a_row_is_reported_not_retried_forever(cfn):
    client, stubber = cfn
    _create_fails(stubber, RACE)
    _rolled_back_stack_is_deleted(stubber, RACE)
    _create_fails(stubber, RACE, first=False)
    with pytest.raises(stack.StackError, match="Firehose is unable to assume role"):
        run(client, [])


def test_another_delivery_stream_failure_is_not_retried(cfn):
    client, stubber = cfn
    _create_fails(stubber, ("DeliveryStream", "AWS::KinesisFirehose::DeliveryStream",
                            "CREATE_FAILED", "Exceeded limit of DeliveryStreams"))
    with pytest.raises(stack.StackError, match="Exceeded limit"):
        run(client, [])


def test_a_bucket_policy_refused_by_block_public_access_explains_the_two_ways_out(cfn):
    client, stubber = cfn
    _create_fails(stubber, POLICY_DENIED)
    with pytest.raises(stack.StackError) as caught:
        stack.deploy(client, NAME, "{}", [], say=lambda _: None, account="123456789012",
                     poll_s=0, sleep=lambda _: None)
    message = str(caught.value)
    assert "BucketPolicy (AWS::S3::BucketPolicy)" in message
    assert "Block Public Access" in message and "123456789012" in message
    assert "turn it off for this account" in message and "--reader-account ID" in message
