"""The demo's output directory (--out): it writes only there, and replaces only what it wrote.

Every file the demo creates is listed in DIR/tickersim-files.txt before it is written, so a later
demo with the same --out removes exactly those files and nothing else. A non-empty directory
without that list is someone else's: the demo refuses it instead of guessing. The demo that
owns the directory holds a lock on that list until it exits (the kernel drops it even on a
kill): a second demo with the same --out is refused before it touches anything.
"""
import errno
import fcntl
import os
import re
from pathlib import Path

MANIFEST = "tickersim-files.txt"
_HEADER = "# written by `tickersim demo`; a later demo with the same --out replaces these files\n"
_OWNER = "# owned while it runs by the demo with pid "


class OutDirError(Exception):
    """The output directory cannot be used or written: the message says what to do."""


def _why(exc):
    if exc.errno == errno.ENOSPC:
        return "the disk is full: free some space or pass --out on another disk"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "it is not writable: pass --out with a directory you can write to"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file stands where a directory is needed: pass --out with a directory path"
    return f"{exc.strerror or exc}: pass --out with another directory"


class OutDir:
    def __init__(self, root, lock=None):
        self.root = Path(root)
        self._lock = lock           # the open, locked list: the directory is ours while open
        self._written = set()
        self._reserved, self._filled = set(), set()

    @classmethod
    def prepare(cls, path):
        """The directory, created if missing, emptied of an earlier demo's files (only those)."""
        root = Path(path).absolute()
        shown = str(path)
        try:
            if root.exists() and not root.is_dir():
                raise OutDirError(f"--out {shown} is a file, not a directory: pass a directory "
                                  "path (it is created if missing)")
            root.mkdir(parents=True, exist_ok=True)
            manifest = root / MANIFEST
            earlier = manifest.is_file()
            if not earlier and any(root.iterdir()):
                raise OutDirError(
                    f"--out {shown} is not empty and holds no earlier demo output (no "
                    f"{MANIFEST}): pass a new or empty directory; nothing in it was touched")
            lock = cls._lock_list(manifest, shown)
            try:
                if earlier:
                    cls._remove_listed(root, manifest)
                lock.seek(0)
                lock.truncate()
                lock.write(f"{_HEADER}{_OWNER}{os.getpid()}\n")
                lock.flush()
            except BaseException:
                lock.close()
                raise
        except OSError as exc:
            raise OutDirError(f"cannot use --out {shown}: {_why(exc)}") from None
        return cls(root, lock)

    @staticmethod
    def _lock_list(manifest, shown):
        """The list, open and locked by this process; OutDirError if another demo holds it."""
        handle = manifest.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = re.search(rf"^{re.escape(_OWNER)}(\d+)$", handle.read(), re.M)
            handle.close()
            raise OutDirError(
                f"--out {shown} is in use by another demo"
                f"{f' (pid {owner.group(1)})' if owner else ''}: wait for it to stop, or pass "
                "another --out; nothing in it was touched") from None
        return handle

    def close(self):
        """Give the directory up (the lock also ends with the process)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @staticmethod
    def _remove_listed(root, manifest):
        """Delete the files an earlier demo listed, then the folders that this left empty."""
        folders = set()
        for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line or line.startswith("#"):
                continue
            target = root / line
            # Only files inside DIR: an edited list, or a folder swapped for a symlink, never
            # reaches outside it.
            if (".." in Path(line).parts or Path(line).is_absolute()
                    or not target.parent.resolve().is_relative_to(root.resolve())):
                continue
            if target.is_symlink() or target.is_file():
                target.unlink()
            folders.update(p for p in target.parents if root in p.parents)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()          # only when empty: someone else's files keep it
            except OSError:
                pass

    def _create(self, rel):
        """Path for a new file of this run, listed before it exists."""
        target = self.root / rel
        if rel in self._written:
            return target
        if target.exists() or target.is_symlink():
            raise OutDirError(f"{target} exists and was not written by this demo: move it "
                              "away, or pass --out with a new directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        with (self.root / MANIFEST).open("a", encoding="utf-8") as manifest:
            manifest.write(f"{Path(rel).as_posix()}\n")
        self._written.add(rel)
        return target

    def _write(self, rel, data, mode):
        if rel in self._reserved and mode == "wb":
            mode = "r+b"            # into the blocks kept for it; only then cut the rest
            self._filled.add(rel)
        try:
            with self._create(rel).open(mode) as handle:
                handle.write(data)
                if mode == "r+b":
                    handle.truncate()
        except OSError as exc:
            raise OutDirError(f"cannot write {self.root / rel}: {_why(exc)}") from None
        return self.root / rel

    def reserve(self, rel, size):
        """Create the file at its full size now (blocks really allocated), so that it can be
        written later even if the disk has filled up meanwhile."""
        self._write(rel, b" " * size, "wb")
        self._reserved.add(rel)

    def discard_unwritten(self):
        """Remove the reserved files never written (a demo that stopped before its summary)."""
        for rel in self._reserved - self._filled:
            (self.root / rel).unlink(missing_ok=True)

    def write_bytes(self, rel, data):
        return self._write(rel, data, "wb")

    def write_text(self, rel, text):
        return self._write(rel, text.encode("utf-8"), "wb")

    def append_text(self, rel, text):
        return self._write(rel, text.encode("utf-8"), "ab")


def bucket_copy_path(key):
    """Where DIR/s3 keeps a copy of the bucket's object `key`, or None for a key that is no
    plain file path (a folder marker `a/`, `..`, an empty segment) and would land elsewhere."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts) or "\0" in key:
        return None
    return "s3/" + key
