"""`tickersim teardown --stage S`: delete everything the stage created, bucket contents included.

Order: the functions first (so nothing writes any more), then the bucket's every version and
delete marker, then the data stack, then the stage's deployed state. Each step looks at what
is there, so running it twice, or after a half-failed deploy, is safe.
"""
import sys
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from tickersim.aws import chalice_run, checkout, inputs, stack
from tickersim.aws.failures import guarded
from tickersim.base import access_key, endpoints, naming, stream_trigger
from tickersim.base import stage as stages

_MISSING = {"ResourceNotFoundException", "NoSuchEntity", "NoSuchBucket", "NotFound"}
_STACK_ATTEMPTS = 3   # Firehose may flush a last buffer into the bucket after it was emptied


class TeardownError(Exception):
    pass


class NotConfirmed(ValueError):
    """No one could confirm (stdin closed, not a terminal, or ended): exit 2."""

    def __init__(self):
        super().__init__("refusing to delete without confirmation: pass --yes")


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="the stage to delete")
    parser.add_argument("--yes", action="store_true", help="do not ask before deleting")
    stages.add_aws_arguments(parser)
    parser.add_argument("--project-dir", type=Path, default=stages.PROJECT_DIR,
                        help="the tickersim project (default: this checkout)")


def main(args):
    def remove():
        naming.check_stage(args.stage)
        inputs.region(args.region)
        inputs.endpoint(args.endpoint)
        return teardown(args.project_dir, args.stage, region=args.region,
                        endpoint=args.endpoint, confirm=None if args.yes else _ask)

    removed, failed = guarded(
        "teardown", remove, bad_input=(ValueError,),
        failures=(TeardownError, stack.StackError, chalice_run.ChaliceFailed),
        aws_advice="Fix the cause and run teardown again: it carries on with whatever is left.")
    if failed:
        return failed
    if removed is None:
        print("teardown: nothing deleted")
        return 1
    print("\nRemoved:" if removed else f"\nNothing of stage {args.stage!r} was left to remove.")
    for line in removed:
        print(f"  - {line}")
    return 0


def _ask(stage, found):
    # stdin is None when the shell closed it (`<&-`), and input() raises EOFError on Ctrl-D.
    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():
        raise NotConfirmed()
    print(f"This deletes stage {stage!r} for good:")
    for line in found:
        print(f"  - {line}")
    try:
        answer = input(f"Type the stage name ({stage}) to go ahead: ")
    except EOFError:
        print()
        raise NotConfirmed() from None
    return answer.strip() == stage


def _code(exc):
    return exc.response.get("Error", {}).get("Code", "")


def _gone(call, *args, **kwargs):
    """Run a delete call; False if the thing was already gone."""
    try:
        call(*args, **kwargs)
        return True
    except ClientError as exc:
        if _code(exc) in _MISSING:
            return False
        raise


