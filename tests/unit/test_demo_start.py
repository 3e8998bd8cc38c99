"""`tickersim demo --start`: the logical clock's first minute, refused in one line if bad."""
import pytest

from tickersim.cli import main


@pytest.mark.parametrize("start", ["yesterday", "2026-13-01T00:00Z", "0001-01-01T00:00Z"])
def test_a_bad_start_time_exits_2_naming_it_without_starting(start, capsys):
    assert main(["demo", "--start", start, "--no-live"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--start {start!r}" in err[0] and "ISO-8601" in err[0]


def one_line_refusal(argv, capsys, tmp_path):
    out = tmp_path / "out"
    assert main(["demo", "--no-live", "--no-web", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and not out.exists(), err
    return err[0]


@pytest.mark.parametrize("argv, named", [
    (["--start", "2035-01-01T15:00Z"], "--start '2035-01-01T15:00Z' is outside"),
    (["--start", "2009-12-31T21:00Z"], "--start '2009-12-31T21:00Z' is outside"),
    (["--start", "2030-12-31T15:00Z", "--runs", "2000"], "with --runs 2000 reaches 2031-01-02"),
    (["--start", "2030-12-31T15:00Z", "--runs", "9" * 30], "reaches 9999-12-31"),
])
def test_a_start_outside_the_session_table_is_refused_up_front(argv, named, capsys, tmp_path):
    line = one_line_refusal(["--tickers", "seed/stocks.json", *argv], capsys, tmp_path)
    assert named in line and "XNYS session table (2010-01-01 to 2030-12-31)" in line


def test_tickers_that_trade_around_the_clock_start_any_year():
    from tickersim.local import demo_flags
    args = demo_args(["--start", "2035-01-01T15:00Z", "--tickers", "seed/fx.json"])
    demo_flags.check_arguments(args)       # no DemoError


@pytest.mark.parametrize("scenario, runs, named", [
    ("crash@99999999", "5", "MINUTES can be at most 1,000,000"),
    ("crash@", "5", "MINUTES must be a whole number"),
    ("crash@-1", "5", "MINUTES must be a whole number"),
    ("crash@5", "3", "starts at run 6, after the last of --runs 3: use @0 to @2"),
])
def test_a_scenario_minute_the_demo_cannot_reach_names_the_limit(scenario, runs, named, capsys,
                                                                 tmp_path):
    line = one_line_refusal(["--scenario", scenario, "--runs", runs], capsys, tmp_path)
    assert named in line and repr(scenario) in line


def demo_args(argv):
    from tickersim.cli import build_parser
    return build_parser(["demo"]).parse_args(["demo", *argv])
