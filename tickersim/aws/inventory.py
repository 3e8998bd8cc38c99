"""Every resource a deploy of the stage creates, read from the same sources deploy uses: the
data template (infra/data.yaml) merged with what `chalice package` makes of app.py, as
`make package` writes it. Built in a scratch copy of the project with the names the deploy will
record, so that planning writes nothing into the checkout.

Deploy creates the same set through `chalice deploy` and API calls rather than one stack
(tests/e2e/test_plan.py compares the two), so roles carry Chalice's names here.
"""
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tickersim.aws import api_gateway, chalice_run, checkout, package, policies, stack
from tickersim.base import naming
from tickersim.base import stage as stages

# By resource type: the kind a person reads, and where its name is (None: no name of its own).
KINDS = {
    "AWS::DynamoDB::Table": ("DynamoDB table", "TableName"),
    "AWS::S3::Bucket": ("S3 bucket", "BucketName"),
    "AWS::S3::BucketPolicy": ("bucket policy", None),
    "AWS::KinesisFirehose::DeliveryStream": ("Firehose stream", "DeliveryStreamName"),
    "AWS::Kinesis::Stream": ("Kinesis stream", "Name"),
    "AWS::Lambda::EventSourceMapping": ("event source mapping", None),
    "AWS::IAM::Role": ("IAM role", None),
    "AWS::Logs::LogGroup": ("log group", "LogGroupName"),
    "AWS::Logs::LogStream": ("log stream", "LogStreamName"),
    "AWS::Glue::Database": ("Glue database", "DatabaseInput.Name"),
    "AWS::Glue::Table": ("Glue table", "TableInput.Name"),
    "AWS::Athena::WorkGroup": ("Athena workgroup", "Name"),
    "AWS::SNS::Topic": ("SNS topic", "TopicName"),
    "AWS::SNS::Subscription": ("e-mail subscription", "Endpoint"),
    "AWS::CloudWatch::Alarm": ("CloudWatch alarm", "AlarmName"),
    "AWS::CloudWatch::Dashboard": ("CloudWatch dashboard", "DashboardName"),
    "AWS::Serverless::Function": ("Lambda function", "FunctionName"),
    "AWS::Serverless::Api": ("API Gateway REST API", None),
    "AWS::Lambda::Permission": ("invoke permission", None),
    "AWS::Lambda::EventInvokeConfig": ("async invoke config", None),
}


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    kind: str
    name: str
    detail: str = ""


def stage_template(req, findings, account):
    """The merged template `make package` writes for the stage as deploy will record it."""
    names = findings.names
    outputs = {"TableName": names.table, "DeliveryStreamName": names.stream,
               "BucketName": names.bucket, "TopicArn": _arn("sns", req, account, names.topic),
               "MarketTopicArn": _arn("sns", req, account, names.market_topic)}
    with tempfile.TemporaryDirectory(prefix="tickersim-plan-") as scratch:
        copy = stages.copy_project(Path(scratch) / "project", project_dir=req.project_dir)
        checkout.record(copy, req.stage, req.owner, outputs)
        policies.write_for_stage(req.stage, copy)
        try:
            sam = package.package(req.stage, Path(scratch) / "package", req.region, copy,
                                  quiet=True)
        except chalice_run.ChaliceFailed as exc:
            raise chalice_run.ChaliceFailed(
                f"app.py does not package as `chalice package` packs it ({exc.output}): fix "
                "it and run deploy again; nothing was created") from None
        return json.loads(sam.read_text())


def _arn(service, req, account, name):
    return f"arn:aws:{service}:{req.region}:{account}:{name}"


def parameter_values(req, findings):
    """The stack's parameters as deploy passes them, by name."""
    given = stack.parameters(findings.names, list(req.emails), readers=findings.readers,
                             move_emails=list(req.move_emails),
                             record_format=findings.record_format, sink=findings.sink,
                             shards=findings.shards)
    return {p["ParameterKey"]: p["ParameterValue"] for p in given}


