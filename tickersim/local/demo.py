"""`tickersim demo`: the whole pipeline on this machine, on an embedded local AWS.

moto's server plays AWS on 127.0.0.1; a scheduler with a logical clock plays EventBridge
(one run per --interval seconds, each a minute later on the clock); tickersim.local.lambdas plays
the Lambda service (a fresh process per invocation, timeout, retries, on-failure destination);
a queue subscribed to the alert topic plays the owner's inbox.
"""
import heapq
import json
import re
import signal
import sys
import tempfile
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from email.utils import formataddr
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import alerts, news, sink, state as table_state
from chalicelib.calendars import CalendarExhausted, is_open
from chalicelib.errors import ConfigError
from chalicelib.items import item_name, parse_ticker
from chalicelib.settings import alert_settings, stream_settings
from chalicelib.ticks import iso, parse_minute
from seed.load import SEED_FILE, SeedError, read_seed
from tickersim.local import lambdas, stream_demo, watching
from tickersim import owner_ascii, scenario as scenario_cli, stage as stages
from tickersim.data.records import news_in, ticks_in
from tickersim.args import seconds_problem
from tickersim.local.lambdas import RETRY_DELAY_MINUTES, Function, snapshot
from tickersim.local.liveview import LiveView, PlainView
from tickersim.local.localcloud import LocalCloud, LocalCloudError
from tickersim.local.mailbox import Mailbox
from tickersim.local.outdir import OutDir, OutDirError, bucket_copy_path
from tickersim.local.stopping import StopAfterRun
from tickersim.local import web
from tickersim.naming import names_for

STAGE = "local"
STREAMING_HANDLER = "app.stream_ticks"
NOTIFICATION_HANDLER = "app.notify_failure"
DEFAULT_INTERVAL = 3.0
SUMMARY_ROOM = 64 * 1024   # bytes kept for summary.json from the start, so a full disk still gets it
MAX_INTERVAL = 3600         # an hour of wall time per logical minute is already a still picture
MAIL_WAIT_S = 5
HISTORY = 64
MAX_SEED = 2**63 - 1
BROKEN_ERROR = "Runtime.UserCodeSyntaxError"     # a def whose body is all comments
# What Lambda does for a function without an event invoke config.
AWS_DEFAULT_RETRIES = 2
AWS_DEFAULT_EVENT_AGE_S = 6 * 3600


class DemoError(Exception):
    """The demo cannot start as asked: the message says what to change."""


# --- arguments --------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--runs", type=int, default=None, metavar="N",
                        help="stop after N scheduled runs (default: run until Ctrl-C)")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, metavar="SECONDS",
                        help="wall time between runs; the logical clock still advances one "
                             f"minute per run (default {DEFAULT_INTERVAL:g})")
    parser.add_argument("--seed", type=int, default=None, metavar="K",
                        help="MARKET_SEED for the streaming function: same seed, same prices")
    parser.add_argument("--break-after", type=int, default=None, metavar="N",
                        help="after N good runs, run a broken copy of the code until the "
                             "alert arrives, then restore it; a later run (--runs more than "
                             "N + 1) shows the stream catching up")
    parser.add_argument("--retries", type=int, default=lambdas.DEFAULT_RETRIES,
                        choices=range(len(RETRY_DELAY_MINUTES) + 1),
                        help="retries of a failed run before the alert, as AWS's maximum "
                             f"retry attempts (default {lambdas.DEFAULT_RETRIES})")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="where to write s3/, outbox/, logs/ and summary.json, replacing "
                             "those of an earlier demo (default: out/demo-<time> in the "
                             "current directory)")
    parser.add_argument("--port", type=int, default=0,
                        help="port of the local AWS endpoint (default: a free one)")
    parser.add_argument("--no-live", dest="live", action="store_false",
                        help="plain log lines instead of the live view")
    parser.add_argument("--start", default=None, metavar="ISO-TIME",
                        help="the logical clock's first minute, e.g. 2026-12-01T14:30Z "
                             "(default: now)")
    watching.add_arguments(parser)
    stream_demo.add_arguments(parser)
    web.add_arguments(parser)
    parser.add_argument("--tickers", default=str(SEED_FILE), metavar="PATH",
                        help="the seed file to load: seed/indices.json (default), "
                             "seed/stocks.json, seed/fx.json, seed/crypto.json, or your own")
    parser.add_argument("--scenario", default=None, metavar="NAME[@MINUTES]",
                        help="apply a scenario from scenarios/ that many logical minutes "
                             "after the start (default 0), e.g. crash@3")


