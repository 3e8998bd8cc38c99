"""`tickersim backfill`: history from each ticker's one path into history/dt=…/hour=…/.

The prices come from the realistic model's history path (tickersim/data/paths.py): for a seed,
each ticker of the ready sets in seed/ (or of --file) has one path from 1999 on, passing
through its seed price on 2020-05-14; a date or a range is a slice of it at a resolution, on
each ticker's own calendar or on --calendar. The table and ticks/ are never touched. Same
seed, sessions, tickers and resolution: byte-identical objects at the same keys.
"""
import re
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.walk.items import parse_ticker
from tickersim.base import stage as stages
from tickersim.base.seeds import SeedError, read_seed
from tickersim.data import days as calendars
from tickersim.data import history as histories
from tickersim.data import location as locations
from tickersim.data.history import TABLE, Span
from tickersim.data.paths import RESOLUTIONS

DEFAULT_SET = Path(stages.PROJECT_DIR) / "seed" / "stocks.json"
SEED_DIR = Path(stages.PROJECT_DIR) / "seed"
DEFAULT_RESOLUTION = "1min"
MAX_TICKS = 10_000_000       # about 1 GB of lines: narrow the range or coarsen beyond it
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BackfillError(Exception):
    """The message says which input to change."""


def add_arguments(parser):
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--date", metavar="YYYY-MM-DD",
                      help="one session to backfill (a trading day of the calendar)")
    when.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                      help="the first day of a range (with --to)")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD",
                        help="the last day of the range, included")
    parser.add_argument("--resolution", default=DEFAULT_RESOLUTION,
                        help=f"one tick per {', '.join(RESOLUTIONS)} "
                             f"(default {DEFAULT_RESOLUTION}); 1d is the session's close")
    parser.add_argument("--calendar", default=None,
                        help="walk every ticker on this calendar (24x7, 24x5, or an exchange "
                             "such as XNYS, XLON, XTKS) instead of its own")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--tickers", default=None, metavar="A,B",
                       help="tickers from the ready sets in seed/ (default: every ticker of "
                            "seed/stocks.json, the classic exercise's ten stocks)")
    which.add_argument("--file", default=None, metavar="PATH",
                       help="a seed file (a JSON list like seed/stocks.json) of the tickers")
    parser.add_argument("--seed", type=int, default=0, metavar="K",
                        help="market seed: same seed, dates and tickers give the same bytes "
                             "(default 0)")
    locations.add_arguments(parser)


def _day(flag, text):
    try:
        if not _DATE.fullmatch(str(text).strip()):
            raise ValueError
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise BackfillError(f"{flag} {text!r} is not a date: use YYYY-MM-DD") from None


def span_for(args, today):
    """The Span the arguments ask for; BackfillError names the argument at fault."""
    if args.date is not None:
        if args.last is not None:
            raise BackfillError("--to goes with --from, not with --date")
        first = last = _day("--date", args.date)
    else:
        if args.last is None:
            raise BackfillError("--from needs --to (the last day of the range)")
        first, last = _day("--from", args.first), _day("--to", args.last)
        if first > last:
            raise BackfillError(f"--from {first} is after --to {last}")
    if args.resolution not in RESOLUTIONS:
        raise BackfillError(f"--resolution {args.resolution!r} is not one of "
                            f"{', '.join(RESOLUTIONS)}")
    if first < calendars.HISTORY_START:
        raise BackfillError(f"{'--date' if args.date else '--from'} {first}: history starts "
                            f"{calendars.HISTORY_START}")
    if last > today:
        raise BackfillError(f"{'--date' if args.date else '--to'} {last} is in the future "
                            f"(today is {today} UTC): history holds closed sessions only")
    if not 0 <= args.seed < 2**63:
        raise BackfillError(f"--seed must be a whole number from 0 to {2**63 - 1}")
    return Span(first, last, args.resolution, args.seed, args.calendar)


def _known_tickers():
    """{name: ticker} of the ready sets (stocks.json first), and the files that could not be
    read: one broken file must not stop a backfill of the others' tickers."""
    known, broken = {}, []
    for path in [DEFAULT_SET] + sorted(p for p in SEED_DIR.glob("*.json") if p != DEFAULT_SET):
        try:
            for item in read_seed(path):
                ticker = parse_ticker(item)
                known.setdefault(ticker.name, ticker)
        except (SeedError, ValueError) as exc:
            broken.append(f"{path.name} ({exc})")
    return known, broken