def conditions(template, values):
    """{condition: whether it holds} for these parameter values."""
    def holds(node):
        if isinstance(node, dict):
            (fn, args), = node.items()
            if fn == "Fn::Equals":
                return value(args[0]) == value(args[1])
            if fn == "Fn::Not":
                return not holds(args[0])
            if fn == "Fn::And":
                return all(holds(a) for a in args)
            if fn == "Fn::Or":
                return any(holds(a) for a in args)
            if fn == "Condition":
                return holds(template["Conditions"][args])
        raise ValueError(f"a condition this plan cannot evaluate: {node!r}")

    def value(node):
        if isinstance(node, dict) and set(node) == {"Ref"}:
            return values.get(node["Ref"], "")
        if isinstance(node, dict) and set(node) == {"Fn::Join"}:
            separator, parts = node["Fn::Join"]
            parts = value(parts)
            return separator.join(parts.split(",") if isinstance(parts, str) else parts)
        return node

    return {name: holds(rule) for name, rule in template.get("Conditions", {}).items()}


def created(template, values, stage, refs):
    """The resources the stage creates, in the template's order, named. refs: what the data
    template's references resolve to (stack.example_refs)."""
    held = conditions(template, values)
    resources = template["Resources"]
    refs = {**refs, **values}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            refs[logical_id] = resource["Properties"]["FunctionName"]
    found = []
    for logical_id, resource in resources.items():
        if not held.get(resource.get("Condition"), True):
            continue
        kind, where = KINDS.get(resource["Type"], (resource["Type"], None))
        properties = resource.get("Properties", {})
        name = _name(properties, where, refs) if where else ""
        if resource["Type"] == "AWS::IAM::Role":
            name = _role_name(logical_id, refs, stage)
        elif resource["Type"] == "AWS::Serverless::Api":
            name = naming.APP_NAME          # Chalice names the REST API after the app
        found.append(Resource(logical_id, resource["Type"], kind, name or logical_id,
                              _detail(resource, refs)))
    if any(r.logical_id == package.CHALICE_IDS[stages.API] for r in found):
        # `chalice deploy` also makes (and sets the retention of) a group named after the
        # API's role; the function itself logs to the group named after it.
        found.append(Resource("ApiHandlerRoleLogGroup", "AWS::Logs::LogGroup", "log group",
                              f"/aws/lambda/{naming.function_name(stage, stages.API)}",
                              "made by chalice deploy"))
    return found


def _name(properties, where, refs):
    node = properties
    for key in where.split("."):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return _text(node, refs)


def _text(node, refs):
    """A name's value: plain, or from Ref, Fn::Sub, Fn::Join and Fn::Split over refs."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        return ""
    (fn, args), = node.items()
    if fn == "Ref":
        return str(refs.get(args, ""))
    if fn == "Fn::GetAtt":
        return str(refs.get(args[0], ""))
    if fn == "Fn::Sub":
        text = args if isinstance(args, str) else args[0]
        for key, value in refs.items():
            text = text.replace("${" + key + "}", str(value))
        return text
    if fn == "Fn::Join":
        return args[0].join(_text(part, refs) for part in _parts(args[1], refs))
    return ""


def _parts(node, refs):
    if isinstance(node, dict) and "Fn::Split" in node:
        separator, text = node["Fn::Split"]
        return _text(text, refs).split(separator)
    return node if isinstance(node, list) else [node]


def _role_name(logical_id, refs, stage):
    """Chalice names each function's role as `<app>-<stage>-<function>`; a role of the data
    stack gets the stack's name and a suffix CloudFormation draws."""
    for function, function_id in package.CHALICE_IDS.items():
        if package.ROLE_IDS.get(function, f"{function_id}Role") == logical_id:
            return naming.function_name(stage, function)
    return f"{refs['AWS::StackName']}-{logical_id}-…"


def _detail(resource, refs):
    properties = resource.get("Properties", {})
    if resource["Type"] == "AWS::Serverless::Function":
        schedules = [e["Properties"]["Schedule"] for e in properties.get("Events", {}).values()
                     if e.get("Type") == "Schedule"]
        return (f"{properties.get('MemorySize')} MB" + "".join(
            f", {s}, rule {properties['FunctionName']}-event" for s in schedules))
    if resource["Type"] == "AWS::Serverless::Api":
        return (f"stage {properties.get('StageName')}, {api_gateway.RATE_LIMIT} requests/s, "
                f"burst {api_gateway.BURST_LIMIT}")
    if resource["Type"] == "AWS::S3::BucketPolicy":
        return f"on {_text(properties.get('Bucket'), refs)}"
    if resource["Type"] == "AWS::Lambda::Permission":
        return f"{properties.get('Principal')} invokes {_text(properties.get('FunctionName'), refs) or '…'}"
    if resource["Type"] == "AWS::Lambda::EventInvokeConfig":
        return f"{_text(properties.get('FunctionName'), refs)}: retries, then the notifier"
    return ""
