"""Check one uploaded layer blob end to end and produce its canonical bytes.

Order matters for cost: size (by the caller), encoding and depth on the raw
bytes, then the parse, structure and limits, then per-feature checks, GEOS
validity last and only on geometries that passed the cheap checks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Set, Tuple

from covidmaps_plugin.model import MODEL, GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model.bulk import collector_paused

from ..boundary import input_stage
from ..config import Limits
from ..problems import FieldError, ProblemError
from .attributes import PropertyChecker, canonical_uuid, is_utf8_text
from .canonical import check_canonical_points
from .errors import ErrorCapError, ErrorSink
from .geometry import VertexBudget, all_valid, canonical_points, check_geometry
from .jsonparse import parse_json

# Reference layers: the province outline and the district polygons, so the
# map works without a basemap. Features carry only ``code`` and ``name``.
REFERENCE_LAYERS = ("province", "districts")
REFERENCE_ACCURACY = ("approximate", "official")
# One rule at every level of a layer: RFC 7946 members only. A foreign member
# (RFC 7946 section 6.1) or a 'crs' is refused, never silently dropped; 'bbox'
# is accepted and replaced by the server's own. 'name' is what QGIS writes.
COLLECTION_MEMBERS = frozenset(("type", "features", "bbox", "name"))
FEATURE_MEMBERS = frozenset(("type", "id", "geometry", "properties", "bbox"))


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


@input_stage("layer", 422)
def check_blob(layer: str, data: bytes, profile: ProvinceProfile, limits: Limits) -> CheckedBlob:
    """Check ``data`` as layer ``layer``; raise a 4xx ProblemError on bad input."""
    if layer not in known_layer_ids():
        raise unknown_layer(layer)
    if len(data) > limits.max_blob_bytes:
        raise ProblemError(413, "too-large", "Layer too large",
                      f"The layer is {len(data)} bytes; at most {limits.max_blob_bytes} allowed.")
    # Duplicate keys: checking them in the parser costs a Python call per
    # object. An upload equal to its canonical re-encoding cannot have any
    # (the encoder writes each key once), so only other uploads pay for the
    # strict parse, and a duplicate key stays the first thing reported.
    fast = check_canonical_points(layer, data, profile, limits)
    if fast is not None:  # what the plugin uploads: checked from its bytes
        count, bbox, hashes = fast
        return CheckedBlob(layer, data, hashlib.sha256(data).hexdigest(), count, bbox, hashes,
                           ())
    what = f"layer {layer}"
    with collector_paused():  # millions of acyclic objects: see model.bulk
        doc = parse_json(data, limits.max_depth, what, layer, reject_duplicates=False)
        try:
            checked = _check_document(layer, doc, profile, limits)
        except ProblemError:
            parse_json(data, limits.max_depth, what, layer)
            raise
        if checked.data != data:
            parse_json(data, limits.max_depth, what, layer)
        return checked


def check_blob_lean(layer: str, data: bytes, profile: ProvinceProfile, limits: Limits
                    ) -> Tuple[CheckedBlob, bool]:
    """``check_blob`` for a worker process: (checked, same). When the
    canonical bytes are the upload's (what the plugin sends), ``checked``
    comes back without them and ``same`` is True: the caller has them, and
    80 MB need not be pickled back and held twice."""
    checked = check_blob(layer, data, profile, limits)
    if checked.data == data:
        return replace(checked, data=b""), True
    return checked, False


def _check_document(layer: str, doc: Any, profile: ProvinceProfile, limits: Limits
                    ) -> CheckedBlob:
    sink = ErrorSink(layer, limits.max_errors)
    features_in = _collection(doc, layer, limits)
    budget = VertexBudget(limits.max_vertices_per_feature, limits.max_vertices_total)
    checker = _FeatureChecker(layer, sink, profile, budget)
    features = checker.check_all(features_in, limits)
    if features is not None:
        return _checked(layer, features, ())
    features = []
    try:
        for index, feat in enumerate(features_in):
            sink.feature_id = f"#{index}"
            out = checker.check(feat)
            if out is not None:
                features.append(out)
            if budget.used > budget.total:
                break
    except ErrorCapError:
        raise sink.problem(truncated=True) from None
    if sink.errors:
        raise sink.problem()
    return _checked(layer, features, tuple(sorted(checker.dropped)))


def _checked(layer: str, features: List[Dict[str, Any]], dropped: Tuple[str, ...]
             ) -> CheckedBlob:
    canonical = cgj.canonical_bytes(features)
    return CheckedBlob(layer, canonical, hashlib.sha256(canonical).hexdigest(), len(features),
                       cgj.bbox_of(features), feature_hashes(canonical, features), dropped)


def feature_hashes(canonical: bytes, features: List[Dict[str, Any]]) -> Dict[str, str]:
    """id -> SHA-256 of the feature's bytes in ``canonical`` (its encoding
    after ``{"type":"Feature","id":``), cut from the one encoding of the
    layer instead of encoding every feature again. ``,{"type":"Feature",``
    only occurs between features: quotes inside strings are escaped and
    properties are scalars (no nested objects)."""
    ids = sorted(str(f["id"]) for f in features)  # the order canonical_bytes writes
    if not ids:
        return {}
    parts = cgj.canonical_feature_parts(canonical) or []
    if len(parts) != len(ids):  # not the expected layout: encode each feature alone
        by_id = {str(f["id"]): f for f in features}
        parts = [json.dumps(by_id[i], ensure_ascii=False, separators=(",", ":")).encode()
                 for i in ids]
        prefix = cgj.FEATURE_PREFIX
        parts = [p[len(prefix):] if p.startswith(prefix) else p for p in parts]
    return {uid: hashlib.sha256(part).hexdigest() for uid, part in zip(ids, parts)}


def _collection(doc: Any, layer: str, limits: Limits) -> List[Any]:
    def bad(code: str, message: str) -> ProblemError:
        return ProblemError(422, code, "The layer data is not valid", message,
                       errors=[FieldError(code, message, layer=layer)])

    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise bad("not-feature-collection", "The layer must be a GeoJSON FeatureCollection.")
    if "crs" in doc:
        raise bad("crs-member", "RFC 7946 GeoJSON has no 'crs' member: export in WGS 84 "
                  "(EPSG:4326) without it.")
    unknown = set(doc) - COLLECTION_MEMBERS
    if unknown:
        raise bad("unknown-member", f"Unexpected members {_names(unknown)} in the "
                  "FeatureCollection; only type, features, bbox and name are allowed.")
    features = doc.get("features")
    if not isinstance(features, list):
        raise bad("no-features", "'features' must be a list (empty for no features).")
    if len(features) > limits.max_features:
        raise bad("too-many-features", f"The layer has {len(features)} features; at most "
                  f"{limits.max_features} are allowed.")
    return features


class _FeatureChecker:
    """Checks one feature at a time; what depends only on the layer is
    looked up once."""

    def __init__(self, layer: str, sink: ErrorSink, profile: ProvinceProfile,
                 budget: VertexBudget) -> None:
        self.layer, self.sink, self.profile, self.budget = layer, sink, profile, budget
        self.reference = layer in REFERENCE_LAYERS
        self.properties = None if self.reference else PropertyChecker(MODEL.layer(layer), profile)
        self.expected = (GeometryType.MULTIPOLYGON if self.reference
                         else MODEL.layer(layer).geometry_type)
        self.dropped: Set[str] = set()
        self.seen: Set[str] = set()

    def check_all(self, features_in: List[Any], limits: Limits
                  ) -> Optional[List[Dict[str, Any]]]:
        """Every feature at once when all are valid (attributes column by
        column: ``PropertyChecker.check_columns``), else None and nothing
        reported: the feature-by-feature pass then reports each problem."""
        if self.properties is None:
            return None  # reference layers: a few features
        if not all(type(f) is dict and f.get("type") == "Feature"
                   and f.keys() <= FEATURE_MEMBERS for f in features_in):
            return None
        props = [f.get("properties") for f in features_in]
        properties = self.properties.check_columns(props)
        if properties is None:
            return None
        uids = [p["uid"] for p in properties]
        if len(set(uids)) != len(uids) or any(
                "id" in f and f["id"] != uid for f, uid in zip(features_in, uids)):
            return None
        budget = VertexBudget(limits.max_vertices_per_feature, limits.max_vertices_total)
        if self.expected is GeometryType.POINT:
            points = canonical_points([f.get("geometry") for f in features_in], self.profile,
                                      budget)
            if points is None:
                return None
            return [cgj.feature(uid, geometry, values)
                    for uid, geometry, values in zip(uids, points, properties)]
        scratch = ErrorSink(self.layer, 1)
        features = []
        try:
            for feat, uid, values in zip(features_in, uids, properties):
                geometry = check_geometry(feat.get("geometry"), self.expected, scratch,
                                          self.profile, budget, validity=False)
                if geometry is None:
                    return None
                features.append(cgj.feature(uid, geometry, values))
        except ErrorCapError:
            return None
        # GEOS once for the layer; an invalid one is named by the feature path
        return features if all_valid([f["geometry"] for f in features]) else None

    def check(self, feat: Any) -> Optional[Dict[str, Any]]:
        sink = self.sink
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            sink.add("not-feature", "Every element of 'features' must be a GeoJSON Feature.")
            return None
        unknown = feat.keys() - FEATURE_MEMBERS
        if unknown:
            if "crs" in unknown:
                sink.add("crs-member", "RFC 7946 GeoJSON has no 'crs' member: export in WGS 84 "
                         "(EPSG:4326) without it.", "crs")
            else:
                sink.add("unknown-member", f"Unexpected members {_names(unknown)} in a "
                         "Feature; only type, id, geometry, properties and bbox are allowed "
                         "(attributes go in 'properties').", _names(unknown)[:60])
            return None
        props = feat.get("properties")
        if self.properties is None:
            fid, properties = _reference_properties(self.layer, props, sink, self.profile)
        else:
            uid = props.get("uid") if isinstance(props, dict) else None
            fid = canonical_uuid(uid)
            if fid is not None:
                sink.feature_id = fid
            elif uid is not None:
                sink.feature_id = str(uid)[:60]
            if "id" in feat and feat["id"] != uid:
                sink.add("id-mismatch", "The feature 'id' must equal its 'uid' property.", "id")
                return None
            properties = self.properties.check(props, sink, self.dropped)
        if fid is not None:
            if fid in self.seen:
                sink.add("duplicate-id", f"Two features have the id {fid}; ids must be unique.",
                         "uid")
                return None
            self.seen.add(fid)
        geometry = check_geometry(feat.get("geometry"), self.expected, sink, self.profile,
                                  self.budget)
        if geometry is None or properties is None or fid is None:
            return None
        return cgj.feature(fid, geometry, properties)


def _names(names: Any) -> str:
    """Member names for a message: sorted, at most 5, each cut to 40 characters."""
    return ", ".join(repr(str(n)[:40]) for n in sorted(names)[:5])


def _reference_properties(layer: str, props: Any, sink: ErrorSink, profile: ProvinceProfile
                          ) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    if not isinstance(props, dict) or set(props) - {"code", "name", "accuracy"}:
        sink.add("bad-properties", "Reference features carry 'code', 'name' and optionally"
                 " 'accuracy' only.")
        return None, None
    accuracy = props.get("accuracy")
    if accuracy is not None and accuracy not in REFERENCE_ACCURACY:
        sink.add("bad-accuracy", "'accuracy' must be 'approximate' or 'official'.", "accuracy")
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
    out = {"code": code, "name": name}
    if accuracy is not None:
        out["accuracy"] = accuracy  # the public map says when boundaries are approximate
    return code, out
