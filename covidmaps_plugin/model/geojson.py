"""Canonical GeoJSON of a release layer (pure Python, shared by the plugin's
exporter and the server).

The bytes are a function of the data alone, so the same data always gives
the same SHA-256 and an unchanged layer is never uploaded twice:

- RFC 7946: WGS 84 lon/lat, no ``crs`` member, polygons with the right-hand
  rule (exterior rings counter-clockwise, holes clockwise);
- coordinates rounded to 6 decimals (about 10 cm), repeated points that the
  rounding creates are dropped;
- features sorted by ``uid``, ``id`` = ``uid``, properties in model order;
- compact separators, UTF-8 (Vietnamese text is not \\u-escaped), no NaN.
"""

from __future__ import annotations

import hashlib
import json
from typing import (
    IO,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from .schema import LayerDef

COORDINATE_DECIMALS = 6

Position = List[float]
Ring = List[Position]


def round_position(x: float, y: float) -> Position:
    return [round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)]


def ring_signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Twice the signed area (shoelace); > 0 for counter-clockwise rings."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        total += x0 * y1 - x1 * y0
    return total


def canonical_ring(points: Iterable[Tuple[float, float]], exterior: bool) -> Ring:
    """A closed ring, rounded, without repeated points, oriented per RFC 7946."""
    ring: Ring = []
    for x, y in points:
        pos = round_position(x, y)
        if not ring or ring[-1] != pos:
            ring.append(pos)
    if ring and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    area = ring_signed_area(ring)
    if (exterior and area < 0) or (not exterior and area > 0):
        ring.reverse()
    return ring


def canonical_multipolygon(
    polygons: Iterable[Iterable[Iterable[Tuple[float, float]]]],
) -> Dict[str, Any]:
    """A MultiPolygon geometry from polygons given as rings of (x, y)."""
    coordinates = []
    for rings in polygons:
        coordinates.append(
            [canonical_ring(ring, exterior=(i == 0)) for i, ring in enumerate(rings)]
        )
    return {"type": "MultiPolygon", "coordinates": coordinates}


def canonical_point(x: float, y: float) -> Dict[str, Any]:
    return {"type": "Point", "coordinates": round_position(x, y)}


def feature(uid: str, geometry: Optional[Dict[str, Any]], properties: Mapping[str, Any]
            ) -> Dict[str, Any]:
    return {"type": "Feature", "id": uid, "geometry": geometry, "properties": dict(properties)}


def public_properties(layer: LayerDef, values: Mapping[str, Any]) -> Dict[str, Any]:
    """The public fields of a feature, in model order, missing ones as null."""
    return {f.name: values.get(f.name) for f in layer.public_fields}


# The layout canonical_bytes writes: the head, each feature (its "type"
# and "id" first) separated by a comma, the tail. Quotes inside strings are
# escaped and properties are scalars, so the separator ',' + FEATURE_PREFIX
# only occurs between features: readers cut features without parsing.
CANONICAL_HEAD = b'{"type":"FeatureCollection","features":['
FEATURE_PREFIX = b'{"type":"Feature","id":'
CANONICAL_TAIL = b"]}"
_SEPARATOR = b"," + FEATURE_PREFIX  # only ever between two features


def canonical_feature_parts(canonical: bytes) -> Optional[List[bytes]]:
    """Each feature of canonical bytes, in order, as its bytes after
    FEATURE_PREFIX (its id first), cut without parsing; None when
    ``canonical`` is not in that layout."""
    if not (canonical.startswith(CANONICAL_HEAD) and canonical.endswith(CANONICAL_TAIL)):
        return None
    body = canonical[len(CANONICAL_HEAD):-len(CANONICAL_TAIL)]
    if not body:
        return []
    if not body.startswith(FEATURE_PREFIX):
        return None
    return body[len(FEATURE_PREFIX):].split(b"," + FEATURE_PREFIX)


def part_id(part: bytes) -> Optional[bytes]:
    """The id of a feature as canonical_feature_parts cuts it: the bytes
    inside the JSON string it starts with (as written, escapes and all),
    None when it does not start with one."""
    end = part.find(b'"', 1)
    if not part.startswith(b'"') or end < 0:
        return None
    return part[1:end]


