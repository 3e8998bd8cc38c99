"""tickersim and the baseline behind one interface: run once, return what the run cost."""
import time
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass

import boto3

from bench import baseline
from bench.cloud import scheduled_event
from bench.fake import MARKET_SEED
from chalicelib.core import clients
from chalicelib.core.clients import counting
from chalicelib.core.settings import stream_settings
from chalicelib.walk import delivery, pipeline
from tests.support import LambdaContext


@dataclass(frozen=True)
class Run:
    wall_s: float             # handler wall time
    cpu_s: float              # CPU time of the handler's own thread (moto's threads excluded)
    calls: dict               # AWS calls by Service.Operation
    ticks: int
    records: int              # Firehose records
    bytes: int                # Firehose payload bytes
    billed_units: int         # Firehose 5 KB billing units
    log_bytes: int            # what the handler itself writes to its log
    op_s: dict                # seconds spent waiting on each operation, summed over its calls

    @property
    def calls_total(self):
        return sum(self.calls.values())


class _Sent:
    """A sent record, by its length only: keeping the data would inflate the memory measured."""
    __slots__ = ("size",)

    def __init__(self, data):
        self.size = len(data)

    def __len__(self):
        return self.size


class FirehoseTap:
    """Notes the size of every record a Firehose client is asked to send, until taken."""

    def __init__(self, client):
        self._records = []
        events = client.meta.events
        events.register("provide-client-params.firehose.PutRecord",
                        lambda params, **_: self._records.append(_Sent(params["Record"]["Data"])))
        events.register("provide-client-params.firehose.PutRecordBatch",
                        lambda params, **_: self._records.extend(
                            _Sent(r["Data"]) for r in params["Records"]))

    def take(self):
        records, self._records = self._records, []
        return records


class _ByteCounter:
    def __init__(self):
        self.bytes = 0

    def write(self, text):
        self.bytes += len(text.encode("utf-8"))

    def flush(self):
        pass


@contextmanager
def counted_logs():
    """What the handler prints (Lambda ships stdout to CloudWatch), counted, not shown."""
    counter = _ByteCounter()
    with redirect_stdout(counter):
        yield counter


@contextmanager
def timed_calls(*clients):
    """Seconds spent in each operation (request sent to reply parsed), summed, while open."""
    spent, started = {}, {}

    def before(model, **_):
        started[model.name] = time.perf_counter()

    def after(model, **_):
        spent[model.name] = spent.get(model.name, 0.0) + time.perf_counter() - started[model.name]

    for client in clients:
        client.meta.events.register("before-call", before)
        client.meta.events.register("after-call", after)
    try:
        yield spent
    finally:
        for client in clients:
            client.meta.events.unregister("before-call", before)
            client.meta.events.unregister("after-call", after)


def _measure(call, ddb, firehose, tap):
    """Run call() once, counting calls, records and log bytes.

    call() returns its tick count, or None when every record is one tick (the baseline).
    """
    with counting(ddb, firehose) as (calls, _), timed_calls(ddb, firehose) as op_s, \
            counted_logs() as logs:
        wall, cpu = time.perf_counter(), time.thread_time()
        ticks = call()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    records = tap.take()
    return Run(wall_s=wall, cpu_s=cpu, calls=dict(calls), records=len(records),
               ticks=len(records) if ticks is None else ticks,
               bytes=sum(map(len, records)), billed_units=delivery.billed_units(records),
               log_bytes=logs.bytes, op_s=op_s)


class Runners:
    """Both implementations' clients, built once per endpoint like a warm Lambda's."""

    def __init__(self):
        self.ddb, self.firehose = clients.get("dynamodb"), clients.get("firehose")
        self.resource, self.naive_firehose = boto3.resource("dynamodb"), boto3.client("firehose")
        self._tap, self._naive_tap = FirehoseTap(self.firehose), FirehoseTap(self.naive_firehose)

    def tickersim(self, case, minutes_later, **env):
        settings = stream_settings({"TABLE_NAME": case, "DELIVERY_STREAM_NAME": case,
                                    "MARKET_SEED": MARKET_SEED, **env})
        event = scheduled_event(minutes_later)
        return _measure(
            lambda: pipeline.run(event, LambdaContext(), settings, self.ddb, self.firehose)["ticks"],
            self.ddb, self.firehose, self._tap)

    def baseline(self, case):
        table = self.resource.Table(case)
        return _measure(lambda: baseline.run(table, self.naive_firehose, case),
                        table.meta.client, self.naive_firehose, self._naive_tap)
