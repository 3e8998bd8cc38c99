"""Deploy's first-time checks against the answers a real account gives: S3 Block Public Access
in each setting (in-process moto, which serves S3 Control), HeadBucket's 403 and 404, a
refused bucket policy and Firehose not yet seeing its new role (botocore's Stubber, with the
answers AWS gives)."""
from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tickersim import stage as stages
from tickersim.aws import advice, preflight, stack

ACCOUNT = "123456789012"
SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@pytest.fixture
def session():
    with mock_aws():
        yield boto3.session.Session(region_name="eu-west-1")


def _request(**options):
    return preflight.request(stages.PROJECT_DIR, "qa", "Grace Hopper", ["grace@example.com"],
                             **options)


# Off; the ACL settings only (harmless here); each policy setting alone; everything on.
@pytest.mark.parametrize("values", [(0, 0, 0, 0), (1, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1),
                                    (1, 1, 1, 1)],
                         ids=lambda v: "".join(map(str, v)))
def test_each_block_public_access_setting_is_read_and_only_the_policy_ones_stop(session,
                                                                                  values):
    control = session.client("s3control")
    setting = dict(zip(SETTINGS, map(bool, values)))
    control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=setting)
    assert preflight.public_access_block(control, ACCOUNT) == setting
    blocking = advice.blocking_settings(setting)
    assert blocking == [n for n in ("BlockPublicPolicy", "RestrictPublicBuckets") if setting[n]]
    if blocking:
        with pytest.raises(preflight.PreflightError, match="--reader-account ID"):
            preflight.check(_request(), session)
        # Named readers make the policy non-public: the same account passes.
        assert preflight.check(_request(readers=["111122223333"]), session).readers == \
            ("111122223333",)
    else:
        assert preflight.check(_request(), session).public_access == setting


def test_no_setting_at_all_means_off(session):
    control = session.client("s3control")
    assert preflight.public_access_block(control, ACCOUNT) == {}
    findings = preflight.check(_request(), session)
    assert findings.public_access == {} and findings.account == ACCOUNT


def test_a_setting_these_credentials_cannot_read_is_a_note_not_a_stop():
    control = boto3.client("s3control", region_name="eu-west-1")
    with Stubber(control) as stubber:
        stubber.add_client_error("get_public_access_block", "AccessDenied", "Access Denied",
                                 http_status_code=403)
        assert preflight.public_access_block(control, ACCOUNT) is None


@pytest.mark.parametrize("status, code, state", [
    (403, "403", "taken"),          # HeadBucket answers a bare status: another account's
    (404, "404", "free"),
    (301, "301", "taken"),          # ours or someone's, in another region
])
def test_head_bucket_answers(status, code, state):
    s3 = boto3.client("s3", region_name="eu-west-1")
    with Stubber(s3) as stubber:
        stubber.add_client_error("head_bucket", code, "", http_status_code=status,
                                 expected_params={"Bucket": "b-1"})
        assert preflight.bucket_state(s3, "b-1") == state


def test_a_bucket_of_our_own_answers_200(session):
    s3 = session.client("s3")
    s3.create_bucket(Bucket="b-1", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert preflight.bucket_state(s3, "b-1") == "reachable"
    assert preflight.bucket_state(s3, "b-2") == "free"


def test_a_taken_bucket_name_stops_with_a_name_to_use_instead(session, monkeypatch):
    monkeypatch.setattr(preflight, "bucket_state", lambda s3, bucket: "taken")
    with pytest.raises(preflight.PreflightError) as caught:
        preflight.check(_request(), session)
    message = str(caught.value)
    assert "degracehopper-deliverystream-s3-qa is taken by another AWS account" in message
    assert "--bucket degracehopper-deliverystream-s3-qa-123456789012" in message


def test_the_suggested_bucket_name_fits_s3s_limit():
    from tickersim.aws import inputs
    suggestion = preflight.suggest_bucket("a" * 63, ACCOUNT)
    assert len(suggestion) == 63 and suggestion.endswith(ACCOUNT)
    assert inputs.bucket(suggestion) == suggestion


def test_no_credentials_is_one_line_saying_what_to_do(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    sts = boto3.session.Session(region_name="eu-west-1").client("sts")
    with pytest.raises(preflight.PreflightError, match="aws configure"):
        preflight.account_id(sts)


# CloudFormation's stack events, as the stack watcher reads them.
NAME = "tickersim-qa-data"
STACK_ID = f"arn:aws:cloudformation:eu-west-1:{ACCOUNT}:stack/{NAME}/1"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
MISSING = ("ValidationError", f"Stack with id {NAME} does not exist")
ROLE_RACE = ("Resource handler returned message: \"Firehose is unable to assume role "
             f"arn:aws:iam::{ACCOUNT}:role/{NAME}-DeliveryRole-1A2B3C. Please check the role "
             "provided. (Service: Firehose, Status Code: 400, Request ID: 5b1c)\" "
             "(RequestToken: 9f2e, HandlerErrorCode: InvalidRequest)")
POLICY_DENIED = ("Resource handler returned message: \"Access Denied (Service: S3, Status "
                 "Code: 403, Request ID: 7d3a)\" (RequestToken: 1c4b, HandlerErrorCode: "
                 "AccessDenied)")


def _stack(status, outputs=()):
    return {"Stacks": [{"StackName": NAME, "StackId": STACK_ID, "CreationTime": NOW,
                        "StackStatus": status,
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs]}]}


def _events(*events, start=0):
    return {"StackEvents": [
        {"StackId": STACK_ID, "StackName": NAME, "Timestamp": NOW, "EventId": f"e{start + n}",
         "LogicalResourceId": logical, "ResourceType": kind, "ResourceStatus": status,
         "ResourceStatusReason": reason}
        for n, (logical, kind, status, reason) in reversed(list(enumerate(events)))]}


def _failed_create(stubber, failure, start=0):
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(failure, start=start))


