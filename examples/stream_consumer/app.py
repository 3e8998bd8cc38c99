"""An example consumer of a tickersim data stream, as the seed systems had one: a Lambda the
stream triggers, which checks each record and counts the good ones per ticker.

A separate, small Chalice app: deploy it beside a stage that runs with `--sink kinesis` (or
`both`). STREAM_NAME is the stage's data stream (`tickersim tail --stage S` prints it);
COUNTS_TABLE a DynamoDB table keyed by `Ticker` (string) that this app only adds to.
"""
import json
import os
from collections import Counter

import boto3
from chalice import Chalice

app = Chalice(app_name="tickersim-stream-consumer")
_FIELDS = {"ticker": str, "timestamp": str, "price": (int, float), "seq": int}


def problem(partition_key, data):
    """What is wrong with one record, or None: a JSON object with the tick's four fields,
    a price above 0, a seq from 1, and the ticker as its partition key (so its shard keeps
    its order). News records (`"type": "news"`) pass with a ticker and a timestamp."""
    try:
        record = json.loads(data)
    except ValueError:
        return "not JSON"
    if not isinstance(record, dict):
        return "not a JSON object"
    fields = _FIELDS if record.get("type", "tick") == "tick" else {"ticker": str,
                                                                   "timestamp": str}
    for name, kind in fields.items():
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, kind):
            return f"field {name!r} missing or of the wrong type"
    if "price" in fields and not record["price"] > 0:
        return "price is not above 0"
    if "seq" in fields and record["seq"] < 1:
        return "seq is below 1"
    if record["ticker"] != partition_key:
        return f"partition key {partition_key!r} is not the ticker {record['ticker']!r}"
    return None


def consume(records, table, ddb):
    """Check a batch ([(partition key, data bytes)]) and add the counts; returns the report."""
    counts, bad = Counter(), Counter()
    for key, data in records:
        why = problem(key, data)
        if why:
            bad[why] += 1
            print(json.dumps({"message": "bad record", "partition_key": key, "why": why}))
        else:
            counts[key] += 1
    for ticker, n in sorted(counts.items()):      # one write per ticker, not per record
        ddb.update_item(TableName=table, Key={"Ticker": {"S": ticker}},
                        UpdateExpression="ADD Records :n",
                        ExpressionAttributeValues={":n": {"N": str(n)}})
    report = {"checked": len(records), "good": sum(counts.values()), "bad": dict(bad),
              "per_ticker": dict(counts)}
    print(json.dumps({"message": "batch", **report}))
    return report


@app.on_kinesis_record(stream=os.environ.get("STREAM_NAME", "tickersim-datastream"),
                       batch_size=100, starting_position="LATEST")
def count_ticks(event):
    return consume([(r.partition_key, r.data) for r in event], os.environ["COUNTS_TABLE"],
                   boto3.client("dynamodb"))
