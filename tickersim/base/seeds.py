"""Load the seed tickers into the DynamoDB table.

    python seed/load.py --table NAME [--region eu-west-1] [--reset] [--create] [--delete T]
                        [--file PATH]

Idempotent: without --reset, tickers already in the table are kept as they are (a ticker
that has moved keeps its price and sequence); --reset restores every seed ticker's price and
parameters and forgets the run state, while its seq keeps counting (so (ticker, seq) still
names one tick); --create creates the table first if it is missing; --delete T takes ticker T
out of the stream, keeping its last seq so that seeded again it counts on. Entries are checked as the streaming function checks items.
Exit codes: 0 done, 1 AWS refused, 2 bad input or missing table.
"""
import json
import sys
from decimal import Decimal
from pathlib import Path

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from chalicelib.walk.items import KEY, RUN_KEY, SPECIAL_PREFIX, item_name, seed_item
from tickersim.base import endpoints
from tickersim.base.args import OneLineErrors, check_region, check_table_name
from tickersim.base.stage import PROJECT_DIR

SEED_FILE = PROJECT_DIR / "seed" / "indices.json"
_BATCH_GET_MAX = 100
# `--delete T` keeps T's last seq in an item of the app's own (readers skip `#` items): seeded
# again, T counts on from it, so (ticker, seq) names one tick for the life of the bucket.
SEQ_MARK = "#seq|"


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
        try:
            item = seed_item(entry)
        except ValueError as exc:
            named = f" ({entry[KEY]})" if isinstance(entry, dict) and isinstance(
                entry.get(KEY), str) else ""
            raise SeedError(f"seed file {path}, entry {n}{named}: {exc}; the streaming "
                            "function would refuse it") from None
        name = item_name(item)
        if name in seen:
            raise SeedError(f"seed file {path}, entry {n}: ticker {name!r} is listed twice")
        seen.add(name)
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


def current_items(ddb, table, names):
    """{name: item} of the named tickers that exist, 100 keys a call."""
    found, names = {}, list(names)
    for i in range(0, len(names), _BATCH_GET_MAX):
        keys = [{KEY: {"S": name}} for name in names[i:i + _BATCH_GET_MAX]]
        while keys:
            reply = ddb.batch_get_item(RequestItems={table: {"Keys": keys}})
            for item in reply.get("Responses", {}).get(table, []):
                found[item_name(item)] = item
            keys = reply.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found


def seq_marks(ddb, table, names):
    """{ticker: the Seq item it had when `--delete` took it out} for the named tickers."""
    found = current_items(ddb, table, [SEQ_MARK + name for name in names])
    return {name[len(SEQ_MARK):]: item for name, item in found.items() if "Seq" in item}


def reset_item(seed, current):
    """The seed item, carrying on the current item's Seq (or a deleted ticker's last one): the
    walk starts afresh from the seed price at the next run's minute (no LastTick), and its seq
    keeps counting."""
    if current is None or "Seq" not in current:
        return seed
    seq = current["Seq"]
    try:
        number = Decimal(seq.get("N", seq.get("S", "")).strip())
        valid = number.is_finite() and number >= 0 and number == number.to_integral_value()
    except (AttributeError, ArithmeticError):
        valid = False
    if not valid:
        raise SeedError(
            f"ticker {item_name(seed)!r} has a damaged Seq {seq!r}: --reset keeps each "
            "ticker's seq counting, so set Seq to the seq of its last delivered tick in the "
            "DynamoDB console (or take it out of the stream with --delete) and run it again")
    return {**seed, "Seq": {"N": str(int(number))}}


