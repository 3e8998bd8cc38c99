"""`python -m tickersim.aws.package --stage S --out DIR`: one CloudFormation template for the whole
system, for teams that deploy through a pipeline (`make package`).

`chalice package --merge-template` merges infra/data.yaml's resources with the functions,
plus what Chalice cannot express: the async invocation config with its on-failure
destination, fixed function names, environment variables that reference the stack's own
resources, and the same least-privilege policies `tickersim deploy` writes, with Fn::Sub ARNs.
Dictionaries merge into Chalice's template; lists (such as a role's Policies) replace.
"""
import argparse
import json
import sys
from pathlib import Path

from chalicelib.walk import sink
from tickersim.aws import api_gateway, chalice_run, policies
from tickersim.base import access_key, naming, stream_trigger, watch_trigger
from tickersim.base import stage as stages
from tickersim.base.data_template import load_data_template
from tickersim.base.wiring import MAX_EVENT_AGE_S

# Resource names in the template `chalice package` generates (CamelCase of the function names).
CHALICE_IDS = {stages.STREAMING: "StreamingLambda", stages.NOTIFICATION: "NotificationLambda",
               stages.WATCH: "WatchLambda", stages.API: "APIHandler",
               stages.WORKER: "WorkerLambda"}
ROLE_IDS = {stages.API: "ApiHandlerRole"}        # the others are <function id>Role

# Checkov findings on Chalice's functions, each with the reason it does not apply here.
_FUNCTION_SKIPS = [
    {"id": "CKV_AWS_115", "comment": "reserved concurrency would fail in new accounts (limit 10); "
                                     "the run claim in DynamoDB already serialises runs"},
    {"id": "CKV_AWS_116", "comment": "failed async runs go to the on-failure destination "
                                     "(EventInvokeConfig), which replaces a dead-letter queue"},
    {"id": "CKV_AWS_117", "comment": "the functions reach only public AWS endpoints; a VPC "
                                     "would add NAT costs and nothing to protect"},
    {"id": "CKV_AWS_173", "comment": "environment variables hold resource names, no secrets"},
]


# Checkov findings on the read-only REST API, by id, each with the reason it does not apply.
_API_SKIPS = [{"id": check, "comment": why} for check, why in {
    "CKV_AWS_73": "X-Ray bills every trace; the function's logs cover a read-only API of three "
                  "routes",
    "CKV_AWS_76": "access logs need an account-wide API Gateway logging role, which a stack "
                  "should not change for the whole account",
    "CKV_AWS_120": "a stage cache costs at least $14 a month; the function caches what it reads "
                   "from the bucket",
}.items()]


