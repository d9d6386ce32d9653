"""``Content-Encoding`` of request bodies: ``identity`` or ``gzip``.

Officers on slow provincial links upload GeoJSON, which gzip shrinks
several times. The decompressed size is capped by the same limit as a plain
body, and decompression stops one byte past it, so a gzip bomb costs the
server at most ``limit`` bytes of memory before its 413.
"""

from __future__ import annotations

import zlib
from typing import Optional

from .boundary import input_stage
from .problems import ProblemError

ACCEPTED = "gzip, identity"
_CHUNK = 1 << 20  # decompress in bounded steps (a bomb never expands in one call)


@input_stage("content-encoding", 400)
def is_gzip(content_encoding: bytes) -> bool:
    """True for gzip, False for identity/absent; 415 for anything else
    (checked before the body is read)."""
    coding = content_encoding.decode("latin-1").strip().lower()
    if coding in ("", "identity"):
        return False
    if coding in ("gzip", "x-gzip"):
        return True
    raise ProblemError(415, "unsupported-content-encoding", "Unsupported Content-Encoding",
                       f"Content-Encoding {coding[:40]!r} is not supported; send the body "
                       f"uncompressed or with Content-Encoding: gzip.",
                       headers={"Accept-Encoding": ACCEPTED})


def _corrupt(reason: str) -> ProblemError:
    return ProblemError(400, "bad-content-encoding", "The gzip body cannot be decoded",
                        f"The body is sent with Content-Encoding: gzip but {reason}; "
                        "compress it again or send it uncompressed.")


@input_stage("gzip", 400)
def gunzip_capped(data: bytes, limit: int) -> Optional[bytes]:
    """The decompressed body, or None when it would exceed ``limit`` bytes;
    400 ``bad-content-encoding`` for corrupt, truncated or trailing data."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    parts = []
    size = 0
    pending = data
    try:
        while True:
            part = decoder.decompress(pending, _CHUNK)
            size += len(part)
            if size > limit:
                return None
            parts.append(part)
            pending = decoder.unconsumed_tail
            if decoder.eof or (not pending and not part):
                break
    except zlib.error as exc:
        raise _corrupt(f"it is not valid gzip ({exc})") from None
    if not decoder.eof:
        raise _corrupt("it ends before the end of the gzip stream")
    if decoder.unused_data:
        raise _corrupt("there are bytes after the end of the gzip stream")
    return b"".join(parts)
