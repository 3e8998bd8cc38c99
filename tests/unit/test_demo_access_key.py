"""`tickersim demo --access-key`: a key that cannot travel in a URL is refused in one line,
before the demo writes anything."""

import pytest

from tickersim.cli import main


@pytest.mark.parametrize("key", ["", "short", "has space", "a&b=c;d+e", "ключ-ключ-ключ"])
def test_a_bad_key_exits_2_naming_the_flag_and_writes_nothing(key, capsys, tmp_path):
    out = tmp_path / "out"
    assert main(["demo", "--access-key", key, "--no-live", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--access-key" in err[0]
    assert not out.exists()
