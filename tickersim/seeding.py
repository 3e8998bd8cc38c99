"""`tickersim seed --stage S [--reset]`: the seed script, pointed at the stage's table."""
import sys

from seed.load import SEED_FILE, run
from tickersim import stage as stages
from tickersim.args import check_region, endpoint_problem, local_stage_problem
from tickersim.data.browse import session_for


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    parser.add_argument("--file", default=str(SEED_FILE), metavar="PATH",
                        help="seed file (default seed/indices.json; also stocks.json, fx.json, "
                             "crypto.json)")
    stages.add_aws_arguments(parser)


def main(args):
    problem = (check_region(args.region) or endpoint_problem(args.endpoint)
               or local_stage_problem(args.stage, args.endpoint))
    if problem:
        print(f"seed: {problem}", file=sys.stderr)
        return 2
    try:
        table = stages.environment(args.stage, stages.STREAMING).get("TABLE_NAME")
        if not table:
            raise ValueError(f"stage {args.stage!r} has no TABLE_NAME in .chalice/config.json: "
                             f"deploy it with `tickersim deploy --stage {args.stage} ...`")
    except (KeyError, ValueError) as exc:
        print(f"seed: {exc.args[0]}", file=sys.stderr)
        return 2
    # The local stage's demo takes any credentials, as browse knows: none need configuring.
    ddb = session_for(args.stage, args.endpoint).client(
        "dynamodb", region_name=args.region, endpoint_url=args.endpoint)
    return run(ddb, table, reset=args.reset, create=args.create, path=args.file)