def iter_canonical_features(canonical: bytes) -> Optional[Iterator[bytes]]:
    """``canonical_feature_parts`` one feature at a time (no list of all of
    them, no copy of the whole body: a diff of two 1 GB layers holds one
    feature of each); None when ``canonical`` is not in that layout."""
    if not (canonical.startswith(CANONICAL_HEAD) and canonical.endswith(CANONICAL_TAIL)):
        return None
    start, end = len(CANONICAL_HEAD), len(canonical) - len(CANONICAL_TAIL)
    if start == end:
        return iter(())
    if not canonical.startswith(FEATURE_PREFIX, start, end):
        return None
    return _feature_parts(canonical, start + len(FEATURE_PREFIX), end)


def _feature_parts(canonical: bytes, start: int, end: int) -> Iterator[bytes]:
    while True:
        stop = canonical.find(_SEPARATOR, start, end)
        if stop < 0:
            yield canonical[start:end]
            return
        yield canonical[start:stop]
        start = stop + len(_SEPARATOR)


SLICE_BYTES = 1 << 20  # canonical_slices: read at a time (a slice is about this size)


class NotCanonicalLayoutError(ValueError):
    """Bytes that are not in the canonical layout (head, features, tail)."""


def canonical_slices(stream: IO[bytes], size: int = SLICE_BYTES) -> Iterator[bytes]:
    """A canonical blob read from ``stream`` ``size`` bytes at a time, as
    slices that are canonical blobs themselves: CANONICAL_HEAD, whole
    features of the stream in their order, CANONICAL_TAIL. A slice is cut at
    the last feature separator read so far (the separator only occurs
    between features, see above), so it holds about ``size`` bytes, or one
    feature when that is longer; every reader of whole canonical bytes reads
    a slice unchanged, and a layer of 1 GB is read holding a few MB. Raises
    NotCanonicalLayoutError where the stream is not in that layout (after
    yielding the slices before it)."""
    if stream.read(len(CANONICAL_HEAD)) != CANONICAL_HEAD:
        raise NotCanonicalLayoutError("not a canonical blob: its head differs")
    separator = _SEPARATOR
    buffer = b""
    while True:
        more = stream.read(size)
        if not more:
            if not buffer.endswith(CANONICAL_TAIL):
                raise NotCanonicalLayoutError("not a canonical blob: its tail differs")
            body = buffer[:-len(CANONICAL_TAIL)]
            if body:
                yield _slice(body)
            return
        # a separator ending in what was read before was looked for then
        seen = max(1, len(buffer) - len(separator) + 1)
        buffer += more
        cut = buffer.rfind(separator, seen)
        if cut > 0:
            body, buffer = buffer[:cut], buffer[cut + 1:]
            yield _slice(body)


def _slice(body: bytes) -> bytes:
    if not body.startswith(FEATURE_PREFIX):
        raise NotCanonicalLayoutError("not a canonical blob: a feature does not start as one")
    return CANONICAL_HEAD + body + CANONICAL_TAIL


# (id, the base's feature or None, the new blob's feature or None)
MergedFeature = Tuple[bytes, Optional[bytes], Optional[bytes]]


def merge_canonical(base: bytes, new: bytes) -> Optional[Iterator[MergedFeature]]:
    """Two blobs in the canonical layout walked side by side by id, one
    feature of each at a time (parts as ``iter_canonical_features`` cuts
    them, compared as bytes, never parsed): ``(id, base part, new part)``,
    a part None where that blob lacks the id. None when a blob is not in
    the layout; the iterator raises ValueError at an id that is not a plain
    JSON string (escapes: its bytes would not sort as canonical_bytes
    sorts) or ids that do not increase (not what canonical_bytes writes)."""
    old_parts, new_parts = iter_canonical_features(base), iter_canonical_features(new)
    if old_parts is None or new_parts is None:
        return None
    return _merged(_keyed(old_parts), _keyed(new_parts))


