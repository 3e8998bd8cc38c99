"""The bucket policy in infra/data.yaml, evaluated request by request.

moto's CloudFormation skips AWS::S3::BucketPolicy and its own policy evaluation is crude, so
this file carries a small evaluator of the IAM policy language, just for the elements the
template uses (it refuses any other condition operator, so a new statement cannot slip past
untested). Access from another account also needs that account's own IAM policy to allow
it; that side is the reader's, and is assumed here.
"""
import fnmatch

import jq
import pytest

from tickersim.aws import stack
from tickersim.base import data_template, naming
from tickersim.base.data_template import load_data_template
from tickersim.local.firehose import destination as stream_destination
from tickersim.local.firehose import metadata_query

NAMES = naming.names_for("Kyle Maposa")
OWNER_ACCOUNT, OTHER_ACCOUNT = "111122223333", "444455556666"
BUCKET_ARN = f"arn:aws:s3:::{NAMES.bucket}"
TEMPLATE = load_data_template()


def bucket_policy():
    document = TEMPLATE["Resources"]["BucketPolicy"]["Properties"]["PolicyDocument"]
    return data_template.resolve(document, stack.example_refs(NAMES, account=OWNER_ACCOUNT))


def _listed(value):
    return value if isinstance(value, list) else [value]


def _like(pattern, value):
    # IAM wildcards: * any run of characters, ? one character; case-sensitive for values.
    return fnmatch.fnmatchcase(value, pattern)


def _principal_matches(principal, account):
    if principal == "*" or principal == {"AWS": "*"}:
        return True                         # everyone, anonymous included
    arns = _listed(principal.get("AWS", []))
    return account is not None and any(a in (account, f"arn:aws:iam::{account}:root")
                                       for a in arns)


def _condition_holds(operator, tests, context):
    for key, expected in tests.items():
        actual = context.get(key)
        if operator == "Null":
            if (actual is None) != (str(expected).lower() == "true"):
                return False
        elif operator == "StringLike":
            if actual is None or not any(_like(p, actual) for p in _listed(expected)):
                return False
        elif operator == "Bool":
            if actual is None or actual != str(expected).lower():
                return False
        else:
            raise NotImplementedError(f"the test evaluator does not know {operator}: teach it")
    return True


def evaluate(policy, account, action, resource, context=None):
    """'allow', 'deny' (explicit) or 'implicit' (no statement allows it)."""
    context = {"aws:SecureTransport": "true", **(context or {})}
    if account is not None:
        context["aws:PrincipalAccount"] = account   # absent from anonymous requests
    verdict = "implicit"
    for statement in policy["Statement"]:
        applies = (_principal_matches(statement["Principal"], account)
                   and any(_like(a.lower(), action.lower()) for a in _listed(statement["Action"]))
                   and any(_like(r, resource) for r in _listed(statement["Resource"]))
                   and all(_condition_holds(op, tests, context)
                           for op, tests in statement.get("Condition", {}).items()))
        if applies and statement["Effect"] == "Deny":
            return "deny"
        if applies:
            verdict = "allow"
    return verdict


def tick(key="2026/11/26/09/DEKYLMAP-deliverystream-1-2026-11-26-09-00-00-abc"):
    return f"{BUCKET_ARN}/ticks/{key}"


CASES = [
    # who,           action,               resource,                 context,             verdict
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "ticks/"}, "allow"),
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "ticks/2026/11/"}, "allow"),
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": ""}, "implicit"),
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {}, "implicit"),
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "errors/"}, "implicit"),
    (OTHER_ACCOUNT, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "tick"}, "implicit"),
    (OTHER_ACCOUNT, "s3:GetObject", tick(), {}, "allow"),
    (OTHER_ACCOUNT, "s3:GetObject", f"{BUCKET_ARN}/errors/processing-failed/x", {}, "implicit"),
    (OTHER_ACCOUNT, "s3:GetObjectVersion", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:PutObject", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:DeleteObject", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:DeleteObjectVersion", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:PutObjectAcl", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:GetObjectAcl", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:PutBucketAcl", BUCKET_ARN, {}, "implicit"),
    (OTHER_ACCOUNT, "s3:PutBucketPolicy", BUCKET_ARN, {}, "implicit"),
    (OTHER_ACCOUNT, "s3:DeleteBucket", BUCKET_ARN, {}, "implicit"),
    (OTHER_ACCOUNT, "s3:ListBucketVersions", BUCKET_ARN, {"s3:prefix": "ticks/"}, "implicit"),
    (None, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "ticks/"}, "implicit"),
    (None, "s3:GetObject", tick(), {}, "implicit"),
    (OTHER_ACCOUNT, "s3:GetObject", tick(), {"aws:SecureTransport": "false"}, "deny"),
    (OWNER_ACCOUNT, "s3:PutObject", tick(), {"aws:SecureTransport": "false"}, "deny"),
]