def load(ddb, table, items, reset=False):
    """Put the seed items; returns {ticker: 'created' | 'reset' | 'kept'}."""
    outcome = {}
    names = [item_name(item) for item in items]
    marks = seq_marks(ddb, table, names)
    if reset:
        current = current_items(ddb, table, names)
        new_items = [reset_item(item, current.get(name, marks.get(name)))
                     for item, name in zip(items, names)]
        for item in new_items:
            ddb.put_item(TableName=table, Item=item)
            outcome[item_name(item)] = "reset"
        # A fresh start: the next run draws a new seed (unless MARKET_SEED is set).
        ddb.delete_item(TableName=table, Key={KEY: {"S": RUN_KEY}})
        return outcome
    for item in items:
        name = item_name(item)
        if name in marks:
            item = reset_item(item, marks[name])      # seeded again after --delete
        try:
            ddb.put_item(TableName=table, Item=item,
                         ConditionExpression="attribute_not_exists(#k)",
                         ExpressionAttributeNames={"#k": KEY})
            outcome[name] = "created"
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            outcome[name] = "kept"
    return outcome


def delete(ddb, table, names):
    """Take tickers out of the stream, keeping each one's last seq; returns {ticker: 'deleted' |
    'not there'}."""
    outcome = {}
    for name in names:
        reply = ddb.delete_item(TableName=table, Key={KEY: {"S": name}}, ReturnValues="ALL_OLD")
        old = reply.get("Attributes")
        outcome[name] = "deleted" if old else "not there"
        if old and "Seq" in old:
            ddb.put_item(TableName=table, Item={KEY: {"S": SEQ_MARK + name}, "Seq": old["Seq"]})
    return outcome


def seed_table(ddb, table, reset=False, create=False, path=SEED_FILE, delete_names=()):
    items = read_seed(path)
    if delete_names and reset:
        raise SeedError("--delete and --reset do different things: run them one at a time")
    for name in delete_names:
        if not name.strip() or name.startswith(SPECIAL_PREFIX):
            raise SeedError(f"--delete {name!r}: pass a ticker's name (the run-state item "
                            f"{RUN_KEY!r} is reset with --reset)")
    if not table_exists(ddb, table):
        if not create:
            raise SeedError(f"DynamoDB table {table!r} does not exist: add --create to create "
                            "it, or deploy the stage with `tickersim deploy`")
        create_table(ddb, table)
    if delete_names:
        return delete(ddb, table, delete_names)
    return load(ddb, table, items, reset=reset)


def main(argv=None):
    parser = OneLineErrors(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", required=True, help="DynamoDB table name")
    parser.add_argument("--region", default="eu-west-1", help="AWS region (default eu-west-1)")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    parser.add_argument("--delete", action="append", default=[], metavar="TICKER",
                        help="delete this ticker's item instead of loading (repeatable)")
    parser.add_argument("--file", default=str(SEED_FILE), metavar="PATH",
                        help="seed file: seed/indices.json (default), stocks.json, fx.json, "
                             "crypto.json, or your own in the same shape")
    args = parser.parse_args(argv)
    problem = (check_table_name(args.table) or check_region(args.region)
               or endpoints.problem())
    if problem:
        print(f"seed: {problem}", file=sys.stderr)
        return 2
    ddb = endpoints.client(boto3.session.Session(), "dynamodb", region=args.region)
    return run(ddb, args.table, reset=args.reset, create=args.create, path=args.file,
               delete_names=args.delete)


def run(ddb, table, reset=False, create=False, path=SEED_FILE, delete_names=()):
    """seed_table, reported line by line for a person; returns the exit code."""
    try:
        outcome = seed_table(ddb, table, reset=reset, create=create, path=path,
                             delete_names=delete_names)
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError as exc:
        print(f"seed: nothing answers at {exc.kwargs.get('endpoint_url')}: check the network, "
              "--region, or AWS_ENDPOINT_URL", file=sys.stderr)
        return 1
    except NoCredentialsError:
        print("seed: no AWS credentials found: run `aws configure` or set AWS_PROFILE",
              file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"seed: AWS refused loading table {table!r}: {exc}", file=sys.stderr)
        return 1
    for name, what in outcome.items():
        print(f"{table} {name}: {what}")
    return 0
