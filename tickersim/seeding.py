"""`tickersim seed --stage S [--reset]`: the seed script, pointed at the stage's table."""
import sys

from tickersim.base import stage as stages
from tickersim.base.seeds import SEED_FILE, run
from tickersim.base.stage import stage_table


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    parser.add_argument("--file", default=str(SEED_FILE), metavar="PATH",
                        help="seed file (default seed/indices.json; also stocks.json, fx.json, "
                             "crypto.json)")
    stages.add_aws_arguments(parser)


def main(args):
    try:
        ddb, table = stage_table(args)
    except ValueError as exc:
        print(f"seed: {exc.args[0]}", file=sys.stderr)
        return 2
    return run(ddb, table, reset=args.reset, create=args.create, path=args.file)
