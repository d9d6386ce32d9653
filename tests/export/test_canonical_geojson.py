"""The canonical GeoJSON serialization shared by exporter and server."""

import json

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model import geojson as cgj


def test_exterior_ring_becomes_counter_clockwise_and_holes_clockwise():
    clockwise_square = [(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]
    ccw_hole = [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8), (0.2, 0.2)]
    geom = cgj.canonical_multipolygon([[clockwise_square, ccw_hole]])
    shell, hole = geom["coordinates"][0]
    assert cgj.ring_signed_area(shell) > 0
    assert cgj.ring_signed_area(hole) < 0


def test_rings_are_closed_rounded_and_free_of_repeats_from_rounding():
    ring = [(105.1234564, 22.0), (105.1234561, 22.0), (105.2, 22.0), (105.2, 22.1)]
    out = cgj.canonical_ring(ring, exterior=True)
    assert out[0] == out[-1]
    assert [105.123456, 22.0] in out
    assert len(out) == 4  # the two points that round to the same place became one
    assert all(len(str(v).split(".")[-1]) <= 6 for pos in out for v in pos)


def test_bytes_are_deterministic_sorted_compact_and_utf8():
    layer = MODEL.layer("risk_points")
    a = cgj.feature("b-uid", cgj.canonical_point(105.8, 22.1), {"name": "Chợ Phố Ngân"})
    b = cgj.feature("a-uid", cgj.canonical_point(105.9, 22.2), {"name": "Trường học"})
    first = cgj.canonical_bytes([a, b])
    assert first == cgj.canonical_bytes([b, a])
    text = first.decode("utf-8")
    assert "Chợ Phố Ngân" in text and ", " not in text and '"crs"' not in text
    assert [f["id"] for f in json.loads(text)["features"]] == ["a-uid", "b-uid"]
    props = cgj.public_properties(layer, {"name": "x", "case_refs": "BN123", "approved": True})
    assert "case_refs" not in props and "approved" not in props
    assert list(props) == [f.name for f in layer.public_fields]


def test_nan_is_refused_rather_than_written():
    bad = cgj.feature("u", {"type": "Point", "coordinates": [float("nan"), 1.0]}, {})
    try:
        cgj.canonical_bytes([bad])
    except ValueError:
        return
    raise AssertionError("NaN must never reach a release blob")


def test_bbox_covers_all_coordinates():
    feats = [
        cgj.feature("1", cgj.canonical_point(105.5, 22.0), {}),
        cgj.feature(
            "2", cgj.canonical_multipolygon([[[(106, 21.9), (106.1, 21.9), (106.1, 22.5)]]]), {}
        ),
    ]
    assert cgj.bbox_of(feats) == [105.5, 21.9, 106.1, 22.5]
    assert cgj.bbox_of([]) is None
