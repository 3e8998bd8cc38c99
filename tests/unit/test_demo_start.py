"""`tickersim demo --start`: the logical clock's first minute, refused in one line if bad."""
from pathlib import Path

import pytest

from tickersim.cli import main


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01T00:00Z", "0001-01-01T00:00Z"])
def test_a_bad_start_time_exits_2_naming_it_without_starting(start, capsys):
    assert main(["demo", "--start", start, "--no-live"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--start {start!r}" in err[0] and "ISO-8601" in err[0]


@pytest.mark.parametrize("start", ["2009-12-31T15:00Z", "2031-01-02T15:00Z"])
def test_a_start_outside_the_session_table_exits_2_before_any_run(start, capsys):
    stocks = str(Path(__file__).resolve().parents[2] / "seed" / "stocks.json")
    assert main(["demo", "--start", start, "--tickers", stocks, "--no-live"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--start {start!r}" in err[0] and "XNYS" in err[0]
    assert "2010-01-01 to 2030-12-31" in err[0]
