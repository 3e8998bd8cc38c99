"""What `tickersim deploy` can know before it creates anything, read without changing AWS.

The account and region, S3 Block Public Access, whether the bucket name is free, and what the
stage already has (its names and owner). `deploy --check` prints it with the plan; `deploy`
runs it first and stops on anything that would make the stack fail.
"""
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from botocore.exceptions import ClientError, NoCredentialsError

from tickersim.aws import advice, inputs, stack
from tickersim.base import endpoints, naming
from tickersim.base import stage as stages

# The stack's parameters that hold the stage's names, by the Names field they fill.
NAME_PARAMETERS = {"table": "TableName", "stream": "DeliveryStreamName", "topic": "TopicName",
                   "bucket": "BucketName", "market_topic": "MarketTopicName",
                   "data_stream": "DataStreamName"}


class PreflightError(ValueError):
    """Deploy would fail: the message says what to change (exit 2)."""


@dataclass(frozen=True)
class Request:
    """The operator's arguments, checked."""
    project_dir: Path
    stage: str
    owner: str
    emails: tuple
    region: str = stages.DEFAULT_REGION
    endpoint: str = None
    retries: int = stages.DEFAULT_RETRIES
    bucket: str = None
    readers: tuple = ()
    move_emails: tuple = ()
    record_format: str = None       # None: the stage's own, json for a new stage
    sink: str = None                # None: the stage's own, firehose for a new stage
    shards: str = None              # None: the stage's own, 1 for a new stream


def request(project_dir, stage, owner, emails, region=stages.DEFAULT_REGION, endpoint=None,
            retries=stages.DEFAULT_RETRIES, bucket=None, readers=(), move_emails=(),
            record_format=None, sink=None, shards=None):
    """A Request from raw arguments; ValueError names the first one at fault."""
    stage = inputs.deploy_stage(stage)
    sink = inputs.sink(sink)
    # Shards without --sink: checked against the stage's own sink in the preflight.
    shards = inputs.shards(shards, region, sink or stack.SINKS[1])
    return Request(inputs.project(project_dir), stage, inputs.owner(owner),
                   tuple(inputs.emails(list(emails))),
                   inputs.region(region), inputs.endpoint(endpoint), retries,
                   inputs.bucket(bucket) if bucket is not None else None,
                   tuple(inputs.reader_accounts(list(readers))),
                   tuple(inputs.move_emails(list(move_emails))),
                   inputs.record_format(record_format), sink, shards)


@dataclass
class Findings:
    account: str
    names: naming.Names
    stack_exists: bool
    recorded_owner: str = None
    readers: tuple = ()             # the accounts that will read ticks/; none: any account
    record_format: str = stack.RECORD_FORMATS[0]
    sink: str = stack.SINKS[0]
    shards: str = "1"
    public_access: dict = None      # the account's Block Public Access, None when none is set
    notes: list = field(default_factory=list)


def account_id(sts):
    try:
        return sts.get_caller_identity()["Account"]
    except NoCredentialsError:
        raise PreflightError("no AWS credentials found: run `aws configure` (or set "
                             "AWS_PROFILE), then run deploy again") from None


def recorded(project_dir, stage):
    """(owner, bucket) recorded for the stage in .chalice/config.json, each None if absent."""
    try:
        owner = stages.environment(stage, stages.NOTIFICATION, project_dir).get("OWNER_NAME")
        bucket = stages.environment(stage, stages.STREAMING, project_dir).get("BUCKET_NAME")
    except KeyError:
        return None, None
    return owner, bucket


def _code(exc):
    return str(exc.response.get("Error", {}).get("Code", ""))


def public_access_block(s3control, account):
    """The account's Block Public Access settings; {} when none is set; None if unreadable."""
    try:
        reply = s3control.get_public_access_block(AccountId=account)
    except ClientError as exc:
        if _code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return {}
        if _code(exc) in ("AccessDenied", "AccessDeniedException"):
            return None
        raise
    return reply["PublicAccessBlockConfiguration"]


def table_exists(dynamodb, table):
    try:
        dynamodb.describe_table(TableName=table)
        return True
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            return False
        raise


def bucket_state(s3, bucket):
    """'free', 'reachable' (it exists and answers us: ours, or shared with us) or 'taken'."""
    try:
        s3.head_bucket(Bucket=bucket)
        return "reachable"
    except ClientError as exc:
        code = _code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return "free"
        if code in ("403", "301", "AccessDenied", "PermanentRedirect"):
            return "taken"        # another account's, or ours in another region
        raise


