"""The naive baseline: the classic teaching script's behaviour. Measured, never shipped.

One unpaginated Scan, four sub-ticks per ticker each sent with its own PutRecord as a
Python repr (not JSON, no newline), one PutItem per ticker, and no check of any response.
Kept deliberately naive: do not "fix" it, it is the thing being compared against.
"""
import datetime
import random
from decimal import Decimal

SUB_TICKS = 4


def run(table, firehose, stream_name):
    """One scheduled run: `table` is a boto3 DynamoDB Table resource, as in the script."""
    for item in table.scan()["Items"]:
        price = float(item["Price"])
        for _ in range(SUB_TICKS):
            price = round(price * (1 + random.uniform(-0.01, 0.01)), 4)
            record = {"ticker": item["TickerName"], "price": price,
                      "timestamp": str(datetime.datetime.now())}
            firehose.put_record(DeliveryStreamName=stream_name, Record={"Data": str(record)})
        table.put_item(Item={"TickerName": item["TickerName"], "Price": Decimal(str(price))})
