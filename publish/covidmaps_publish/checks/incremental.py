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
- the new canonical bytes are the base's features, cut at the one
  separator canonical bytes have between features (``feature_hashes`` and
  ``tile_input`` cut them the same way), less the deleted and replaced
  ones, plus the patch's, in uid order: ``canonical_bytes``'s layout;
- the caller compares their SHA-256 with the one the client computed with
  ``canonical_bytes``: anything else (another layout, a disagreement)
  falls back to rebuilding and checking the whole layer.

Polygon layers, reference layers and patches that bring the layer to a
limit take the whole-layer path (None here).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, Iterable, List, Optional

from covidmaps_plugin.model import MODEL, GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj

from ..boundary import input_stage
from ..config import Limits
from ..patching import check_patch_ids
from .layer import CheckedBlob, check_blob

_POINT = b'"geometry":{"type":"Point","coordinates":['


def feature_parts(canonical: bytes) -> Optional[Dict[str, bytes]]:
    """uid -> a feature's canonical bytes after ``{"type":"Feature","id":``,
    None when ``canonical`` is not in the canonical layout."""
    cut = cgj.canonical_feature_parts(canonical)
    if cut is None:
        return None
    parts: Dict[str, bytes] = {}
    for part in cut:
        end = part.find(b'"', 1)
        if not part.startswith(b'"') or end < 0:
            return None
        parts[part[1:end].decode("ascii", "replace")] = part
    return parts


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
    parts = feature_parts(base.data)
    if parts is None:
        return None
    body = json.dumps({"type": "FeatureCollection", "features": upsert},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    checked = check_blob(layer, body, profile, limits)  # refusals as a full check gives
    added = feature_parts(checked.data)
    if added is None:
        return None
    for uid in delete:
        parts.pop(uid, None)
    parts.update(added)
    ids = sorted(parts)
    bbox = _points_bbox(parts.values())
    data = (cgj.CANONICAL_HEAD
            + b",".join(cgj.FEATURE_PREFIX + parts[uid] for uid in ids)
            + cgj.CANONICAL_TAIL)
    # the base's hashes of the features kept, the patch's of its own
    hashes = {uid: checked.feature_hashes[uid] if uid in added else base.feature_hashes[uid]
              for uid in ids}
    return CheckedBlob(layer, data, hashlib.sha256(data).hexdigest(), len(ids),
                       bbox, hashes, checked.dropped_fields)


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
