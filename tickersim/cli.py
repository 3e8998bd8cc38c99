"""`tickersim`: the operator's commands. Each subcommand lives in its own module."""
import importlib
import sys

from tickersim.base.args import OneLineErrors

# subcommand -> (module, one-line help); each module has add_arguments(parser) and main(args).
COMMANDS = {
    "demo": ("tickersim.local.demo", "the whole pipeline on this machine, on an embedded local AWS"),
    "deploy": ("tickersim.aws.deploy", "the whole pipeline on AWS (eu-west-1 by default)"),
    "seed": ("tickersim.seeding", "load the stage's table with the seed tickers"),
    "browse": ("tickersim.data.browse", "show the latest ticks from the stage's bucket"),
    "tail": ("tickersim.data.tail", "follow the stage's Kinesis data stream, tick by tick"),
    "teardown": ("tickersim.aws.teardown", "delete everything the stage created"),
    "query": ("tickersim.data.query", "SQL over the ticks: Athena for a stage, DuckDB locally"),
    "backfill": ("tickersim.data.backfill", "history into history/: a date or a range, any "
                 "resolution, one path per ticker"),
    "realism": ("tickersim.data.realism", "stylized facts of the history against the S&P 500 "
                "and the NASDAQ"),
    "export": ("tickersim.data.export", "a JSON, Parquet or Delta copy of the tables"),
    "scenario": ("tickersim.base.scenario", "apply, list or clear scripted market events"),
    "api-key": ("tickersim.base.access_key", "print (or --new: replace) the stage's Marketstack "
                                             "access key"),
    "local-aws": ("tickersim.local.aws_server", "a local AWS (moto) to try deploy on, no account"),
}


def build_parser(argv):
    """The parser for argv. Only the chosen subcommand's module is imported (for its arguments
    and handler): another's imports, heavy tooling included, cost the command nothing."""
    parser = OneLineErrors(prog="tickersim", description=__doc__.split(":")[1].strip())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # The top level has no option that takes a value: the first word is the subcommand.
    chosen = next((word for word in argv if not word.startswith("-")), None)
    for name, (module_name, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(command)
            command.set_defaults(handler=module.main)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