@pytest.mark.parametrize("account, action, resource, context, verdict", CASES,
                         ids=[f"{'anonymous' if c[0] is None else c[0]}-{c[1]}-"
                              f"{c[3].get('s3:prefix', c[2].rsplit('/', 1)[-1])}-{c[4]}"
                              for c in CASES])
def test_the_bucket_policy_shares_ticks_read_only(account, action, resource, context, verdict):
    assert evaluate(bucket_policy(), account, action, resource, context) == verdict


def test_the_policy_allows_nothing_but_listing_and_reading():
    allowed = {a for s in bucket_policy()["Statement"] if s["Effect"] == "Allow"
               for a in _listed(s["Action"])}
    assert allowed == {"s3:ListBucket", "s3:GetObject"}


def test_the_evaluator_refuses_conditions_it_does_not_know():
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                             "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "x"}}}]}
    with pytest.raises(NotImplementedError, match="IpAddress"):
        evaluate(policy, OTHER_ACCOUNT, "s3:GetObject", tick())


def test_acls_stay_blocked_and_disabled_while_the_policy_can_apply():
    bucket = data_template.resolve(TEMPLATE["Resources"]["Bucket"]["Properties"],
                           {**stack.example_refs(NAMES), "Versioning": "Enabled",
                            "TickRetentionDays": 30})
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    # Relaxed only as far as the policy needs: S3 counts "any AWS account" as public.
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": False, "RestrictPublicBuckets": False}


READERS = ("444455556666", "777788889999")


def readers_policy():
    document = TEMPLATE["Resources"]["BucketPolicy"]["Properties"]["PolicyDocument"]
    return data_template.resolve(document, stack.example_refs(NAMES, account=OWNER_ACCOUNT,
                                                      readers=READERS))


@pytest.mark.parametrize("account, verdict", [
    ("444455556666", "allow"), ("777788889999", "allow"), ("999999999999", "implicit"),
    (None, "implicit")])
def test_with_reader_accounts_only_those_accounts_read_ticks(account, verdict):
    policy = readers_policy()
    assert evaluate(policy, account, "s3:GetObject", tick()) == verdict
    assert evaluate(policy, account, "s3:ListBucket", BUCKET_ARN, {"s3:prefix": "ticks/"}) == \
        verdict
    assert evaluate(policy, account, "s3:PutObject", tick()) == "implicit"


def test_with_reader_accounts_the_policy_is_not_public_and_the_bucket_blocks_public_access():
    # S3 calls a policy public unless every Allow names fixed principals: then Block Public
    # Access at any level leaves it alone, and the bucket can block public access itself.
    allows = [s for s in readers_policy()["Statement"] if s["Effect"] == "Allow"]
    assert allows and all(s["Principal"] == {"AWS": list(READERS)} for s in allows)
    bucket = data_template.resolve(TEMPLATE["Resources"]["Bucket"]["Properties"],
                           {**stack.example_refs(NAMES, readers=READERS),
                            "Versioning": "Enabled", "TickRetentionDays": 30})
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}


def test_the_shared_prefix_is_where_firehose_writes_ticks():
    destination = TEMPLATE["Resources"]["DeliveryStream"]["Properties"][
        "ExtendedS3DestinationConfiguration"]
    # The prefix's first folder comes from each record's type: ticks are "ticks".
    assert destination["Prefix"].startswith("!{partitionKeyFromQuery:table}/")
    query = metadata_query(stream_destination(TEMPLATE))
    assert jq.compile(query).input_value(
        {"ticker": "A", "timestamp": "2026-12-01T09:00:00Z"}).first()["table"] == "ticks"
    assert not destination["ErrorOutputPrefix"].startswith("ticks/")   # errors stay private