def check_arguments(args):
    if args.runs is not None and args.runs < 1:
        raise DemoError("--runs must be at least 1")
    problem = seconds_problem("--interval", args.interval, MAX_INTERVAL)   # nan, inf too
    if problem:
        raise DemoError(problem)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise DemoError(f"--seed must be a whole number from 0 to {MAX_SEED}")
    if args.break_after is not None:
        if args.break_after < 0:
            raise DemoError("--break-after must be 0 or more")
        # The broken run's retries re-invoke the same scheduled run: they need no --runs.
        if args.runs is not None and args.runs <= args.break_after:
            raise DemoError(
                f"--break-after {args.break_after} needs --runs {args.break_after + 1} or "
                f"more: with --runs {args.runs} no run is left to break")
    if args.out is not None and not args.out.strip():
        raise DemoError("--out is empty: pass a directory path (it is created if missing)")
    if not 0 <= args.port <= 65535:
        raise DemoError("--port must be from 0 to 65535")
    if args.start is not None:
        try:
            parse_minute(args.start)
        except (ValueError, OverflowError) as exc:
            raise DemoError(f"--start {args.start!r} is not a usable time ({exc}): give an "
                            "ISO-8601 time such as 2026-12-01T14:30Z") from None
    if watching.problem_with(args):
        raise DemoError(watching.problem_with(args))
    if stream_demo.problem_with(args, stages.DEFAULT_REGION):
        raise DemoError(stream_demo.problem_with(args, stages.DEFAULT_REGION))
    read_seed(args.tickers)          # a bad seed file stops the demo before it starts
    scenario_at(args.scenario)


def scenario_at(text):
    """(scenario name, minutes after the start) of --scenario NAME[@MINUTES], checked; or None."""
    if text is None:
        return None
    name, _, minutes = text.partition("@")
    if minutes and not (minutes.isdigit() and int(minutes) <= 10**6):
        raise DemoError(f"--scenario {text!r}: MINUTES must be a whole number of minutes, "
                        "e.g. crash@3")
    try:
        scenario_cli.load_spec(name)
    except scenario_cli.ScenarioError as exc:
        raise DemoError(f"--scenario {text!r}: {exc}") from None
    return name, int(minutes or 0)


# --- breaking the code on purpose ---------------------------------------------------------

def comment_out_body(source, function_name):
    """The classic exercise: the handler's body commented out, which no longer parses."""
    lines = source.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if re.match(rf"\s*def {re.escape(function_name)}\(", line)), None)
    if start is None:
        raise DemoError(f"cannot break the code: app.py has no `def {function_name}(`")
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = start + 1
    while body < len(lines) and not lines[body - 1].rstrip().endswith(":"):
        body += 1     # a signature spread over several lines
    while body < len(lines) and (not lines[body].strip()
                                 or len(lines[body]) - len(lines[body].lstrip()) > indent):
        if lines[body].strip():
            lines[body] = "# " + lines[body]
        body += 1
    return "".join(lines)


def broken_copy(code_dir, target, handler):
    module, _, function_name = handler.rpartition(".")
    copy = snapshot(code_dir, target)
    path = copy / f"{module}.py"
    path.write_text(comment_out_body(path.read_text(encoding="utf-8"), function_name),
                    encoding="utf-8")
    return copy


# --- the demo's state, as the view and the summary show it --------------------------------

@dataclass
class TickerView:
    price: float
    first_price: float
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    ticks: int = 0
    last_seq: int = 0
    last_tick_price: float | None = None
    closed: bool = False                             # its market is closed now


