"""The sink seam: where a run hands its lines, whatever service takes them.

A sink takes newline-terminated JSON lines (ticks and news, in walk order), learns which were
refused, re-sends those with the same bytes until the deadline, and either returns what it
sent or raises DeliveryFailed (with `landed`: how many were accepted) or a *Missing error.
What stays above the seam and never changes with the sink: the claim, delivery before commit,
the catch-up floors. A new sink (a fan-out, another service) implements `Sink` and nothing else.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.walk import delivery, kinesis_sink

FIREHOSE, KINESIS, BOTH = "firehose", "kinesis", "both"
SINKS = (FIREHOSE, KINESIS, BOTH)


@dataclass(frozen=True)
class Delivered:
    records: int         # records the service holds now (Firehose packs many lines a record)
    bytes: int           # their data
    billed_units: int    # the service's billing units: Firehose 5 KB, Kinesis 25 KB PUT units
    resends: int         # rounds of re-sending refused records


class Sink(Protocol):
    name: str

    def send(self, lines: Sequence[str], deadline: float, **retry_options) -> Delivered:
        """Deliver every line or raise; `deadline` is on retry_options' clock."""


@dataclass(frozen=True)
class FirehoseSink:
    client: object
    stream: str
    name: str = FIREHOSE

    def send(self, lines, deadline, **retry_options):
        records = delivery.pack(lines)
        resends = delivery.send(self.client, self.stream, records, deadline, **retry_options)
        return Delivered(len(records), sum(map(len, records)), delivery.billed_units(records),
                         resends)


@dataclass(frozen=True)
class KinesisSink:
    client: object
    stream: str
    name: str = KINESIS

    def send(self, lines, deadline, **retry_options):
        sent, resends = kinesis_sink.send(self.client, self.stream, lines, deadline,
                                          **retry_options)
        return Delivered(len(sent), sum(len(data) for _, data in sent),
                         kinesis_sink.put_units(sent), resends)


def configured(env):
    """The sink a stage's streaming environment describes: a data stream and a delivery
    stream is `both` (Firehose reads the stream), a data stream alone `kinesis`."""
    if not (env.get("DATA_STREAM_NAME") or "").strip():
        return FIREHOSE
    return BOTH if (env.get("DELIVERY_STREAM_NAME") or "").strip() else KINESIS


def for_settings(settings, client):
    """The sink a stage's function writes to: its data stream when it has one (with `both`,
    Firehose reads that stream), else its Firehose delivery stream. `client(service)`."""
    if settings.data_stream_name:
        return KinesisSink(client("kinesis"), settings.data_stream_name)
    return FirehoseSink(client("firehose"), settings.stream_name)
