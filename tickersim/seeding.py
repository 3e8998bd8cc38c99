"""`tickersim seed --stage S [--reset]`: the seed script, pointed at the stage's table."""
import sys

import boto3

from seed.load import run
from tickersim import stage as stages
from tickersim.aws import inputs
from tickersim.local.demo import STAGE as DEMO_STAGE


def add_arguments(parser):
    parser.add_argument("--stage", required=True, help="stage in .chalice/config.json")
    parser.add_argument("--reset", action="store_true", help="restore the seed state")
    parser.add_argument("--create", action="store_true", help="create the table if missing")
    stages.add_aws_arguments(parser)


def main(args):
    try:
        inputs.region(args.region)
        if inputs.endpoint(args.endpoint) is None and args.stage == DEMO_STAGE:
            raise ValueError(f"--stage {DEMO_STAGE} lives inside a running `tickersim demo`: "
                             "pass the endpoint it prints, e.g. --endpoint "
                             "http://127.0.0.1:PORT")
        table = stages.environment(args.stage, stages.STREAMING).get("TABLE_NAME")
        if not table:
            raise ValueError(f"stage {args.stage!r} has no TABLE_NAME in .chalice/config.json: "
                             f"deploy it with `tickersim deploy --stage {args.stage} ...`")
    except (KeyError, ValueError) as exc:
        print(f"seed: {exc.args[0]}", file=sys.stderr)
        return 2
    ddb = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint)
    return run(ddb, table, reset=args.reset, create=args.create)
