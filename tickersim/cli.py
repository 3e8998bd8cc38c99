"""`tickersim`: the operator's commands. Each subcommand lives in its own module."""
import argparse
import importlib
import sys

# subcommand -> (module, one-line help); each module has add_arguments(parser) and main(args).
COMMANDS = {
    "demo": ("tickersim.local.demo", "the whole pipeline on this machine, on an embedded local AWS"),
    "deploy": ("tickersim.aws.deploy", "the whole pipeline on AWS (eu-west-1 by default)"),
    "seed": ("tickersim.seeding", "load the stage's table with the seed tickers"),
    "browse": ("tickersim.data.browse", "show the latest ticks from the stage's bucket"),
    "teardown": ("tickersim.aws.teardown", "delete everything the stage created"),
    "scenario": ("tickersim.scenario", "apply, list or clear scripted market events"),
}


def build_parser():
    parser = argparse.ArgumentParser(prog="tickersim", description=__doc__.split(":")[1].strip())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        command = sub.add_parser(name, help=summary, description=summary)
        module = importlib.import_module(module_name)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
