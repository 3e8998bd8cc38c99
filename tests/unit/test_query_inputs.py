"""`tickersim query` and `export` as a new user tries them: a malformed line in the bucket,
empty SQL, a --dir that is missing, a file, or a demo's --out instead of DIR/s3."""
import pytest

from tests.unit.test_query_cli import bucket_dir, query  # noqa: F401 - fixture
from tickersim.cli import main

GARBAGE = ['{"ticker": "C", "seq": 3, "price": \n', "not json at all\n",
           '{"ticker": "D", "timestamp": "soon", "price": "cheap", "seq": 1}\n']


@pytest.mark.parametrize("bad", GARBAGE)
def test_a_malformed_line_is_skipped_counted_and_said(bucket_dir, capsys, bad):
    (bucket_dir / "ticks" / "dt=2026-12-01" / "hour=09" / "s-1-b").write_text(bad)
    code, out, err = query(capsys, "SELECT ticker FROM ticks ORDER BY ticker", "--dir",
                           str(bucket_dir), "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["ticker", "A", "B"]
    assert err.startswith("query: skipped 1 line(s) in ticks/ that are not ticks")
    assert len(err.strip().splitlines()) == 1


def test_bad_sql_over_a_malformed_bucket_is_still_the_sql_error(bucket_dir, capsys):
    (bucket_dir / "ticks" / "dt=2026-12-01" / "hour=09" / "s-1-b").write_text(GARBAGE[1])
    code, _, err = query(capsys, "SELECT nope FROM ticks", "--dir", str(bucket_dir))
    assert code == 2 and "nope" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("sql", ["", "   ", " ; ", "-- a comment only"])
def test_empty_sql_is_one_line_and_exit_2(bucket_dir, capsys, sql):
    code, out, err = query(capsys, sql, "--dir", str(bucket_dir))
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("query: ")


def test_an_empty_sql_file_is_named(bucket_dir, capsys):
    empty = bucket_dir / "empty.sql"
    empty.write_text("\n")
    code, _, err = query(capsys, "--file", str(empty), "--dir", str(bucket_dir))
    assert code == 2 and "empty.sql is empty" in err


@pytest.mark.parametrize("command", [["query", "SELECT count(*) FROM ticks"],
                                     ["export", "--format", "parquet", "--to", "OUT"]])
@pytest.mark.parametrize("where, message", [("missing", "no such directory"),
                                            ("file", "is a file"),
                                            ("empty", "holds no ticks/ or history/")])
def test_a_dir_without_the_tables_is_exit_2_naming_it(tmp_path, capsys, command, where,
                                                      message):
    target = tmp_path / where
    if where == "file":
        target.write_text("x")
    elif where == "empty":
        target.mkdir()
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    assert main([*args, "--dir", str(target)]) == 2
    out, err = capsys.readouterr()
    assert f"--dir {target}" in err and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()      # nothing written


def test_a_demos_out_folder_reads_its_s3_copy_and_says_so(bucket_dir, tmp_path, capsys):
    demo_out = tmp_path / "demo-out"
    demo_out.mkdir()
    (demo_out / "s3").symlink_to(bucket_dir, target_is_directory=True)
    code, out, err = query(capsys, "SELECT count(*) AS n FROM ticks", "--dir", str(demo_out),
                           "--format", "csv")
    assert code == 0 and out.splitlines() == ["n", "2"]
    assert f"reading {demo_out / 's3'}" in err
