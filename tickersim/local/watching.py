"""The demo's watching: watch_moves on each new tick object (S3's trigger, emulated), the
market topic's mailbox, the dead-man alarm's rule (tickersim/local/deadman.py), a stalled
schedule to show it, and the notices on the failure topic.

moto's S3 would try to run a notification's Lambda function itself (and cannot without
Docker), so the bucket gets no notification configuration here: the demo sends each new
object's event, in S3's shape, to watch_moves as S3 would, once per object, and
asynchronously as S3 does (one invocation at a time, beside the schedule).
"""
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from chalicelib.walk import state as table_state
from chalicelib.walk.items import KEY
from chalicelib.walk.ticks import iso
from chalicelib.watch import moves
from tickersim.base import stage as stages
from tickersim.base.naming import stack_name
from tickersim.base.watch_trigger import CONFIG_ID
from tickersim.local import deadman, lambdas
from tickersim.local.lambdas import Function, snapshot
from tickersim.local.mailbox import Mailbox

WATCH_HANDLER = "app.watch_moves"
TICKS_PREFIX = "ticks/"
FAILURE_PREFIX = "Failure: "


def add_arguments(parser):
    parser.add_argument("--volatility", type=float, default=None, metavar="SIGMA",
                        help="annual volatility of every ticker for this demo (e.g. 5 = 500 %%;"
                             " 0 to 10): a high one shows price-move alerts within a few runs")
    parser.add_argument("--stall-after", type=int, default=None, metavar="N",
                        help="stop scheduling after N runs, long enough for the dead-man "
                             "alarm to e-mail, then resume (the all-clear follows)")


def stall_minutes(project_dir=stages.PROJECT_DIR):
    """How long a stall lasts: the alarm's evaluation periods, and two minutes to spare."""
    return deadman.definition(_refs("x", "x", "x"), project_dir)["EvaluationPeriods"] + 2


def problem_with(args):
    """What is wrong with the watching flags, in words, or None."""
    if args.volatility is not None and not 0 <= args.volatility <= 10:
        return "--volatility must be from 0 to 10 (annual; 0.2 = 20 %)"
    if args.stall_after is not None:
        if args.stall_after < 1:
            return "--stall-after must be at least 1"
        needed = args.stall_after + stall_minutes() + 1
        if args.runs is not None and args.runs < needed:
            return (f"--stall-after {args.stall_after} needs --runs {needed} or more: the "
                    f"schedule stays off for {stall_minutes()} minutes, then one run clears "
                    "the alarm")
    return None


def _refs(stack, bucket, stream, topic="x", table="x"):
    return {"AWS::StackName": stack, "BucketName": bucket, "DeliveryStreamName": stream,
            "Topic": topic, "TableName": table,
            "AWS::Region": "eu-west-1", "AWS::AccountId": lambdas.ACCOUNT,
            "AWS::Partition": "aws"}


@dataclass
class Notices:
    moves: list = field(default_factory=list)        # move alert subjects
    others: list = field(default_factory=list)       # alarm, all-clear, recovered subjects
    latencies: list = field(default_factory=list)    # s from the run's start to the .eml


