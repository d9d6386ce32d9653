"""In-memory HTTP representations: the bytes of one URL, its gzip and brotli
variants and precomputed headers, so a public read is a dictionary lookup and
one ``send`` (no file read, no compression per request)."""

from __future__ import annotations

import gzip
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

import brotli

from .chunked_gzip import gzip_chunked

Headers = List[Tuple[bytes, bytes]]

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # the pointer: cache, but ask (ETag) every time
# Below this size compression costs more than it saves.
MIN_COMPRESS = 256


# Levels by size: the best ratio where it is cheap, the fastest levels
# where the top ones cost seconds of a republish's commit (which waits for
# the variants: docs/release-format.md, "Compression levels"). Measured on
# the bench's 82 MB layer of 100,000 risk points (CPU s): brotli 5 3.24 MB
# in 1.04 s, brotli 1 4.03 MB in 0.12 s; gzip 6 5.0 MB in 0.86 s, gzip 1
# 7.3 MB in 0.35 s (the two run side by side: the commit waits for the
# slower). On a 1.9 MB zone layer brotli 11 saves 14 % over 9 (what a phone
# downloads) for about one second. A layer of 16 MiB and more is tiled: a
# phone draws it from its PMTiles archive and fetches the blob only for a
# list or statistics panel.
_MIB = 1024 * 1024
_BROTLI_QUALITY = ((1 * _MIB, 11), (4 * _MIB, 10), (16 * _MIB, 9))  # (size below, quality)
_BROTLI_LARGE = 1
_GZIP_LARGE_FROM = 16 * _MIB
_GZIP_LARGE = 1
# Below this size the two compressions run one after the other: a thread
# costs more than it saves.
_PARALLEL_FROM = 1 * _MIB
# From this size the gzip variant is made of independent chunks
# (chunked_gzip.py): a republish recompresses only the chunks it changed.
CHUNKED_FROM = 1 * _MIB

# (SHA-256 of a body, the body): the base a new body was changed from
Base = Optional[Tuple[str, bytes]]


def gzip_bytes(data: bytes, key: Optional[str] = None, base: Base = None) -> bytes:
    """The gzip variant (mtime 0: the same input gives the same bytes,
    reproducible variants). A large one is chunked: ``key`` (the SHA-256
    of ``data``) keeps its chunk index for the next body made from it,
    ``base`` names the one this body was made from."""
    level = 9 if len(data) < _GZIP_LARGE_FROM else _GZIP_LARGE
    if len(data) >= CHUNKED_FROM:
        return gzip_chunked(data, level, key, base)
    return gzip.compress(data, compresslevel=level, mtime=0)


def brotli_quality(size: int) -> int:
    return next((q for below, q in _BROTLI_QUALITY if size < below), _BROTLI_LARGE)


def brotli_bytes(data: bytes) -> bytes:
    return brotli.compress(data, quality=brotli_quality(len(data)))


def compressed_variants(data: bytes, key: Optional[str] = None,
                        base: Base = None) -> Tuple[bytes, bytes]:
    """``(gzip_bytes(data, key, base), brotli_bytes(data))``; for large data
    the two run at the same time (both release the GIL while compressing)."""
    if len(data) < _PARALLEL_FROM:
        return gzip_bytes(data, key, base), brotli_bytes(data)
    with ThreadPoolExecutor(max_workers=1) as pool:
        gz = pool.submit(gzip_bytes, data, key, base)
        br = brotli_bytes(data)
        return gz.result(), br


def decompress(data: bytes, suffix: str) -> bytes:
    """Undo ``gzip_bytes`` (``.gz``) or ``brotli_bytes`` (``.br``)."""
    return gzip.decompress(data) if suffix == ".gz" else brotli.decompress(data)


# decoded and compared in steps of this size: a variant of a 1 GB blob
# is checked without a second 1 GB copy of it in memory
_COMPARE_STEP = 1 << 20


def decodes_to(packed: bytes, suffix: str, data: bytes) -> bool:
    """``decompress(packed, suffix) == data``, decoded step by step (each
    step compared with its slice of ``data``, stopping at the first
    difference); a variant that cannot be decoded raises, as ``decompress``."""
    offset = 0
    for part in _decoded_parts(packed, suffix):
        if data[offset:offset + len(part)] != part:
            return False
        offset += len(part)
    return offset == len(data)


