"""Runs a history against in-process moto: the real handlers, faults injected around the clients.

The Lambda service is emulated as AWS runs an asynchronously invoked function: each attempt
gets a fresh context and its own deadline, a failed attempt is retried after the configured
delay, and once the retries are spent the destination record goes to `notify_failure`, whose
alert lands in an SQS mailbox (the outbox). Time inside an attempt is virtual, so backoff
costs no wall time and the same history always takes the same path.
"""
import os
import random
from collections import Counter
from contextlib import contextmanager
from types import SimpleNamespace

import boto3
from moto import mock_aws
from moto.s3.models import s3_backends

from chalicelib.core import clients, retry
from chalicelib.walk import pipeline
from chalicelib.walk.ticks import iso
from chaos.faults import FaultyFirehose, FaultyTable, Killed
from tests.support import LambdaContext, scheduled
from tickersim.base.seeds import create_table
from tickersim.local import partiql
from tickersim.local.lambdas import failure_record

TABLE, STREAM, BUCKET = "chaos-table", "chaos-stream", "chaos-ticks"
ACCOUNT = "123456789012"     # moto's default account
FUNCTION = SimpleNamespace(arn="arn:aws:lambda:eu-west-1:123456789012:function:"
                               "tickersim-chaos-streaming-lambda")
ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "eu-west-1",
       "AWS_REGION": "eu-west-1", "TABLE_NAME": TABLE, "DELIVERY_STREAM_NAME": STREAM,
       "OWNER_NAME": "Chaos Monkey", "TICKS_PER_RUN": "4"}
DRAIN_MINUTES = 12       # after the last scheduled minute: late events and retries still run


class VirtualTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@contextmanager
def virtual_time(vt):
    """The run's deadlines and backoff on a clock that sleeping advances at once."""
    saved = pipeline.run.__defaults__, retry.resend.__defaults__
    pipeline.run.__defaults__ = (vt.clock,) + saved[0][1:]
    retry.resend.__defaults__ = (vt.clock, vt.sleep) + saved[1][2:]
    try:
        yield
    finally:
        pipeline.run.__defaults__, retry.resend.__defaults__ = saved


