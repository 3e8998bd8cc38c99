"""`tickersim seed --stage S [--reset]`: the seed script, pointed at the stage's table.
`--count N [--kind K] [--prefix P]` adds N synthetic tickers; `--delete-count` removes them."""
import sys

from botocore.exceptions import BotoCoreError, ClientError

from tickersim.base import bulk_seed, synthetic
from tickersim.base import stage as stages
from tickersim.base.args import count_problem
from tickersim.base.seeds import SEED_FILE, run, table_exists
from tickersim.base.stage import stage_table


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    parser.add_argument("--file", default=str(SEED_FILE), metavar="PATH",
                        help="seed file (default seed/indices.json; also stocks.json, fx.json, "
                             "crypto.json)")
    parser.add_argument("--count", type=int, default=None, metavar="N",
                        help=f"add N synthetic tickers (1 to {synthetic.MAX_COUNT:,}), "
                             "named PREFIX0000001 ...; resumable")
    parser.add_argument("--kind", default=synthetic.DEFAULT_KIND,
                        help=f"their kind (default {synthetic.DEFAULT_KIND})")
    parser.add_argument("--prefix", default=synthetic.DEFAULT_PREFIX,
                        help=f"their names' prefix (default {synthetic.DEFAULT_PREFIX})")
    parser.add_argument("--delete-count", action="store_true",
                        help="remove the synthetic tickers with --prefix instead")
    stages.add_aws_arguments(parser)


def _synthetic_problem(args):
    if args.count is not None and args.delete_count:
        return "--count adds tickers and --delete-count removes them: pass one of them"
    if args.count is not None:
        return (count_problem("--count", args.count, maximum=synthetic.MAX_COUNT) or synthetic.kind_problem(args.kind)
                or synthetic.prefix_problem(args.prefix))
    return synthetic.prefix_problem(args.prefix) if args.delete_count else None


def main(args):
    problem = _synthetic_problem(args)
    try:
        if problem:
            raise ValueError(problem)
        ddb, table = stage_table(args)
    except ValueError as exc:
        print(f"seed: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.count is None and not args.delete_count:
        return run(ddb, table, reset=args.reset, create=args.create, path=args.file)
    return synthetic_main(ddb, table, args)


def synthetic_main(ddb, table, args):
    try:
        if not table_exists(ddb, table):
            print(f"seed: DynamoDB table {table!r} does not exist: deploy the stage first",
                  file=sys.stderr)
            return 2
        if args.delete_count:
            print(f"seed: deleted {bulk_seed.delete(ddb, table, args.prefix):,} synthetic "
                  f"ticker(s) named {args.prefix}...")
            return 0
        written, kept = bulk_seed.create(ddb, table, args.count, args.prefix, args.kind)
    except (BotoCoreError, ClientError, RuntimeError) as exc:
        print(f"seed: {exc} (run the same command again to carry on)", file=sys.stderr)
        return 1
    print(f"seed: {written:,} synthetic ticker(s) written, {kept:,} already there "
          f"({synthetic.name(args.prefix, 1)} to {synthetic.name(args.prefix, args.count)})")
    return 0
