"""A layer upload spooled to a private temp file as it arrives.

A national layer is about 1 GB of GeoJSON. Held in memory the way a small
body is (its parts, their join, the inflated parts, their join) it cost
the server several copies of itself before any check began. Here each part
is inflated (gzip), hashed and written to a file in ``private/uploads/``
(0600 in a 0700 directory: an upload is not public before it is checked)
as it arrives, so the body costs a few MiB of memory whatever its size,
and a body that does not hash to its name is refused without ever being
read back. The checks then read the file in the worker process that runs
them (``check_upload``), not in the server's own.

The file is removed when the request is answered (``Upload.discard``); a
crash leaves it behind, and the next start removes it (``clean_uploads``).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional

from .content_coding import GzipDecoder, is_gzip
from .http import BODY_CHUNK_TIMEOUT_S, Receive, Scope, body_parts, header, too_large
from .privatedir import ensure_private_dir, remove_stale_files

# Parts of the body are handed to a worker thread (inflate, hash, write) in
# batches of about this size: few thread hops, little memory.
BATCH_BYTES = 1024 * 1024
# A leftover older than this is from a crash (a live upload writes its file
# as it arrives and is checked within minutes).
STALE_S = 24 * 3600


@dataclass(frozen=True)
class Upload:
    """A whole upload on disk: its decoded size and SHA-256."""

    path: Path
    size: int
    sha256: str

    def read(self) -> bytes:
        return self.path.read_bytes()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def uploads_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "uploads"


def clean_uploads(state_dir: Path, min_age_s: float = STALE_S) -> int:
    """Remove uploads a crashed server left behind; returns how many. Young
    files may be live uploads of another process sharing the directory."""
    directory = uploads_dir(state_dir)
    if not directory.is_dir():
        return 0
    return remove_stale_files(directory, min_age_s)


class _Spool:
    """The file being written: decode, count, hash, write (worker thread)."""

    def __init__(self, directory: Path, limit: int, gzipped: bool) -> None:
        ensure_private_dir(directory)
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".tmp", dir=directory)  # 0600
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._limit = limit
        self._decoder: Optional[GzipDecoder] = GzipDecoder() if gzipped else None
        self._hash = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> None:
        for part in (self._decoder.parts(data) if self._decoder else (data,)):
            self._size += len(part)
            if self._size > self._limit:  # a gzip bomb stops one MiB past the limit
                raise too_large(self._limit)
            self._hash.update(part)
            self._file.write(part)

    def finish(self) -> Upload:
        if self._decoder is not None:
            self._decoder.finish()
        self._file.close()
        return Upload(self.path, self._size, self._hash.hexdigest())

    def abort(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


async def receive_upload(scope: Scope, receive: Receive, limit: int, state_dir: Path,
                         timeout_s: float = BODY_CHUNK_TIMEOUT_S) -> Upload:
    """The request body, decoded (``Content-Encoding: gzip``), hashed and
    spooled to a private file under the same limits and answers as
    ``http.read_body``; nothing is left on disk when it is refused."""
    gzipped = is_gzip(header(scope, b"content-encoding"))  # 415 before reading
    loop = asyncio.get_running_loop()
    spool = await loop.run_in_executor(None, _Spool, uploads_dir(state_dir), limit, gzipped)
    try:
        batch: List[bytes] = []
        pending = 0
        async for part in body_parts(scope, receive, limit, timeout_s):
            batch.append(part)
            pending += len(part)
            if pending >= BATCH_BYTES:
                await loop.run_in_executor(None, spool.write, b"".join(batch))
                batch, pending = [], 0
        await loop.run_in_executor(None, spool.write, b"".join(batch))
        return await loop.run_in_executor(None, spool.finish)
    except BaseException:
        spool.abort()
        raise


def check_upload(layer: str, path: str, profile: Any, limits: Any) -> Any:
    """``checks.layer.check_blob_lean`` of the upload in the file ``path``,
    run where it is called: in a worker process for a big layer
    (offload.py), which so reads the file itself instead of being sent the
    bytes; a canonical upload's bytes are not sent back either (the caller
    reads them from the file)."""
    from .checks.layer import check_blob_lean

    return check_blob_lean(layer, Path(path).read_bytes(), profile, limits)