def _decoded_parts(packed: bytes, suffix: str) -> Iterator[bytes]:
    if suffix == ".gz":
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = packed
        while pending or not decoder.eof:
            part = decoder.decompress(pending, _COMPARE_STEP)
            if not part and decoder.unconsumed_tail == pending:
                break  # nothing more comes out: the stream is cut short
            pending = decoder.unconsumed_tail
            yield part
        if not decoder.eof or decoder.unused_data:
            raise ValueError("not one whole gzip stream")
        return
    # brotli's decoder takes no output bound: small input steps keep each
    # output step a few MiB (GeoJSON shrinks about 25 times)
    brotli_decoder = brotli.Decompressor()
    view = memoryview(packed)
    for start in range(0, len(packed), 64 * 1024):
        yield brotli_decoder.process(bytes(view[start:start + 64 * 1024]))
    if not brotli_decoder.is_finished():
        raise ValueError("not one whole brotli stream")


@dataclass(frozen=True)
class Variant:
    body: bytes
    headers: Headers  # complete response headers for a 200
    etag: bytes


class Representation:
    """One resource with its identity, gzip and brotli variants."""

    __slots__ = ("identity", "gzip", "br", "etag_base")

    def __init__(self, data: bytes, etag: str, content_type: str, cache_control: str,
                 gz: Optional[bytes] = None, br: Optional[bytes] = None,
                 extra_headers: Sequence[Tuple[str, str]] = (), compress: bool = True) -> None:
        self.etag_base = etag
        if compress and len(data) >= MIN_COMPRESS:
            gz = gz if gz is not None else gzip_bytes(data)
            br = br if br is not None else brotli_bytes(data)
        else:
            gz = br = None
        common: Headers = [
            (b"content-type", content_type.encode()),
            (b"cache-control", cache_control.encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        common += [(k.lower().encode(), v.encode()) for k, v in extra_headers]
        if gz is not None:
            common.append((b"vary", b"Accept-Encoding"))

        def variant(body: bytes, suffix: str, encoding: Optional[bytes]) -> Variant:
            tag = f'"{etag}{suffix}"'.encode()
            headers = list(common) + [(b"etag", tag), (b"content-length", str(len(body)).encode())]
            if encoding:
                headers.append((b"content-encoding", encoding))
            return Variant(body, headers, tag)

        self.identity = variant(data, "", None)
        self.gzip = variant(gz, "-gz", b"gzip") if gz is not None else None
        self.br = variant(br, "-br", b"br") if br is not None else None

    @property
    def size(self) -> int:
        total = len(self.identity.body)
        for v in (self.gzip, self.br):
            if v is not None:
                total += len(v.body)
        return total

    def choose(self, accept_encoding: bytes) -> Variant:
        """The best variant for an ``Accept-Encoding`` header value."""
        if accept_encoding and self.gzip is not None:
            br_ok, gzip_ok = accepted_encodings(accept_encoding)
            if br_ok and self.br is not None:
                return self.br
            if gzip_ok:
                return self.gzip
        return self.identity

    def not_modified(self, if_none_match: bytes) -> Optional[Headers]:
        """Headers of a 304 if ``If-None-Match`` matches this resource."""
        if not if_none_match:
            return None
        base = self.etag_base
        for raw in if_none_match.split(b","):
            tag = raw.strip()
            if tag == b"*":
                return self._headers_304()
            if tag.startswith(b"W/"):
                tag = tag[2:]
            text = tag.strip(b'"').decode("latin-1")
            if text in (base, base + "-gz", base + "-br"):
                return self._headers_304()
        return None

    def _headers_304(self) -> Headers:
        keep = (b"cache-control", b"etag", b"vary", b"x-content-type-options",
                b"content-security-policy", b"referrer-policy")
        return [(k, v) for k, v in self.identity.headers if k in keep]


_ACCEPTED: dict = {}  # header value -> (br ok, gzip ok); browsers send a handful of values


def accepted_encodings(value: bytes) -> Tuple[bool, bool]:
    """Whether ``Accept-Encoding`` allows brotli and gzip (memoised: the hot path)."""
    hit = _ACCEPTED.get(value)
    if hit is None:
        parsed = parse_accept_encoding(value)
        hit = (parsed.get("br", 0) > 0, parsed.get("gzip", 0) > 0)
        if len(_ACCEPTED) < 256:
            _ACCEPTED[value] = hit
    return hit


def parse_accept_encoding(value: bytes) -> dict:
    """``{"br": 1.0, "gzip": 0.5, ...}``; a ``*`` entry applies to both."""
    result: dict = {}
    for part in value.decode("latin-1").lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        name = name.strip()
        if name == "*":
            result.setdefault("br", q)
            result.setdefault("gzip", q)
        elif name:
            result[name] = q
    return result