@dataclass
class DemoState:
    endpoint: str
    bucket: str
    out: Path
    interval: float
    start_epoch: int
    minute: int = 0
    runs: dict = field(default_factory=dict)         # run number -> ok | retrying | failed
    tickers: dict = field(default_factory=dict)      # name -> TickerView
    ticks_delivered: int = 0
    tick_keys: set = field(default_factory=set)      # (ticker, seq) seen in the bucket
    unreadable_lines: int = 0                        # lines in the bucket that are not ticks
    news: int = 0                                    # news records in the bucket
    s3_objects: int = 0
    invocations: int = 0
    alerts: list = field(default_factory=list)
    alert_files: list = field(default_factory=list)
    code: str = "working tree"
    broken: bool = False
    problems: list = field(default_factory=list)

    def count(self, status):
        return sum(1 for s in self.runs.values() if s == status)

    succeeded = property(lambda self: self.count("ok"))
    interrupted_runs = property(lambda self: self.count("interrupted"))
    failed = property(lambda self: self.count("failed"))
    retrying = property(lambda self: self.count("retrying"))

    def clock_text(self):
        return iso(self.start_epoch + self.minute * 60)


@dataclass(order=True)
class Attempt:
    minute: int                                   # logical minute it is due
    order: int                                    # retries before the minute's new run
    serial: int
    run: int = field(compare=False)               # 1-based scheduled run
    number: int = field(compare=False)            # 1-based attempt
    event: dict = field(compare=False)
    request_id: str = field(compare=False)


