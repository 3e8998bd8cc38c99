"""Least-privilege IAM policies of the functions, with exact ARNs.

One source for both deploy routes: `tickersim deploy` writes them as Chalice policy files
(`.chalice/policy-<stage>-<function>.json`, concrete ARNs), and `make package` puts the same
documents into the merged template with `Fn::Sub` ARNs.
"""
import json
from pathlib import Path

from tickersim.base import access_key, naming
from tickersim.base import stage as stages
from tickersim.base.naming import function_name

FILES = {stages.STREAMING: "streaming", stages.NOTIFICATION: "notification",
         stages.WATCH: "watch", stages.API: "api", stages.WORKER: "worker"}
# ARN templates use CloudFormation's pseudo parameters; `concrete` fills them in.
_HEAD = "arn:${AWS::Partition}"
_WHERE = "${AWS::Region}:${AWS::AccountId}"


def arn_templates(stage, table, stream, topic, bucket, market_topic, data_stream=None):
    """The ARNs each function may touch, with ${AWS::...} placeholders left in.
    data_stream: the Kinesis stream the function writes and the watcher reads, if any."""
    def logs(function):
        return f"{_HEAD}:logs:{_WHERE}:log-group:/aws/lambda/{function_name(stage, function)}"

    return {
        "table": f"{_HEAD}:dynamodb:{_WHERE}:table/{table}",
        "stream": f"{_HEAD}:firehose:{_WHERE}:deliverystream/{stream}",
        "data_stream": data_stream and f"{_HEAD}:kinesis:{_WHERE}:stream/{data_stream}",
        "topic": f"{_HEAD}:sns:{_WHERE}:{topic}",
        "market_topic": f"{_HEAD}:sns:{_WHERE}:{market_topic}",
        "ticks": f"{_HEAD}:s3:::{bucket}/ticks/*",
        "history": f"{_HEAD}:s3:::{bucket}/history/*",
        # The name starts with "/": the ARN is parameter/tickersim/<stage>/...
        "access_key": f"{_HEAD}:ssm:{_WHERE}:parameter{access_key.parameter_name(stage)}",
        "notifier": f"{_HEAD}:lambda:{_WHERE}:function:"
                    f"{function_name(stage, stages.NOTIFICATION)}",
        "worker": f"{_HEAD}:lambda:{_WHERE}:function:{function_name(stage, stages.WORKER)}",
        stages.STREAMING: logs(stages.STREAMING),
        stages.NOTIFICATION: logs(stages.NOTIFICATION),
        stages.WATCH: logs(stages.WATCH),
        stages.WORKER: logs(stages.WORKER),
        "bucket": f"{_HEAD}:s3:::{bucket}",
        # Chalice names the API's function <app>-<stage>, without a suffix.
        stages.API: f"{_HEAD}:logs:{_WHERE}:log-group:/aws/lambda/{naming.APP_NAME}-{stage}",
    }


def _logs_statements(log_group):
    # Deploy creates /aws/lambda/<function> with a retention (Chalice's log_retention_in_days),
    # so the function only adds streams and events to it. IAM names a stream
    # `<group>:log-stream:<name>`, hence `<group>:*`.
    return [
        {"Sid": "OwnLogStreams", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": _join(log_group, ":*")},
    ]


def _join(arn, tail):
    return {"Fn::Sub": arn["Fn::Sub"] + tail} if isinstance(arn, dict) else arn + tail


def _own_items(sid, actions, table, prefix):
    """Item actions on the table, limited to the items whose key starts with prefix."""
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": table,
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [prefix]}}}


