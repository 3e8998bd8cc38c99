"""`tickersim backfill`: one exchange session, chalicelib's walk, byte-identical on repeat."""
import json
from pathlib import Path

import pytest

from chalicelib.walk.market import Model
from chalicelib.walk.ticks import walk
from tickersim.cli import main
from tickersim.data.backfill import objects, ready_tickers, session_for


def backfill(tmp_path, *args):
    return main(["backfill", *args, "--dir", str(tmp_path)])


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in Path(root).rglob("*") if p.is_file()}


def test_a_full_xnys_session_is_390_minutes_of_every_stock_seq_from_1(tmp_path, capsys):
    assert backfill(tmp_path, "--date", "2026-11-30", "--seed", "5") == 0
    written = files(tmp_path)
    assert {k.rsplit("/", 1)[0] for k in written} == {
        f"history/dt=2026-11-30/hour={h:02d}" for h in range(14, 21)}   # 09:30-16:00 EST
    ticks = [json.loads(l) for body in written.values() for l in body.decode().splitlines()]
    stocks = [t.name for t in ready_tickers()]
    assert len(stocks) == 10 and len(ticks) == 10 * 390 * 4
    for name in stocks:
        series = sorted((t for t in ticks if t["ticker"] == name), key=lambda t: t["seq"])
        assert [t["seq"] for t in series] == list(range(1, 390 * 4 + 1))
        assert series[0]["timestamp"] == "2026-11-30T14:30:00Z"
        assert series[-1]["timestamp"] == "2026-11-30T20:59:45Z"
    for key, body in written.items():          # each object in the hour of its ticks
        hour = key.split("hour=")[1][:2]
        assert {json.loads(l)["timestamp"][11:13] for l in body.decode().splitlines()} == {hour}
    assert "15,600 ticks" in capsys.readouterr().out


def test_same_seed_date_and_tickers_give_byte_identical_objects_another_seed_does_not(
        tmp_path):
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        assert backfill(tmp_path / name, "--date", "2026-11-27", "--tickers", "FB,SNAP",
                        "--seed", seed) == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a").keys().isdisjoint(files(tmp_path / "c"))
    ticks = [l for body in files(tmp_path / "a").values() for l in body.splitlines()]
    assert len(ticks) == 2 * 210 * 4          # the day after Thanksgiving closes at 13:00


def test_the_hourly_objects_are_chalicelibs_walk_of_the_whole_session(tmp_path):
    session = session_for("2026-11-30", "XNYS")
    tickers = ready_tickers("SHOP,Index_1")
    model = Model(kind="gbm", seed=9, tick_seconds=15)
    by_hour = b"".join(body for _, body in objects(session, tickers, model, 4))
    whole = [walk(t, range(session.first_minute, session.stop_minute), 4, model)[0]
             for t in tickers]
    got = by_hour.decode().splitlines(keepends=True)
    assert sorted(got) == sorted(line for lines in whole for line in lines)


@pytest.mark.parametrize("day, previous, following", [
    ("2026-11-26", "2026-11-25", "2026-11-27"),      # Thanksgiving
    ("2026-11-28", "2026-11-27", "2026-11-30"),      # a Saturday
])
def test_a_day_without_a_session_names_the_sessions_around_it(tmp_path, capsys, day, previous,
                                                               following):
    assert backfill(tmp_path, "--date", day) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and previous in err and following in err
    assert not any(Path(tmp_path).iterdir())


@pytest.mark.parametrize("args, named", [
    (["--date", "30/11/2026"], "--date"),
    (["--date", "2026-11-30", "--calendar", "NOPE"], "--calendar"),
    (["--date", "2026-11-30", "--tickers", "FB,ZZZ"], "ZZZ"),
    (["--date", "1990-01-02"], "covers"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, named):
    assert backfill(tmp_path, *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err
