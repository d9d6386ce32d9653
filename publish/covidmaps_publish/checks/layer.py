"""Check one uploaded layer blob end to end and produce its canonical bytes.

Order matters for cost: size (by the caller), encoding and depth on the raw
bytes, then the parse, structure and limits, then per-feature checks, GEOS
validity last and only on geometries that passed the cheap checks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple

from covidmaps_plugin.model import MODEL, GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj

from ..config import Limits
from ..problems import FieldError, ProblemError
from .attributes import canonical_uuid, check_properties, is_utf8_text
from .errors import ErrorCapError, ErrorSink
from .geometry import VertexBudget, check_geometry
from .jsonparse import parse_json

# Reference layers: the province outline and the district polygons, so the
# map works without a basemap. Features carry only ``code`` and ``name``.
REFERENCE_LAYERS = ("province", "districts")


def known_layer_ids() -> Tuple[str, ...]:
    return MODEL.layer_names + REFERENCE_LAYERS


@dataclass(frozen=True)
class CheckedBlob:
    layer: str
    data: bytes  # canonical bytes: what is stored and served
    sha256: str
    feature_count: int
    bbox: Optional[List[float]]
    feature_hashes: Dict[str, str]  # id -> SHA-256 of the feature (change counts)
    dropped_fields: Tuple[str, ...]  # internal fields removed from the upload


def unknown_layer(layer: str) -> ProblemError:
    known = ", ".join(known_layer_ids())
    return ProblemError(404, "unknown-layer", "Unknown layer",
                   f"{layer[:60]!r} is not a layer; known layers: {known}.",
                   errors=[FieldError("unknown-layer", f"Known layers: {known}.",
                                      layer=layer[:60])])


def check_blob(layer: str, data: bytes, profile: ProvinceProfile, limits: Limits) -> CheckedBlob:
    """Check ``data`` as layer ``layer``; raise a 4xx ProblemError on bad input."""
    if layer not in known_layer_ids():
        raise unknown_layer(layer)
    if len(data) > limits.max_blob_bytes:
        raise ProblemError(413, "too-large", "Layer too large",
                      f"The layer is {len(data)} bytes; at most {limits.max_blob_bytes} allowed.")
    doc = parse_json(data, limits.max_depth, f"layer {layer}", layer)
    sink = ErrorSink(layer, limits.max_errors)
    features_in = _collection(doc, layer, limits)
    budget = VertexBudget(limits.max_vertices_per_feature, limits.max_vertices_total)
    dropped: Set[str] = set()
    features: List[Dict[str, Any]] = []
    seen: Set[str] = set()
    try:
        for index, feat in enumerate(features_in):
            sink.feature_id = f"#{index}"
            out = _feature(layer, feat, sink, profile, budget, dropped, seen)
            if out is not None:
                features.append(out)
            if budget.used > budget.total:
                break
    except ErrorCapError:
        raise sink.problem(truncated=True) from None
    if sink.errors:
        raise sink.problem()
    canonical = cgj.canonical_bytes(features)
    hashes = {f["id"]: hashlib.sha256(
        json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
        for f in features}
    return CheckedBlob(layer, canonical, hashlib.sha256(canonical).hexdigest(), len(features),
                       cgj.bbox_of(features), hashes, tuple(sorted(dropped)))


def _collection(doc: Any, layer: str, limits: Limits) -> List[Any]:
    def bad(code: str, message: str) -> ProblemError:
        return ProblemError(422, code, "The layer data is not valid", message,
                       errors=[FieldError(code, message, layer=layer)])

    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise bad("not-feature-collection", "The layer must be a GeoJSON FeatureCollection.")
    if "crs" in doc:
        raise bad("crs-member", "RFC 7946 GeoJSON has no 'crs' member: export in WGS 84 "
                  "(EPSG:4326) without it.")
    unknown = set(doc) - {"type", "features", "bbox", "name"}
    if unknown:
        raise bad("unknown-member", f"Unexpected members {sorted(unknown)[:5]} in the "
                  "FeatureCollection.")
    features = doc.get("features")
    if not isinstance(features, list):
        raise bad("no-features", "'features' must be a list (empty for no features).")
    if len(features) > limits.max_features:
        raise bad("too-many-features", f"The layer has {len(features)} features; at most "
                  f"{limits.max_features} are allowed.")
    return features


def _feature(layer: str, feat: Any, sink: ErrorSink, profile: ProvinceProfile,
             budget: VertexBudget, dropped: Set[str], seen: Set[str]) -> Optional[Dict[str, Any]]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        sink.add("not-feature", "Every element of 'features' must be a GeoJSON Feature.")
        return None
    props = feat.get("properties")
    if layer in REFERENCE_LAYERS:
        fid, properties = _reference_properties(layer, props, sink, profile)
    else:
        layer_def = MODEL.layer(layer)
        uid = props.get("uid") if isinstance(props, dict) else None
        fid = canonical_uuid(uid)
        if fid is not None:
            sink.feature_id = fid
        elif uid is not None:
            sink.feature_id = str(uid)[:60]
        if "id" in feat and feat["id"] != uid:
            sink.add("id-mismatch", "The feature 'id' must equal its 'uid' property.", "id")
            return None
        properties = check_properties(layer_def, props, sink, profile, dropped)
    if fid is not None:
        if fid in seen:
            sink.add("duplicate-id", f"Two features have the id {fid}; ids must be unique.",
                     "uid")
            return None
        seen.add(fid)
    expected = (GeometryType.MULTIPOLYGON if layer in REFERENCE_LAYERS
                else MODEL.layer(layer).geometry_type)
    geometry = check_geometry(feat.get("geometry"), expected, sink, profile, budget)
    if geometry is None or properties is None or fid is None:
        return None
    return cgj.feature(fid, geometry, properties)


def _reference_properties(layer: str, props: Any, sink: ErrorSink, profile: ProvinceProfile
                          ) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    if not isinstance(props, dict) or set(props) - {"code", "name"}:
        sink.add("bad-properties", "Reference features carry exactly 'code' and 'name'.")
        return None, None
    code, name = props.get("code"), props.get("name")
    if not isinstance(code, str) or not 0 < len(code) <= 10 or not code.isalnum():
        sink.add("bad-code", "'code' must be a short alphanumeric GSO code.", "code")
        return None, None
    sink.feature_id = code
    if not isinstance(name, str) or not 0 < len(name) <= 200 or not is_utf8_text(name):
        sink.add("bad-name", "'name' must be text of 1 to 200 characters.", "name")
        return None, None
    if layer == "districts" and code not in profile.district_codes:
        sink.add("unknown-district", f"{code!r} is not a district code of {profile.name}.",
                 "code")
        return None, None
    return code, {"code": code, "name": name}