def documents(arns):
    """{function: policy document}; `arns` as from arn_templates, each a string or Fn::Sub.
    With a data stream the function writes only to it, and the watcher reads only it."""
    data_stream = arns.get("data_stream")
    deliver = ({"Sid": "DeliverTicks", "Effect": "Allow", "Action": "kinesis:PutRecords",
                "Resource": data_stream} if data_stream else
               {"Sid": "DeliverTicks", "Effect": "Allow", "Action": "firehose:PutRecordBatch",
                "Resource": arns["stream"]})
    # Lambda invokes a function's on-failure destination with the function's own role.
    destination = {"Sid": "OnFailureDestination", "Effect": "Allow",
                   "Action": "lambda:InvokeFunction", "Resource": arns["notifier"]}
    streaming = [
        {"Sid": "TableState", "Effect": "Allow",
         # BatchExecuteStatement has no IAM action of its own: each UPDATE in it needs
         # dynamodb:PartiQLUpdate.
         "Action": ["dynamodb:PartiQLUpdate", "dynamodb:Scan", "dynamodb:UpdateItem"],
         "Resource": arns["table"]},
        # The recovery notice: close the outage record, then tell the owner.
        _own_items("CloseOutage", "dynamodb:DeleteItem", arns["table"], "#outage"),
        {"Sid": "RecoveryNotice", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": arns["topic"]},
        deliver,
        # The function itself starts the workers once the table outgrows it.
        destination,
        {"Sid": "StartWorkers", "Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": arns["worker"]},
    ] + _logs_statements(arns[stages.STREAMING])
    # A worker: its segment's Scan, its own run-state item and #scenarios (BatchGetItem),
    # the claim, the commit (PartiQL), the delivery and its own on-failure destination.
    worker = [
        {"Sid": "TableState", "Effect": "Allow",
         "Action": ["dynamodb:BatchGetItem", "dynamodb:PartiQLUpdate", "dynamodb:Scan",
                    "dynamodb:UpdateItem"],
         "Resource": arns["table"]},
        deliver,
        destination,
    ] + _logs_statements(arns[stages.WORKER])
    notification = [
        {"Sid": "PublishAlerts", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": arns["topic"]},
        _own_items("RecordOutage", "dynamodb:UpdateItem", arns["table"], "#outage"),
    ] + _logs_statements(arns[stages.NOTIFICATION])
    # Fed by an event source mapping on the stream (which polls with the function's role,
    # and sends a batch it gives up on to the failure topic), else by S3 notifications.
    reading = [
        {"Sid": "ReadStream", "Effect": "Allow",
         "Action": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
         "Resource": data_stream},
        {"Sid": "OnFailureDestination", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": arns["topic"]},
    ] if data_stream else [
        {"Sid": "ReadTicks", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": arns["ticks"]}]
    watch = reading + [
        _own_items("MoveState", ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                   arns["table"], "#moves|*"),
        {"Sid": "PublishMoves", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": arns["market_topic"]},
    ] + _logs_statements(arns[stages.WATCH])
    # The read-only API: one Scan of the table, listings and reads under ticks/ and history/
    # (the backfilled sessions) only, and the stage's access key (no other function may read
    # it; the AWS managed aws/ssm key decrypts for any principal allowed the GetParameter).
    api = [
        {"Sid": "ReadTickers", "Effect": "Allow", "Action": "dynamodb:Scan",
         "Resource": arns["table"]},
        {"Sid": "ListTicks", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": arns["bucket"],
         "Condition": {"StringLike": {"s3:prefix": ["ticks/*", "history/*"]}}},
        {"Sid": "ReadTicks", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": [arns["ticks"], arns["history"]]},
        {"Sid": "ReadAccessKey", "Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": arns["access_key"]},
    ] + _logs_statements(arns[stages.API])
    return {stages.STREAMING: {"Version": "2012-10-17", "Statement": streaming},
            stages.NOTIFICATION: {"Version": "2012-10-17", "Statement": notification},
            stages.WATCH: {"Version": "2012-10-17", "Statement": watch},
            stages.API: {"Version": "2012-10-17", "Statement": api},
            stages.WORKER: {"Version": "2012-10-17", "Statement": worker}}


def concrete(templates, partition, region, account):
    filled = {}
    for key, arn in templates.items():
        filled[key] = arn and (arn.replace("${AWS::Partition}", partition)
                       .replace("${AWS::Region}", region).replace("${AWS::AccountId}", account))
    return filled


def policy_file(project_dir, stage, function):
    return Path(project_dir) / ".chalice" / f"policy-{stage}-{FILES[function]}.json"


def stage_files(project_dir, stage):
    """Every policy file of the stage, whether it exists or not."""
    return [policy_file(project_dir, stage, function) for function in FILES]


def for_stage(stage, project_dir=stages.PROJECT_DIR):
    """The stage's documents, from the names and topic ARN recorded in .chalice/config.json."""
    streaming = stages.environment(stage, stages.STREAMING, project_dir)
    notification = stages.environment(stage, stages.NOTIFICATION, project_dir)
    watch = stages.environment(stage, stages.WATCH, project_dir)
    topic_arn = notification["TOPIC_ARN"]
    parts = topic_arn.split(":")
    if len(parts) != 6 or parts[2] != "sns":
        raise ValueError(f"TOPIC_ARN {topic_arn!r} of stage {stage!r} in .chalice/config.json is "
                         "not an SNS topic ARN: run `tickersim deploy` to record the real one")
    _, partition, _, region, account, topic = parts
    bucket = (streaming.get("BUCKET_NAME")
              or naming.names_for(notification.get("OWNER_NAME") or "", stage).bucket)
    templates = arn_templates(stage, streaming["TABLE_NAME"],
                              streaming["DELIVERY_STREAM_NAME"], topic, bucket,
                              watch["MARKET_TOPIC_ARN"].rsplit(":", 1)[-1],
                              streaming.get("DATA_STREAM_NAME") or None)
    return documents(concrete(templates, partition, region, account))


def write_for_stage(stage, project_dir=stages.PROJECT_DIR):
    """Write the stage's policy files; returns the paths written."""
    written = []
    for function, document in for_stage(stage, project_dir).items():
        path = policy_file(project_dir, stage, function)
        path.write_text(json.dumps(document, indent=2) + "\n")
        written.append(path)
    return written
