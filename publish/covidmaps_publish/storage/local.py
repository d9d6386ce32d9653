"""Local-directory storage: the embedded default.

Layout of a data directory ``DIR``::

    DIR/public/data/manifest.json        the pointer (nginx may serve DIR/public)
    DIR/public/data/releases/<id>.json
    DIR/public/data/blobs/<sha256>.geojson[.gz|.br]
    DIR/public/data/tiles/<sha256>.pmtiles
    DIR/public/data/tiles/<sha256>/...   format 1 tile sets of old releases
    DIR/public/data/releases/<id>.json.sig, downloads/<sha256>.csv[.gz|.br],
    DIR/public/data/feed.atom, keys.json, public-key.pem, keys/<key id>.pem
    DIR/tmp/                             temp files: same file system, NOT public
    DIR/private/                         tokens, audit log, locks (state.py)

Every write goes to a temp file in ``DIR/tmp``, is fsynced, renamed into place
(atomic on POSIX) and the directory is fsynced, so a crash leaves either the
old file or the new one and never a partial file under a public name. The
pointer swap holds an exclusive ``flock`` on ``DIR/private/pointer.lock`` while
it compares the current pointer with the caller's token, which makes it a
compare-and-swap across processes sharing the directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
from pathlib import Path
from typing import Iterator, Optional, Tuple

from ..privatedir import ensure_private_dir, remove_stale_files
from .base import POINTER_KEY, REPLACEABLE_KEYS, check_key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pointer_token(data: bytes) -> str:
    """The version token of a pointer: the SHA-256 of its bytes (no ABA
    problem, unlike inode numbers or timestamps)."""
    return hashlib.sha256(data).hexdigest()


class LocalStorage:
    """The release tree in a local directory (see the module docstring)."""

    def __init__(self, root: os.PathLike[str] | str, fsync: bool = True) -> None:
        self.root = Path(root)
        self.public = self.root / "public" / "data"
        self.tmp = self.root / "tmp"
        self.private = self.root / "private"
        self._fsync = fsync
        for d in (self.public / "releases", self.public / "blobs", self.tmp):
            d.mkdir(parents=True, exist_ok=True)
        ensure_private_dir(self.private)
        self._lock_path = self.private / "pointer.lock"
        self.clean_temp()

    # -- helpers ---------------------------------------------------------
    def path(self, key: str) -> Path:
        return self.public / check_key(key)

    def clean_temp(self, min_age_s: float = 60.0) -> int:
        """Remove temp files a crashed writer left behind; returns how many.

        Temp files never sit under a public name, so leftovers are only
        litter; files younger than ``min_age_s`` may belong to a live writer
        of another process sharing the directory and are kept.
        """
        return remove_stale_files(self.tmp, min_age_s)

    def _write_atomic(self, target: Path, data: bytes, after_second: int = -1) -> None:
        tmp = self.tmp / f"{target.name}.{secrets.token_hex(8)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if os.fstat(fd).st_mtime_ns // 10**9 <= after_second:
                # nginx's ETag is mtime (whole seconds) + size: two pointers
                # written in the same second with the same size would share
                # it and a client could keep the old manifest on a 304.
                mtime_ns = (after_second + 1) * 10**9
                os.utime(fd, ns=(mtime_ns, mtime_ns))
            if self._fsync:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if self._fsync:
            _fsync_dir(target.parent)

    # -- Storage protocol ---------------------------------------------------
    def get(self, key: str) -> Optional[bytes]:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put_immutable(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if key == POINTER_KEY:
            raise ValueError("the pointer is written with swap_pointer only")
        if target.is_file() and target.stat().st_size == len(data):
            return  # content-addressed: same name, same bytes
        if key in REPLACEABLE_KEYS:
            raise ValueError(f"{key} is replaced with put_replaceable")
        # made on demand (public): tiles/ (and format 1 tiles/<sha>/<z>/<x>/), downloads/, keys/
        if key.startswith(("tiles/", "downloads/", "keys/")):
            target.parent.mkdir(parents=True, exist_ok=True)
        self._write_atomic(target, data)

    def put_replaceable(self, key: str, data: bytes) -> None:
        if key not in REPLACEABLE_KEYS:
            raise ValueError(f"{key} is not a replaceable key")
        target = self.path(key)
        try:  # a new mtime second: nginx's ETag (mtime + size) must change
            previous = target.stat().st_mtime_ns // 10**9
        except FileNotFoundError:
            previous = -1
        self._write_atomic(target, data, after_second=previous)

    def read_pointer(self) -> Tuple[Optional[bytes], Optional[str]]:
        data = self.get(POINTER_KEY)
        if data is None:
            return None, None
        return data, pointer_token(data)

    def swap_pointer(self, data: bytes, expected_token: Optional[str]) -> bool:
        lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)  # private/: 0600
        with os.fdopen(lock_fd, "r+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                _, token = self.read_pointer()
                if token != expected_token:
                    return False
                pointer = self.path(POINTER_KEY)
                try:
                    previous = pointer.stat().st_mtime_ns // 10**9
                except FileNotFoundError:
                    previous = -1
                self._write_atomic(pointer, data, after_second=previous)
                return True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def list(self, prefix: str) -> Iterator[str]:
        for sub in ("releases", "blobs", "downloads", "keys"):
            directory = self.public / sub
            if not directory.is_dir():
                continue
            for entry in sorted(directory.iterdir()):
                key = f"{sub}/{entry.name}"
                if key.startswith(prefix):
                    yield key
        for key in (POINTER_KEY, *sorted(REPLACEABLE_KEYS)):
            if key.startswith(prefix) and (self.public / key).is_file():
                yield key
        if "tiles/".startswith(prefix[:6]) and (self.public / "tiles").is_dir():
            for dirpath, _dirs, files in os.walk(self.public / "tiles"):
                base = Path(dirpath).relative_to(self.public).as_posix()
                for name in sorted(files):
                    key = f"{base}/{name}"
                    if key.startswith(prefix):
                        yield key

    def close(self) -> None:
        """Nothing to release: files are opened per call."""
