"""HTTP range requests (RFC 9110, section 14) for the PMTiles archives: a
PMTiles reader fetches the header, the directories and each tile with
``Range: bytes=a-b``. One range per request is answered with 206; several
ranges are answered with the whole file (200), which RFC 9110 allows and
every PMTiles client handles. An archive is never content-coded (its tiles
are gzipped inside; ranges of a gzip stream would be useless)."""

from __future__ import annotations

from typing import Optional, Tuple

from .grammar import BYTE_RANGE
from .http import Scope, Send
from .representation import Representation


def parse_range(value: bytes, size: int) -> Optional[Tuple[int, int]]:
    """``(first, last)`` (inclusive) of a single ``bytes=`` range within
    ``size`` bytes; None when the header is to be ignored (not bytes, several
    ranges, malformed: the answer is then the whole file); ``(-1, -1)`` when
    it is a valid range that no byte satisfies (416)."""
    match = BYTE_RANGE.fullmatch(value.decode("latin-1").strip().lower())
    if match is None:  # another unit, several ranges, garbage: ignored
        return None
    first_text, last_text = match.groups()
    if not first_text:  # suffix range: the last N bytes
        if not last_text:
            return None
        length = int(last_text)
        if length == 0 or size == 0:
            return (-1, -1)
        return (max(0, size - length), size - 1)
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # syntactically invalid: ignored (RFC 9110, 14.1.1)
    if first >= size:
        return (-1, -1)
    last = int(last_text) if last_text else size - 1
    return (first, min(last, size - 1))


def _if_range_ok(value: bytes, rep: Representation) -> bool:
    """A range applies only while ``If-Range`` (when sent) names this entity."""
    if not value:
        return True
    return value.strip() == rep.identity.etag


async def send_ranged(scope: Scope, send: Send, rep: Representation, head: bool = False) -> None:
    """200, 206, 304 or 416 for an immutable file that supports ranges."""
    range_value = if_range = inm = b""
    for key, value in scope["headers"]:
        if key == b"range":
            range_value = value
        elif key == b"if-range":
            if_range = value
        elif key == b"if-none-match":
            inm = value
    if inm:
        not_modified = rep.not_modified(inm)
        if not_modified is not None:
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
    whole = rep.identity
    size = len(whole.body)
    wanted = parse_range(range_value, size) if range_value and _if_range_ok(if_range, rep) \
        else None
    if wanted is None:
        await send({"type": "http.response.start", "status": 200, "headers": whole.headers})
        await send({"type": "http.response.body", "body": b"" if head else whole.body})
        return
    keep = [(k, v) for k, v in whole.headers if k != b"content-length"]
    if wanted == (-1, -1):
        headers = [(k, v) for k, v in keep if k not in (b"content-type",)] + [
            (b"content-range", f"bytes */{size}".encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 416, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    first, last = wanted
    headers = keep + [(b"content-range", f"bytes {first}-{last}/{size}".encode()),
                      (b"content-length", str(last - first + 1).encode())]
    await send({"type": "http.response.start", "status": 206, "headers": headers})
    await send({"type": "http.response.body",
                "body": b"" if head else whole.body[first:last + 1]})
