"""Compute the XNYS session table the streaming function reads (chalicelib/walk/xnys_sessions.json).

    python -m tickersim.data.sessions [--from 2010-01-01] [--to 2030-12-31]

exchange-calendars (with pandas) is operator tooling, far too big for the Lambda bundle, so
its sessions are stored compactly: the weekdays the exchange is closed, and the sessions
whose hours differ from 9:30-16:00 New York time (half days). Redeploy after extending it.
"""
import argparse
import json
import sys
from datetime import date

from chalicelib.walk.calendars import _NY_CLOSE, _NY_OPEN, DAY, XNYS_TABLE, new_york

DEFAULT_FIRST, DEFAULT_LAST = "2010-01-01", "2030-12-31"


def _hhmm(minute):
    return f"{minute % DAY // 60:02d}:{minute % 60:02d}"


def xnys_table(first=DEFAULT_FIRST, last=DEFAULT_LAST):
    import exchange_calendars  # heavy (pandas): only when the table is being made

    schedule = exchange_calendars.get_calendar("XNYS", start=first, end=last).schedule
    opened, special = set(), {}
    for session, row in schedule.iterrows():
        day = (session.date() - date(1970, 1, 1)).days
        opened.add(day)
        hours = (int(row["open"].timestamp()) // 60, int(row["close"].timestamp()) // 60)
        if hours != (new_york(day, _NY_OPEN), new_york(day, _NY_CLOSE)):
            special[session.date().isoformat()] = [_hhmm(hours[0]), _hhmm(hours[1])]
    start, stop = (date.fromisoformat(d) for d in (first, last))
    closed = [date.fromordinal(n).isoformat()
              for n in range(start.toordinal(), stop.toordinal() + 1)
              if date.fromordinal(n).weekday() < 5
              and (date.fromordinal(n) - date(1970, 1, 1)).days not in opened]
    return {"source": f"exchange-calendars XNYS, {first} to {last}",
            "first": first, "last": last, "closed": closed, "special": special}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="first", default=DEFAULT_FIRST, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", default=DEFAULT_LAST, metavar="YYYY-MM-DD")
    parser.add_argument("--out", default=str(XNYS_TABLE), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        first, last = (date.fromisoformat(d) for d in (args.first, args.last))
    except ValueError:
        print("sessions: --from and --to must be dates like 2030-12-31", file=sys.stderr)
        return 2
    if not date(2007, 1, 1) <= first <= last:
        # The table stores regular hours by today's US daylight-time rules (from 2007).
        print("sessions: --from must be 2007-01-01 or later, and not after --to",
              file=sys.stderr)
        return 2
    table = xnys_table(args.first, args.last)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(table, out, separators=(",", ":"))
        out.write("\n")
    print(f"{args.out}: {len(table['closed'])} holidays, {len(table['special'])} special "
          f"sessions, {args.first} to {args.last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
