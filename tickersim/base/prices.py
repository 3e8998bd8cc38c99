"""What one run costs in AWS units, and what a month of runs costs in USD.

Prices: AWS public list prices for eu-west-1 (Europe, Ireland), on-demand, without the
free tier, as published on the services' pricing pages; see PRICES_SOURCE. Quantities per
run are measured by the benchmark; only the Lambda duration is modelled (lambda_seconds).
"""
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from chalicelib.walk.delivery import BILLING_UNIT_BYTES

PRICES_SOURCE = ("AWS's public eu-west-1 pricing pages as they stood in late 2024 (DynamoDB "
                 "on-demand after its 1 November 2024 price cut), written down from those "
                 "pages and not re-checked since: `make bench` runs offline. Check "
                 "aws.amazon.com/<service>/pricing before quoting a figure")
FIREHOSE_PER_GB = 0.031            # Direct PUT ingestion, first 500 TB a month, 5 KB units
DDB_PER_MILLION_WRITES = 0.7068    # on-demand write request units, Standard table class
DDB_PER_MILLION_READS = 0.1413     # on-demand read request units
DDB_WCU_HOUR = 0.000735            # provisioned write capacity unit-hour, Standard table class
DDB_RCU_HOUR = 0.000147            # provisioned read capacity unit-hour
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_PER_GB_SECOND = 0.0000166667    # x86
S3_PER_THOUSAND_PUTS = 0.005       # S3 Standard PUT, COPY, POST, LIST
LOGS_PER_GB = 0.57                 # CloudWatch Logs ingestion, Standard log class
# Firehose dynamic partitioning (the event-time ticks/dt=.../hour=.../ layout): per GB
# processed and per 1,000 S3 objects it delivers.
FIREHOSE_PARTITIONING_PER_GB = 0.020
FIREHOSE_PARTITIONING_PER_THOUSAND_OBJECTS = 0.005
FIREHOSE_JQ_PER_HOUR = 0.07        # the JQ query's processing time
S3_PER_GB_MONTH = 0.023            # S3 Standard storage, first 50 TB
S3_PER_THOUSAND_GETS = 0.0004      # S3 Standard GET, SELECT and all other requests
SNS_PER_MILLION_PUBLISHES = 0.50
SNS_PER_100K_EMAILS = 2.00
ALARM_PER_MONTH = 0.10             # one standard-resolution metric alarm
DASHBOARD_PER_MONTH = 3.00         # beyond the 3 free dashboards of an account
CUSTOM_METRIC_PER_MONTH = 0.30     # first 10,000 metrics
API_GATEWAY_PER_MILLION_REQUESTS = 3.50    # REST API, first 333 million a month
ATHENA_PER_TB_SCANNED = 5.00       # SQL queries, rounded up to 10 MB a query
ATHENA_MINIMUM_BYTES = 10 * 10 ** 6
TB = 10 ** 12
GB = 2 ** 30

RUNS_PER_MONTH = 30 * 24 * 60      # one run a minute, 30-day month
LAMBDA_MEMORY_GB = 128 / 1024
# Lambda gives a function CPU in proportion to memory: one full vCPU at 1,769 MB, so a
# 128 MB function runs CPU-bound code about 13.8 times slower than one core here
# (assuming this machine's core is about as fast as a Lambda vCPU).
LAMBDA_CPU_SLOWDOWN = 1769 / 128
AWS_CALL_LATENCY_S = 0.010         # assumed round trip of one in-region API call
# START, END and REPORT lines Lambda writes for every invocation, about 100 bytes each.
PLATFORM_LOG_BYTES = 300
INFRA_TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "data.yaml"


def firehose_buffering(template=INFRA_TEMPLATE):
    """(seconds, bytes) of the delivery stream's S3 buffering, as the stack configures it."""
    resources = yaml.safe_load(Path(template).read_text())["Resources"]
    streams = [r for r in resources.values() if r["Type"] == "AWS::KinesisFirehose::DeliveryStream"]
    hints = streams[0]["Properties"]["ExtendedS3DestinationConfiguration"]["BufferingHints"]
    return hints["IntervalInSeconds"], hints["SizeInMBs"] * 2 ** 20


def item_bytes(item):
    """DynamoDB's size of an item in the low-level format (strings, numbers and maps)."""
    return sum(len(name.encode("utf-8")) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value):
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        # About one byte per two significant digits, plus one.
        digits = content.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "M":
        # 3 bytes for the map, and 1 for each of its elements beside its name and value.
        return 3 + sum(len(name.encode("utf-8")) + _value_bytes(inner) + 1
                       for name, inner in content.items())
    raise ValueError(f"item_bytes does not size {kind} values")