class Watching:
    def __init__(self, demo, stage):
        self.demo, self.cloud, self.view, self.stage = demo, demo.cloud, demo.view, stage
        self.notices = Notices()
        self.samples = {}          # logical minute -> the alarm metric's samples in it
        self.evaluated = 0         # minutes before this one have been evaluated
        self.stall = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watch-moves")
        self.pending = []          # (future, key, start of the run that made the object)
        self.s3_trigger = True     # False: an event source mapping on the stream feeds it

    def setup(self, stream_name, failure_topic):
        demo, args = self.demo, self.demo.args
        config = stages.function_config(self.stage, stages.WATCH)
        env = dict(config.environment_variables)
        if args.count is not None:      # as deploy does from the table's count
            env.setdefault("MOVE_STATE_SHARDS", str(moves.shards_for(args.count)))
        # As on AWS, the watcher keeps the code it was deployed with.
        self.function = Function(
            name=demo.names.function(stages.WATCH), handler=WATCH_HANDLER,
            code_dir=snapshot(demo.project, demo.workdir / "watcher"), environment=env,
            timeout=config.lambda_timeout, memory=config.lambda_memory_size,
            region=self.cloud.region)
        sns = self.cloud.client("sns")
        topic = sns.create_topic(Name=env["MARKET_TOPIC_ARN"].rsplit(":", 1)[1])["TopicArn"]
        queue = self.cloud.subscribe_mailbox(topic, f"{topic.rsplit(':', 1)[1]}-mailbox")
        self.market = Mailbox(self.cloud.client("sqs"), queue, demo.save_mail,
                              "market-watcher@localhost")
        self.failure_topic = failure_topic
        props = deadman.definition(_refs(stack_name(self.stage), demo.names.bucket,
                                         stream_name, failure_topic, demo.table),
                                   demo.project)
        self.alarm = deadman.Alarm(props)
        if args.stall_after is not None:
            self.stall = range(args.stall_after + 1, args.stall_after + 1 + stall_minutes())
        if args.volatility is not None:
            self.set_volatility(args.volatility)
        self.view.event(f"{self.function.name} watches s3://{demo.names.bucket}/{TICKS_PREFIX} "
                        f"for moves of {env.get('MOVE_ALERT_PERCENT', '1')} % within "
                        f"{env.get('MOVE_ALERT_WINDOW_MINUTES', '5')} min -> {topic}")

    def set_volatility(self, value):
        ddb = self.cloud.client("dynamodb")
        items, _ = table_state.read_all(ddb, self.demo.table)
        for item in items:
            ddb.update_item(TableName=self.demo.table, Key={KEY: item[KEY]},
                            UpdateExpression="SET Volatility = :v",
                            ExpressionAttributeValues={":v": {"N": repr(float(value))}})
        self.view.event(f"volatility of {len(items)} ticker(s) set to {value:g} a year")

    # the schedule
    def skips(self, attempt):
        """Whether the stalled schedule drops this run (a disabled rule sends no event)."""
        if self.stall is None or attempt.number != 1 or attempt.run not in self.stall:
            return False
        if attempt.run == self.stall.start:
            self.view.event(f"schedule stalled after run {attempt.run - 1}: no run for "
                            f"{len(self.stall)} minutes (the dead-man alarm watches)", "yellow")
        if attempt.run == self.stall.stop - 1:
            self.view.event("schedule resumes next minute", "green")
        return True

    def clock(self, minute):
        """Evaluate the alarm for every whole minute before `minute`."""
        self.poll()
        while self.evaluated < minute:
            change = self.alarm.add(self.alarm.datapoint(self.samples.pop(self.evaluated, [])))
            if change:
                self.publish_alarm(*change, self.demo.state.start_epoch + (self.evaluated + 1) * 60)
            self.evaluated += 1

    def publish_alarm(self, old, new, epoch):
        subject, body = deadman.message(self.alarm, old, new, iso(epoch), self.cloud.region,
                                        lambdas.ACCOUNT)
        self.cloud.client("sns").publish(TopicArn=self.failure_topic, Subject=subject,
                                         Message=body)
        self.view.event(f"CloudWatch alarm {self.alarm.props['AlarmName']}: {old} -> {new}",
                        "bold red" if new == "ALARM" else "green")

    def ran(self, log_text, minute):
        """A streaming invocation's log, as CloudWatch ingests it: its metric samples."""
        self.samples.setdefault(minute, []).extend(deadman.samples(self.alarm.props, log_text))

    # what landed
    def landed(self, key, data, minute, run_started):
        """A new object in the bucket: trigger the watcher."""
        if not key.startswith(TICKS_PREFIX):
            return
        if not self.s3_trigger:
            return
        event = s3_event(self.demo.names.bucket, key, len(data), self.cloud.region)
        self.pending.append((self.pool.submit(lambdas.invoke, self.function, event,
                                              self.demo.aws_env), key, run_started))
        self.poll()

    def poll(self, wait=False):
        """Take the finished watcher invocations (all of them, with wait) and their mail."""
        while self.pending and (wait or self.pending[0][0].done()):
            future, key, run_started = self.pending.pop(0)
            outcome = future.result()
            self.demo.record_log(self.function, outcome)
            if outcome.failed:
                self.view.event(f"{self.function.name} failed on {key}: "
                                f"{lambdas.error_type(outcome.payload)}: "
                                f"{outcome.payload.get('errorMessage', '')}", "bold red")
            for mail in self.market.collect():
                self.notices.moves.append(mail.subject)
                self.notices.latencies.append(round(time.monotonic() - run_started, 3))
                self.view.event(f"move alert e-mail: {mail.subject} -> {mail.path}",
                                "bold magenta")

    def close(self, interrupted):
        """Let the watcher finish what S3 handed it (on Ctrl-C, only the one running)."""
        if interrupted:
            for future, _, _ in self.pending:
                future.cancel()
            self.pending = [p for p in self.pending if not p[0].cancelled()]
        self.poll(wait=True)
        self.pool.shutdown()

    def notice(self, mail):
        """A message on the failure topic that is not a failure alert: alarm, all-clear,
        recovery. Returns whether it was one."""
        if mail.subject.startswith(FAILURE_PREFIX):
            return False
        self.notices.others.append(mail.subject)
        self.view.event(f"notice e-mail: {mail.subject} -> {mail.path}",
                        "bold red" if mail.subject.startswith("ALARM") else "green")
        return True

    # the end
    def check(self, planned_failure, recovered_after):
        """What the watching did otherwise than configured (empty: as configured)."""
        problems, subjects = [], self.notices.others
        alarms = [s for s in subjects if s.startswith("ALARM:")]
        clears = [s for s in subjects if s.startswith("OK:")]
        if self.stall is not None and (len(alarms), len(clears)) != (1, 1):
            problems.append(f"the stall raised {len(alarms)} dead-man alarm(s) and "
                            f"{len(clears)} all-clear(s), 1 and 1 expected")
        recovered = [s for s in subjects if s.startswith("Recovered:")]
        wanted = 1 if planned_failure and recovered_after else 0
        if planned_failure is not None and len(recovered) != wanted:
            problems.append(f"{len(recovered)} recovery notice(s), {wanted} expected")
        return problems

    def summary(self):
        return {"move_alerts": self.notices.moves, "notices": self.notices.others,
                "move_alert_latency_s": self.notices.latencies,
                "stalled_runs": list(self.stall) if self.stall else []}


def s3_event(bucket, key, size, region):
    """An S3 ObjectCreated notification for one object, as S3 sends it (keys URL-encoded)."""
    now = time.time()
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": region,
        "eventTime": iso(int(now)).replace("Z", ".000Z"), "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:local:firehose"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                             "x-amz-id-2": uuid.uuid4().hex},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": CONFIG_ID,
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "local"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key, safe="/="), "size": size,
                          "sequencer": f"{int(now * 1e6):016X}"}}}]}
