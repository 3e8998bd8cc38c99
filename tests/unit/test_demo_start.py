"""`tickersim demo --start`: the logical clock's first minute, refused in one line if bad."""
import pytest

from tickersim.cli import main


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01T00:00Z", "0001-01-01T00:00Z"])
def test_a_bad_start_time_exits_2_naming_it_without_starting(start, capsys):
    assert main(["demo", "--start", start, "--no-live"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--start {start!r}" in err[0] and "ISO-8601" in err[0]