def scheduled_event(epoch, rule_arn):
    """An EventBridge scheduled event, as `rate(1 minute)` delivers it."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": lambdas.ACCOUNT, "time": iso(epoch),
            "region": stages.DEFAULT_REGION, "resources": [rule_arn], "detail": {}}


# --- the demo -------------------------------------------------------------------------------

class Demo:
    def __init__(self, args, cloud, workdir, files, view):
        self.args, self.cloud, self.workdir, self.files, self.view = (
            args, cloud, workdir, files, view)
        self.out = files.root
        self.queue, self.serial = [], 0
        self.break_request = None
        self.notifier_failures = 0
        self.seen_keys = set()
        self.mails = 0             # .eml files written, by every mailbox
        self.skipped = {}          # table item name -> why it does not parse
        self.scripted = False      # a scenario or a calendar may leave minutes without ticks

    # set-up: the stage's resources and functions, as `tickersim deploy` makes them on AWS
    def setup(self):
        try:
            config = {fn: stages.function_config(STAGE, fn)
                      for fn in (stages.STREAMING, stages.NOTIFICATION)}
        except KeyError as exc:
            raise DemoError(exc.args[0]) from None
        stream_env = dict(config[stages.STREAMING].environment_variables)
        notify_env = dict(config[stages.NOTIFICATION].environment_variables)
        if self.args.seed is not None:
            stream_env["MARKET_SEED"] = str(self.args.seed)
        try:
            # The handlers' own reading of their settings: the demo fails on what they would.
            settings = stream_settings(stream_env)
            self.owner = alert_settings(notify_env).owner_name
        except ConfigError as exc:
            raise DemoError(f"stage {STAGE!r}: {exc}") from None
        if not self.owner:
            raise DemoError(f"stage {STAGE!r}: OWNER_NAME of {stages.NOTIFICATION} is not set "
                            "in .chalice/config.json; the local resources are named after it")
        # As `tickersim deploy` does: the subject's ASCII name is worked out here.
        notify_env.setdefault(owner_ascii.ENV, owner_ascii.owner_ascii(self.owner))
        stream_env.setdefault(owner_ascii.ENV, notify_env[owner_ascii.ENV])
        self.subject = alerts.subject(self.owner, notify_env[owner_ascii.ENV])
        self.names = names_for(self.owner, STAGE)
        self.table = settings.table_name
        self.ticks_per_run = settings.ticks_per_run
        self.project = stages.PROJECT_DIR
        self.streaming = Function(
            name=self.names.streaming_function, handler=STREAMING_HANDLER,
            code_dir=self.project, environment=stream_env,
            timeout=config[stages.STREAMING].lambda_timeout,
            memory=config[stages.STREAMING].lambda_memory_size, region=self.cloud.region)
        # The notifier keeps the code as it was deployed: later edits cannot silence it.
        self.notifier = Function(
            name=self.names.notification_function, handler=NOTIFICATION_HANDLER,
            code_dir=snapshot(self.project, self.workdir / "notifier"), environment=notify_env,
            timeout=config[stages.NOTIFICATION].lambda_timeout,
            memory=config[stages.NOTIFICATION].lambda_memory_size, region=self.cloud.region)
        self.working = self.streaming
        if self.args.break_after is not None:
            self.broken = replace(self.streaming, code_dir=broken_copy(
                self.project, self.workdir / "broken", STREAMING_HANDLER))

        topic = self.cloud.create_data_resources(
            self.table, settings.stream_name, self.names.bucket,
            notify_env["TOPIC_ARN"], tickers=self.args.tickers)
        queue = self.cloud.subscribe_mailbox(topic, f"{topic.rsplit(':', 1)[1]}-mailbox")
        self.mailbox = Mailbox(self.cloud.client("sqs"), queue, self.save_mail,
                               formataddr((self.owner, "owner@localhost")))
        rule = self.cloud.register_functions(self.streaming, self.notifier, self.args.retries)
        self.rule_arn = self.cloud.arn("events", f"rule/{rule}")
        self.aws_env = self.cloud.environment()
        self.watching = watching.Watching(self, STAGE)
        self.watching.setup(settings.stream_name, topic)
        self.stream_side = None
        if self.args.sink != sink.FIREHOSE:
            self.stream_side = stream_demo.StreamSide(self, self.args.sink, self.args.shards)
            self.stream_side.setup(stream_env, settings.stream_name, topic)
            self.watching.s3_trigger = False       # the mapping on the stream feeds it
        self.run_started = time.monotonic()

        now = (parse_minute(self.args.start) if self.args.start else int(time.time()) // 60) * 60
        self.state = DemoState(endpoint=self.cloud.endpoint, bucket=self.names.bucket,
                               out=self.out, interval=self.args.interval, start_epoch=now)
        for name, ticker in self.read_table().items():
            self.state.tickers[name] = TickerView(price=ticker.price, first_price=ticker.price)
        self.apply_scenario()
        self.view.update(self.state)
        self.view.event(f"local AWS at {self.cloud.endpoint} (stage {STAGE}): table "
                        f"{self.table}, bucket {self.names.bucket}, topic {topic}")
        self.view.event(f"{self.streaming.name} runs {self.project / 'app.py'} (edits apply "
                        f"at the next run); {self.notifier.name} runs the code as it was "
                        "at start")
        if self.stream_side:
            self.view.event(self.stream_side.describe())
        self.view.event(f"look inside: tickersim browse --stage {STAGE} --endpoint "
                        f"{self.cloud.endpoint}   (or aws --endpoint-url {self.cloud.endpoint} ...)")

    def apply_scenario(self):
        if self.args.scenario is None:
            return
        name, minutes = scenario_at(self.args.scenario)
        start = self.state.start_epoch + minutes * 60
        scenario_cli.apply(self.cloud.client("dynamodb"), self.table, name, start)
        self.scripted = True
        self.view.event(f"scenario {name} applied from {iso(start)} (run {minutes + 1})",
                        "bold")

    # the scheduler
    def push(self, minute, run, number, event, request_id, retry):
        self.serial += 1
        heapq.heappush(self.queue, Attempt(minute, 0 if retry else 1, self.serial, run, number,
                                           event, request_id))

    def schedule(self, run):
        minute = run - 1
        self.push(minute, run, 1, scheduled_event(self.state.start_epoch + minute * 60,
                                                  self.rule_arn), str(uuid.uuid4()), False)

    def run(self):
        self.wall_start = time.monotonic()
        self.schedule(1)
        while self.queue:
            attempt = heapq.heappop(self.queue)
            if attempt.number == 1 and (self.args.runs is None or attempt.run < self.args.runs):
                self.schedule(attempt.run + 1)
            delay = self.wall_start + attempt.minute * self.args.interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.state.minute = attempt.minute
            self.watching.clock(attempt.minute)
            self.collect_mail()
            if self.watching.skips(attempt):
                continue
            # Ctrl-C while a run is in flight stops the demo once the run is recorded.
            with StopAfterRun(lambda: self.view.event(
                    f"stopping after run {attempt.run} (Ctrl-C again to stop at once) ...")):
                if self.breaks_at(attempt):
                    self.break_code(attempt)
                self.run_started = time.monotonic()
                self.invoke(attempt)
                self.sync()
                self.view.update(self.state)

    def breaks_at(self, attempt):
        return (self.args.break_after is not None and self.break_request is None
                and attempt.number == 1 and attempt.run == self.args.break_after + 1)

    def break_code(self, attempt):
        self.break_request = attempt.request_id
        self.streaming = self.broken
        self.state.code, self.state.broken = (
            f"BROKEN copy: body of {STREAMING_HANDLER} commented out", True)
        self.view.event(f"breaking the code on purpose for run {attempt.run}: {self.broken.name}"
                        " now runs a copy of app.py whose handler body is commented out",
                        "bold red")

    def restore_code(self, broken_run):
        self.streaming = self.working
        self.state.code, self.state.broken = "working tree (restored)", False
        if self.args.runs is None or broken_run < self.args.runs:
            self.view.event("code restored: the next run catches up the missed minutes",
                            "green")
        else:
            self.view.event(f"code restored; run {broken_run} was the last of --runs "
                            f"{self.args.runs}, so no run catches up its minute", "green")

    # one attempt of the streaming function, and what the Lambda service does after it
    def invoke(self, attempt):
        label = f"run {attempt.run}" + (f" (retry {attempt.number - 1})"
                                        if attempt.number > 1 else "")
        at = self.state.start_epoch + attempt.minute * 60
        try:
            outcome = lambdas.invoke(self.streaming, attempt.event, self.aws_env,
                                     attempt.request_id, logical_start=at)
        except KeyboardInterrupt:
            # Stopped at once: the summary counts the run, and the bucket says what landed.
            self.state.runs[attempt.run] = "interrupted"
            self.state.invocations += 1
            self.write_log(self.streaming, attempt.request_id,
                           "stopped by Ctrl-C before it finished: its ticks may or may not have "
                           "been delivered (summary.json counts what the bucket holds)\n", 0.0)
            raise
        self.record_log(self.streaming, outcome)
        self.state.invocations += 1
        if not outcome.failed:
            self.state.runs[attempt.run] = "ok"
            ticks = outcome.payload.get("ticks") if isinstance(outcome.payload, dict) else None
            self.view.event(f"{label} ok at {attempt.event['time']}: {ticks} ticks "
                            f"({outcome.duration:.2f} s)")
            return
        error = (f"{lambdas.error_type(outcome.payload)}: "
                 f"{outcome.payload.get('errorMessage', '')}")
        retries, max_age, destination = self.async_config()
        wait = RETRY_DELAY_MINUTES[attempt.number - 1] if attempt.number <= retries else None
        too_old = wait is not None and (attempt.minute + wait - (attempt.run - 1)) * 60 > max_age
        if wait is not None and not too_old:
            self.state.runs[attempt.run] = "retrying"
            self.view.event(f"{label} failed: {error}; Lambda retries it in {wait} min "
                            f"({wait * self.args.interval:g} s here)", "yellow")
            self.push(attempt.minute + wait, attempt.run, attempt.number + 1, attempt.event,
                      attempt.request_id, True)
            return
        self.state.runs[attempt.run] = "failed"
        condition = "EventAgeExceeded" if too_old else "RetriesExhausted"
        if destination != self.notifier.arn:
            self.view.event(f"{label} failed: {error}; {condition} and the on-failure "
                            f"destination is {destination or 'not set'}, not "
                            f"{self.notifier.name}: as on AWS, no alert is sent", "bold red")
        else:
            self.view.event(f"{label} failed: {error}; {condition}, sending the failure "
                            f"record to {self.notifier.name}", "red")
            self.notify(lambdas.failure_record(self.streaming, attempt.event, outcome,
                                               attempt.number, at + outcome.duration, condition))
        if attempt.request_id == self.break_request:
            self.restore_code(attempt.run)

    def async_config(self):
        """(retries, maximum event age in seconds, on-failure destination) as the local Lambda
        holds them: a change made with the AWS CLI mid-demo applies, and a missing config
        behaves as AWS's defaults do."""
        try:
            config = self.cloud.client("lambda").get_function_event_invoke_config(
                FunctionName=self.streaming.name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            config = {}
        destination = config.get("DestinationConfig", {}).get("OnFailure", {})
        return (config.get("MaximumRetryAttempts", AWS_DEFAULT_RETRIES),
                config.get("MaximumEventAgeInSeconds", AWS_DEFAULT_EVENT_AGE_S),
                destination.get("Destination"))

    def notify(self, record):
        outcome = lambdas.invoke(self.notifier, record, self.aws_env)
        self.record_log(self.notifier, outcome)
        if outcome.failed:
            self.notifier_failures += 1
            self.view.event(f"{self.notifier.name} failed: {lambdas.error_type(outcome.payload)}"
                            f": {outcome.payload.get('errorMessage', '')}", "bold red")
            return
        if not self.collect_mail(MAIL_WAIT_S):
            self.view.event("the alert was published but no e-mail reached the mailbox",
                            "bold red")

    def save_mail(self, name, data):
        self.mails += 1
        return self.files.write_bytes(f"outbox/{self.mails:03d}-{name}", data)

    def collect_mail(self, wait_seconds=0):
        arrived = self.mailbox.collect(wait_seconds=wait_seconds)
        for alert in arrived:
            if self.watching.notice(alert):
                continue
            self.state.alerts.append(alert.subject)
            self.state.alert_files.append(alert.path)
            self.view.event(f"alert e-mail: {alert.subject} -> {alert.path}", "bold red")
        return arrived

    def record_log(self, function, outcome):
        self.write_log(function, outcome.request_id, outcome.log, outcome.duration)

    def write_log(self, function, request_id, text, duration):
        """An invocation's output, framed as CloudWatch Logs frames it."""
        self.files.append_text(
            f"logs/{function.name}.log",
            f"START RequestId: {request_id} Version: $LATEST\n{text}END RequestId: "
            f"{request_id}\nREPORT RequestId: {request_id}\tDuration: "
            f"{duration * 1000:.2f} ms\n")

    # what the bucket and the table hold now
    def read_table(self):
        """The table's tickers. An item that does not parse is left out and named once: the
        streaming function leaves it too, and its runs fail with MalformedItems."""
        items, _ = table_state.read_all(self.cloud.client("dynamodb"), self.table)
        tickers, skipped = {}, {}
        for item in items:
            try:
                ticker = parse_ticker(item)
            except ValueError as exc:
                name, why = item_name(item), str(exc)
                skipped[name] = why
                if self.skipped.get(name) != why:
                    self.view.event(f"table item {name!r} left out of the view: {why}",
                                    "yellow")
                continue
            tickers[ticker.name] = ticker
        self.skipped = skipped
        return tickers

    def sync(self):
        """Copy new objects from the bucket to DIR/s3, and read the table's prices."""
        s3 = self.cloud.client("s3")
        if self.stream_side:
            self.stream_side.sync(self.state.minute, self.run_started)
        self.cloud.deliver_stream(self.names.bucket)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.names.bucket):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                if key in self.seen_keys:
                    continue
                data = s3.get_object(Bucket=self.names.bucket, Key=key)["Body"].read()
                self.seen_keys.add(key)
                copy = bucket_copy_path(key)
                if copy is None:
                    self.view.event(f"s3://{self.names.bucket}/{key}: not copied to s3/, the "
                                    "key is not a plain file path", "yellow")
                else:
                    self.files.write_bytes(copy, data)
                self.state.s3_objects += 1
                self.take_ticks(key, data)
                self.watching.landed(key, data, self.state.minute, self.run_started)
        minute = self.state.start_epoch // 60 + self.state.minute
        for name, ticker in self.read_table().items():
            view = self.state.tickers.setdefault(name, TickerView(ticker.price, ticker.price))
            view.price = ticker.price
            try:
                view.closed = not is_open(ticker.calendar_name, minute)
            except CalendarExhausted:
                view.closed = True       # the function names it in its failed runs
            self.scripted |= ticker.calendar_name != "24x7"

    def take_ticks(self, key, data):
        ticks, unreadable = ticks_in(data)
        # News records share the stream (the bucket files them under news/): not ticks.
        for record in news_in(data) if unreadable else ():
            unreadable -= 1
            self.state.news += 1
            self.view.event(f"news {record.get('timestamp')}: {record.get('headline')}",
                            "bold cyan")
        for tick in ticks:
            view = self.state.tickers.setdefault(
                tick["ticker"], TickerView(tick["price"], tick["price"]))
            self.state.ticks_delivered += 1
            self.state.tick_keys.add((tick["ticker"], tick["seq"]))
            view.ticks += 1
            view.history.append(tick["price"])
            if tick["seq"] > view.last_seq:
                view.last_seq, view.last_tick_price = tick["seq"], tick["price"]
        if unreadable:
            self.state.unreadable_lines += unreadable
            self.view.event(f"s3://{self.names.bucket}/{key}: skipped {unreadable} line(s) "
                            "that are not ticks", "yellow")

    # the end
    def check(self):
        """What went otherwise than configured, in words (empty: the demo behaved)."""
        s, problems = self.state, []
        planned = 1 if self.break_request else 0
        if s.failed != planned:
            problems.append(f"{s.failed} run(s) failed, {planned} planned")
        if s.retrying:
            problems.append(f"{s.retrying} run(s) still had retries pending")
        if len(s.alerts) != s.failed:
            problems.append(f"{len(s.alerts)} alert(s) arrived for {s.failed} failed run(s)")
        problems += [f"alert subject {a!r} is not {self.subject!r}" for a in s.alerts
                     if a != self.subject]
        if self.break_request and not any(BROKEN_ERROR in a.body for a in self.mailbox.alerts):
            problems.append(f"no alert names {BROKEN_ERROR}, the error of the broken copy")
        if self.notifier_failures:
            problems.append(f"the notifier failed {self.notifier_failures} time(s)")
        if s.ticks_delivered != len(s.tick_keys):
            problems.append(f"{s.ticks_delivered} ticks delivered, only {len(s.tick_keys)} "
                            "distinct")
        if self.scripted:
            # Closed markets and halts leave minutes without ticks: check seq has no gaps.
            for name, view in sorted(s.tickers.items()):
                seqs = sorted(seq for ticker, seq in s.tick_keys if ticker == name)
                if seqs != list(range(1, len(seqs) + 1)):
                    problems.append(f"{name}: seq has gaps")
        elif s.failed == planned:
            # Each good run catches up every minute before it; a broken last run has none
            # after it. (Unplanned failures are reported above and explain any gap.)
            minutes = max((run for run, status in s.runs.items() if status == "ok"), default=0)
            expected = minutes * len(s.tickers) * self.ticks_per_run
            if len(s.tick_keys) != expected:
                problems.append(f"{len(s.tick_keys)} distinct ticks delivered, {expected} "
                                f"expected for {minutes} minute(s)")
        failed = [run for run, status in s.runs.items() if status == "failed"]
        problems += self.watching.check(
            None if s.failed != planned else bool(planned),
            any(status == "ok" and run > max(failed) for run, status in s.runs.items())
            if failed else False)
        if s.unreadable_lines:
            problems.append(f"{s.unreadable_lines} line(s) in the bucket are not ticks")
        for name, view in sorted(s.tickers.items()):
            if view.last_tick_price is not None and view.last_tick_price != view.price:
                problems.append(f"{name}: table price {view.price} differs from its last "
                                f"delivered tick {view.last_tick_price}")
        return problems

    def summary(self, interrupted):
        s = self.state
        return {
            "stage": STAGE, "runs": len(s.runs), "succeeded": s.succeeded, "failed": s.failed,
            "interrupted_runs": s.interrupted_runs,
            "invocations": s.invocations, "ticks_delivered": s.ticks_delivered,
            "s3_objects": s.s3_objects, "unreadable_lines": s.unreadable_lines,
            "news": s.news, "tickers_file": self.args.tickers, "scenario": self.args.scenario,
            "skipped_items": dict(sorted(self.skipped.items())), "alerts": s.alerts,
            "alert_files": [str(p.relative_to(self.out)) for p in s.alert_files],
            "prices": {name: v.price for name, v in sorted(s.tickers.items())},
            "first_time": iso(s.start_epoch), "last_time": s.clock_text(),
            "interval": self.args.interval, "seed": self.args.seed,
            "break_after": self.args.break_after, "retries": self.args.retries,
            "table": self.table, "bucket": s.bucket, "interrupted": interrupted,
            "problems": s.problems, **self.watching.summary(),
        }


