"""`make test`'s shares (tools/test_shares.py): every test file runs once, and the e2e tests
never share a process with the tests that use mock_aws (which resets moto in the process)."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("test_shares", ROOT / "tools" / "test_shares.py")
shares = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shares)


def test_every_test_file_is_in_exactly_one_share():
    assigned = shares.assign()
    files = [f for share in assigned.values() for f in share]
    assert len(files) == len(set(files))
    assert set(files) == {p.relative_to(ROOT).as_posix() for p in ROOT.glob("tests/**/test_*.py")}
    assert all(assigned.values())               # no share runs empty (pytest would run all)


def test_no_share_mixes_e2e_tests_with_the_others():
    for name, files in shares.assign().items():
        assert len({f.startswith("tests/e2e/") for f in files}) == 1, name


def test_a_test_file_no_share_takes_is_named(tmp_path):
    for path in ("tests/e2e/test_demo_a.py", "tests/unit/test_b.py", "tests/smoke/test_c.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    with pytest.raises(SystemExit, match="no share takes tests/smoke/test_c.py"):
        shares.assign(root=tmp_path)
