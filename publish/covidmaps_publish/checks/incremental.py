"""A patch to a point layer, checked without checking the whole layer again.

A republish that edits one risk point of 100,000 used to rebuild the layer
(parse 80 MB, encode it again) and check every feature. Every check of a
point feature is about that feature alone (its properties, its geometry);
what spans features is the uid's uniqueness, the feature count and the
vertex total. So when the base blob has been checked under the server's
current rules (``Publisher._stored_checked``: checked in this process, or
now), checking the patch's features alone and splicing their canonical
bytes between the base's gives the ``CheckedBlob`` a full check of the new
layer would give:

- the patch's features go through ``check_blob`` itself (a collection of
  just them): the same refusals, located the same way;
- the new canonical bytes are the base's features, less the deleted and
  replaced ones, plus the patch's, in uid order: ``canonical_bytes``'s
  layout. The base is not cut whole: the few features a patch touches are
  found by bisection on its bytes (sorted by uid; the separator canonical
  bytes have between features occurs nowhere else), and the runs of
  features between them are copied as they are, so a one-feature patch
  to a 100,000-point layer costs milliseconds and the SHA-256;
- the caller compares their SHA-256 with the one the client computed with
  ``canonical_bytes``: anything else (another layout, a disagreement)
  falls back to rebuilding and checking the whole layer.

Polygon layers, reference layers and patches that bring the layer to a
limit take the whole-layer path (None here).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

from covidmaps_plugin.model import MODEL, GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj

from ..boundary import input_stage
from ..config import Limits
from ..patching import check_patch_ids
from .layer import CheckedBlob, check_blob

_POINT = b'"geometry":{"type":"Point","coordinates":['
_SEPARATOR = b"," + cgj.FEATURE_PREFIX  # only ever between two features


def feature_parts(canonical: bytes) -> Optional[Dict[str, bytes]]:
    """uid -> a feature's canonical bytes after ``{"type":"Feature","id":``,
    None when ``canonical`` is not in the canonical layout."""
    cut = cgj.canonical_feature_parts(canonical)
    if cut is None:
        return None
    parts: Dict[str, bytes] = {}
    for part in cut:
        uid = cgj.part_id(part)
        if uid is None:
            return None
        parts[uid.decode("ascii", "replace")] = part
    return parts


class _Layout:
    """Features of canonical bytes found by bisection on the bytes (they
    are sorted by id), without cutting the whole layer: a patch of a few
    features costs a few dozen short searches, not a pass over 80 MB."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.first = len(cgj.CANONICAL_HEAD)
        self.end = len(data) - len(cgj.CANONICAL_TAIL)

    def start_from(self, pos: int, hi: int) -> int:
        """The first feature start in [pos, hi), else hi."""
        if pos <= self.first:
            return self.first if self.first < hi else hi
        found = self.data.find(_SEPARATOR, pos - 1, hi - 1 + len(_SEPARATOR))
        return hi if found < 0 or found + 1 >= hi else found + 1

    def uid(self, start: int) -> bytes:
        at = start + len(cgj.FEATURE_PREFIX) + 1
        return self.data[at:self.data.index(b'"', at)]

    def lower_bound(self, uid: bytes, lo: int, hi: Optional[int] = None) -> int:
        """The start of the first feature at or after ``lo`` (a feature
        start) whose id is not below ``uid``; ``hi`` (a feature start whose
        id is not below it; by default ``end``) if there is none before it."""
        hi = self.end if hi is None else hi
        # all features before lo are below uid; all from hi on are not
        while lo < hi:
            probe = self.start_from(max((lo + hi) // 2, lo + 1), hi)
            if probe == hi:
                probe = self.start_from(lo + 1, hi)
                if probe == hi:  # lo is the only feature left
                    return lo if self.uid(lo) >= uid else hi
            if self.uid(probe) < uid:
                lo = probe
            else:
                hi = probe
        return lo

    def point(self, start: int) -> Optional[Tuple[float, float]]:
        """The coordinates of the point feature at ``start`` (see _points_bbox)."""
        found = _points_bbox([self.data[start:self.start_from(start + 1, self.end)]])
        return None if found is None else (found[0], found[1])


# a range of a layer this short is searched for each wanted uid directly
_SCAN_BYTES = 1 << 16


def find_features(data: bytes, uids: Iterable[bytes]) -> Dict[bytes, bytes]:
    """The features of canonical bytes with these uids (the ones it has),
    each as canonical_feature_parts cuts it, found without a pass over the
    layer: the wanted uids (sorted) are split in halves, the middle one
    found by bisection bounds where each half can lie, and in a range of a
    few KB each is searched for directly. A few thousand of 100,000 cost
    tens of milliseconds."""
    layout = _Layout(data)
    found: Dict[bytes, bytes] = {}

    def take(at: int) -> int:
        """Keeps the feature at ``at``; returns the next feature's start."""
        stop = layout.start_from(at + 1, layout.end)
        found[layout.uid(at)] = data[at + len(cgj.FEATURE_PREFIX):
                                     stop - 1 if stop < layout.end else layout.end]
        return stop

    def search(wanted: List[bytes], lo: int, hi: int) -> None:
        """Those of ``wanted`` in [lo, hi): feature starts, every feature
        before ``lo`` below them all and none from ``hi`` on."""
        if not wanted or lo >= hi:
            return
        if hi - lo <= _SCAN_BYTES:
            for uid in wanted:
                at = data.find(cgj.FEATURE_PREFIX + b'"' + uid + b'"', lo, hi)
                if at >= 0:  # the prefix only ever starts a feature
                    lo = take(at)
            return
        middle = len(wanted) // 2
        at = layout.lower_bound(wanted[middle], lo, hi)
        search(wanted[:middle], lo, at)
        if at < hi and layout.uid(at) == wanted[middle]:
            at = take(at)
        search(wanted[middle + 1:], at, hi)

    search(sorted(set(uids)), layout.first, layout.end)
    return found


@input_stage("patch-check", 422)
def check_patched(layer: str, base: CheckedBlob, upsert: List[Any], delete: List[str],
                  profile: ProvinceProfile, limits: Limits) -> Optional[CheckedBlob]:
    """The checked new layer, or None when this patch needs the whole-layer
    path. ``base`` is checked under the current rules. Raises the
    ProblemError a full check would raise for bad ids or a bad feature."""
    check_patch_ids(layer, base.feature_hashes, upsert, delete)
    if layer not in MODEL.layer_names or MODEL.layer(layer).geometry_type is not (
            GeometryType.POINT):
        return None
    new_ids = {f["id"] for f in upsert if isinstance(f, dict)}
    count = len(base.feature_hashes) - len(delete) + len(new_ids - base.feature_hashes.keys())
    if count > limits.max_features or count > limits.max_vertices_total:
        return None  # the whole-layer check says which limit, as it always has
    data = base.data
    if not (data.startswith(cgj.CANONICAL_HEAD) and data.endswith(cgj.CANONICAL_TAIL)):
        return None
    body = json.dumps({"type": "FeatureCollection", "features": upsert},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    checked = check_blob(layer, body, profile, limits)  # refusals as a full check gives
    added = feature_parts(checked.data)
    if added is None:
        return None
    layout = _Layout(data)
    view = memoryview(data)
    pieces: List[Any] = []
    removed: List[Optional[Tuple[float, float]]] = []
    cursor = layout.first  # the next base feature not yet taken
    for uid in sorted(set(delete) | added.keys()):
        at = layout.lower_bound(uid.encode("ascii", "replace"), cursor)
        if at > cursor:  # the base's features in between, as they are
            pieces.append(view[cursor:at - 1 if at < layout.end else layout.end])
        cursor = at
        if at < layout.end and layout.uid(at) == uid.encode("ascii", "replace"):
            removed.append(layout.point(at))
            cursor = layout.start_from(at + 1, layout.end)
        if uid in added:
            pieces.append(cgj.FEATURE_PREFIX + added[uid])
    if cursor < layout.end:
        pieces.append(view[cursor:layout.end])
    # one join, one copy of the layer (a '+' of 80 MB would copy it again)
    joined: List[Any] = [cgj.CANONICAL_HEAD]
    for piece in pieces:
        joined += (piece, b",")
    joined[-1 if pieces else len(joined):] = [cgj.CANONICAL_TAIL]
    new = b"".join(joined)
    hashes = dict(base.feature_hashes)
    for uid in delete:
        hashes.pop(uid, None)
    hashes.update((uid, checked.feature_hashes[uid]) for uid in added)
    if len(hashes) != count:
        return None
    bbox = _patched_bbox(base.bbox, removed, checked.bbox, new)
    return CheckedBlob(layer, new, hashlib.sha256(new).hexdigest(), len(hashes),
                       bbox, hashes, checked.dropped_fields)


def _patched_bbox(base: Optional[List[float]], removed: List[Optional[Tuple[float, float]]],
                  added: Optional[List[float]], data: bytes) -> Optional[List[float]]:
    """The new layer's bbox: the base's grown by the added points, unless a
    removed point lay on the base's edge (then read from every feature)."""
    if base is not None and any(
            p is not None and (p[0] in (base[0], base[2]) or p[1] in (base[1], base[3]))
            for p in removed):
        return _points_bbox(cgj.canonical_feature_parts(data) or [])
    boxes = [b for b in (base, added) if b is not None]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _points_bbox(parts: Iterable[bytes]) -> Optional[List[float]]:
    """``cgj.bbox_of`` of canonical point features, read from their bytes:
    the first ``"geometry":`` of a feature is its own (a property's text
    has its quotes escaped), and a canonical point is ``[lon,lat]``."""
    xs: List[Any] = []
    ys: List[Any] = []
    for part in parts:
        start = part.find(_POINT)
        if start < 0:
            continue  # no geometry: not in the bbox, as in bbox_of
        start += len(_POINT)
        end = part.find(b"]", start)
        lon, lat = part[start:end].split(b",")
        xs.append(json.loads(lon))
        ys.append(json.loads(lat))
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]
