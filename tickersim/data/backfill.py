"""`tickersim backfill`: one exchange session of ticks into history/dt=…/hour=…/.

The prices come from chalicelib's own walk (the live function's model and record format),
started from a ready ticker set in seed/ with seq 1 at the session's open, TICKS_PER_RUN ticks
a minute, minutes from a real exchange calendar (exchange-calendars, operator-side only). The
table and ticks/ are never touched. Same seed, date and tickers: byte-identical objects, at
the same keys, so a repeated backfill replaces its own objects and nothing else.
"""
import hashlib
import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.settings import MODELS
from chalicelib.walk.items import parse_ticker
from chalicelib.walk.market import Model
from chalicelib.walk.ticks import walk
from tickersim.base import stage as stages
from tickersim.base.seeds import SeedError, read_seed
from tickersim.data import location as locations
from tickersim.data.schema import partition_path

TABLE = "history"
DEFAULT_CALENDAR = "XNYS"
DEFAULT_SET = Path(stages.PROJECT_DIR) / "seed" / "stocks.json"
SEED_DIR = Path(stages.PROJECT_DIR) / "seed"


class BackfillError(Exception):
    """The message says which input to change."""


@dataclass(frozen=True)
class Session:
    calendar: str
    day: str             # YYYY-MM-DD
    first_minute: int    # epoch minute of the open
    stop_minute: int     # epoch minute of the close (exclusive)


def add_arguments(parser):
    parser.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                        help="the session to backfill (an exchange trading day)")
    parser.add_argument("--calendar", default=DEFAULT_CALENDAR,
                        help=f"exchange calendar (default {DEFAULT_CALENDAR}: New York, "
                             "09:30-16:00 local time)")
    parser.add_argument("--tickers", default=None, metavar="A,B",
                        help="tickers from the ready sets in seed/ (default: every ticker of "
                             "seed/stocks.json, the classic exercise's ten stocks)")
    parser.add_argument("--seed", type=int, default=0, metavar="K",
                        help="market seed: same seed, date and tickers give the same bytes "
                             "(default 0)")
    locations.add_arguments(parser)


def session_for(day, calendar_name):
    """The session of `day`; BackfillError names the sessions around a day without one."""
    import exchange_calendars
    import pandas
    try:
        parsed = Date.fromisoformat(day)
    except ValueError:
        raise BackfillError(f"--date {day!r} is not a date: use YYYY-MM-DD") from None
    try:
        calendar = exchange_calendars.get_calendar(calendar_name)
    except exchange_calendars.errors.InvalidCalendarName:
        raise BackfillError(f"--calendar {calendar_name!r} is not a known exchange calendar "
                            "(e.g. XNYS, XLON, XTKS)") from None
    stamp = pandas.Timestamp(parsed)
    first, last = calendar.first_session, calendar.last_session
    if not first <= stamp <= last:
        raise BackfillError(f"--date {day}: calendar {calendar_name} covers "
                            f"{first.date()} to {last.date()} only")
    if not calendar.is_session(stamp):
        before = calendar.date_to_session(stamp, "previous") if stamp > first else None
        after = calendar.date_to_session(stamp, "next") if stamp < last else None
        around = " and ".join(f"{word} session is {s.date()}" for word, s in
                              (("the previous", before), ("the next", after)) if s is not None)
        raise BackfillError(f"--date {day} ({parsed:%A}) is not a session of {calendar_name}: "
                            f"{around}")
    return Session(calendar_name, day, int(calendar.session_open(stamp).timestamp()) // 60,
                   int(calendar.session_close(stamp).timestamp()) // 60)


def ready_tickers(names=None):
    """Tickers from the ready sets in seed/ (stocks.json first); unknown fields ignored."""
    sets = [DEFAULT_SET] + sorted(p for p in SEED_DIR.glob("*.json") if p != DEFAULT_SET)
    known = {}
    for path in sets:
        for item in read_seed(path):
            ticker = parse_ticker(item)
            known.setdefault(ticker.name, ticker)
    if names is None:
        return [parse_ticker(item) for item in read_seed(DEFAULT_SET)]
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    missing = [n for n in wanted if n not in known]
    if missing or not wanted:
        raise BackfillError(f"--tickers: {', '.join(missing) or 'no ticker given'} not in the "
                            f"ready sets in seed/ (known: {', '.join(sorted(known))})")
    return [known[n] for n in dict.fromkeys(wanted)]


def hours(session):
    """The session's minutes cut at each UTC hour: [(dt, hour, range of minutes)]."""
    out, minute = [], session.first_minute
    while minute < session.stop_minute:
        stop = min((minute // 60 + 1) * 60, session.stop_minute)
        moment = datetime.fromtimestamp(minute * 60, tz=UTC)
        out.append((moment.date().isoformat(), moment.hour, range(minute, stop)))
        minute = stop
    return out


def objects(session, tickers, model, ticks_per_minute):
    """(key, body) of every object, an hour at a time; each ticker's walk carries over."""
    state = [replace(t, seq=0, last_tick=None) for t in tickers]
    tag = hashlib.sha256("\n".join([str(model.seed)] + [t.name for t in tickers])
                         .encode("utf-8")).hexdigest()[:12]
    for day, hour, minutes in hours(session):
        lines = []
        for n, ticker in enumerate(state):
            walked, state[n] = walk(ticker, minutes, ticks_per_minute, model)
            lines += walked
        yield (partition_path(TABLE, day, hour) + f"{session.calendar}-{session.day}-{tag}",
               "".join(lines).encode("ascii"))


def market(location, seed):
    """(Model, ticks a minute) as the stage's streaming function has them (--dir: defaults)."""
    raw = stages.read_config()
    env = dict(raw.get("environment_variables", {}))
    if location.stage and location.stage in raw.get("stages", {}):
        env = stages.environment(location.stage, stages.STREAMING)
    per_minute = int(env.get("TICKS_PER_RUN") or 4)
    kind = (env.get("MARKET_MODEL") or "gbm").strip().lower()
    if kind not in MODELS or 60 % per_minute:
        raise BackfillError(f"the stage's MARKET_MODEL={kind!r} or TICKS_PER_RUN={per_minute} "
                            "is not usable: fix .chalice/config.json")
    return Model(kind=kind, seed=seed, tick_seconds=60 // per_minute,
                 correlation=float(env.get("MARKET_CORRELATION") or 0)), per_minute


def write(location, key, body):
    if location.directory is not None:
        path = Path(location.directory) / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    else:
        location.client("s3").put_object(Bucket=location.bucket, Key=key, Body=body)


def main(args):
    try:
        if not 0 <= args.seed < 2**63:
            raise BackfillError(f"--seed must be a whole number from 0 to {2**63 - 1}")
        session = session_for(args.date, args.calendar)
        tickers = ready_tickers(args.tickers)
        location = locations.resolve(args)
        model, per_minute = market(location, args.seed)
        count = ticks = 0
        for key, body in objects(session, tickers, model, per_minute):
            write(location, key, body)
            count, ticks = count + 1, ticks + body.count(b"\n")
    except (BackfillError, SeedError, locations.LocationError) as exc:
        print(f"backfill: {exc}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"backfill: AWS refused: {exc}", file=sys.stderr)
        return 1
    where = location.directory or f"s3://{location.bucket}"
    print(f"backfilled the {session.calendar} session of {session.day} "
          f"({session.stop_minute - session.first_minute} minutes): {len(tickers)} tickers, "
          f"{ticks:,} ticks in {count} objects under {where}/{TABLE}/dt={session.day}/")
    return 0
