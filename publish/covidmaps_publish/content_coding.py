"""``Content-Encoding`` of request bodies: ``identity`` or ``gzip``.

Officers on slow provincial links upload GeoJSON, which gzip shrinks
several times. The decompressed size is capped by the same limit as a plain
body, and decompression stops one byte past it, so a gzip bomb costs the
server at most ``limit`` bytes of memory before its 413.
"""

from __future__ import annotations

import zlib
from typing import Any, Iterator, Optional, Tuple

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


class GzipDecoder:
    """A gzip body decoded as its parts arrive (``uploads.py`` spools a big
    one to disk this way), in steps of at most 1 MiB of output: the caller
    counts them against its limit before asking for more."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def parts(self, data: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``data`` (the next part of the body)."""
        pending = data
        while True:
            part, pending = inflate_step(self._decoder, pending)
            if part:
                yield part
            if self._decoder.eof or (not pending and not part):
                return

    def finish(self) -> None:
        """400 ``bad-content-encoding`` unless the body was a whole gzip stream."""
        if not self._decoder.eof:
            raise _corrupt("it ends before the end of the gzip stream")


@input_stage("gzip", 400)
def inflate_step(decoder: Any, data: bytes) -> Tuple[bytes, bytes]:
    """At most 1 MiB decoded from ``data`` and what is left of it; 400
    ``bad-content-encoding`` for corrupt data or bytes after the stream's end."""
    if decoder.eof and data:
        raise _corrupt("there are bytes after the end of the gzip stream")
    try:
        part = decoder.decompress(data, _CHUNK)
    except zlib.error as exc:
        raise _corrupt(f"it is not valid gzip ({exc})") from None
    if decoder.unused_data:
        raise _corrupt("there are bytes after the end of the gzip stream")
    return part, decoder.unconsumed_tail


def gunzip_capped(data: bytes, limit: int) -> Optional[bytes]:
    """The decompressed body, or None when it would exceed ``limit`` bytes;
    400 ``bad-content-encoding`` for corrupt, truncated or trailing data."""
    decoder = GzipDecoder()
    parts = []
    size = 0
    for part in decoder.parts(data):
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    decoder.finish()
    return b"".join(parts)