class CanonicalChanges:
    """Two canonical blobs as ``merge_canonical_changes`` walks them: the
    features between ``start`` and ``stop`` of the base (and of the new
    blob) are ``merged``; those before and after are the same in both."""

    def __init__(self, base: bytes, start: int, stop: int,
                 merged: Iterator[MergedFeature]) -> None:
        self._base, self.start, self.stop, self.merged = base, start, stop, merged

    @property
    def head(self) -> int:
        """The features both blobs start with, byte for byte the same."""
        if self.start == len(CANONICAL_HEAD):
            return 0
        return self._base.count(_SEPARATOR, len(CANONICAL_HEAD), self.start) + 1

    @property
    def base_features(self) -> int:
        """The base's features, all of them."""
        end = len(self._base) - len(CANONICAL_TAIL)
        if end == len(CANONICAL_HEAD):
            return 0
        return self._base.count(_SEPARATOR, len(CANONICAL_HEAD), end) + 1

    @property
    def tail(self) -> int:
        """The features both blobs end with, byte for byte the same."""
        return self._base.count(_SEPARATOR, self.stop, len(self._base) - len(CANONICAL_TAIL))


# bytes compared at a time while looking for the first (last) difference:
# slices this long are copied and compared in C, so walking 80 MB of equal
# bytes costs milliseconds and never holds the interpreter lock for long
_COMPARE_STEP = 1 << 16


def merge_canonical_changes(base: bytes, new: bytes) -> Optional[CanonicalChanges]:
    """``merge_canonical`` of the part of two blobs in the canonical layout
    that differs: the features both start with and both end with, byte for
    byte, are counted (``head``, ``tail``), not walked. A republish that
    edits a few features of a big layer compares it in C (a few ms for
    80 MB) and walks only the features from the first change to the last.
    None when a blob is not in the layout; ``merged`` raises ValueError as
    merge_canonical's iterator does (within the features it walks)."""
    bounds = [_feature_bounds(data) for data in (base, new)]
    if bounds[0] is None or bounds[1] is None:
        return None
    (base_start, base_end), (new_start, new_end) = bounds  # type: ignore[misc]
    # the features wholly inside the common prefix: those before its last separator
    same = common_prefix(base, new, min(base_end, new_end))
    cut = base.rfind(_SEPARATOR, base_start, same)
    start = cut + 1 if cut >= 0 else base_start
    # the features wholly inside the common suffix (never reaching into the
    # prefix's features): those from its first separator on
    same = common_suffix(base, new, min(len(base), len(new)) - start)
    cut = base.find(_SEPARATOR, len(base) - same, base_end)
    stop_base, stop_new = (cut, cut + len(new) - len(base)) if cut >= 0 else (base_end, new_end)
    merged = _merged(_keyed(_parts_between(base, start, stop_base)),
                     _keyed(_parts_between(new, start, stop_new)))
    return CanonicalChanges(base, start, stop_base, merged)


def _feature_bounds(canonical: bytes) -> Optional[Tuple[int, int]]:
    """(start of the first feature, end of the last) of a blob in the
    canonical layout, else None."""
    if not (canonical.startswith(CANONICAL_HEAD) and canonical.endswith(CANONICAL_TAIL)):
        return None
    start, end = len(CANONICAL_HEAD), len(canonical) - len(CANONICAL_TAIL)
    if start < end and not canonical.startswith(FEATURE_PREFIX, start, end):
        return None
    return start, end


def _parts_between(canonical: bytes, start: int, end: int) -> Iterator[bytes]:
    """The features of ``canonical[start:end]`` (a run of whole features)
    as canonical_feature_parts cuts them."""
    if start >= end:
        return iter(())
    if not canonical.startswith(FEATURE_PREFIX, start, end):
        raise ValueError("not a run of features in the canonical layout")
    return _feature_parts(canonical, start + len(FEATURE_PREFIX), end)


def common_prefix(a: bytes, b: bytes, limit: int) -> int:
    """The length of the longest common prefix of ``a`` and ``b``, at most ``limit``."""
    low = 0
    while low < limit:
        high = min(low + _COMPARE_STEP, limit)
        if a[low:high] != b[low:high]:
            while high - low > 1:  # a[:low] == b[:low], a[:high] != b[:high]
                mid = (low + high) // 2
                if a[low:mid] == b[low:mid]:
                    low = mid
                else:
                    high = mid
            return low
        low = high
    return limit