@pytest.fixture
def cfn():
    client = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _deploy(client, lines):
    return stack.deploy(client, NAME, "{}", [], say=lines.append, account=ACCOUNT,
                        poll_s=0, sleep=lambda _: None)


def test_firehose_not_seeing_its_new_role_yet_is_retried_once_and_succeeds(cfn):
    client, stubber = cfn
    race = ("DeliveryStream", "AWS::KinesisFirehose::DeliveryStream", "CREATE_FAILED", ROLE_RACE)
    stubber.add_client_error("describe_stack_events", *MISSING)
    stubber.add_client_error("describe_stacks", *MISSING)
    _failed_create(stubber, race)
    # The retry: the rolled-back stack is deleted, then created again, and this time it works.
    stubber.add_response("describe_stack_events", _events(race))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("delete_stack", {}, {"StackName": NAME})
    stubber.add_response("describe_stacks", _stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(race))
    stubber.add_response("create_stack", {"StackId": STACK_ID})
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(race))
    stubber.add_response("describe_stacks", _stack("CREATE_COMPLETE", [("TableName", "T")]))
    lines = []
    assert _deploy(client, lines) == {"TableName": "T"}
    assert any("had not reached Firehose yet" in line for line in lines)


def test_the_role_race_twice_in_a_row_is_reported_not_retried_forever(cfn):
    client, stubber = cfn
    race = ("DeliveryStream", "AWS::KinesisFirehose::DeliveryStream", "CREATE_FAILED", ROLE_RACE)
    stubber.add_client_error("describe_stack_events", *MISSING)
    stubber.add_client_error("describe_stacks", *MISSING)
    _failed_create(stubber, race)
    stubber.add_response("describe_stack_events", _events(race))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stubber.add_response("delete_stack", {}, {"StackName": NAME})
    stubber.add_response("describe_stacks", _stack("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(race))
    _failed_create(stubber, race, start=1)
    with pytest.raises(stack.StackError, match="Firehose is unable to assume role"):
        _deploy(client, [])


def test_another_delivery_stream_failure_is_not_retried(cfn):
    client, stubber = cfn
    other = ("DeliveryStream", "AWS::KinesisFirehose::DeliveryStream", "CREATE_FAILED",
             "Resource handler returned message: \"Exceeded limit of DeliveryStreams\"")
    stubber.add_client_error("describe_stack_events", *MISSING)
    stubber.add_client_error("describe_stacks", *MISSING)
    _failed_create(stubber, other)
    with pytest.raises(stack.StackError, match="Exceeded limit"):
        _deploy(client, [])


def test_a_bucket_policy_refused_by_block_public_access_explains_the_two_ways_out(cfn):
    client, stubber = cfn
    denied = ("BucketPolicy", "AWS::S3::BucketPolicy", "CREATE_FAILED", POLICY_DENIED)
    stubber.add_client_error("describe_stack_events", *MISSING)
    stubber.add_client_error("describe_stacks", *MISSING)
    _failed_create(stubber, denied)
    with pytest.raises(stack.StackError) as caught:
        _deploy(client, [])
    message = str(caught.value)
    assert "BucketPolicy (AWS::S3::BucketPolicy)" in message
    assert "Block Public Access" in message and ACCOUNT in message
    assert "turn it off for this account" in message and "--reader-account ID" in message
