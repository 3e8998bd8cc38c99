"""The stage's data stack (infra/data.yaml): create or update it with progress, delete it."""
import time

from botocore.exceptions import ClientError

from tickersim.aws import advice
from tickersim.base.sinks import ON_DEMAND, SINKS

MAX_EMAILS = 3          # AlertEmail, AlertEmail2, AlertEmail3 in the template
RECORD_FORMATS = ("json", "parquet")    # the template's RecordFormat; the first is the default
_DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}


class StackError(Exception):
    """The stack did not reach the state asked for; the message names the resources at fault."""


def parameters(names, emails, retention_days=None, readers=(), move_emails=(),
               record_format=RECORD_FORMATS[0], sink=SINKS[0], shards="1", capacity=None):
    """The stack's parameters; capacity: None (on demand) or a capacity.Plan (provisioned)."""
    if not 1 <= len(emails) <= MAX_EMAILS:
        raise ValueError(f"give 1 to {MAX_EMAILS} alert addresses (--email), not {len(emails)}")
    values = {"TableName": names.table, "DeliveryStreamName": names.stream,
              "TopicName": names.topic, "BucketName": names.bucket,
              "MarketTopicName": names.market_topic}
    if len(move_emails) > MAX_EMAILS:
        raise ValueError(f"give at most {MAX_EMAILS} move-alert addresses (--move-email)")
    for n in range(MAX_EMAILS):
        values["AlertEmail" + (str(n + 1) if n else "")] = emails[n] if n < len(emails) else ""
        values["MoveEmail" + (str(n + 1) if n else "")] = (move_emails[n]
                                                          if n < len(move_emails) else "")
    if retention_days is not None:
        values["TickRetentionDays"] = str(retention_days)
    values["ReaderAccounts"] = ",".join(readers)     # none: any AWS account may read ticks/
    values["RecordFormat"] = record_format
    values.update(Sink=sink, DataStreamName=names.data_stream, **stream_size(shards))
    values["Capacity"] = "on-demand" if capacity is None else "provisioned"
    if capacity is not None:
        values.update(WriteCapacityMin=str(capacity.min_wcu),
                      WriteCapacityMax=str(capacity.max_wcu),
                      ReadCapacityMin=str(capacity.min_rcu),
                      ReadCapacityMax=str(capacity.max_rcu),
                      TargetUtilisation=str(round(capacity.target * 100)))
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def stream_size(shards):
    """The template's StreamMode and ShardCount for `--shards N|on-demand`."""
    if shards == ON_DEMAND:
        return {"StreamMode": "ON_DEMAND", "ShardCount": "1"}
    return {"StreamMode": "PROVISIONED", "ShardCount": str(shards)}


def shards_of(parameters):
    """`--shards` as a stack's parameters ({key: value}) keep it."""
    if parameters.get("StreamMode") == "ON_DEMAND":
        return ON_DEMAND
    return parameters.get("ShardCount", "1")


def describe(cfn, name):
    """The stack's description, or None if there is no such stack."""
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if "does not exist" in exc.response.get("Error", {}).get("Message", ""):
            return None
        raise


def outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in (stack or {}).get("Outputs", [])}


def physical_id(cfn, name, logical_id):
    """A resource's physical id in the stack, or None (no stack, or not created)."""
    try:
        found = cfn.describe_stack_resource(StackName=name, LogicalResourceId=logical_id)
    except ClientError:
        return None
    return found["StackResourceDetail"].get("PhysicalResourceId") or None


class Watcher:
    """Prints the stack's new events as they arrive, until it settles."""

    def __init__(self, cfn, name, say, poll_s=3.0, timeout_s=1800.0, clock=time.monotonic,
                 sleep=time.sleep):
        self.cfn, self.name, self.say = cfn, name, say
        self.poll_s, self.timeout_s, self.clock, self.sleep = poll_s, timeout_s, clock, sleep
        self.seen = {e["EventId"] for e in self._recent()}

    def _recent(self):
        try:
            return self.cfn.describe_stack_events(StackName=self.name)["StackEvents"]
        except ClientError:
            return []   # no stack yet

    def _print_new(self):
        fresh = [e for e in self._recent() if e["EventId"] not in self.seen]
        for event in reversed(fresh):          # the API lists the newest first
            self.seen.add(event["EventId"])
            self.failures.extend([event] if event["ResourceStatus"].endswith("_FAILED") else [])
            reason = event.get("ResourceStatusReason")
            self.say(f"  {event.get('LogicalResourceId', '?'):<22} "
                     f"{event['ResourceStatus']}{': ' + reason if reason else ''}")

    def wait(self, stack_id):
        """Follow the stack to a settled state; returns (status, failed events)."""
        self.failures = []
        deadline = self.clock() + self.timeout_s
        while True:
            stack = describe(self.cfn, stack_id)
            self._print_new()
            status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
            if not status.endswith("_IN_PROGRESS"):
                return status, self.failures
            if self.clock() > deadline:
                raise StackError(f"stack {self.name} is still {status} after "
                                 f"{self.timeout_s:.0f} s: follow it in the CloudFormation "
                                 "console, then run the command again")
            self.sleep(self.poll_s)