def common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """The length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    ends = len(a), len(b)
    same = 0
    while same < limit:
        more = min(same + _COMPARE_STEP, limit)
        if a[ends[0] - more:ends[0] - same] != b[ends[1] - more:ends[1] - same]:
            while more - same > 1:
                mid = (same + more) // 2
                if a[ends[0] - mid:ends[0] - same] == b[ends[1] - mid:ends[1] - same]:
                    same = mid
                else:
                    more = mid
            return same
        same = more
    return limit


def _keyed(parts: Iterator[bytes]) -> Iterator[Tuple[bytes, bytes]]:
    previous = b""
    for part in parts:
        uid = part_id(part)
        if uid is None or b"\\" in uid or uid <= previous:
            raise ValueError("not a blob in the canonical layout: an id with escapes or "
                             "out of order")
        previous = uid
        yield uid, part


def _merged(old: Iterator[Tuple[bytes, bytes]], new: Iterator[Tuple[bytes, bytes]]
            ) -> Iterator[MergedFeature]:
    o, n = next(old, None), next(new, None)
    while o is not None or n is not None:
        if n is None or (o is not None and o[0] < n[0]):
            yield o[0], o[1], None  # in the base only
            o = next(old, None)
        elif o is None or n[0] < o[0]:
            yield n[0], None, n[1]  # new
            n = next(new, None)
        else:
            yield o[0], o[1], n[1]
            o, n = next(old, None), next(new, None)


def canonical_bytes(features: Iterable[Dict[str, Any]]) -> bytes:
    """The FeatureCollection bytes; features are sorted by id here (and keep
    their members in the order given: only features built type, id,
    geometry, properties have the canonical layout that feature_parts and
    canonical_feature_parts cut)."""
    ordered = sorted(features, key=lambda f: str(f.get("id")))
    return CANONICAL_HEAD + b",".join(_encoded_slices(ordered)) + CANONICAL_TAIL


def _encoded_slices(features: Sequence[Dict[str, Any]]) -> Iterator[bytes]:
    # One json.dumps of a slice of features at a time: the same text as one
    # call over the whole collection, without one C call over tens of MB
    # holding the interpreter lock for a second, stalling every other thread
    # (the endpoint's event loop; the plugin's GUI).
    for i in range(0, len(features), _ENCODE_SLICE):
        yield json.dumps(features[i:i + _ENCODE_SLICE], ensure_ascii=False,
                         separators=(",", ":"), allow_nan=False)[1:-1].encode("utf-8")


def feature_parts(features: Sequence[Dict[str, Any]]) -> List[bytes]:
    """Each feature's canonical bytes after FEATURE_PREFIX (as
    :func:`canonical_feature_parts` cuts them), in the order given: what
    :func:`canonical_from_parts` joins, so that an exporter can keep the
    bytes of each feature and encode again only the features that change."""
    parts: List[bytes] = []
    for start, text in zip(range(0, len(features), _ENCODE_SLICE),
                           _encoded_slices(features)):
        cut = text[len(FEATURE_PREFIX):].split(b"," + FEATURE_PREFIX)
        if not text.startswith(FEATURE_PREFIX) or len(cut) != len(
                features[start:start + _ENCODE_SLICE]):
            raise ValueError("features must be built type, id, geometry, properties "
                             "(canonical_bytes keeps any other order)")
        parts.extend(cut)
    return parts


def canonical_from_parts(parts: Sequence[Any]) -> bytes:
    """The FeatureCollection of features given as :func:`feature_parts`
    gives them, in that order (canonical when sorted by id). One join, so
    one copy of the layer: a ``+`` of the joined parts copied a national
    layer (1 GB) twice more."""
    if not parts:
        return CANONICAL_HEAD + CANONICAL_TAIL
    pieces: List[Any] = [CANONICAL_HEAD + FEATURE_PREFIX]
    separator = b"," + FEATURE_PREFIX
    for part in parts:
        pieces += (part, separator)
    pieces[-1] = CANONICAL_TAIL
    return b"".join(pieces)


_ENCODE_SLICE = 512


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bbox_of(features: Iterable[Mapping[str, Any]]) -> Optional[List[float]]:
    """[min lon, min lat, max lon, max lat] of all coordinates, None if empty."""
    xs: List[float] = []
    ys: List[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feat in features:
        geom = feat.get("geometry")
        if geom:
            walk(geom["coordinates"])
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]