def scan_read_units(items, consistent):
    """Read units of one Scan over the items: their total size in 4 KB units, halved unless
    the read is strongly consistent. (DynamoDB rounds per 1 MB page; these tables fit one
    or a few pages, so this is low by at most one unit a page.)"""
    units = math.ceil(sum(map(item_bytes, items)) / 4096)
    return units if consistent else units / 2


def write_units(items, transactional=False):
    """Write units to put every item once: 1 KB units per item, twice that in a transaction."""
    return sum(math.ceil(item_bytes(i) / 1024) for i in items) * (2 if transactional else 1)


def lambda_seconds(cpu_s, calls):
    """Modelled Lambda duration at 128 MB: this machine's handler CPU time scaled to the
    function's CPU share, plus one in-region round trip per AWS call."""
    return cpu_s * LAMBDA_CPU_SLOWDOWN + calls * AWS_CALL_LATENCY_S


@dataclass(frozen=True)
class PerRun:
    billed_units: int        # Firehose 5 KB units
    payload_bytes: int       # bytes Firehose delivers to S3
    read_units: float
    write_units: int
    lambda_s: float
    log_bytes: int           # what the handler prints (Lambda's own lines are added here)


def monthly(run, buffering):
    """USD per month by line, at one run a minute."""
    interval_s, buffer_bytes = buffering
    flushes = RUNS_PER_MONTH * 60 / interval_s
    bytes_per_flush = run.payload_bytes * interval_s / 60
    return {
        "Firehose ingestion": run.billed_units * BILLING_UNIT_BYTES * RUNS_PER_MONTH / GB
        * FIREHOSE_PER_GB,
        "DynamoDB writes": run.write_units * RUNS_PER_MONTH / 1e6 * DDB_PER_MILLION_WRITES,
        "DynamoDB reads": run.read_units * RUNS_PER_MONTH / 1e6 * DDB_PER_MILLION_READS,
        "Lambda requests": RUNS_PER_MONTH / 1e6 * LAMBDA_PER_MILLION_REQUESTS,
        "Lambda GB-seconds": math.ceil(run.lambda_s * 1000) / 1000 * LAMBDA_MEMORY_GB
        * RUNS_PER_MONTH * LAMBDA_PER_GB_SECOND,
        "S3 PUTs by Firehose": flushes * max(1, math.ceil(bytes_per_flush / buffer_bytes))
        / 1000 * S3_PER_THOUSAND_PUTS,
        "CloudWatch Logs": (run.log_bytes + PLATFORM_LOG_BYTES) * RUNS_PER_MONTH / GB
        * LOGS_PER_GB,
    }


# Kinesis Data Streams, eu-west-1: recalled from the pricing page (about 1.1 x us-east-1's
# $0.015 shard-hour, $0.014 per million PUT units, $0.04 stream-hour, $0.08 per GB), not
# re-checked offline; verify on aws.amazon.com/kinesis/data-streams/pricing before quoting.
KINESIS_PER_SHARD_HOUR = 0.0165
KINESIS_PER_MILLION_PUT_UNITS = 0.0154
KINESIS_ON_DEMAND_PER_STREAM_HOUR = 0.044
KINESIS_ON_DEMAND_PER_GB_IN = 0.088        # each record rounded up to 1 KB
KINESIS_PUT_UNIT_BYTES = 25 * 1024
HOURS_PER_MONTH = RUNS_PER_MONTH / 60


def kinesis_monthly(record_sizes, shards="1"):
    """USD a month of a data stream taking these records (bytes each, partition key included)
    every run: shard-hours and PUT units, or on demand stream-hours and data in. The mapping
    and consumers' reads are free in provisioned mode (on demand bills reads per GB too)."""
    if shards == "on-demand":
        kib = sum(max(1, math.ceil(size / 1024)) for size in record_sizes)
        return {"Kinesis stream-hours": HOURS_PER_MONTH * KINESIS_ON_DEMAND_PER_STREAM_HOUR,
                "Kinesis data in": kib * 1024 * RUNS_PER_MONTH / GB
                * KINESIS_ON_DEMAND_PER_GB_IN}
    units = sum(max(1, math.ceil(size / KINESIS_PUT_UNIT_BYTES)) for size in record_sizes)
    return {"Kinesis shard-hours": int(shards) * HOURS_PER_MONTH * KINESIS_PER_SHARD_HOUR,
            "Kinesis PUT units": units * RUNS_PER_MONTH / 1e6 * KINESIS_PER_MILLION_PUT_UNITS}


def firehose_from_stream(record_sizes):
    """Firehose reading the stream (`--sink both`) bills every record, one tick each, rounded
    up to 5 KB: far more units than the packed records of Direct PUT."""
    units = sum(max(1, math.ceil(size / BILLING_UNIT_BYTES)) for size in record_sizes)
    return units * BILLING_UNIT_BYTES * RUNS_PER_MONTH / GB * FIREHOSE_PER_GB
