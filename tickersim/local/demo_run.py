"""The demo's run loop: set-up of the stage's resources and functions, the scheduler with
its logical clock, each attempt of the streaming function and what Lambda does after it,
the alert mailbox and the functions' logs."""
import heapq
import time
import uuid
from dataclasses import replace
from email.utils import formataddr

from botocore.exceptions import ClientError

from chalicelib.alerts import alerts
from chalicelib.core.errors import ConfigError
from chalicelib.core.settings import alert_settings, stream_settings
from chalicelib.walk import sink
from chalicelib.walk.ticks import iso, parse_minute
from tickersim.base import owner_ascii
from tickersim.base import scenario as scenario_cli
from tickersim.base import stage as stages
from tickersim.base.naming import names_for
from tickersim.local import lambdas, stream_demo, watching
from tickersim.local.demo_code import broken_copy
from tickersim.local.demo_fanout import FanOut
from tickersim.local.demo_flags import DemoError, scenario_at
from tickersim.local.demo_mail import MailAndLogs
from tickersim.local.demo_state import Attempt, DemoState, TickerView, scheduled_event
from tickersim.local.demo_sync import BucketSync
from tickersim.local.lambdas import RETRY_DELAY_MINUTES, Function, snapshot
from tickersim.local.mailbox import Mailbox
from tickersim.local.stopping import StopAfterRun

STAGE = stages.LOCAL
STREAMING_HANDLER = "app.stream_ticks"
NOTIFICATION_HANDLER = "app.notify_failure"
# What Lambda does for a function without an event invoke config.
AWS_DEFAULT_RETRIES = 2
AWS_DEFAULT_EVENT_AGE_S = 6 * 3600


class Demo(BucketSync, FanOut, MailAndLogs):
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
        self.worker = self.worker_function(STAGE, stream_env)
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
        self.seed_count()
        queue = self.cloud.subscribe_mailbox(topic, f"{topic.rsplit(':', 1)[1]}-mailbox")
        self.mailbox = Mailbox(self.cloud.client("sqs"), queue, self.save_mail,
                               formataddr((self.owner, "owner@localhost")))
        rule = self.cloud.register_functions(self.streaming, self.notifier, self.args.retries,
                                             worker=self.worker)
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
        self.watching.ran(outcome.log, attempt.minute)     # its metrics, for the alarm
        self.state.invocations += 1
        if not outcome.failed:
            self.state.runs[attempt.run] = "ok"
            report = outcome.payload if isinstance(outcome.payload, dict) else {}
            ticks, failed = (self.run_workers(attempt, report, at) if "fanout" in report
                             else (report.get("ticks"), 0))
            self.view.event(f"{label} ok at {attempt.event['time']}: {ticks} ticks "
                            f"({time.monotonic() - self.run_started:.2f} s)"
                            + (f"; {failed} worker(s) failed and alerted" if failed else ""))
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

    def async_config(self, function_name=None):
        """(retries, maximum event age in seconds, on-failure destination) of a function
        (default: the streaming one) as the local Lambda holds them: a change made with the
        AWS CLI mid-demo applies, and a missing config behaves as AWS's defaults do."""
        try:
            config = self.cloud.client("lambda").get_function_event_invoke_config(
                FunctionName=function_name or self.streaming.name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            config = {}
        destination = config.get("DestinationConfig", {}).get("OnFailure", {})
        return (config.get("MaximumRetryAttempts", AWS_DEFAULT_RETRIES),
                config.get("MaximumEventAgeInSeconds", AWS_DEFAULT_EVENT_AGE_S),
                destination.get("Destination"))
