"""What `tickersim deploy` will create, with names, and what it will cost a month."""
import math

from chalicelib.walk import delivery, ticks
from tickersim.base import prices
from tickersim.base import stage as stages
from tickersim.base.seeds import read_seed

# The streaming function's CPU per tick on a machine like the benchmark's (`make bench`
# measures it); only the Lambda line of the estimate depends on it, and that line is cents.
CPU_S_PER_TICK = 30e-6
LOG_BYTES_PER_RUN = 200         # the function's own summary line


def per_run(items, ticks_per_run):
    """One run's AWS units for these seed items (DynamoDB JSON), as tickersim.base.prices prices them."""
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
    """{bill line: USD a month} at one run a minute, for the stage's sink."""
    bill = prices.monthly(per_run(items, ticks_per_run), prices.firehose_buffering())
    if sink == "firehose":
        return bill
    # One record per tick line, partition key = ticker.
    sizes = [ticks.line_bytes(i["TickerName"]["S"]) + len(i["TickerName"]["S"].encode())
             for i in items for _ in range(ticks_per_run)]
    bill.update(prices.kinesis_monthly(sizes, shards))
    if sink == "kinesis":
        del bill["Firehose ingestion"], bill["S3 PUTs by Firehose"]
    else:
        bill["Firehose ingestion"] = prices.firehose_from_stream(sizes)
    return bill


def describe(req, findings, project_dir=None):
    """The plan as lines of text."""
    project_dir = project_dir or req.project_dir
    names = findings.names
    config = stages.read_config(project_dir)
    env = config.get("environment_variables", {})
    ticks_per_run = int(env.get("TICKS_PER_RUN", 4))
    retention = config.get("log_retention_in_days")
    items = read_seed()
    verb = "update" if findings.stack_exists else "create"
    readers = (", ".join(findings.readers) if findings.readers else
               "any AWS account (signed requests)")
    lines = [
        f"Plan for stage {req.stage} in {req.region}, account {findings.account}:",
        *([f"  the stage exists (owner recorded: {findings.recorded_owner or 'none'}): it is "
           "updated in place, its names kept"] if findings.stack_exists else []),
        f"  {verb} stack {names.stack}:",
        f"    DynamoDB table      {names.table} (on demand)",
        f"    S3 bucket           {names.bucket}: ticks/ readable by {readers}",
        *([f"    Kinesis stream      {names.data_stream} ("
           + ("on demand" if findings.shards == "on-demand" else f"{findings.shards} shard(s)")
           + ", KMS aws/kinesis, 24 h); the watcher's event source mapping on it"]
          if findings.sink != "firehose" else []),
        *([f"    Firehose stream     {names.stream} ({findings.record_format} objects"
           + (", reading the Kinesis stream" if findings.sink == "both" else "")
           + f"), its role, log group /aws/kinesisfirehose/{names.stream}"]
          if findings.sink != "kinesis" else []),
        f"    SNS topic           {names.topic}, e-mail to {', '.join(req.emails)}",
        f"  chalice deploy --stage {req.stage}:",
        f"    function + role     {names.streaming_function} (every minute, rule "
        f"{names.streaming_function}-event)",
        f"    function + role     {names.notification_function}",
        "    log groups          " + ", ".join(
            f"/aws/lambda/{f}" for f in (names.streaming_function, names.notification_function))
        + (f" ({retention} days)" if retention else ""),
        f"  on failure: {req.retries} retr{'y' if req.retries == 1 else 'ies'}, then "
        f"{names.notification_function} e-mails '{req.owner}'",
        f"  seed: {len(items)} tickers into {names.table} (moved ones are kept)",
    ]
    for note in findings.notes:
        lines.append(f"  note: {note}")
    bill = monthly_cost(items, ticks_per_run, findings.sink, findings.shards)
    lines.append(f"Estimated cost: about ${sum(bill.values()):.2f} a month at {len(items)} "
                 f"tickers x {ticks_per_run} ticks a minute (list prices, no free tier; "
                 + ", ".join(f"{line} ${usd:.2f}" for line, usd in bill.items()) + ")")
    return lines
