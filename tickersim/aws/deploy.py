"""`tickersim deploy --stage S --owner "Full Name" --email ADDR`: the whole pipeline on AWS.

0. the preflight (every argument, then read-only checks of the account: see preflight.py)
and the plan; `--check` stops there. 1. the data stack (infra/data.yaml), with progress; 2. its
outputs recorded into the stage's environment variables in .chalice/config.json, and the
stage's policy files regenerated with exact ARNs; 3. `chalice deploy --stage S`; 4. the
streaming function's async invocation config (retries, on-failure destination = the
notifier); 5. the seed tickers; 6. what to do next.
Every step converges on the same state, so running it again is safe and quick.
"""
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from chalicelib.core.errors import TableMissing
from chalicelib.core.settings import DEFAULT_WORKER_TICKERS
from chalicelib.walk import fanout, state
from tickersim.aws import (
    api_gateway,
    capacity,
    chalice_run,
    checkout,
    plan,
    policies,
    preflight,
    stack,
)
from tickersim.aws.failures import guarded
from tickersim.base import (
    access_key,
    data_template,
    endpoints,
    owner_ascii,
    stream_trigger,
    watch_trigger,
)
from tickersim.base import stage as stages
from tickersim.base.seeds import SeedError, read_seed, seed_table
from tickersim.base.wiring import wire_failure_destination


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage name, e.g. dev or prod")
    parser.add_argument("--owner", required=True, help='your full name, e.g. "Kyle Maposa"')
    parser.add_argument("--email", required=True, action="append",
                        help=f"alert address (repeat for up to {stack.MAX_EMAILS})")
    parser.add_argument("--move-email", action="append", default=[], metavar="ADDR",
                        help="price-move alert address (repeat for up to "
                             f"{stack.MAX_EMAILS}; default: none)")
    stages.add_aws_arguments(parser)
    parser.add_argument("--retries", type=int, choices=(0, 1, 2), default=stages.DEFAULT_RETRIES,
                        help="async retries of a failed run before the alert "
                             f"(default {stages.DEFAULT_RETRIES})")
    parser.add_argument("--project-dir", type=Path, default=stages.PROJECT_DIR,
                        help="the tickersim project to deploy (default: this checkout)")
    parser.add_argument("--bucket", metavar="NAME",
                        help="the bucket for the ticks (default: from your name); bucket "
                             "names are global, so pick another if yours is taken")
    parser.add_argument("--reader-account", dest="readers", action="append", default=[],
                        metavar="ID", help="an AWS account that may read ticks/ (repeat for "
                                           "each); without it any AWS account may")
    parser.add_argument("--format", dest="record_format", metavar="|".join(stack.RECORD_FORMATS),
                        help="how Firehose writes ticks/: JSON lines, or Parquet (Snappy) "
                             "from the Glue schema; chosen when the stage is created "
                             "(default: json, or the stage's own)")
    parser.add_argument("--capacity", choices=capacity.MODES, default=capacity.MODES[0],
                        help="the table's capacity: on-demand (default) or provisioned with "
                             "target-tracking auto scaling sized from the ticker count")
    parser.add_argument("--sink", metavar="|".join(stack.SINKS),
                        help="where the function writes: Firehose, a Kinesis data stream "
                             "(one record per tick, keyed by ticker), or both (Firehose reads "
                             "the stream); chosen when the stage is created (default: "
                             "firehose, or the stage's own)")
    parser.add_argument("--shards", metavar=f"N|{stack.ON_DEMAND}",
                        help="the data stream's shards, or on-demand (default: 1, or the "
                             "stage's own)")
    parser.add_argument("--check", action="store_true",
                        help="check the account and print the plan, creating nothing")


def main(args):
    def run():
        req = preflight.request(args.project_dir, args.stage, args.owner, args.email,
                                region=args.region, endpoint=args.endpoint,
                                retries=args.retries, bucket=args.bucket, readers=args.readers,
                                move_emails=args.move_email,
                                record_format=args.record_format, sink=args.sink,
                                shards=args.shards)
        return deploy(req, check_only=args.check, capacity_mode=args.capacity)

    _, failed = guarded(
        "deploy", run,
        bad_input=(ValueError, SeedError),
        failures=(stack.StackError, chalice_run.ChaliceFailed, DeployError),
        aws_advice="Check your credentials and region, then run deploy again (it carries on "
                   "where it stopped).")
    return failed or 0


class DeployError(Exception):
    pass


def _step(say, number, text):
    say(f"\n[{number}/6] {text}")


def ticker_count(ddb, table):
    """The tickers the table holds, or the seed file's count before it exists."""
    try:
        return state.count_tickers(ddb, table)
    except (TableMissing, ClientError):
        return len(read_seed())


def deploy(req, say=print, check_only=False, capacity_mode=capacity.MODES[0]):
    """The preflight and plan, then (unless check_only) the six steps; returns the stack's
    outputs, or None for a check."""
    project_dir, stage, region, endpoint = req.project_dir, req.stage, req.region, req.endpoint
    session = boto3.session.Session(region_name=region)

    def client(service):
        return endpoints.client(session, service, endpoint)

    findings = preflight.check(req, session)
    names = findings.names
    say("\n".join(plan.describe(req, findings)))
    tickers = ticker_count(client("dynamodb"), names.table)
    segments = fanout.segment_count(tickers, DEFAULT_WORKER_TICKERS)
    say("\n".join(capacity.check_lines(tickers, segments)))
    sized = (capacity.provisioned_plan(tickers, segments)
             if capacity_mode == "provisioned" else None)
    if check_only:
        say("Nothing was created (--check).")
        return None
    # A deploy that stops leaves the checkout's files as they were; teardown puts back what
    # was there before the stage's first deploy.
    with checkout.unchanged_on_failure(project_dir, stage, policies.stage_files(project_dir,
                                                                                stage), say):
        return _steps(req, findings, client, say, sized, tickers)


