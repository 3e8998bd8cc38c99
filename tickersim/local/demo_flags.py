"""`tickersim demo`'s flags and their checks: a bad flag stops the demo before it starts."""
import time
from datetime import UTC, date, datetime

from chalicelib.core.events import MAX_WORKERS
from chalicelib.walk.calendars import coverage
from chalicelib.walk.items import parse_ticker
from chalicelib.walk.ticks import parse_minute
from tickersim.base import access_key, synthetic
from tickersim.base import scenario as scenario_cli
from tickersim.base.args import count_problem, seconds_problem
from tickersim.base.seeds import SEED_FILE, read_seed
from tickersim.base.stage import DEFAULT_REGION
from tickersim.local import lambdas, stream_demo, watching, web
from tickersim.local.lambdas import RETRY_DELAY_MINUTES

DEFAULT_INTERVAL = 3.0
MAX_INTERVAL = 3600         # an hour of wall time per logical minute is already a still picture
MAX_SEED = 2**63 - 1
MAX_SCENARIO_MINUTES = 10**6


class DemoError(Exception):
    """The demo cannot start as asked: the message says what to change."""


def add_arguments(parser):
    parser.add_argument("--runs", type=int, default=None, metavar="N",
                        help="stop after N scheduled runs (default: run until Ctrl-C)")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL, metavar="SECONDS",
                        help="wall time between runs; the logical clock still advances one "
                             f"minute per run (default {DEFAULT_INTERVAL:g})")
    parser.add_argument("--seed", type=int, default=None, metavar="K",
                        help="MARKET_SEED for the streaming function: same seed, same prices")
    parser.add_argument("--break-after", type=int, default=None, metavar="N",
                        help="after N good runs, run a broken copy of the code until the "
                             "alert arrives, then restore it; a later run (--runs more than "
                             "N + 1) shows the stream catching up")
    parser.add_argument("--retries", type=int, default=lambdas.DEFAULT_RETRIES,
                        choices=range(len(RETRY_DELAY_MINUTES) + 1),
                        help="retries of a failed run before the alert, as AWS's maximum "
                             f"retry attempts (default {lambdas.DEFAULT_RETRIES})")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="where to write s3/, outbox/, logs/ and summary.json, replacing "
                             "those of an earlier demo (default: out/demo-<time> in the "
                             "current directory)")
    parser.add_argument("--port", type=int, default=0,
                        help="port of the local AWS endpoint (default: a free one)")
    parser.add_argument("--no-live", dest="live", action="store_false",
                        help="plain log lines instead of the live view")
    parser.add_argument("--start", default=None, metavar="ISO-TIME",
                        help="the logical clock's first minute, e.g. 2026-12-01T14:30Z "
                             "(default: now)")
    watching.add_arguments(parser)
    stream_demo.add_arguments(parser)
    web.add_arguments(parser)
    parser.add_argument("--tickers", default=str(SEED_FILE), metavar="PATH",
                        help="the seed file to load: seed/indices.json (default), "
                             "seed/stocks.json, seed/fx.json, seed/crypto.json, or your own")
    parser.add_argument("--count", type=int, default=None, metavar="N",
                        help="add N synthetic tickers (as `tickersim seed --count N`): past "
                             "WORKER_TICKERS the scheduled function fans the minute out to "
                             "worker processes")
    parser.add_argument("--workers", type=int, default=None, metavar="K",
                        help="fan every minute out to K workers (default: one per "
                             "WORKER_TICKERS tickers)")
    parser.add_argument("--scenario", default=None, metavar="NAME[@MINUTES]",
                        help="apply a scenario from scenarios/ that many logical minutes "
                             "after the start (default 0), e.g. crash@3")


