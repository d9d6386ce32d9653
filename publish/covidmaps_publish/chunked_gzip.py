"""The gzip variant of a large body as independently deflated chunks, so a
republish recompresses only the chunks its edit touched.

Each chunk is raw deflate from a fresh compressor ended by a full flush: its
bytes depend on that chunk alone, and the stream (a fixed header, the
chunks, an empty final block, CRC-32 and length) is one ordinary gzip
member (pigz ``--independent`` style). Chunk boundaries are defined by the
content (the end of a record -- a CSV line, a feature of a GeoJSON blob --
whose CRC-32 falls under a bar proportional to its length, at least
``min_size`` after the previous cut, at most ``max_size``), so the same
body always gives the same bytes (reproducible variants) and an insertion
shifts the chunks after it instead of changing them: those are copied
from the base's variant, whose chunk index this process keeps
(``remember``) after making it.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Dict, List, Optional, Tuple, Union

from covidmaps_plugin.model.geojson import common_prefix, common_suffix

# mtime 0, no name, OS unknown: the same body gives the same bytes
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty fixed-Huffman block marked last
# Records end at a line feed (a CSV) or, in a body without one near its
# start (canonical GeoJSON is one line), after the ",{" between two
# objects of an array (between two features)
LINE_END, ITEM_SEPARATOR = b"\n", b",{"


@dataclass(frozen=True)
class Sizes:
    """Where chunks are cut: a record's end ``min_size`` or more after the
    previous cut is a cut with probability length / 2**average_bits, and a
    chunk is cut at ``max_size`` whatever its content; records are hashed a
    ``scan`` bytes at a time."""

    min_size: int = 960 * 1024
    max_size: int = 4 * 1024 * 1024
    average_bits: int = 16  # a cut about 64 KiB of records after min_size
    scan: int = 16 * 1024


SIZES = Sizes()


@dataclass(frozen=True)
class Chunked:
    """A chunked gzip stream and its index: chunk i is raw
    ``[cuts[i], cuts[i+1])``, deflated at ``gz[offsets[i]:offsets[i+1]]``,
    of CRC-32 ``crcs[i]``."""

    gz: bytes
    level: int
    sizes: Sizes
    separator: bytes
    cuts: Tuple[int, ...]
    offsets: Tuple[int, ...]
    crcs: Tuple[int, ...]
    fresh: int = field(default=0, compare=False)  # raw bytes deflated to make it


def record_end(data: bytes) -> bytes:
    """What ends a record of ``data``: one choice for the whole body."""
    return LINE_END if data.find(LINE_END, 0, 1 << 16) >= 0 else ITEM_SEPARATOR


def next_cut(data: bytes, prev: int, sizes: Sizes = SIZES, separator: bytes = LINE_END) -> int:
    """The cut after ``prev`` (a cut), or ``len(data)``. It depends on
    ``data[prev:]`` alone, and whether a position ``c`` is the cut on
    ``data[prev:c]`` alone: what the reuse of a base's chunks relies on."""
    end = len(data)
    low = prev + sizes.min_size
    if low >= end:
        return end
    limit = min(prev + sizes.max_size, end)
    shift = 32 - sizes.average_bits
    # from the start of the record that ends at or after ``low``; records are
    # split and hashed in C, a scan at a time (the first cut is usually near)
    found = data.rfind(separator, prev, low)
    pos = found + len(separator) if found >= 0 else prev
    while pos < limit:
        stop = min(pos + sizes.scan, limit)
        lines = data[pos:stop].split(separator)
        whole = lines[:-1]  # each ended by the separator
        lengths = [len(line) + len(separator) for line in whole]
        ends = accumulate(lengths, initial=pos)
        next(ends)
        for cut, length, crc in zip(ends, lengths, map(zlib.crc32, whole)):
            if cut >= low and crc < length << shift:
                return cut
        pos = stop - len(lines[-1]) if whole else stop
    return limit


Reused = Tuple[memoryview, int]  # a base chunk's deflated bytes and CRC-32
Piece = Tuple[int, int, Optional[Reused]]  # raw [start, end), reused or None


def compress(data: bytes, level: int, base: Optional[Tuple[Chunked, bytes]] = None,
             sizes: Sizes = SIZES) -> Chunked:
    """The chunked gzip stream of ``data``. ``base``: the index of another
    body's stream and that body (the raw bytes it was made from): its
    chunks that lie wholly in the prefix or the suffix both share are
    copied, not compressed again. The bytes are the same with or without
    a base."""
    separator = record_end(data)
    pieces = _plan(data, level, sizes, separator, base)
    if base is not None and len(data) == base[0].cuts[-1] and all(
            got is not None for _, _, got in pieces):
        return replace(base[0], fresh=0)  # every chunk copied: the same body
    view = memoryview(data)

    def deflate(span: Tuple[int, int]) -> Reused:
        chunk = view[span[0]:span[1]]
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return memoryview(packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)), \
            zlib.crc32(chunk)

    # one after the other: chunks deflated in threads at once took a third
    # more CPU on a 2-core machine, which a full publish shares with QGIS
    todo = [(start, end) for start, end, got in pieces if got is None]
    made = map(deflate, todo)
    parts: List[Union[bytes, memoryview]] = [HEADER]
    cuts, offsets, crcs = [0], [len(HEADER)], []
    whole = 0
    for start, end, got in pieces:
        body, crc = got if got is not None else next(made)
        parts.append(body)
        cuts.append(end)
        offsets.append(offsets[-1] + len(body))
        crcs.append(crc)
        whole = crc32_combine(whole, crc, end - start)
    parts += [FINAL_BLOCK, struct.pack("<II", whole, len(data) & 0xFFFFFFFF)]
    return Chunked(b"".join(parts), level, sizes, separator, tuple(cuts), tuple(offsets),
                   tuple(crcs),
                   sum(end - start for start, end in todo))