def _steps(req, findings, client, say, sized, tickers):
    project_dir, stage, owner, emails, region, endpoint, retries = (
        req.project_dir, req.stage, req.owner, req.emails, req.region, req.endpoint,
        req.retries)
    names = findings.names
    _step(say, 1, f"data stack {names.stack} in {region}")
    body = (project_dir / data_template.TEMPLATE).read_text()
    outputs = stack.deploy(client("cloudformation"), names.stack, body,
                           stack.parameters(names, list(emails), readers=findings.readers,
                                            move_emails=list(req.move_emails),
                                            record_format=findings.record_format,
                                            sink=findings.sink, shards=findings.shards,
                                            capacity=sized),
                           say=say, account=findings.account)

    _step(say, 2, "recording the stack's outputs in .chalice/config.json")
    changed = checkout.record(project_dir, stage, owner, outputs, tickers)
    written = policies.write_for_stage(stage, project_dir)
    say(("updated" if changed else "unchanged") + f": stage {stage!r}; policies "
        + ", ".join(p.name for p in written))

    _step(say, 3, f"chalice deploy --stage {stage}")
    chalice_run.run(project_dir, region, endpoint, "deploy", "--stage", stage)

    _step(say, 4, "failure alerts: async retries and the on-failure destination")
    functions = chalice_run.deployed_resources(project_dir, stage)
    if "rest_api" in functions:
        api_gateway.configure(client("apigateway"), functions["rest_api"]["rest_api_id"])
        api_gateway.create_log_group(client("logs"), functions[stages.API]["lambda_arn"].split(
            ":")[-1], stages.read_config(project_dir).get("log_retention_in_days"))
        say(f"API and live chart (throttled to {api_gateway.RATE_LIMIT} requests/s): "
            f"{functions['rest_api']['rest_api_url']}")
        # Kept across redeploys: scripts holding the key go on working.
        key = access_key.ensure(client("ssm"), stage)
        say(f"Marketstack API: {functions['rest_api']['rest_api_url']}v1  access key: {key}  "
            f"(`tickersim api-key --stage {stage}` prints it again)")
    try:
        streaming = functions[stages.STREAMING]["lambda_arn"]
        worker = functions[stages.WORKER]["lambda_arn"]
        notifier = functions[stages.NOTIFICATION]["lambda_arn"]
    except KeyError as exc:
        raise DeployError(f"chalice did not record {exc} in "
                          f"{chalice_run.deployed_file(project_dir, stage)}: run deploy again"
                          ) from None
    # Each worker has the scheduled run's contract of its own: a failing segment alerts.
    for function in (streaming, worker):
        wire_failure_destination(client("lambda"), function, notifier, retries)
        say(f"{function.split(':')[-1]}: {retries} retr{'y' if retries == 1 else 'ies'}, "
            f"then {notifier.split(':')[-1]}")
    watcher = functions.get(stages.WATCH, {}).get("lambda_arn")
    if watcher and outputs.get("DataStreamArn"):
        stream_trigger.wire(client("lambda"), outputs["DataStreamArn"], watcher,
                            outputs["TopicArn"])
        say(f"new records on {outputs['DataStreamName']} reach {watcher.split(':')[-1]} "
            f"within {stream_trigger.BATCHING_WINDOW_S} s (event source mapping)")
    elif watcher:
        watch_trigger.wire(client("s3"), client("lambda"), outputs["BucketName"], watcher)
        say(f"new objects under s3://{outputs['BucketName']}/ticks/ trigger "
            f"{watcher.split(':')[-1]}")

    _step(say, 5, f"seeding table {outputs['TableName']}")
    outcome = seed_table(client("dynamodb"), outputs["TableName"])
    say(", ".join(f"{name} {what}" for name, what in outcome.items()))

    _step(say, 6, "done")
    say(next_steps(names, outputs, emails, region, findings.readers))
    return outputs




def next_steps(names, outputs, emails, region, readers=()):
    bucket, prefix = outputs["BucketName"], outputs["TicksPrefix"]
    streaming = names.streaming_function
    return "\n".join([
        "The pipeline runs every minute. Next:",
        f"  1. Confirm the subscription: AWS sent an e-mail to {', '.join(emails)};",
        "     click its link, or no alert will reach you.",
        f"  2. Ticks land in s3://{bucket}/{prefix}dt=YYYY-MM-DD/hour=HH/ (the ticks' own UTC",
        "     time) about a minute after each run (Firehose buffers 60 s). Watch them:",
        f"     tickersim browse --stage {names.stage}",
        "  3. From " + (f"the accounts {', '.join(readers)}" if readers else
                        "any other AWS account") + " (read-only, ticks/ only):",
        f"     aws s3 ls s3://{bucket}/{prefix} --recursive --region {region}",
        f"     aws s3 cp s3://{bucket}/{prefix}<key> - --region {region}",
        "  4. Break it on purpose: make stream_ticks in app.py raise, run",
        f"     `chalice deploy --stage {names.stage}` (with AWS_DEFAULT_REGION={region}); within",
        f"     a few minutes {names.notification_function} e-mails",
        f"     '{owner_ascii.alert_subject(names.owner)}'. Logs: /aws/lambda/{streaming}",
        f"  5. Price moves go to {names.market_topic} (subscribe: --move-email ADDR);",
        f"     no run for 5 minutes raises the alarm {names.stack}-no-ticks.",
        f"  6. Remove everything: tickersim teardown --stage {names.stage}",
    ])
