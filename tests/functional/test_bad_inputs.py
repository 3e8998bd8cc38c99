"""Bad input, flag by flag, for demo, browse, seed and seed/load.py: exit 2 and one line naming
the input at fault, never a traceback, nothing deleted that tickersim did not create."""
import pytest

from tickersim import cli
from tickersim.base import seeds


def refused(capsys, run):
    """Run the command; returns its one line on stderr after checking the exit code."""
    try:
        code = run()
    except SystemExit as exc:          # argparse's own refusals
        code = exc.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine\n")
    return path


@pytest.fixture
def someone_s_dir(tmp_path):
    """The issue's reproduction: a directory holding the user's own files."""
    root = tmp_path / "D"
    (root / "logs").mkdir(parents=True)
    (root / "s3").mkdir()
    (root / "logs" / "app-2025.log").write_text("keep me\n")
    (root / "s3" / "notes.txt").write_text("keep me too\n")
    return root


DEMO_CASES = [
    (["--interval", "inf"], "--interval inf"),
    (["--interval", "nan"], "--interval nan"),
    (["--interval", "-1"], "--interval -1"),
    (["--interval", "1e308"], "--interval 1e+308"),
    (["--interval", "abc"], "--interval"),
    (["--runs", "0"], "--runs"),
    (["--runs", "-3"], "--runs"),
    (["--runs", "1.5"], "--runs"),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**64)], "--seed"),
    (["--break-after", "-1"], "--break-after"),
    (["--runs", "2", "--break-after", "2"], "--break-after 2"),
    (["--retries", "3"], "--retries"),
    (["--port", "70000"], "--port"),
    (["--port", "-1"], "--port"),
    (["--nosuch"], "--nosuch"),
    (["--out", " "], "--out is empty"),
]


@pytest.mark.parametrize("argv, named", DEMO_CASES, ids=[" ".join(a) for a, _ in DEMO_CASES])
def test_demo_refuses_bad_flags_with_one_line(capsys, tmp_path, argv, named):
    out = tmp_path / "out"
    line = refused(capsys, lambda: cli.main(["demo", "--no-live", "--out", str(out), *argv]))
    assert named in line
    assert not out.exists()          # refused before anything was written


def test_demo_out_naming_a_file_is_refused_and_the_file_kept(capsys, a_file):
    line = refused(capsys, lambda: cli.main(["demo", "--no-live", "--out", str(a_file)]))
    assert f"--out {a_file} is a file" in line
    assert a_file.read_text() == "mine\n"


def test_demo_out_under_a_file_is_refused(capsys, a_file):
    line = refused(capsys, lambda: cli.main(["demo", "--no-live", "--out",
                                             str(a_file / "sub")]))
    assert f"--out {a_file / 'sub'}" in line and "a file stands where a directory" in line
    assert a_file.read_text() == "mine\n"


def test_demo_out_never_deletes_the_user_s_own_files(capsys, someone_s_dir):
    """Regression: `--out D` deleted D/logs/app-2025.log and D/s3/notes.txt."""
    line = refused(capsys, lambda: cli.main(["demo", "--no-live", "--runs", "1", "--out",
                                             str(someone_s_dir)]))
    assert f"--out {someone_s_dir} is not empty" in line and "nothing in it was touched" in line
    assert (someone_s_dir / "logs" / "app-2025.log").read_text() == "keep me\n"
    assert (someone_s_dir / "s3" / "notes.txt").read_text() == "keep me too\n"
    assert sorted(p.name for p in someone_s_dir.rglob("*")) == [
        "app-2025.log", "logs", "notes.txt", "s3"]


BROWSE_CASES = [
    (["--count", "0"], "--count 0"),
    (["--count", "-3"], "--count -3"),
    (["--count", "x"], "--count"),
    (["--endpoint", "127.0.0.1:8765"], "--endpoint '127.0.0.1:8765'"),
    (["--endpoint", "ftp://127.0.0.1:8765"], "--endpoint 'ftp://127.0.0.1:8765'"),
    (["--endpoint", "http://127.0.0.1:99999"], "--endpoint 'http://127.0.0.1:99999'"),
    (["--endpoint", "http://"], "--endpoint 'http://'"),
    (["--region", "eu west 1"], "--region 'eu west 1'"),
    (["--region", "ÜÜ-1"], "--region 'ÜÜ-1'"),
]


@pytest.mark.parametrize("argv, named", BROWSE_CASES, ids=[" ".join(a) for a, _ in BROWSE_CASES])
def test_browse_refuses_bad_flags_with_one_line(capsys, argv, named):
    assert named in refused(capsys, lambda: cli.main(["browse", "--stage", "local", *argv]))


def test_browse_refuses_an_aws_endpoint_url_without_a_scheme(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "127.0.0.1:8765")
    line = refused(capsys, lambda: cli.main(["browse", "--stage", "dev"]))
    assert "AWS_ENDPOINT_URL '127.0.0.1:8765'" in line


@pytest.mark.parametrize("argv, named", [
    (["--stage", "nosuch"], "stage 'nosuch'"),
    (["--stage", "dev", "--region", "moon"], "--region 'moon'"),
    (["--stage", "dev", "--endpoint", "localhost:1"], "--endpoint 'localhost:1'"),
    (["--stage", "lôcal"], "stage 'lôcal'"),
    (["--stage", "local"], "the local stage lives inside a running `tickersim demo`"),
])
def test_tickersim_seed_refuses_bad_flags_with_one_line(capsys, monkeypatch, argv, named):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert named in refused(capsys, lambda: cli.main(["seed", *argv]))


LOADER_CASES = [
    (["--table", "ab"], "--table 'ab'"),
    (["--table", "has space"], "--table 'has space'"),
    (["--table", "Tábla"], "--table 'Tábla'"),
    (["--table", "ok-table", "--region", "nowhere"], "--region 'nowhere'"),
    (["--table"], "--table"),
    (["--table", "ok-table", "--reset", "--delete", "X"], "--delete and --reset"),
    (["--table", "ok-table", "--delete", "#run"], "--delete '#run'"),
    (["--table", "ok-table", "--delete", " "], "--delete ' '"),
]


@pytest.mark.parametrize("argv, named", LOADER_CASES, ids=[" ".join(a) for a, _ in LOADER_CASES])
def test_the_seed_loader_refuses_bad_flags_with_one_line(aws, capsys, argv, named):
    assert named in refused(capsys, lambda: seeds.main(argv))


def test_the_seed_loader_refuses_a_seed_file_that_is_a_directory(aws, capsys, tmp_path):
    line = refused(capsys, lambda: seeds.main(["--table", "ok-table", "--file", str(tmp_path)]))
    assert f"cannot read seed file {tmp_path}" in line


def test_the_seed_loader_refuses_an_endpoint_without_a_scheme(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "localhost:4566")
    assert "AWS_ENDPOINT_URL 'localhost:4566'" in refused(
        capsys, lambda: seeds.main(["--table", "ok-table"]))
