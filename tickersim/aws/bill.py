"""What a stage costs a month, line by line: the lines that grow with tickers x ticks a minute,
the fixed lines that are there whatever the feed does, and what is billed only when used
(with an example). Units come from the code that spends them (the packer, the window item),
prices from tickersim/base/prices.py; `make bench` measures the same units against moto.
"""
import math

from chalicelib.walk import delivery, ticks
from chalicelib.walk.pipeline import RUN_METRICS
from chalicelib.watch import moves
from tickersim.base import prices

# The functions' CPU per tick on a machine like the benchmark's (`make bench` measures it);
# only the Lambda lines depend on it, and they are cents.
CPU_S_PER_TICK = 30e-6
LOG_BYTES_PER_RUN = 200         # the streaming function's own summary line
WATCH_CALLS = 3                 # GetObject, GetItem, PutItem a minute
WINDOW_MINUTES = 5              # MOVE_ALERT_WINDOW_MINUTES' default
MAX_CATCHUP_MINUTES = 60        # its default: how many windows the watcher keeps
API_EXAMPLE_REQUESTS = 10_000   # e.g. 2,500 page views (the page, /api/tickers, 2 of ticks)
PRICED_PER_RESOURCE = {"AWS::CloudWatch::Dashboard": prices.DASHBOARD_PER_MONTH,
                       "AWS::CloudWatch::Alarm": prices.ALARM_PER_MONTH}


def per_run(items, ticks_per_run):
    """One run's AWS units for these seed items (DynamoDB JSON), as prices.py prices them."""
    names = [item["TickerName"]["S"] for item in items]
    lines = ["x" * (ticks.line_bytes(name) - 1) + "\n"
             for name in names for _ in range(ticks_per_run)]
    records = delivery.pack(lines)
    # Each item gains the walk's state (last tick, sequence) next to its seed attributes.
    state = {"LastTick": {"S": "2026-11-26T09:00:45Z"}, "Seq": {"N": "1000000"}}
    walked = [{**item, **state} for item in items]
    calls = 4 + math.ceil(len(items) / 25)
    return prices.PerRun(
        billed_units=delivery.billed_units(records),
        payload_bytes=sum(map(len, lines)),
        read_units=prices.scan_read_units(walked, consistent=True),
        write_units=prices.write_units(walked) + 1,          # + the run claim
        lambda_s=prices.lambda_seconds(CPU_S_PER_TICK * len(lines), calls),
        log_bytes=LOG_BYTES_PER_RUN)


def monthly_cost(items, ticks_per_run, sink="firehose", shards="1"):
    """{line: USD a month} of the streaming run itself, at one run a minute, for the sink."""
    lines = prices.monthly(per_run(items, ticks_per_run), prices.firehose_buffering())
    if sink == "firehose":
        return lines
    # One record per tick line, partition key = ticker.
    sizes = [ticks.line_bytes(i["TickerName"]["S"]) + len(i["TickerName"]["S"].encode())
             for i in items for _ in range(ticks_per_run)]
    lines.update(prices.kinesis_monthly(sizes, shards))
    if sink == "kinesis":
        del lines["Firehose ingestion"], lines["S3 PUTs by Firehose"]
    else:
        lines["Firehose ingestion"] = prices.firehose_from_stream(sizes)
    return lines


def window_bytes(items):
    """DynamoDB's size of the watcher's window item for these tickers (each with a range)."""
    start = 0
    ranges = {item["TickerName"]["S"]: moves.Range(
        moves.Tick(start + 15, 1, float(item["Price"]["N"])),
        moves.Tick(start + 45, 3, float(item["Price"]["N"]) * 1.001), False) for item in items}
    return prices.item_bytes(moves.state_item("#window", 1, WINDOW_MINUTES, ranges, 1))


def growing(items, ticks_per_run, retention_days, sink="firehose", shards="1"):
    """{line: USD a month} of the lines that grow with tickers x ticks."""
    run = per_run(items, ticks_per_run)
    runs = prices.RUNS_PER_MONTH
    gb_a_month = run.payload_bytes * runs / prices.GB
    interval_s, _ = prices.firehose_buffering()
    size = window_bytes(items)
    write_units, read_units = math.ceil(size / 1024), math.ceil(size / 4096)
    watch_s = prices.lambda_seconds(CPU_S_PER_TICK * len(items) * ticks_per_run, WATCH_CALLS)
    return {
        **monthly_cost(items, ticks_per_run, sink, shards),
        "Firehose dynamic partitioning": gb_a_month * prices.FIREHOSE_PARTITIONING_PER_GB
        + runs * 60 / interval_s / 1000 * prices.FIREHOSE_PARTITIONING_PER_THOUSAND_OBJECTS,
        f"S3 storage ({retention_days} days of ticks kept)": gb_a_month * retention_days / 30
        * prices.S3_PER_GB_MONTH,
        "watcher (Lambda, S3 GET, its window item)":
            runs / 1e6 * prices.LAMBDA_PER_MILLION_REQUESTS
            + math.ceil(watch_s * 1000) / 1000 * prices.LAMBDA_MEMORY_GB * runs
            * prices.LAMBDA_PER_GB_SECOND
            + runs / 1000 * prices.S3_PER_THOUSAND_GETS
            + (write_units + write_units / WINDOW_MINUTES) * runs / 1e6
            * prices.DDB_PER_MILLION_WRITES
            + read_units * runs / 1e6 * prices.DDB_PER_MILLION_READS,
        "streaming Scan of the watcher's windows": math.ceil(
            moves.windows_kept(MAX_CATCHUP_MINUTES, WINDOW_MINUTES) * size / 4096) * runs / 1e6
        * prices.DDB_PER_MILLION_READS,
    }


def fixed(resources):
    """{line: USD a month} there whatever the feed does, from the resources the stage has."""
    lines = {}
    for resource in resources:
        price = PRICED_PER_RESOURCE.get(resource.type)
        if price:
            lines[f"{resource.kind} {resource.name}"] = price
    lines[f"{len(RUN_METRICS)} custom metrics of each run (EMF)"] = (
        len(RUN_METRICS) * prices.CUSTOM_METRIC_PER_MONTH)
    return lines


def per_use(items, ticks_per_run):
    """What is billed only when used, each with an example at this feed's size."""
    month_bytes = per_run(items, ticks_per_run).payload_bytes * prices.RUNS_PER_MONTH
    scanned = max(month_bytes, prices.ATHENA_MINIMUM_BYTES)
    api = API_EXAMPLE_REQUESTS / 1e6 * prices.API_GATEWAY_PER_MILLION_REQUESTS
    alert = prices.SNS_PER_MILLION_PUBLISHES / 1e6 + prices.SNS_PER_100K_EMAILS / 1e5
    return [
        f"Athena: ${prices.ATHENA_PER_TB_SCANNED:.2f} per TB scanned (at least 10 MB a query); "
        f"a query over a month of ticks ({month_bytes / 1e6:,.0f} MB of JSON) costs "
        f"${scanned / prices.TB * prices.ATHENA_PER_TB_SCANNED:.4f}",
        f"API Gateway: ${prices.API_GATEWAY_PER_MILLION_REQUESTS:.2f} per million requests "
        f"plus the API function's time; {API_EXAMPLE_REQUESTS:,} requests cost ${api:.3f}",
        f"alerts: ${alert:.5f} each (SNS publish + e-mail)",
    ]
