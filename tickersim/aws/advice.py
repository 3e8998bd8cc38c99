"""AWS answers that a deploy can meet on a real account, turned into what to do about them."""
import re

# The account settings that stop the bucket policy sharing ticks/ with any AWS account:
# BlockPublicPolicy refuses the policy (PutBucketPolicy: Access Denied); RestrictPublicBuckets
# accepts it, then refuses every cross-account read.
_BLOCKING = ("BlockPublicPolicy", "RestrictPublicBuckets")

# What Firehose answers while the delivery role it was just given is not visible to it yet
# (IAM is eventually consistent): CreateDeliveryStream's InvalidArgumentException messages,
# which CloudFormation quotes in the resource's event.
_ROLE_NOT_YET_VISIBLE = re.compile(
    r"Firehose is unable to assume role|The security token included in the request is "
    r"invalid", re.IGNORECASE)


def blocking_settings(setting):
    return [name for name in _BLOCKING if setting.get(name)]


def public_access_message(account, blocking=_BLOCKING):
    return (f"S3 Block Public Access ({' and '.join(blocking)}) is on for account {account}, "
            "so the bucket policy that lets any AWS account read ticks/ would be refused. "
            "Either turn it off for this account (S3 console > Block Public Access settings "
            "for this account), or name the accounts that may read with --reader-account ID "
            "(repeat it for each), which works under any Block Public Access setting")


def _about(failure, logical_id):
    return failure.get("LogicalResourceId") == logical_id


def explain(failures, account="this account"):
    """Advice for a known failure among a stack's failed events, or None."""
    for failure in failures:
        reason = failure.get("ResourceStatusReason") or ""
        if _about(failure, "BucketPolicy") and re.search(r"access ?denied", reason, re.I):
            return "The bucket policy was refused: " + public_access_message(account)
        if _about(failure, "Bucket") and "already exists" in reason:
            return ("Bucket names are global across AWS: choose a free one with --bucket "
                    "NAME")
    return None


def role_not_yet_visible(failures):
    """Did the delivery stream fail only because its new role had not propagated yet?"""
    return any(_about(f, "DeliveryStream")
               and _ROLE_NOT_YET_VISIBLE.search(f.get("ResourceStatusReason") or "")
               for f in failures)
