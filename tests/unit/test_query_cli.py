"""`tickersim query --dir`: formats, and bad input as one line with exit code 2."""
import csv
import io
import json

import pytest

from chalicelib.walk.ticks import encode
from tickersim.cli import main


@pytest.fixture
def bucket_dir(tmp_path):
    folder = tmp_path / "ticks" / "dt=2026-12-01" / "hour=09"
    folder.mkdir(parents=True)
    (folder / "s-1-a").write_text(encode('"A"', "2026-12-01T09:59:45Z", 10.5, 1)
                                  + encode('"B"', "2026-12-01T09:59:45Z", 7.25, 1))
    return tmp_path


def query(capsys, *args):
    code = main(["query", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_one_object_per_row_and_csv_has_a_header(bucket_dir, capsys):
    sql = "SELECT ticker, price, hour, bid FROM ticks ORDER BY ticker"
    code, out, _ = query(capsys, sql, "--dir", str(bucket_dir), "--format", "json")
    assert code == 0
    assert [json.loads(l) for l in out.splitlines()] == [
        {"ticker": "A", "price": 10.5, "hour": 9, "bid": None},
        {"ticker": "B", "price": 7.25, "hour": 9, "bid": None}]
    code, out, _ = query(capsys, sql, "--dir", str(bucket_dir), "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [
        ["ticker", "price", "hour", "bid"], ["A", "10.5", "9", ""], ["B", "7.25", "9", ""]]
    code, out, _ = query(capsys, sql, "--dir", str(bucket_dir))
    assert out.splitlines()[0].split() == ["ticker", "price", "hour", "bid"]
    assert out.splitlines()[-1] == "(2 rows)"


@pytest.mark.parametrize("sql, message", [
    ("SELEC 1", "Parser Error"),
    ("SELECT * FROM trades", "trades"),
    ("SELECT nope FROM ticks", "nope"),
])
def test_bad_sql_gives_the_engines_message_in_one_line_and_exit_2(bucket_dir, capsys, sql,
                                                                  message):
    code, out, err = query(capsys, sql, "--dir", str(bucket_dir))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_a_missing_sql_file_is_named(bucket_dir, capsys):
    code, _, err = query(capsys, "--file", str(bucket_dir / "no.sql"), "--dir", str(bucket_dir))
    assert code == 2 and "no.sql" in err and len(err.strip().splitlines()) == 1