def teardown(project_dir, stage, region=stages.DEFAULT_REGION, endpoint=None, confirm=None,
             say=print):
    """Delete the stage; returns what was removed, or None if the user said no."""
    session = boto3.session.Session(region_name=region)

    def client(service):
        return endpoints.client(session, service, endpoint)

    cfn, lam, iam = client("cloudformation"), client("lambda"), client("iam")
    stack_name = naming.stack_name(stage)
    # {function: its role}: Chalice names each role as its function, except the REST API's
    # (function <app>-<stage>, role <app>-<stage>-api_handler).
    functions = {name: name for name in (naming.function_name(stage, f)
                                         for f in (stages.STREAMING, stages.NOTIFICATION,
                                                   stages.WATCH, stages.WORKER))}
    functions[f"{naming.APP_NAME}-{stage}"] = naming.function_name(stage, stages.API)
    deployed = chalice_run.deployed_resources(project_dir, stage)
    bucket = stack.physical_id(cfn, stack_name, "Bucket")
    found = ([f"stack {stack_name}: table, delivery stream, data stream (if any), alert and "
               "market topics, subscriptions, dead-man alarm and dashboard"]
             if stack.describe(cfn, stack_name) else []) \
        + ([f"bucket {bucket} and every object version in it"] if bucket else []) \
        + [f"function {f}" for f in functions if _exists(lam.get_function, FunctionName=f)] \
        + [f"role {r}" for r in functions.values() if _exists(iam.get_role, RoleName=r)]
    if not found and not deployed:
        return checkout.restore_first(project_dir, stage)
    if confirm is not None and not confirm(stage, found):
        return None

    removed = []
    # The watcher's event source mapping on the data stream, before its function goes.
    mappings = stream_trigger.unwire(lam, naming.function_name(stage, stages.WATCH))
    if mappings:
        removed.append(f"{mappings} event source mapping(s) of "
                       f"{naming.function_name(stage, stages.WATCH)}")
    if deployed:
        say(f"chalice delete --stage {stage}")
        try:
            chalice_run.run(project_dir, region, endpoint, "delete", "--stage", stage)
            removed += [_describe(stage, name, r) for name, r in deployed.items()]
        except chalice_run.ChaliceFailed:
            # It stops at the first recorded resource that is already gone.
            say("chalice delete stopped: something it recorded is gone already; "
                "removing the rest by name")
    # What chalice did not delete: left by a half-failed `chalice deploy` that never recorded
    # it, or after chalice delete stopped. Found by the names Chalice gives.
    removed += _sweep(client("events"), lam, iam, client("logs"), functions)
    if access_key.delete(client("ssm"), stage):
        removed.append(f"access key parameter {access_key.parameter_name(stage)}")

    s3 = client("s3")
    for attempt in range(1, _STACK_ATTEMPTS + 1):
        count = empty_bucket(s3, bucket) if bucket else 0
        if count:
            removed.append(f"{count} object version(s) and delete marker(s) in {bucket}")
        try:
            if stack.delete(cfn, stack_name, say=say):
                removed.append(f"stack {stack_name} (table, bucket, delivery and data streams, "
                               "topics, "
                               "subscriptions, delivery role, log group, alarm and "
                               "dashboard)")
            break
        except stack.StackError:
            if attempt == _STACK_ATTEMPTS or not bucket:
                raise
            say("the bucket was written to again while deleting: emptying it once more")

    state = chalice_run.deployed_file(project_dir, stage)
    if state.exists():
        state.unlink()
        removed.append(f"deployed state {state.relative_to(project_dir)}")
    return removed + checkout.restore_first(project_dir, stage)


def _describe(stage, name, resource):
    kind = {"iam_role": "role", "lambda_function": "function",
            "cloudwatch_event": "schedule rule", "rest_api": "REST API"}.get(resource["resource_type"],
                                                     resource["resource_type"])
    return f"{kind} " + (resource.get("role_name") or resource.get("rule_name")
                         or resource.get("rest_api_url")
                         or naming.function_name(stage, name))


def _exists(get, **kwargs):
    try:
        get(**kwargs)
        return True
    except ClientError as exc:
        if _code(exc) in _MISSING:
            return False
        raise


def _sweep(events, lam, iam, logs, functions):
    removed = []
    for function, role in functions.items():
        rule = f"{function}-event"       # Chalice's name for a function's schedule rule
        if _exists(events.describe_rule, Name=rule):
            targets = [t["Id"] for t in events.list_targets_by_rule(Rule=rule)["Targets"]]
            if targets:
                events.remove_targets(Rule=rule, Ids=targets)
            events.delete_rule(Name=rule)
            removed.append(f"rule {rule}")
        if _gone(lam.delete_function, FunctionName=function):
            removed.append(f"function {function}")
        if _exists(iam.get_role, RoleName=role):
            for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
                iam.delete_role_policy(RoleName=role, PolicyName=policy)
            iam.delete_role(RoleName=role)
            removed.append(f"role {role}")
        # Deploy creates the log groups; the stack does not own them. Chalice names the API's
        # after its role, the API function writes to its own: both go.
        for group in sorted({f"/aws/lambda/{function}", f"/aws/lambda/{role}"}):
            if _gone(logs.delete_log_group, logGroupName=group):
                removed.append(f"log group {group}")
    return removed


def empty_bucket(s3, bucket):
    """Delete every object version and delete marker; returns how many. Lists afresh each
    round, so objects that arrive meanwhile are caught too."""
    count = 0
    while True:
        try:
            page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return count
            raise
        keys = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if not keys:
            return count
        reply = s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        if reply.get("Errors"):
            first = reply["Errors"][0]
            raise TeardownError(f"S3 refused to delete {len(reply['Errors'])} object(s) in "
                                f"{bucket}, e.g. {first.get('Key')}: {first.get('Message')}. "
                                "Check the bucket policy and your permissions, then run "
                                "teardown again")
        count += len(keys)
