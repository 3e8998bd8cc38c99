"""`tickersim scenario apply|list|clear`: scripted market events, stored in the stage's table.

The streaming function reads the table's `#scenarios` item in the Scan it already makes, and
applies each scenario to the ticks it walks from the scenario's start: no redeploy needed.
"""
import json
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.walk import scenarios
from chalicelib.walk.items import KEY
from chalicelib.walk.ticks import iso, parse_minute
from tickersim.base import stage as stages

SCENARIO_DIR = stages.PROJECT_DIR / "scenarios"
BATCH_GET_MAX = 100      # keys in one BatchGetItem


class ScenarioError(Exception):
    """Bad input: the message names it and says what to do."""


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    apply = sub.add_parser("apply", help="apply a scenario from a start time")
    apply.add_argument("name", metavar="NAME",
                       help=f"a scenario in scenarios/ ({', '.join(names())}) or a JSON file")
    apply.add_argument("--at", required=True, metavar="ISO-TIME",
                       help="when it starts, e.g. 2026-12-01T14:30:00Z (UTC if no zone)")
    apply.add_argument("--tickers", default=None, metavar="A,B",
                       help="the tickers it applies to (default: all)")
    listing = sub.add_parser("list", help="list the applied scenarios")
    clearing = sub.add_parser("clear", help="remove every applied scenario")
    for command in (apply, listing, clearing):
        command.add_argument("--stage", required=True, help="stage in .chalice/config.json")
        stages.add_aws_arguments(command)


def names():
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def load_spec(name):
    """(scenario name, checked spec) for a name in scenarios/ or a path to a JSON file."""
    path = Path(name) if name.endswith(".json") else SCENARIO_DIR / f"{name}.json"
    if not path.is_file():
        raise ScenarioError(f"no scenario {name!r}: use one of {', '.join(names())}, or "
                            "the path of a .json file shaped like them")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioError(f"cannot read scenario file {path}: {exc}") from None
    try:
        return path.stem, scenarios.check(spec, f"scenario file {path}")
    except scenarios.ScenarioInvalid as exc:
        raise ScenarioError(str(exc)) from None


def read(ddb, table):
    """(the stored records, the item's text as read, for the conditional write)."""
    item = ddb.get_item(TableName=table, Key={KEY: {"S": scenarios.ITEM}},
                        ConsistentRead=True).get("Item")
    if item is None:
        return [], None
    text = item.get(scenarios.ATTRIBUTE, {}).get("S", "[]")
    try:
        records = json.loads(text)
    except ValueError:
        records = None
    if not isinstance(records, list):
        raise ScenarioError(f"the {scenarios.ITEM} item of table {table!r} is damaged: "
                            "`tickersim scenario clear` removes it")
    return records, text


def unknown_tickers(ddb, table, tickers):
    """The names among `tickers` that are not tickers of the table, in the order given."""
    found, wanted = set(), sorted({t for t in tickers if not t.startswith("#")})
    for start in range(0, len(wanted), BATCH_GET_MAX):
        request = {table: {"Keys": [{KEY: {"S": t}} for t in wanted[start:start + BATCH_GET_MAX]],
                           "ProjectionExpression": "#k", "ExpressionAttributeNames": {"#k": KEY},
                           "ConsistentRead": True}}
        while request:
            reply = ddb.batch_get_item(RequestItems=request)
            found.update(i[KEY]["S"] for i in reply["Responses"].get(table, []))
            request = reply.get("UnprocessedKeys")
    return [t for t in tickers if t not in found]


def apply(ddb, table, name, at_epoch, tickers=None):
    """Add a scenario to the table, starting at an epoch second; returns the stored record."""
    scenario, spec = load_spec(name)
    unknown = unknown_tickers(ddb, table, tickers) if tickers else []
    if unknown:
        raise ScenarioError(f"--tickers names {', '.join(map(repr, unknown[:10]))}"
                            f"{' ...' if len(unknown) > 10 else ''}, not a ticker of table "
                            f"{table!r}: name tickers the table holds (`tickersim browse` "
                            "lists them)")
    records, old = read(ddb, table)
    record = scenarios.to_record(scenario, iso(at_epoch), tickers, spec)
    item = {KEY: {"S": scenarios.ITEM},
            scenarios.ATTRIBUTE: {"S": json.dumps(records + [record], sort_keys=True)}}
    # Another apply in between would be lost: write only over what was read.
    if old is None:
        condition = {"ConditionExpression": "attribute_not_exists(#k)",
                     "ExpressionAttributeNames": {"#k": KEY}}
    else:
        condition = {"ConditionExpression": "#a = :old",
                     "ExpressionAttributeNames": {"#a": scenarios.ATTRIBUTE},
                     "ExpressionAttributeValues": {":old": {"S": old}}}
    ddb.put_item(TableName=table, Item=item, **condition)
    return record


def clear(ddb, table):
    """Remove the #scenarios item, a damaged one too; returns how many it held."""
    try:
        records, _ = read(ddb, table)
    except ScenarioError:
        records = []
    ddb.delete_item(TableName=table, Key={KEY: {"S": scenarios.ITEM}})
    return len(records)


def parse_at(text):
    try:
        return parse_minute(text) * 60
    except (TypeError, ValueError, OverflowError):
        raise ScenarioError(f"--at {text!r} is not a time like 2026-12-01T14:30:00Z") from None


def parse_tickers(text):
    if text is None:
        return None
    tickers = [t.strip() for t in text.split(",")]
    if not all(tickers):
        raise ScenarioError(f"--tickers {text!r} must be names separated by commas, e.g. A,B")
    return tickers


def _whom(record):
    return ", ".join(record.get("tickers") or []) or "every ticker"


def main(args):
    try:
        ddb, table = stages.stage_table(args)
        if args.action == "apply":
            record = apply(ddb, table, args.name, parse_at(args.at), parse_tickers(args.tickers))
            print(f"{table}: {record['name']} applies to {_whom(record)} from {record['at']}")
        elif args.action == "list":
            records, _ = read(ddb, table)
            if not records:
                print(f"{table}: no scenario applied")
            # In the order they start (then by name): the table keeps them as applied.
            for r in sorted(records, key=lambda r: (str(r.get("at")), str(r.get("name")),
                                                    _whom(r))):
                spec = r.get("spec", {})
                print(f"{r.get('at')}  {r.get('name')}  {_whom(r)}  ({spec.get('effect')}, "
                      f"{spec.get('minutes')} min)")
        else:
            print(f"{table}: {clear(ddb, table)} scenario(s) cleared")
    except (KeyError, ScenarioError, ValueError) as exc:
        # ValueError: the stage, region or endpoint (stage_table says which), or a bad field.
        print(f"scenario: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            print(f"scenario: table {table!r} does not exist: deploy or seed the stage first",
                  file=sys.stderr)
            return 2
        print(f"scenario: AWS refused: {exc}", file=sys.stderr)
        return 1
    except BotoCoreError as exc:
        print(f"scenario: cannot reach AWS: {exc}", file=sys.stderr)
        return 1
    return 0