class World:
    """One history's cloud, and what the executor saw (for the checker's bookkeeping)."""

    def __init__(self, history):
        self.history = history
        self.counts = Counter()
        self.object_minute = {}      # object key -> the latest minute of the runs in progress
        self.exhausted = []          # request ids of invocations whose retries ran out
        self.edits = []              # each console edit, with when it happened
        self.in_progress = []        # minutes of the attempts running (nested when racing)
        self.started_max = None      # the latest minute any attempt has started
        self.attempts = 0
        self._ids = 0

    # --- set-up -------------------------------------------------------------------------
    @contextmanager
    def cloud(self):
        saved = {k: os.environ.get(k) for k in ENV}
        os.environ.update(ENV, MARKET_SEED=str(self.history["market_seed"]),
                          MAX_CATCHUP_MINUTES=str(self.history["max_catchup"]))
        try:
            with mock_aws():
                clients.reset()
                self._create()
                import app  # the real handlers, as Lambda imports them
                self.app = app
                yield self
        finally:
            clients.reset()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            os.environ.pop("MARKET_SEED", None), os.environ.pop("MAX_CATCHUP_MINUTES", None)

    def _create(self):
        self.ddb, self.s3 = boto3.client("dynamodb"), boto3.client("s3")
        self.firehose, self.sqs = boto3.client("firehose"), boto3.client("sqs")
        create_table(self.ddb, TABLE)
        for t in self.history["tickers"]:
            self.ddb.put_item(TableName=TABLE, Item={
                "TickerName": {"S": t["name"]}, "Price": {"N": str(t["price"])},
                "Drift": {"N": str(t["drift"])}, "Volatility": {"N": str(t["volatility"])}})
        self.s3.create_bucket(Bucket=BUCKET,
                              CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.firehose.create_delivery_stream(
            DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                "BucketARN": f"arn:aws:s3:::{BUCKET}", "Prefix": "ticks/"})
        sns = boto3.client("sns")
        os.environ["TOPIC_ARN"] = sns.create_topic(Name="chaos-alerts")["TopicArn"]
        self.queue = self.sqs.create_queue(QueueName="outbox")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=os.environ["TOPIC_ARN"], Protocol="sqs",
                      Endpoint=arn["Attributes"]["QueueArn"])
        partiql.install()      # the local cloud's DynamoDB answer to the commit's batches
        self.known = set()

    def _bucket(self):
        return s3_backends[ACCOUNT]["aws"].buckets[BUCKET].keys

    # --- the schedule -------------------------------------------------------------------
    def run(self):
        steps = self.history["steps"]
        queue = []          # (due minute, order, job)
        order = 0
        for now in range(len(steps) + DRAIN_MINUTES):
            if now < len(steps):
                for edit in steps[now]["edits"]:
                    self.edit(edit, now)
                for invocation in steps[now]["invocations"]:
                    queue.append((now + invocation["late"], order, {
                        "invocation": invocation, "attempt": 0,
                        "request_id": self._request_id()}))
                    order += 1
            due = sorted(j for j in queue if j[0] <= now)
            queue = [j for j in queue if j[0] > now]
            while due:
                _, _, job = due.pop(0)
                partner = None
                if job["invocation"]["race"] and due and job["attempt"]:
                    # A retry still running when the next minute's run starts.
                    partner = due.pop(0)[2]
                    self.counts["retries racing the next run"] += 1
                for retry_job in self.attempt(job, now, partner):
                    queue.append((now + retry_job.pop("after"), order, retry_job))
                    order += 1

    def attempt(self, job, now, partner=None):
        """Runs one attempt (and, inside it, a racing partner's); yields the retries due."""
        invocation, k = job["invocation"], job["attempt"]
        faults = invocation["attempts"][k]
        minute = self.history["start_minute"] + invocation["minute"]
        rng = random.Random(faults["rng"])
        random.seed(faults["rng"])       # the resend loops' jitter: same history, same path
        retries, partner_due = [], [partner] if partner is not None else []

        def before_commit():
            if partner_due:
                retries.extend(self.attempt(partner_due.pop(), now))
            if "edit_during" in invocation and k == 0:
                self.edit(invocation["edit_during"], now)

        vt, hits = VirtualTime(), set()
        clients.reset()
        clients._cache.update(   # the handler's own clients, with this attempt's faults
            dynamodb=FaultyTable(self.ddb, faults, rng, hits, before_commit),
            firehose=FaultyFirehose(self.firehose, faults, rng, hits))
        self.in_progress.append(minute)
        self.started_max = minute if self.started_max is None else max(self.started_max, minute)
        self.attempts += 1
        event = scheduled(iso(minute * 60))
        error = None
        try:
            with virtual_time(vt):
                if faults.get("broken"):
                    hits.add("broken deployment")
                    raise ImportError("Unable to import module 'app': broken deployment")
                self.app.stream_ticks(event, LambdaContext(clock=vt.clock))
        except (Exception, Killed) as exc:
            error = exc
        finally:
            self.counts.update(hits)
            self.in_progress.pop()
            self._note_new_objects(minute)
        if partner_due:                      # it never reached its commit: run the other after
            retries.extend(self.attempt(partner_due.pop(), now))
        if error is not None:
            if k + 1 < len(invocation["attempts"]):
                retries.append({"invocation": invocation, "attempt": k + 1,
                                "request_id": job["request_id"],
                                "after": invocation["retry_after"][k]})
            else:
                self.notify(event, minute, job["request_id"], error, k + 1)
        return retries

    def notify(self, event, minute, request_id, error, attempts):
        payload = {"errorMessage": str(error), "errorType": type(error).__name__,
                   "requestId": request_id, "stackTrace": []}
        record = failure_record(FUNCTION, event,
                                SimpleNamespace(request_id=request_id, payload=payload),
                                attempts, minute * 60 + 5)
        clients.reset()
        self.app.notify_failure(record, LambdaContext("tickersim-chaos-notification-lambda"))
        self.exhausted.append(request_id)

    def edit(self, edit, now):
        key = {"TickerName": {"S": edit["ticker"]}}
        self.counts[f"console edit: {edit['kind']}"] += 1
        record = {**edit, "at": now, "started_max": self.started_max}
        if edit["kind"] == "add":
            self.ddb.put_item(TableName=TABLE, Item={**key, "Price": {"N": str(edit["price"])}},
                              ConditionExpression="attribute_not_exists(TickerName)")
        elif edit["kind"] == "delete":
            self.ddb.delete_item(TableName=TABLE, Key=key)
        else:
            item = self.ddb.get_item(TableName=TABLE, Key=key, ConsistentRead=True).get("Item")
            if item is None:
                return                  # deleted meanwhile: nothing to edit
            if edit["kind"] == "price":
                value = round(float(item["Price"]["N"]) * edit["factor"], 4)
                record["value"] = value
                attr = ("Price", {"N": repr(value)})
            else:
                attr = ("Drift", {"N": str(edit["drift"])})
            self.ddb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET #a = :v",
                                 ExpressionAttributeNames={"#a": attr[0]},
                                 ExpressionAttributeValues={":v": attr[1]})
        self.edits.append(record)

    def _note_new_objects(self, minute):
        for key in self._bucket().keys():  # noqa: SIM118 - moto's key store answers keys()
            if key not in self.known:
                self.known.add(key)
                self.object_minute[key] = minute

    def _request_id(self):
        self._ids += 1
        return f"chaos-{self._ids:06d}"

    # --- what a consumer sees at the end -------------------------------------------------
    def objects(self):
        keys = self._bucket()
        return {key: keys[key].value for key in sorted(keys.keys())}

    def alerts(self):
        found = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return found
            for message in got["Messages"]:
                found.append(message["Body"])
                self.sqs.delete_message(QueueUrl=self.queue,
                                        ReceiptHandle=message["ReceiptHandle"])

    def table(self):
        items, start = [], None
        while True:
            kwargs = {"TableName": TABLE, "ConsistentRead": True}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.ddb.scan(**kwargs)
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return {i["TickerName"]["S"]: i for i in items if i["TickerName"]["S"] != "#run"}
