"""`python -m chaos`: a seeded day of faults against the real handlers, judged by a checker.

    python -m chaos [--seed N] [--minutes 1440] [--tickers 20] [--fault-rate 0.05]
                    [--profile default|throttled]
    python -m chaos --replay FILE

Exit codes: 0 every invariant held, 1 a violation (the shortest failing history found is
written to --out, to replay), 2 bad input.
"""
import argparse
import json
import sys
import time
from pathlib import Path

from chaos import history as histories
from chaos.report import table
from chaos.run import judge, shrink


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line naming the input at fault, no usage dump."""
        self.exit(2, f"python -m chaos: {message}; see --help\n")


def _arguments(argv):
    parser = _Parser(prog="python -m chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--minutes", type=int, default=1440)
    parser.add_argument("--tickers", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--profile", choices=histories.PROFILES, default="default",
                        help="throttled: a provisioned table near its capacity")
    parser.add_argument("--replay", type=Path, help="a history written by a failing run")
    parser.add_argument("--out", type=Path, default=Path("chaos-failure.json"),
                        help="where to write the shrunk failing history")
    args = parser.parse_args(argv)
    if not 1 <= args.minutes <= 10_080:
        parser.error("--minutes must be between 1 and 10080 (a week)")
    if not 1 <= args.tickers <= 500:
        parser.error("--tickers must be between 1 and 500")
    if not 0 <= args.fault_rate <= 1:
        parser.error("--fault-rate must be between 0 and 1 (0.05: 5 %)")
    return args


def main(argv=None):
    args = _arguments(argv)
    if args.replay:
        try:
            history = json.loads(args.replay.read_text())
            histories.validate(history)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"chaos: cannot replay {args.replay}: {exc}; give a file written by a "
                  "failing `python -m chaos`", file=sys.stderr)
            return 2
    else:
        history = histories.generate(args.seed, args.minutes, args.tickers, args.fault_rate,
                                     args.profile)
    started, cpu = time.monotonic(), time.process_time()
    verdict = judge(history)
    print(table(history, verdict, time.monotonic() - started, time.process_time() - cpu))
    if not verdict.violations:
        return 0
    if not args.replay:
        smallest = shrink(history, verdict)
        args.out.write_text(json.dumps(smallest, indent=1) + "\n")
        print(f"shrunk to {len(smallest['steps'])} minute(s), "
              f"{histories.runs(smallest)} run(s): replay with "
              f"`python -m chaos --replay {args.out}`")
    return 1


if __name__ == "__main__":
    sys.exit(main())