def main(args):
    try:
        check_arguments(args)
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    try:
        files = OutDir.prepare(args.out or Path("out") / time.strftime("demo-%Y%m%d-%H%M%S"))
        files.reserve("summary.json", SUMMARY_ROOM)
    except OutDirError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    out = files.root
    previous = signal.signal(signal.SIGTERM, _interrupt)
    demo = None
    interrupted = False
    stopped = None          # the OutDirError that stopped the demo early (e.g. a full disk)
    try:
        with web.Site(args) as site, \
                tempfile.TemporaryDirectory(prefix="tickersim-demo-") as workdir, \
                (LiveView() if args.live else PlainView()) as view, \
                LocalCloud(stages.DEFAULT_REGION, args.port) as cloud:
            demo = Demo(args, cloud, Path(workdir), files, view)
            try:
                demo.setup()
                site.start(cloud.environment(), demo.table, demo.names.bucket, args.interval,
                           files.write_bytes("logs/web.log", b""), view.event)
                demo.run()
            except KeyboardInterrupt:
                interrupted = True
                view.event("stopping ...")
            except OutDirError as exc:
                stopped = exc
                view.event(f"stopping: {exc}", "bold red")
            finally:
                if getattr(demo, "state", None) is not None:
                    finish(demo, interrupted, stopped)
    except (DemoError, LocalCloudError, SeedError, OutDirError,
            web.WebError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"demo: the local AWS refused a call: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        files.discard_unwritten()
    if stopped is not None:
        print(f"demo: {stopped}", file=sys.stderr)
        return 2
    if demo is None or getattr(demo, "state", None) is None:
        return 130 if interrupted else 1
    print(f"local AWS stopped. The data is in {out}: s3/ (every object of the bucket), "
          "outbox/ (every alert e-mail), logs/ (each function's output), summary.json")
    for problem in demo.state.problems:
        print(f"demo: {problem}", file=sys.stderr)
    if interrupted:
        return 130
    return 1 if demo.state.problems else 0


def finish(demo, interrupted, stopped=None):
    """Collect what is still in flight and write the summary; runs on Ctrl-C and on a full
    disk too (summary.json has its room reserved from the start)."""
    try:
        demo.watching.clock(demo.state.minute + 1)
        demo.collect_mail()
        demo.sync()
        demo.watching.close(interrupted)
        if demo.stream_side:
            demo.stream_side.dump()
    except OutDirError as exc:
        stopped = stopped or exc
    if stopped is not None:
        demo.state.problems.append(f"stopped early: {stopped}")
    elif not interrupted:
        demo.state.problems = demo.check()
    demo.files.write_text("summary.json", json.dumps(demo.summary(interrupted), indent=2,
                                                     allow_nan=False) + "\n")
    demo.view.update(demo.state)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
