"""The demo's output directory: it writes only there and removes only what it listed."""
import errno
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickersim.local.outdir import MANIFEST, OutDir, OutDirError, bucket_copy_path


def test_an_empty_or_missing_directory_is_taken_and_listed(tmp_path):
    files = OutDir.prepare(tmp_path / "new" / "out")
    files.write_bytes("s3/ticks/a", b"1\n")
    files.append_text("logs/f.log", "a\n")
    files.append_text("logs/f.log", "b\n")
    assert (files.root / "logs" / "f.log").read_text() == "a\nb\n"
    listed = [line for line in (files.root / MANIFEST).read_text().splitlines()
              if not line.startswith("#")]
    assert listed == ["s3/ticks/a", "logs/f.log"]


def test_a_directory_a_running_demo_owns_is_refused_and_left_alone(tmp_path):
    first = OutDir.prepare(tmp_path / "out")
    first.write_bytes("s3/ticks/a", b"1\n")
    with pytest.raises(OutDirError, match=rf"is in use by another demo \(pid {os.getpid()}\)"):
        OutDir.prepare(tmp_path / "out")
    assert (first.root / "s3" / "ticks" / "a").read_bytes() == b"1\n"
    first.write_bytes("summary.json", b"{}")          # the owner carries on
    first.close()
    second = OutDir.prepare(tmp_path / "out")         # once it is done, the next one replaces
    assert not (second.root / "s3").exists() and not (second.root / "summary.json").exists()
    second.close()


def test_an_edited_list_never_removes_anything_outside_the_directory(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep\n")
    root = tmp_path / "out"
    root.mkdir()
    (root / MANIFEST).write_text("# list\n../precious.txt\n" + str(outside) + "\n")
    OutDir.prepare(root)
    assert outside.read_text() == "keep\n"


def test_a_listed_symlink_is_removed_not_what_it_points_to(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep\n")
    root = tmp_path / "out"
    (root / "s3").mkdir(parents=True)
    (root / "s3" / "link").symlink_to(target)
    (root / MANIFEST).write_text("# list\ns3/link\n")
    OutDir.prepare(root)
    assert target.read_text() == "keep\n" and not (root / "s3").exists()


def test_a_file_the_demo_did_not_write_is_never_overwritten(tmp_path):
    files = OutDir.prepare(tmp_path / "out")
    (files.root / "s3").mkdir()
    (files.root / "s3" / "k").write_text("theirs\n")
    with pytest.raises(OutDirError, match="exists and was not written by this demo"):
        files.write_bytes("s3/k", b"ours\n")
    assert (files.root / "s3" / "k").read_text() == "theirs\n"


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "the disk is full"),
    (errno.EROFS, "not writable"),
    (errno.EACCES, "not writable"),
    (errno.EIO, "Input/output error"),
])
def test_a_write_that_fails_is_one_line_naming_the_file(tmp_path, monkeypatch, code, words):
    files = OutDir.prepare(tmp_path / "out")

    def refuse(self, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(OutDirError) as caught:
        files.write_bytes("s3/ticks/a", b"1\n")
    message = str(caught.value)
    assert message.startswith(f"cannot write {files.root / 's3/ticks/a'}: ") and words in message
    assert "\n" not in message


def test_the_reserved_summary_is_written_in_place_and_cut_to_its_length(tmp_path):
    files = OutDir.prepare(tmp_path / "out")
    files.reserve("summary.json", 4096)
    files.write_text("summary.json", "{}\n")
    assert (files.root / "summary.json").read_text() == "{}\n"


@given(st.text())
def test_a_bucket_key_is_copied_inside_s3_or_not_at_all(key):
    path = bucket_copy_path(key)
    if path is not None:
        resolved = (Path("/out") / path).resolve()
        assert resolved.is_relative_to(Path("/out/s3")) and resolved != Path("/out/s3")
        assert path == "s3/" + key


@pytest.mark.parametrize("key", ["", "a/", "../x", "a/../../x", "a//b", "./a", "a/."])
def test_keys_that_are_no_plain_path_are_not_copied(key):
    assert bucket_copy_path(key) is None


def test_a_listed_file_behind_a_symlinked_folder_is_left_alone(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x").write_text("keep\n")
    root = tmp_path / "out"
    root.mkdir()
    (root / "s3").symlink_to(elsewhere)
    (root / MANIFEST).write_text("# list\ns3/x\n")
    OutDir.prepare(root)
    assert (elsewhere / "x").read_text() == "keep\n"


def test_a_reservation_never_written_is_removed(tmp_path):
    files = OutDir.prepare(tmp_path / "out")
    files.reserve("summary.json", 4096)
    files.discard_unwritten()
    assert not (files.root / "summary.json").exists()
