"""Load the seed tickers into the DynamoDB table.

    python seed/load.py --table NAME [--region eu-west-1] [--reset] [--create] [--file PATH]

Idempotent: without --reset, tickers already in the table are kept as they are (a ticker
that has moved keeps its price and sequence); --reset restores every seed ticker to its seed
state and forgets the run state; --create creates the table first if it is missing.
Exit codes: 0 done, 1 AWS refused, 2 bad input or missing table.
"""
import argparse
import json
import math
import sys
from decimal import Decimal
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.items import parse_ticker

SEED_FILE = Path(__file__).with_name("indices.json")
KEY = "TickerName"
RUN_KEY = "#run"
_OPTIONAL_NUMBERS = ("Drift", "Volatility")
_OPTIONAL_TEXTS = ("Kind", "Calendar")


class SeedError(Exception):
    """Bad seed data or a missing table: the message says what to do."""


def read_seed(path=SEED_FILE):
    """The seed tickers as DynamoDB items; SeedError names the entry at fault."""
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, ValueError) as exc:
        raise SeedError(f"cannot read seed file {path}: {exc}") from None
    if not isinstance(entries, list) or not entries:
        raise SeedError(f"seed file {path} must hold a non-empty JSON list of tickers")
    items, seen = [], set()
    for n, entry in enumerate(entries, 1):
        where = f"seed file {path}, entry {n}"
        if not isinstance(entry, dict):
            raise SeedError(f"{where} is not an object")
        name = entry.get(KEY)
        if not isinstance(name, str) or not name.strip() or name.startswith("#"):
            # `#` items are the app's own (#run, #scenarios): every reader skips them.
            raise SeedError(f"{where}: {KEY} must be a non-empty string not starting with '#'")
        if name in seen:
            raise SeedError(f"{where}: ticker {name!r} is listed twice")
        seen.add(name)
        item = {KEY: {"S": name}}
        for attr in ("Price",) + _OPTIONAL_NUMBERS:
            value = entry.get(attr)
            if value is None and attr != "Price":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)) \
                    or not math.isfinite(value) or (attr == "Price" and value <= 0):
                raise SeedError(f"{where} ({name}): {attr} must be a number"
                                + (" > 0" if attr == "Price" else ""))
            item[attr] = {"N": str(value)}
        for attr in _OPTIONAL_TEXTS:
            if attr in entry:
                if not isinstance(entry[attr], str):
                    raise SeedError(f"{where} ({name}): {attr} must be text")
                item[attr] = {"S": entry[attr]}
        try:
            parse_ticker(item)       # what the function would refuse, refused now
        except ValueError as exc:
            raise SeedError(f"{where} ({name}): {exc}") from None
        items.append(item)
    return items


def table_exists(ddb, table):
    try:
        ddb.describe_table(TableName=table)
        return True
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise


def create_table(ddb, table):
    """An on-demand table keyed by TickerName, waited on until it is active."""
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": KEY, "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": KEY, "KeyType": "HASH"}])
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 2})


def load(ddb, table, items, reset=False):
    """Put the seed items; returns {ticker: 'created' | 'reset' | 'kept'}."""
    outcome = {}
    for item in items:
        name = item[KEY]["S"]
        if reset:
            ddb.put_item(TableName=table, Item=item)
            outcome[name] = "reset"
            continue
        try:
            ddb.put_item(TableName=table, Item=item,
                         ConditionExpression="attribute_not_exists(#k)",
                         ExpressionAttributeNames={"#k": KEY})
            outcome[name] = "created"
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            outcome[name] = "kept"
    if reset:
        # A fresh start: the next run draws a new seed (unless MARKET_SEED is set).
        ddb.delete_item(TableName=table, Key={KEY: {"S": RUN_KEY}})
    return outcome


def seed_table(ddb, table, reset=False, create=False, path=SEED_FILE):
    items = read_seed(path)
    if not table_exists(ddb, table):
        if not create:
            raise SeedError(f"DynamoDB table {table!r} does not exist: add --create to create "
                            "it, or deploy the stage with `tickersim deploy`")
        create_table(ddb, table)
    return load(ddb, table, items, reset=reset)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", required=True, help="DynamoDB table name")
    parser.add_argument("--region", default="eu-west-1", help="AWS region (default eu-west-1)")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    parser.add_argument("--file", default=str(SEED_FILE), metavar="PATH",
                        help="seed file: seed/indices.json (default), stocks.json, fx.json, "
                             "crypto.json, or your own in the same shape")
    args = parser.parse_args(argv)
    ddb = boto3.client("dynamodb", region_name=args.region)
    return run(ddb, args.table, reset=args.reset, create=args.create, path=args.file)


def run(ddb, table, reset=False, create=False, path=SEED_FILE):
    """seed_table, reported line by line for a person; returns the exit code."""
    try:
        outcome = seed_table(ddb, table, reset=reset, create=create, path=path)
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"seed: AWS refused loading table {table!r}: {exc}", file=sys.stderr)
        return 1
    for name, what in outcome.items():
        print(f"{table} {name}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