def merge_template(stage, project_dir=stages.PROJECT_DIR):
    data = load_data_template(project_dir)
    streaming_env = stages.environment(stage, stages.STREAMING, project_dir)
    notification_env = stages.environment(stage, stages.NOTIFICATION, project_dir)
    owner = notification_env.get("OWNER_NAME") or ""
    params = data["Parameters"]
    # Defaults from the stage's recorded names, so the template deploys the stage as is.
    for key, value in {"TableName": streaming_env["TABLE_NAME"],
                       "DeliveryStreamName": streaming_env["DELIVERY_STREAM_NAME"],
                       "TopicName": notification_env["TOPIC_ARN"].split(":")[-1],
                       "BucketName": streaming_env.get("BUCKET_NAME")
                       or naming.names_for(owner, stage).bucket}.items():
        params[key]["Default"] = value
    params["OwnerName"] = {"Type": "String", "Default": owner,
                           "Description": "Named in every failure alert"}
    params["MaximumRetryAttempts"] = {"Type": "Number", "Default": 1, "MinValue": 0,
                                      "MaxValue": 2}

    # The bucket by its parameter, not the resource: the Bucket's notification needs the
    # watcher, whose role would otherwise need the Bucket (a cycle).
    # The stage's sink is fixed in the package: its policies and wiring depend on it.
    chosen = sink.configured(streaming_env)
    params["Sink"].update(Default=chosen, AllowedValues=[chosen])
    resources = data["Resources"]
    # ... so the streams it needs are there unconditionally (the policies name them).
    if chosen != sink.KINESIS:
        data["Conditions"].pop(resources["DeliveryStream"].pop("Condition"))   # its only user
    if chosen != sink.FIREHOSE:
        resources["DataStream"].pop("Condition")
    arns = {key: arn and {"Fn::Sub": arn} for key, arn in policies.arn_templates(
        stage, "${Table}", "${DeliveryStream}", "${Topic.TopicName}", "${BucketName}",
        "${MarketTopic.TopicName}",
        "${DataStream}" if chosen != sink.FIREHOSE else None).items()}
    documents = policies.documents(arns)
    environment = {
        stages.STREAMING: {"TABLE_NAME": {"Ref": "Table"},
                           "DELIVERY_STREAM_NAME": "" if chosen == sink.KINESIS
                           else {"Ref": "DeliveryStream"},
                           "BUCKET_NAME": {"Ref": "Bucket"}, "TOPIC_ARN": {"Ref": "Topic"},
                           "OWNER_NAME": {"Ref": "OwnerName"},
                           "WORKER_FUNCTION_NAME": naming.function_name(stage, stages.WORKER)},
        stages.WORKER: {"TABLE_NAME": {"Ref": "Table"},
                        "DELIVERY_STREAM_NAME": {"Ref": "DeliveryStream"}},
        stages.NOTIFICATION: {"TOPIC_ARN": {"Ref": "Topic"}, "OWNER_NAME": {"Ref": "OwnerName"},
                              "TABLE_NAME": {"Ref": "Table"}},
        stages.WATCH: {"TABLE_NAME": {"Ref": "Table"},
                       "MARKET_TOPIC_ARN": {"Ref": "MarketTopic"}},
        stages.API: {"TABLE_NAME": {"Ref": "Table"}, "BUCKET_NAME": {"Ref": "Bucket"},
                     # CloudFormation cannot create a SecureString: `tickersim api-key
                     # --stage S --new` stores the key under this name.
                     "API_KEY_PARAMETER": access_key.parameter_name(stage)},
    }
    for function, logical_id in CHALICE_IDS.items():
        resources[logical_id] = {
            "Metadata": {"checkov": {"skip": _FUNCTION_SKIPS}},
            "Properties": {
                # Fixed names: the policies and log groups name them, as on `chalice deploy`.
                "FunctionName": (f"{naming.APP_NAME}-{stage}" if function == stages.API
                                 else naming.function_name(stage, function)),
                "Environment": {"Variables": environment[function]},
            },
        }
        resources[ROLE_IDS.get(function, f"{logical_id}Role")] = {"Properties": {"Policies": [
            {"PolicyName": f"{logical_id}RolePolicy", "PolicyDocument": documents[function]}]}}
    # Chalice 1.34 names the API function's log group after a resource that does not exist
    # (${ApiHandler}); the function is APIHandler.
    resources["ApiHandlerLogGroup"] = {"Properties": {"LogGroupName": {
        "Fn::Sub": f"/aws/lambda/${{{CHALICE_IDS[stages.API]}}}"}}}
    for group in [f"{logical_id}LogGroup" for logical_id in CHALICE_IDS.values()
                  if logical_id != CHALICE_IDS[stages.API]] + ["ApiHandlerLogGroup"]:
        resources.setdefault(group, {})["Metadata"] = {"checkov": {"skip": [{
            "id": "CKV_AWS_158", "comment": "CloudWatch Logs encrypts every group at rest; a KMS "
                                            "key would add $1 a month and a key policy to keep"}]}}
    resources["RestAPI"] = {"Properties": api_gateway.template_properties(),
                            "Metadata": {"checkov": {"skip": _API_SKIPS}}}
    # The streaming role's policy (which the function waits for) already allows invoking the
    # notifier, so this config is valid as soon as the function exists.
    # So does each worker's role, for the workers' own config.
    for function, logical_id in ((stages.STREAMING, "StreamingFailureDestination"),
                                 (stages.WORKER, "WorkerFailureDestination")):
        resources[logical_id] = {
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {
                "FunctionName": {"Ref": CHALICE_IDS[function]},
                "Qualifier": "$LATEST",
                "MaximumRetryAttempts": {"Ref": "MaximumRetryAttempts"},
                "MaximumEventAgeInSeconds": MAX_EVENT_AGE_S,
                "DestinationConfig": {"OnFailure": {"Destination": {
                    "Fn::GetAtt": [CHALICE_IDS[stages.NOTIFICATION], "Arn"]}}},
            },
        }
    if chosen == sink.FIREHOSE:
        _watch_trigger(resources, params)
    else:
        params["MarketTopicName"]["Default"] = _market_topic(params)
        for function in (stages.STREAMING, stages.WORKER):
            environment[function]["DATA_STREAM_NAME"] = {"Ref": "DataStream"}
        resources["WatchStreamMapping"] = {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": stream_trigger.mapping(
                {"Fn::GetAtt": ["DataStream", "Arn"]},
                {"Ref": CHALICE_IDS[stages.WATCH]}, {"Ref": "Topic"})}
    data["Description"] = f"tickersim stage {stage}: the whole pipeline (make package)"
    return data


def _watch_trigger(resources, params):
    """New objects under ticks/ invoke the watcher, as watch_trigger.wire does on deploy."""
    params["MarketTopicName"]["Default"] = _market_topic(params)
    resources["WatchInvokePermission"] = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "FunctionName": {"Fn::GetAtt": [CHALICE_IDS[stages.WATCH], "Arn"]},
            "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${BucketName}"}}}
    bucket = resources["Bucket"]
    bucket["DependsOn"] = "WatchInvokePermission"
    config = watch_trigger.notification({"Fn::GetAtt": [CHALICE_IDS[stages.WATCH], "Arn"]})
    bucket["Properties"]["NotificationConfiguration"] = {"LambdaConfigurations": [{
        "Event": event, "Function": config["LambdaFunctionArn"],
        "Filter": {"S3Key": {"Rules": config["Filter"]["Key"]["FilterRules"]}}}
        for event in config["Events"]]}


def _market_topic(params):
    return params["TopicName"]["Default"].replace("-streaming-sns-topic", "-market-sns-topic")


def package(stage, out_dir, region, project_dir=stages.PROJECT_DIR, quiet=False):
    """Write OUT/sam.json (the merged template) and OUT/deployment.zip; returns the template."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    merge_file = out_dir.parent / f"merge-{stage}.json"
    merge_file.write_text(json.dumps(merge_template(stage, project_dir), indent=2) + "\n")
    chalice_run.run(project_dir, region, None, "package", "--stage", stage,
                    "--merge-template", str(merge_file), str(out_dir), quiet=quiet)
    return out_dir / "sam.json"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", default=naming.DEFAULT_STAGE)
    parser.add_argument("--out", default="build/package", help="output directory")
    parser.add_argument("--region", default=stages.DEFAULT_REGION)
    parser.add_argument("--project-dir", type=Path, default=stages.PROJECT_DIR)
    args = parser.parse_args(argv)
    try:
        template = package(args.stage, args.out, args.region, args.project_dir)
    except (KeyError, ValueError, chalice_run.ChaliceFailed) as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {template} and its deployment.zip: deploy them with `aws cloudformation "
          f"package` + `deploy --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND`, passing "
          "AlertEmail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