def ready_tickers(names=None):
    """Tickers from the ready sets in seed/ (default: seed/stocks.json's)."""
    if names is None:
        return from_file(DEFAULT_SET)
    wanted = list(dict.fromkeys(n.strip() for n in names.split(",") if n.strip()))
    if not wanted:
        raise BackfillError(f"--tickers {names!r} names no ticker: give names like FB,NFLX")
    known, broken = _known_tickers()
    missing = [n for n in wanted if n not in known]
    if missing:
        unread = f"; not readable: {'; '.join(broken)}" if broken else ""
        raise BackfillError(f"--tickers: {', '.join(missing)} not in the ready sets in seed/ "
                            f"(known: {', '.join(sorted(known))}){unread}")
    return [known[n] for n in wanted]


def from_file(path):
    if Path(path).is_dir():
        raise BackfillError(f"--file {path} is a folder: give a seed file like "
                            "seed/stocks.json")
    try:
        return [parse_ticker(item) for item in read_seed(path)]
    except (SeedError, ValueError) as exc:
        raise BackfillError(str(exc)) from None


def check_sessions(plan, span, single):
    """BackfillError, before anything is written, for a calendar with no session in the
    range (naming the sessions around a single date) or a session not yet closed."""
    now = int(time.time()) // 60
    for history, _ in plan:
        chosen = history.chosen(span)
        if not chosen:
            if single:
                before = [d for d in history.days if d < span.first.isoformat()]
                after = [d for d in history.days if d > span.first.isoformat()]
                around = " and ".join(f"the {word} session is {d}" for word, d in
                                      (("previous", before[-1] if before else None),
                                       ("next", after[0] if after else None)) if d)
                raise BackfillError(f"--date {span.first} ({span.first:%A}) is not a session "
                                    f"of {history.name}: {around or 'none known'}")
            raise BackfillError(f"no {history.name} session from {span.first} to {span.last}")
        if history.sessions[chosen[-1]].close > now:
            raise BackfillError(f"the {history.name} session of {span.last} has not closed "
                                "yet: history holds closed sessions only")


def ticks_planned(plan, span):
    step = RESOLUTIONS[span.resolution]
    total = 0
    for history, members in plan:
        for index in history.chosen(span):
            minutes = history.sessions[index].minutes
            per = 1 if step == 0 else -(-minutes * 60 // step)
            total += per * len(members)
    return total


def write(location, key, body):
    if location.directory is not None:
        path = Path(location.directory) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    else:
        location.client("s3").put_object(Bucket=location.bucket, Key=key, Body=body)


def main(args):
    try:
        span = span_for(args, datetime.now(UTC).date())
        tickers = from_file(args.file) if args.file else ready_tickers(args.tickers)
        plan = histories.groups(tickers, span)
        check_sessions(plan, span, args.date is not None)
        planned = ticks_planned(plan, span)
        if planned > MAX_TICKS:
            raise BackfillError(f"--resolution {span.resolution} from {span.first} to "
                                f"{span.last} makes {planned:,} ticks, more than "
                                f"{MAX_TICKS:,}: narrow the range or coarsen the resolution")
        location = locations.resolve(args)
        count = ticks = 0
        for key, body in histories.objects(tickers, span):
            write(location, key, body)
            count, ticks = count + 1, ticks + body.count(b"\n")
    except (BackfillError, histories.HistoryError, calendars.CalendarProblem,
            locations.LocationError) as exc:
        print(f"backfill: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"backfill: AWS refused: {exc}", file=sys.stderr)
        return 1
    where = location.directory or f"s3://{location.bucket}"
    sessions = sum(len(h.chosen(span)) for h, _ in plan)
    print(f"backfilled {sessions:,} session(s) from {span.first} to {span.last} at "
          f"{span.resolution} on {', '.join(h.name for h, _ in plan)}: {len(tickers)} tickers, "
          f"{ticks:,} ticks in {count:,} objects under {where}/{TABLE}/")
    return 0