def _plan(data: bytes, level: int, sizes: Sizes, separator: bytes,
          base: Optional[Tuple[Chunked, bytes]]) -> List[Piece]:
    """The chunks of ``data`` in order, each with the base's deflated bytes
    when it is one of the base's chunks (same bytes, same level)."""
    pieces: List[Piece] = []
    size, prev = len(data), 0
    resume: Dict[int, int] = {}  # a raw offset in ``data`` -> the base chunk starting there
    if base is not None and (base[0].level, base[0].sizes, base[0].separator) == (
            level, sizes, separator) and len(base[1]) == base[0].cuts[-1]:
        old, raw = base
        shared = min(size, len(raw))
        head = common_prefix(raw, data, shared)
        tail = common_suffix(raw, data, shared - head)
        shift = size - len(raw)
        gz = memoryview(old.gz)

        def reused(i: int, by: int) -> Piece:
            return (old.cuts[i] + by, old.cuts[i + 1] + by,
                    (gz[old.offsets[i]:old.offsets[i + 1]], old.crcs[i]))

        count = len(old.crcs)
        if head == size == len(raw):  # the same body
            return [reused(i, 0) for i in range(count)]
        # a cut of the base within the prefix both share is one of ``data``
        # (it depends on the bytes before it alone): not the base's end
        while len(pieces) < count and old.cuts[len(pieces) + 1] <= head \
                and old.cuts[len(pieces) + 1] < len(raw):
            pieces.append(reused(len(pieces), 0))
        prev = old.cuts[len(pieces)]
        # from a cut within the suffix both share, the cuts that follow are
        # the base's, shifted (they depend on the bytes after it alone)
        resume = {cut + shift: i for i, cut in enumerate(old.cuts[:-1])
                  if cut >= len(raw) - tail}
        while prev < size:
            i = resume.get(prev)
            if i is not None:
                return pieces + [reused(j, shift) for j in range(i, count)]
            cut = next_cut(data, prev, sizes, separator)
            pieces.append((prev, cut, None))
            prev = cut
        return pieces
    while prev < size:
        cut = next_cut(data, prev, sizes, separator)
        pieces.append((prev, cut, None))
        prev = cut
    return pieces


# CRC-32 of a concatenation from the parts' CRCs (zlib's crc32_combine,
# which Python's zlib does not expose): a republish reuses the CRCs of the
# chunks it copies instead of reading 80 MB again.
_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a * b modulo the CRC polynomial (bit-reflected; a not zero)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


_X2N = [1 << 30]  # x^(2^k) modulo the polynomial
for _ in range(31):
    _X2N.append(_multmodp(_X2N[-1], _X2N[-1]))


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``."""
    p, k = 1 << 31, 3  # x^0; the length counts bytes: 2^3 bits
    while len2:
        if len2 & 1:
            p = _multmodp(_X2N[k & 31], p)
        len2 >>= 1
        k += 1
    return _multmodp(p, crc1) ^ crc2


# The chunk indexes of the streams this process made last, by the SHA-256
# of their body, up to this many compressed bytes in all (the oldest go
# first; the latest always stays). The bodies are not kept: the caller
# holds the base it names (the reader holds the current release's blob).
KEPT_BYTES = 128 * 1024 * 1024
_kept: OrderedDict[str, Chunked] = OrderedDict()
_kept_lock = threading.Lock()


def remember(key: str, chunked: Chunked) -> None:
    with _kept_lock:
        _kept.pop(key, None)
        _kept[key] = chunked
        total = sum(len(c.gz) for c in _kept.values())
        while len(_kept) > 1 and total > KEPT_BYTES:
            total -= len(_kept.popitem(last=False)[1].gz)


def recall(key: str) -> Optional[Chunked]:
    with _kept_lock:
        return _kept.get(key)


def gzip_chunked(data: bytes, level: int, key: Optional[str] = None,
                 base: Optional[Tuple[str, bytes]] = None) -> bytes:
    """``compress(data, level).gz``, made from the kept index of ``base``
    ((SHA-256 of a body, that body)) when this process made its stream;
    remembered under ``key`` (the SHA-256 of ``data``) for the next."""
    old = recall(base[0]) if base is not None else None
    made = compress(data, level, (old, base[1]) if old is not None and base is not None
                    else None, SIZES)
    if key is not None:
        remember(key, made)
    return made.gz
