"""The canonical GeoJSON encoding (model/geojson.py): one text whatever the
order of a feature's members, cut into per-feature parts only when features
are built in the canonical member order."""

from __future__ import annotations

import json

import pytest

from covidmaps_plugin.model import geojson as cgj


def test_canonical_bytes_keep_any_member_order_and_parts_refuse_it() -> None:
    """canonical_bytes is one json.dumps of the collection (sorted by id)
    whatever order a feature's members come in (a patch's features are the
    client's dicts); only features built type, id, geometry, properties are
    cut into parts, and feature_parts refuses others rather than cut them
    wrong."""
    built = [{"type": "Feature", "id": f"{i:04d}",
              "geometry": {"type": "Point", "coordinates": [105.8, 22.1 + i / 100]},
              "properties": {"name": f'Điểm "{i}" ,{{"type":"Feature","id":'}}
             for i in range(1500)]  # three encoding slices
    reordered = [{"properties": f["properties"], "geometry": f["geometry"], "id": f["id"],
                  "type": "Feature"} for f in built]
    for features in (built, reordered):
        expected = json.dumps({"type": "FeatureCollection", "features": sorted(
            features, key=lambda f: f["id"])}, ensure_ascii=False,
            separators=(",", ":")).encode("utf-8")
        assert cgj.canonical_bytes(reversed(features)) == expected
    parts = cgj.feature_parts(built)
    assert cgj.canonical_from_parts(parts) == cgj.canonical_bytes(built)
    assert cgj.canonical_feature_parts(cgj.canonical_bytes(built)) == parts
    with pytest.raises(ValueError):
        cgj.feature_parts(reordered)


def _point(uid: str, name: str) -> dict:
    return {"type": "Feature", "id": uid, "geometry": {"type": "Point", "coordinates": [1, 2]},
            "properties": {"name": name}}


def test_two_blobs_merge_by_id_one_feature_of_each_at_a_time() -> None:
    base = cgj.canonical_bytes([_point("a", "x"), _point("b", "x"), _point("d", "x")])
    new = cgj.canonical_bytes([_point("b", "y"), _point("c", "x"), _point("d", "x")])
    merged = [(uid, old is not None, new_part is not None, old == new_part)
              for uid, old, new_part in cgj.merge_canonical(base, new)]
    assert merged == [(b"a", True, False, False), (b"b", True, True, False),
                      (b"c", False, True, False), (b"d", True, True, True)]
    assert cgj.merge_canonical(json.dumps(json.loads(base), indent=1).encode(), new) is None
    escaped = cgj.canonical_bytes([_point("a\u00e9", "x")]).replace("é".encode(), b"\\u00e9")
    with pytest.raises(ValueError):
        list(cgj.merge_canonical(escaped, new))
    # ids out of order: not what canonical_bytes writes
    swapped = base.replace(b'"a"', b'"z"', 1)
    with pytest.raises(ValueError):
        list(cgj.merge_canonical(swapped, new))
