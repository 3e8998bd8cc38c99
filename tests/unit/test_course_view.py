"""The course's table `finance_stream_data(name, high, low, ts)` as a view over ticks and
history: the course's own query (queries/course/hourly_high.sql) runs unchanged and answers
what the ticks say, computed here apart from the view."""
import json
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tickersim.cli import main
from tickersim.data.duck import connect
from tickersim.data.location import Location

COURSE = Path(__file__).resolve().parents[2] / "queries" / "course" / "hourly_high.sql"
NEW_YORK = ZoneInfo("America/New_York")
STOCKS = {"FB", "SHOP", "BYND", "NFLX", "PINS", "SQ", "TTD", "OKTA", "SNAP", "DDOG"}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """The course's day: the ten stocks' session of 2020-05-14, backfilled."""
    root = tmp_path_factory.mktemp("course")
    assert main(["backfill", "--date", "2020-05-14", "--dir", str(root)]) == 0
    return root


def records(root):
    return [json.loads(line) for path in sorted((root / "history").rglob("*"))
            if path.is_file() for line in path.read_text().splitlines()]


def course_ts(moment):
    """How pandas prints a New York bar time, as the course stored `ts`."""
    return moment.astimezone(NEW_YORK).replace(second=0).isoformat(sep=" ")


def expected(ticks):
    """Each stock's highest 1-minute high per New York hour, and every minute that reached it."""
    highs, minutes = defaultdict(float), defaultdict(float)
    for tick in ticks:
        # A history tick closes its interval: it counts in the minute before its timestamp.
        moment = datetime.fromisoformat(tick["timestamp"]) - timedelta(seconds=1)
        minute = course_ts(moment)
        minutes[(tick["ticker"], minute)] = max(minutes[(tick["ticker"], minute)], tick["price"])
    for (name, minute), high in minutes.items():
        highs[(name, minute[11:13])] = max(highs[(name, minute[11:13])], high)
    return sorted(((name, high, minute, minute[11:13]) for (name, minute), high in minutes.items()
                   if high == highs[(name, minute[11:13])]),
                  key=lambda r: (r[0], r[3], r[2]))


def test_the_course_query_runs_unchanged_and_answers_70_rows(session):
    rows = connect(Location(directory=str(session))).execute(COURSE.read_text()).fetchall()
    assert rows == expected(records(session))
    assert len(rows) == 70
    assert {(r[0], r[3]) for r in rows} == {(s, f"{h:02d}") for s in STOCKS
                                            for h in range(9, 16)}
    assert rows[0][2].endswith("-04:00")        # New York's summer time, like the course's


def test_the_view_has_the_courses_columns_and_reads_live_ticks_too(session, tmp_path):
    live = tmp_path / "ticks" / "dt=2026-12-01" / "hour=15"
    live.mkdir(parents=True)
    (live / "a").write_text("".join(json.dumps(t) + "\n" for t in [
        {"ticker": "Index_1", "timestamp": "2026-12-01T15:00:00Z", "price": 10.0, "seq": 1},
        {"ticker": "Index_1", "timestamp": "2026-12-01T15:00:30Z", "price": 12.0, "seq": 2},
        {"ticker": "Index_1", "timestamp": "2026-12-01T15:00:30Z", "price": 12.0, "seq": 2}]))
    con = connect(Location(directory=str(tmp_path)))
    cursor = con.execute("SELECT * FROM finance_stream_data")
    assert [d[0] for d in cursor.description] == ["name", "high", "low", "ts"]
    # December: New York is five hours behind UTC.
    assert cursor.fetchall() == [("Index_1", 12.0, 10.0, "2026-12-01 10:00:00-05:00")]
