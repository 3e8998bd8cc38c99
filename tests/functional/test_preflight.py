"""Deploy's first-time checks against the answers a real account gives: S3 Block Public Access
in each setting (in-process moto, which serves S3 Control), HeadBucket's 403, 301 and 404
(botocore's Stubber). The stack's own failures (a refused bucket policy, Firehose not yet
seeing its new role) are in test_stack_progress.py."""

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tickersim.aws import advice, preflight
from tickersim.base import naming
from tickersim.base import stage as stages

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
    assert findings.record_format == "json"           # a new stage, no --format
    assert preflight.check(_request(record_format="parquet"), session).record_format == \
        "parquet"


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


@pytest.mark.parametrize("created, asked", [("json", "parquet"), ("parquet", "json")])
def test_a_redeploy_in_another_record_format_is_refused_and_the_same_one_passes(session,
                                                                               created, asked):
    names = naming.names_for("Grace Hopper", "qa")
    template = {"Parameters": {"RecordFormat": {"Type": "String"}},
                "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    session.client("cloudformation").create_stack(
        StackName=names.stack, TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "RecordFormat", "ParameterValue": created}])
    with pytest.raises(preflight.PreflightError) as refused:
        preflight.check(_request(record_format=asked), session)
    assert str(refused.value).startswith(f"--format {asked}: stage qa was created with "
                                         f"--format {created}")
    assert "tickersim teardown --stage qa" in str(refused.value)
    findings = preflight.check(_request(record_format=created), session)
    assert findings.stack_exists and findings.record_format == created
    # No --format on a redeploy keeps the stage's.
    assert preflight.check(_request(), session).record_format == created
    # What a Parquet stage gives up is in the plan.
    assert any("move watcher and the API's tick history read JSON lines" in note
               for note in findings.notes) == (created == "parquet")
