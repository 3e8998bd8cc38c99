"""`tickersim backfill`: slices of each ticker's one path, at a resolution, byte-identical on
repeat; bad input is one line, exit 2, nothing written."""
import json
from pathlib import Path

import pytest

from tickersim.cli import main
from tickersim.data import backfill as backfills
from tickersim.data.backfill import ready_tickers


def backfill(tmp_path, *args):
    return main(["backfill", *args, "--dir", str(tmp_path)])


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in Path(root).rglob("*") if p.is_file()}


def records(root):
    return [json.loads(line) for body in files(root).values()
            for line in body.decode().splitlines()]


def test_a_full_xnys_session_is_390_minutes_of_every_stock(tmp_path, capsys):
    assert backfill(tmp_path, "--date", "2026-11-30", "--seed", "5") == 0
    written = files(tmp_path)
    assert {k.rsplit("/", 1)[0] for k in written} == {
        f"history/dt=2026-11-30/hour={h:02d}" for h in range(14, 22)}   # 09:31-16:00 EST
    ticks = records(tmp_path)
    stocks = [t.name for t in ready_tickers()]
    assert len(stocks) == 10 and len(ticks) == 10 * 390
    for name in stocks:
        series = sorted((t for t in ticks if t["ticker"] == name), key=lambda t: t["seq"])
        assert series[0]["timestamp"] == "2026-11-30T14:31:00Z"
        assert series[-1]["timestamp"] == "2026-11-30T21:00:00Z"
        assert [b["seq"] - a["seq"] for a, b in zip(series, series[1:])] == [60] * 389
    for key, body in written.items():          # each object in the hour of its ticks
        hour = key.split("hour=")[1][:2]
        assert {json.loads(l)["timestamp"][11:13] for l in body.decode().splitlines()} == {hour}
    assert "3,900 ticks" in capsys.readouterr().out


def test_two_days_are_one_path_with_unique_seqs_and_a_range_is_their_union(tmp_path):
    for day in ("2020-05-14", "2020-05-15"):
        assert backfill(tmp_path / "days", "--date", day, "--tickers", "FB") == 0
    assert backfill(tmp_path / "range", "--from", "2020-05-14", "--to", "2020-05-15",
                    "--tickers", "FB") == 0
    assert files(tmp_path / "days") == files(tmp_path / "range")
    ticks = records(tmp_path / "range")
    assert len({(t["ticker"], t["seq"]) for t in ticks}) == len(ticks) == 2 * 390
    first, second = (sorted((t for t in ticks if t["timestamp"].startswith(d)),
                            key=lambda t: t["seq"]) for d in ("2020-05-14", "2020-05-15"))
    assert [t["price"] for t in first] != [t["price"] for t in second]
    assert first[-1]["price"] == 231.91          # the seed price is this day's close


def test_the_daily_close_is_the_last_minute_of_the_session(tmp_path):
    args = ("--from", "2024-03-04", "--to", "2024-03-08", "--tickers", "FB,Index_1",
            "--calendar", "XNYS", "--seed", "3")
    assert backfill(tmp_path / "d", *args, "--resolution", "1d") == 0
    assert backfill(tmp_path / "m", *args, "--resolution", "1min") == 0
    minutes = {(t["ticker"], t["seq"]): t["price"] for t in records(tmp_path / "m")}
    daily = records(tmp_path / "d")
    assert len(daily) == 2 * 5
    assert all(minutes[(t["ticker"], t["seq"])] == t["price"] for t in daily)


def test_calendar_overrides_each_tickers_own(tmp_path):
    assert backfill(tmp_path, "--date", "2024-06-10", "--tickers", "FB",
                    "--calendar", "XTKS") == 0
    stamps = sorted(t["timestamp"] for t in records(tmp_path))
    # Tokyo trades 09:00-11:30 and 12:30-15:00 local (00:00-06:00 UTC) with a lunch break.
    assert len(stamps) == 300 and stamps[0] == "2024-06-10T00:01:00Z"
    assert stamps[-1] == "2024-06-10T06:00:00Z"


def test_a_tickers_file_replaces_the_ready_sets(tmp_path):
    seed_file = tmp_path / "mine.json"
    seed_file.write_text(json.dumps([{"TickerName": "ÜBER", "Price": 10, "Kind": "stock",
                                      "Beta": 0.2, "Jumps": 4}]), encoding="utf-8")
    assert backfill(tmp_path / "out", "--date", "2024-06-10", "--file", str(seed_file),
                    "--resolution", "1h") == 0
    assert {t["ticker"] for t in records(tmp_path / "out")} == {"ÜBER"}


def test_a_malformed_seed_file_does_not_stop_backfills_of_other_tickers(tmp_path, monkeypatch,
                                                                        capsys):
    seeds = tmp_path / "seed"
    seeds.mkdir()
    for name in ("stocks.json", "indices.json"):
        (seeds / name).write_bytes((Path(backfills.SEED_DIR) / name).read_bytes())
    (seeds / "broken.json").write_text("[{", encoding="utf-8")
    monkeypatch.setattr(backfills, "SEED_DIR", seeds)
    monkeypatch.setattr(backfills, "DEFAULT_SET", seeds / "stocks.json")
    assert backfill(tmp_path / "out", "--date", "2024-06-10", "--tickers", "Index_1") == 0
    assert backfill(tmp_path / "out2", "--date", "2024-06-10", "--tickers", "NOPE") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "NOPE" in err and "broken.json" in err


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
    (["--date", "20200514"], "--date"),
    (["--date", "2026-11-30", "--calendar", "NOPE"], "--calendar"),
    (["--date", "2026-11-30", "--tickers", "FB,ZZZ"], "ZZZ"),
    (["--date", "2026-11-30", "--tickers", ",,,"], "',,,'"),
    (["--date", "1990-01-02"], "1999-01-01"),
    (["--date", "2999-01-04"], "future"),
    (["--from", "2020-05-15", "--to", "2020-05-14"], "--from 2020-05-15"),
    (["--from", "2020-05-15"], "--to"),
    (["--date", "2020-05-14", "--resolution", "5m"], "5m"),
    (["--date", "2020-05-14", "--file", "."], "--file"),
    (["--from", "2000-01-03", "--to", "2020-01-03", "--resolution", "1s"], "narrow"),
    (["--date", "2020-05-14", "--seed", "-1"], "--seed"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, args, named):
    assert backfill(tmp_path / "out", *args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err
    assert not (tmp_path / "out").exists()