def check_arguments(args):
    if args.runs is not None and args.runs < 1:
        raise DemoError("--runs must be at least 1")
    problem = seconds_problem("--interval", args.interval, MAX_INTERVAL)   # nan, inf too
    if problem:
        raise DemoError(problem)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise DemoError(f"--seed must be a whole number from 0 to {MAX_SEED}")
    if args.break_after is not None:
        if args.break_after < 0:
            raise DemoError("--break-after must be 0 or more")
        # The broken run's retries re-invoke the same scheduled run: they need no --runs.
        if args.runs is not None and args.runs <= args.break_after:
            raise DemoError(
                f"--break-after {args.break_after} needs --runs {args.break_after + 1} or "
                f"more: with --runs {args.runs} no run is left to break")
    if args.out is not None and not args.out.strip():
        raise DemoError("--out is empty: pass a directory path (it is created if missing)")
    for flag, value, maximum in (("--count", args.count, synthetic.MAX_COUNT),
                                 ("--workers", args.workers, MAX_WORKERS)):
        if value is not None and (problem := count_problem(flag, value, maximum=maximum)):
            raise DemoError(problem)
    if not 0 <= args.port <= 65535:
        raise DemoError("--port must be from 0 to 65535")
    if args.start is not None:
        try:
            parse_minute(args.start)
        except (ValueError, OverflowError) as exc:
            raise DemoError(f"--start {args.start!r} is not a usable time ({exc}): give an "
                            "ISO-8601 time such as 2026-12-01T14:30Z") from None
    if watching.problem_with(args):
        raise DemoError(watching.problem_with(args))
    if stream_demo.problem_with(args, DEFAULT_REGION):
        raise DemoError(stream_demo.problem_with(args, DEFAULT_REGION))
    if getattr(args, "access_key", None) is not None:
        try:
            access_key.check(args.access_key)
        except access_key.AccessKeyError as exc:
            raise DemoError(str(exc)) from None
    items = read_seed(args.tickers)          # a bad seed file stops the demo before it starts
    # Each run would fail on a day its calendar's session table does not cover: refuse now.
    start = parse_minute(args.start) if args.start else int(time.time()) // 60
    first_day, last_day = (_day(m) for m in (start, start + (args.runs or 1) - 1))
    for name in sorted({parse_ticker(item).calendar_name for item in items}):
        span = coverage(name)
        if span and not span[0] <= first_day <= last_day <= span[1]:
            when = f"--start {args.start!r}" if args.start else f"today ({first_day})"
            if span[0] <= first_day <= span[1]:
                when = f"{when} with --runs {args.runs} reaches {last_day}, which"
            raise DemoError(
                f"{when} is outside the "
                f"{name} session table ({span[0]} to {span[1]}) that tickers in "
                f"{args.tickers} trade on: start inside it, or use tickers that trade "
                "around the clock (seed/indices.json, seed/fx.json, seed/crypto.json)")
    scheduled = scenario_at(args.scenario)
    if scheduled and args.runs is not None and scheduled[1] >= args.runs:
        raise DemoError(f"--scenario {args.scenario!r} starts at run {scheduled[1] + 1}, after "
                        f"the last of --runs {args.runs}: use @0 to @{args.runs - 1}, or more "
                        "--runs")


def _day(minute):
    """The UTC date of a minute since the epoch; date.max past what datetime can hold."""
    try:
        return datetime.fromtimestamp(minute * 60, UTC).date()
    except (OverflowError, ValueError, OSError):
        return date.max


def scenario_at(text):
    """(scenario name, minutes after the start) of --scenario NAME[@MINUTES], checked; or None."""
    if text is None:
        return None
    name, at, minutes = text.partition("@")
    if at and not minutes.isdigit():
        raise DemoError(f"--scenario {text!r}: MINUTES must be a whole number of minutes, "
                        "e.g. crash@3")
    if minutes and int(minutes) > MAX_SCENARIO_MINUTES:
        raise DemoError(f"--scenario {text!r}: MINUTES can be at most {MAX_SCENARIO_MINUTES:,}"
                        f" (about {MAX_SCENARIO_MINUTES // 1440} days of runs), e.g. crash@3")
    try:
        scenario_cli.load_spec(name)
    except scenario_cli.ScenarioError as exc:
        raise DemoError(f"--scenario {text!r}: {exc}") from None
    return name, int(minutes or 0)
