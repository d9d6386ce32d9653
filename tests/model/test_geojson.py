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
