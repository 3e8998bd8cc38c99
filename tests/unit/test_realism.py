"""`tickersim realism`: the table and the picture, side by side with the real indices."""
import pytest

from tickersim.cli import main


def test_the_report_writes_the_table_and_a_four_panel_png(tmp_path, capsys):
    assert main(["realism", "--years", "3", "--seed", "7", "--out", str(tmp_path)]) == 0
    table = (tmp_path / "realism.md").read_text(encoding="utf-8")
    for fact in ("excess kurtosis", "acf(\\|r\\|) lag 100", "corr(r_t, \\|r_t+1\\|)",
                 "GJR-GARCH persistence", "mean correlation between the series"):
        assert f"| {fact} |" in table
    assert (tmp_path / "realism.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert table in capsys.readouterr().out


@pytest.mark.parametrize("args, named", [
    (["--years", "0"], "--years"), (["--years", "21"], "--years"),
    (["--tickers", "NOPE"], "NOPE"), (["--seed", "-3"], "--seed"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, named):
    assert main(["realism", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["realism", "--years", "1", "--out", str(tmp_path / "file")]) == 2
    assert "--out" in capsys.readouterr().err