def check(req, session):
    """Read what can be known before creating anything; PreflightError on what would fail."""
    def client(service):
        return endpoints.client(session, service, req.endpoint)

    account = account_id(client("sts"))
    cfn = client("cloudformation")
    names = naming.names_for(req.owner, req.stage)
    existing = stack.describe(cfn, names.stack)
    owner, recorded_bucket = recorded(req.project_dir, req.stage)
    findings = Findings(account, names, existing is not None, recorded_owner=owner)

    if existing:
        # The stage's names were fixed at its first deploy: a changed --owner renames the
        # owner in alerts, never the table, bucket, stream or topic (that would replace them).
        kept = {p["ParameterKey"]: p["ParameterValue"] for p in existing.get("Parameters", [])}
        findings.names = replace(names, **{field_: kept[key] for field_, key in
                                           NAME_PARAMETERS.items() if kept.get(key)})
        # Firehose could switch, but ticks/ already holds the old format and the Glue table
        # reads one format: a switch would leave Athena (and the watcher) half blind.
        kept_format = kept.get("RecordFormat", stack.RECORD_FORMATS[0])
        findings.record_format = kept_format
        if req.record_format not in (None, kept_format):
            raise PreflightError(
                f"--format {req.record_format}: stage {req.stage} was created with --format "
                f"{kept_format} and its ticks/ objects are {kept_format}, which its Glue table "
                f"reads; keep --format {kept_format}, or run `tickersim teardown --stage "
                f"{req.stage}` first")
        # The watcher's trigger, the policies and the consumers follow the sink: a switch
        # would leave readers of the old one behind. The stream's size may change.
        findings.sink = kept.get("Sink", stack.SINKS[0])
        if req.sink not in (None, findings.sink):
            raise PreflightError(
                f"--sink {req.sink}: stage {req.stage} was created with --sink {findings.sink}, "
                f"which its watcher and consumers read; keep --sink {findings.sink}, or run "
                f"`tickersim teardown --stage {req.stage}` first")
        findings.shards = req.shards or stack.shards_of(kept)
        if req.bucket and req.bucket != findings.names.bucket:
            raise PreflightError(
                f"--bucket {req.bucket}: stage {req.stage} already keeps its ticks in bucket "
                f"{findings.names.bucket}, and a deploy keeps it; drop --bucket, or run "
                f"`tickersim teardown --stage {req.stage}` first")
        # Named readers stay named: a redeploy that forgot --reader-account must not open the
        # bucket to every account.
        findings.readers = req.readers or tuple(re.findall(r"[0-9]{12}",
                                                           kept.get("ReaderAccounts", "")))
        if findings.readers and not req.readers:
            findings.notes.append("keeping the stage's reader accounts "
                                  + ", ".join(findings.readers))
        if owner and owner != req.owner:
            findings.notes.append(
                f"owner: {owner} -> {req.owner}: alerts will name {req.owner}; the stage "
                f"keeps the resource names it was created with ({findings.names.code}...)")
    else:
        findings.readers = req.readers
        findings.record_format = req.record_format or stack.RECORD_FORMATS[0]
        findings.sink, findings.shards = req.sink or stack.SINKS[0], req.shards or "1"
        bucket = req.bucket or recorded_bucket or names.bucket
        findings.names = replace(names, bucket=bucket)
        state = bucket_state(client("s3"), bucket)
        if state != "free":
            how = ("exists and answers this account, but no tickersim stage owns it"
                   if state == "reachable" else
                   "is taken by another AWS account (bucket names are global)")
            raise PreflightError(
                f"bucket {bucket} {how}: choose another with --bucket NAME, e.g. --bucket "
                f"{suggest_bucket(bucket, account)}")
        if table_exists(client("dynamodb"), names.table):
            raise PreflightError(
                f"table {names.table} exists, but no tickersim stage owns it (`tickersim seed "
                "--create` makes one outside the stack); the stack creates and deploy seeds "
                f"its own: delete it (aws dynamodb delete-table --table-name {names.table}), "
                "or deploy another --stage")

    if findings.readers:
        findings.notes.append("ticks/ shared with the named accounts only (works under any "
                              "Block Public Access setting)")
    else:
        setting = public_access_block(client("s3control"), account)
        findings.public_access = setting
        if setting is None:
            findings.notes.append("Block Public Access: not readable with these credentials "
                                  "(s3:GetAccountPublicAccessBlock); if the bucket policy is "
                                  "refused, see --reader-account")
        else:
            blocking = advice.blocking_settings(setting)
            if blocking:
                raise PreflightError(advice.public_access_message(account, blocking))
    if req.shards and findings.sink == stack.SINKS[0]:
        raise PreflightError(f"--shards {req.shards}: stage {req.stage} has --sink firehose, "
                             "which has no data stream to size; drop --shards")
    if findings.record_format == "parquet":
        findings.notes.append("ticks/ in Parquet (Snappy): Athena reads it; the move watcher "
                              "and the API's tick history read JSON lines, so they see no ticks")
    return findings


def suggest_bucket(bucket, account):
    """The name with the account id in it (unique to the account), within S3's 63."""
    tail = f"-{account}"
    return bucket[:63 - len(tail)].rstrip("-") + tail