def _why(failures):
    # The first failure is the cause; later ones are mostly "cancelled" knock-on effects.
    useful = [f for f in failures if "cancelled" not in (f.get("ResourceStatusReason") or "")]
    return "; ".join(f"{f.get('LogicalResourceId')} ({f.get('ResourceType')}): "
                     f"{f.get('ResourceStatusReason') or f['ResourceStatus']}"
                     for f in (useful or failures)[:3]) or "no reason given"


def deploy(cfn, name, template_body, params, say=print, account="this account",
           retry_race=True, **watch_options):
    """Create or update the stack; returns its outputs. Re-running with nothing changed is a
    no-op. A first create that rolled back is deleted and tried again; so is one that failed
    only because the delivery role had not reached Firehose yet (once)."""
    watcher = Watcher(cfn, name, say, **watch_options)
    stack = describe(cfn, name)
    if stack and stack["StackStatus"].endswith("_IN_PROGRESS"):
        say(f"stack {name} is busy ({stack['StackStatus']}): waiting for it")
        watcher.wait(stack["StackId"])
        stack = describe(cfn, name)
    if stack and stack["StackStatus"] == "ROLLBACK_COMPLETE":
        say(f"stack {name} failed to create last time and can only be deleted: deleting it")
        delete(cfn, name, say, watcher=watcher)
        stack = None
    common = {"StackName": name, "TemplateBody": template_body, "Parameters": params,
              "Capabilities": ["CAPABILITY_IAM"], "Tags": [{"Key": "app", "Value": "tickersim"}]}
    if stack is None:
        say(f"creating stack {name}")
        stack_id = cfn.create_stack(OnFailure="ROLLBACK", **common)["StackId"]
    else:
        try:
            stack_id = cfn.update_stack(**common)["StackId"]
            say(f"updating stack {name}")
        except ClientError as exc:
            if "No updates are to be performed" not in str(exc):
                raise
            say(f"stack {name} is up to date")
            return outputs(stack)
    status, failures = watcher.wait(stack_id)
    if status not in _DONE and retry_race and advice.role_not_yet_visible(failures):
        say("the delivery stream's new role had not reached Firehose yet (IAM takes a "
            "moment to propagate): trying once more")
        return deploy(cfn, name, template_body, params, say=say, account=account,
                      retry_race=False, **watch_options)
    if status not in _DONE:
        known = advice.explain(failures, account)
        raise StackError(f"stack {name} ended in {status}: {_why(failures)}. "
                         + (known or "Fix the cause, then run deploy again (a failed first "
                            "create is cleaned up for you)."))
    return outputs(describe(cfn, name))


def delete(cfn, name, say=print, watcher=None):
    """Delete the stack and wait; returns False if there was none."""
    stack = describe(cfn, name)
    if stack is None:
        return False
    watcher = watcher or Watcher(cfn, name, say)
    cfn.delete_stack(StackName=name)
    status, failures = watcher.wait(stack["StackId"])
    if status != "DELETE_COMPLETE":
        raise StackError(f"stack {name} could not be deleted ({status}): {_why(failures)}")
    return True


def example_refs(names, account="111122223333", region="eu-west-1", partition="aws",
                 readers=(), record_format=RECORD_FORMATS[0], sink=SINKS[0], shards="1"):
    """What CloudFormation would resolve the data template's references (and conditions)
    to, for `names`, the reader accounts, the record format and the sink."""
    bucket_arn = f"arn:{partition}:s3:::{names.bucket}"
    stream_arn = f"arn:{partition}:kinesis:{region}:{account}:stream/{names.data_stream}"
    return {"AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account,
            "ReaderAccounts": list(readers), "AnyAccountReads": not readers,
            "Bucket": names.bucket, "Bucket.Arn": bucket_arn, "BucketName": names.bucket,
            "Table": names.table, "TableName": names.table, "Topic.TopicName": names.topic,
            "MarketTopic.TopicName": names.market_topic, "AWS::StackName": names.stack,
            "DeliveryStream": names.stream, "DeliveryStreamName": names.stream,
            "DeliveryLogGroup": f"/aws/kinesisfirehose/{names.stream}",
            "DeliveryLogStream": "DestinationDelivery",
            "RecordFormat": record_format, "IsParquet": record_format == "parquet",
            "QueryDatabase": names.stack.replace("-", "_"), "TicksTable": "ticks",
            "Sink": sink, **stream_size(shards), "DataStreamName": names.data_stream,
            "DataStream": names.data_stream, "DataStream.Arn": stream_arn,
            "HasDataStream": sink != "firehose", "HasDeliveryStream": sink != "kinesis",
            "FirehoseReadsStream": sink == "both", "StreamOnDemand": shards == ON_DEMAND}
