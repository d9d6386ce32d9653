"""Geometry rules, including a corpus of nasty zone geometries."""

from __future__ import annotations

import math

import pytest
from qgis.core import QgsGeometry, QgsLineString, QgsPoint, QgsPolygon
from validation_helpers import (
    CITY,
    ZONE_WKT,
    codes,
    make_layer,
    point,
    run,
    sound_attributes,
    sound_layers,
)

from covidmaps_plugin.core.validation import FindingCode, ValidationOptions

X0, Y0 = 105.830, 22.140  # a corner inside the city
D = 0.004  # about 400 m


def _ring(*pairs):
    return ", ".join(f"{X0 + dx * D:.6f} {Y0 + dy * D:.6f}" for dx, dy in pairs)


def zone_wkt(*rings):
    return "POLYGON(" + ", ".join(f"({_ring(*r)})" for r in rings) + ")"


SQUARE = ((0, 0), (1, 0), (1, 1), (0, 1), (0, 0))
NASTY = {
    "bowtie": zone_wkt(((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))),
    "self_touching_ring": zone_wkt(((0, 0), (2, 0), (1, 1), (2, 2), (0, 2), (1, 1), (0, 0))),
    "hole_outside_shell": zone_wkt(SQUARE, ((2, 2), (3, 2), (3, 3), (2, 2))),
    "nested_holes": zone_wkt(
        ((0, 0), (10, 0), (10, 10), (0, 10), (0, 0)),
        ((1, 1), (9, 1), (9, 9), (1, 9), (1, 1)),
        ((2, 2), (3, 2), (3, 3), (2, 3), (2, 2))),
    "zero_area": zone_wkt(((0, 0), (1, 0), (2, 0), (0, 0))),
    "spike": zone_wkt(((0, 0), (1, 0), (1, 1), (0.5, 1), (0.5, 2), (0.5, 1), (0, 1), (0, 0))),
    "too_few_points": zone_wkt(((0, 0), (1, 0), (0, 0))),
}


def _zone_layers(geometry, **attributes):
    return {"isolation_zones": make_layer(
        "isolation_zones", [(geometry, sound_attributes("isolation_zones", **attributes))])}


def _zone_codes(geometry, **kwargs):
    return codes(run(_zone_layers(geometry), **kwargs), "isolation_zones")


@pytest.mark.parametrize("name", sorted(NASTY))
def test_geos_invalid_zones_are_errors(name):
    geometry = QgsGeometry.fromWkt(NASTY[name])
    assert not geometry.isNull(), "QGIS must accept the WKT for the test to mean anything"
    report = run(_zone_layers(geometry))
    invalid = [f for f in report.findings if f.code is FindingCode.GEOM_INVALID]
    assert len(invalid) == 1, codes(report)
    assert invalid[0].location is not None
    assert report.blocking


def test_geometries_that_qgis_own_method_accepts_are_caught():
    """Why GEOS: QGIS's own method accepts these."""
    from qgis.core import Qgis

    for name in ("nested_holes", "zero_area", "spike"):
        geometry = QgsGeometry.fromWkt(NASTY[name])
        assert not geometry.validateGeometry(Qgis.GeometryValidationEngine.QgisInternal)
        assert "GEOM_INVALID" in _zone_codes(geometry)


def test_sound_zone_passes():
    assert _zone_codes(QgsGeometry.fromWkt(zone_wkt(SQUARE))) == []


def test_unclosed_ring_is_reported_not_silently_closed():
    geometry = QgsGeometry.fromWkt(
        f"POLYGON(({_ring((0, 0), (1, 0), (1, 1), (0, 1))}))")
    assert not geometry.isNull()
    assert _zone_codes(geometry) == ["GEOM_RING_NOT_CLOSED"]


def test_nan_coordinates_in_a_zone():
    ring = QgsLineString([QgsPoint(X0, Y0), QgsPoint(math.nan, Y0), QgsPoint(X0 + D, Y0 + D),
                          QgsPoint(X0, Y0)])
    polygon = QgsPolygon()
    polygon.setExteriorRing(ring)
    assert _zone_codes(QgsGeometry(polygon)) == ["GEOM_NON_FINITE"]


def test_nan_and_infinite_point_coordinates():
    layers = {"risk_points": make_layer("risk_points", [
        (QgsGeometry(QgsPoint(math.nan, CITY[1])), sound_attributes("risk_points")),
        (QgsGeometry(QgsPoint(CITY[0], math.inf)), sound_attributes("risk_points")),
        (point(), sound_attributes("risk_points")),
    ])}
    report = run(layers)
    assert codes(report, "risk_points") == ["GEOM_NON_FINITE", "GEOM_NON_FINITE"]
    assert all(f.location is None for f in report.findings)


def test_a_million_vertices_finishes_and_is_flagged():
    count = 1_000_000
    xs = [X0 + D * math.cos(2 * math.pi * i / count) for i in range(count)]
    ys = [Y0 + D * math.sin(2 * math.pi * i / count) for i in range(count)]
    xs.append(xs[0])
    ys.append(ys[0])
    polygon = QgsPolygon()
    polygon.setExteriorRing(QgsLineString(xs, ys))
    assert _zone_codes(QgsGeometry(polygon)) == ["GEOM_TOO_COMPLEX"]


def test_large_but_allowed_vertex_count_is_checked_by_geos():
    count = 5000
    xs = [X0 + D * math.cos(2 * math.pi * i / count) for i in range(count)] + [X0 + D]
    ys = [Y0 + D * math.sin(2 * math.pi * i / count) for i in range(count)] + [Y0]

    def circle():
        polygon = QgsPolygon()
        polygon.setExteriorRing(QgsLineString(xs, ys))
        return QgsGeometry(polygon)

    assert _zone_codes(circle()) == []
    assert _zone_codes(circle(), options=ValidationOptions(max_vertices=1000)) == [
        "GEOM_TOO_COMPLEX"]


def test_missing_and_wrong_type_geometries():
    layers = {
        "risk_points": make_layer("risk_points", [(None, sound_attributes("risk_points"))]),
        "isolation_zones": make_layer("isolation_zones", [
            (None, sound_attributes("isolation_zones"))]),
    }
    report = run(layers)
    assert codes(report, "risk_points") == ["GEOM_MISSING"]
    assert codes(report, "isolation_zones") == ["GEOM_MISSING"]


def test_wrong_type_in_a_point_layer():
    """A memory Point layer accepts a MultiPoint; the model wants one point."""
    multipoint = QgsGeometry.fromWkt("MULTIPOINT(105.83 22.14, 105.84 22.15)")
    layers = {"risk_points": make_layer("risk_points", [
        (multipoint, sound_attributes("risk_points"))])}
    report = run(layers)
    assert codes(report) == ["GEOM_WRONG_TYPE"]
    assert "MultiPoint" in report.findings[0].message_en


def test_vn2000_metres_in_a_degree_layer():
    layers = {"risk_points": make_layer("risk_points", [
        (point(432_500, 2_450_100), sound_attributes("risk_points"))])}
    report = run(layers)
    assert codes(report) == ["GEOM_METRES_AS_DEGREES"]
    assert "432500" in report.findings[0].message_en


def test_degrees_in_a_metre_layer_and_metres_accepted_there():
    layer = make_layer("risk_points", [
        (point(*CITY), sound_attributes("risk_points")),
        (point(433_000, 2_449_000), sound_attributes("risk_points")),
    ], crs="EPSG:9213")
    report = run({"risk_points": layer})
    assert codes(report) == ["GEOM_DEGREES_AS_METRES"]
    assert report.findings[0].fid == 1


def test_zone_in_metres_in_a_degree_layer():
    wkt = "POLYGON((432000 2450000, 433000 2450000, 433000 2451000, 432000 2450000))"
    assert _zone_codes(QgsGeometry.fromWkt(wkt)) == ["GEOM_METRES_AS_DEGREES"]


def test_outside_the_province_bbox_and_outline():
    hanoi = point(105.85, 21.03)
    layers = {"checkpoints": make_layer("checkpoints", [
        (hanoi, sound_attributes("checkpoints")), (point(), sound_attributes("checkpoints"))])}
    assert codes(run(layers)) == ["GEOM_OUTSIDE_PROVINCE"]
    # with an outline, a point inside the bbox but outside the outline is caught too
    outline = QgsGeometry.fromWkt(
        "POLYGON((105.8 22.1, 105.9 22.1, 105.9 22.2, 105.8 22.2, 105.8 22.1))")
    inside_bbox = point(106.2, 22.7)
    layers = {"checkpoints": make_layer("checkpoints", [
        (inside_bbox, sound_attributes("checkpoints")),
        (point(), sound_attributes("checkpoints"))])}
    assert codes(run(layers)) == []
    assert codes(run(layers, province_geometry=outline)) == ["GEOM_OUTSIDE_PROVINCE"]


def test_outline_tolerance():
    outline = QgsGeometry.fromWkt(
        "POLYGON((105.8 22.1, 105.9 22.1, 105.9 22.2, 105.8 22.2, 105.8 22.1))")
    just_outside = point(105.9005, 22.15)  # about 50 m east of the outline
    layers = {"checkpoints": make_layer("checkpoints", [
        (just_outside, sound_attributes("checkpoints"))])}
    assert codes(run(layers, province_geometry=outline)) == []
    strict = ValidationOptions(outline_tolerance_m=10)
    assert codes(run(layers, province_geometry=outline, options=strict)) == [
        "GEOM_OUTSIDE_PROVINCE"]


def test_zone_partly_and_fully_outside():
    outline = QgsGeometry.fromWkt(
        f"POLYGON(({_ring((0, 0), (10, 0), (10, 10), (0, 10), (0, 0))}))")
    partly = QgsGeometry.fromWkt(zone_wkt(((9, 9), (11, 9), (11, 11), (9, 11), (9, 9))))
    outside = QgsGeometry.fromWkt(zone_wkt(((20, 20), (21, 20), (21, 21), (20, 21), (20, 20))))
    assert _zone_codes(partly, province_geometry=outline) == ["GEOM_PARTLY_OUTSIDE"]
    assert _zone_codes(outside, province_geometry=outline) == ["GEOM_OUTSIDE_PROVINCE"]


def test_zone_area_too_small_and_too_large():
    tiny = QgsGeometry.fromWkt(zone_wkt(((0, 0), (0.001, 0), (0.001, 0.001), (0, 0.001),
                                         (0, 0))))  # 0.4 m x 0.4 m
    assert _zone_codes(tiny) == ["GEOM_AREA_TOO_SMALL"]
    outline = QgsGeometry.fromWkt(zone_wkt(SQUARE))
    huge = QgsGeometry.fromWkt(zone_wkt(((-1, -1), (3, -1), (3, 3), (-1, 3), (-1, -1))))
    found = _zone_codes(huge, province_geometry=outline)
    assert "GEOM_AREA_TOO_LARGE" in found


def _two_zones(second_geometry, **second):
    first = sound_attributes("isolation_zones")
    other = sound_attributes("isolation_zones", name="Tổ 2", **second)
    return {"isolation_zones": make_layer("isolation_zones", [
        (ZONE_WKT, first), (second_geometry, other)])}


SHIFTED = ("MULTIPOLYGON(((105.833 22.143, 105.839 22.143, 105.839 22.149, "
           "105.833 22.149, 105.833 22.143)))")
APART = ("MULTIPOLYGON(((105.850 22.160, 105.856 22.160, 105.856 22.166, "
         "105.850 22.166, 105.850 22.160)))")


def test_overlapping_zones_of_the_same_measure_in_force():
    report = run(_two_zones(SHIFTED))
    overlaps = [f for f in report.findings if f.code is FindingCode.GEOM_ZONE_OVERLAP]
    assert len(overlaps) == 2
    assert "Tổ 2" in overlaps[0].message_vi or "Tổ 2" in overlaps[1].message_vi


@pytest.mark.parametrize("case", [
    {"measure": "social_distancing"},  # different measure
    {"status": "lifted", "lifted_on": "2021-06-08T00:00:00+07:00"},  # no longer published
    {"approved": False},  # not published
    {"effective_from": "2021-06-20T00:00:00+07:00",  # follows the first one
     "effective_until": "2021-06-30T00:00:00+07:00", "status": "upcoming"},
])
def test_zones_that_may_share_ground(case):
    assert "GEOM_ZONE_OVERLAP" not in codes(run(_two_zones(SHIFTED, **case)))


def test_disjoint_zones_do_not_overlap():
    assert codes(run(_two_zones(APART))) == []


def test_point_in_another_district():
    districts = {
        "058": QgsGeometry.fromWkt("POLYGON((105.8 22.1, 105.9 22.1, 105.9 22.2, 105.8 22.2, "
                                   "105.8 22.1))"),
        "063": QgsGeometry.fromWkt("POLYGON((105.8 22.2, 105.9 22.2, 105.9 22.3, 105.8 22.3, "
                                   "105.8 22.2))"),
    }
    options = ValidationOptions(district_geometries=districts)
    layers = sound_layers(risk_points=[
        (point(105.85, 22.25), sound_attributes("risk_points", name="Chợ Phủ Thông")),
        (point(105.85, 22.25), sound_attributes("risk_points", name="Trạm xá",
                                                district_code="063")),
    ])
    report = run(layers, options=options)
    assert codes(report) == ["GEOM_DISTRICT_MISMATCH"]
    assert "063" in report.findings[0].message_en
    assert report.findings[0].severity.value == "warning"
    assert not report.blocking


def test_a_pile_of_copied_zones_reports_a_few_overlaps_each():
    from covidmaps_plugin.core.validation.rules_geometry import MAX_OVERLAPS_PER_ZONE

    rows = [(ZONE_WKT, sound_attributes("isolation_zones", name=f"Vùng {i}"))
            for i in range(12)]
    report = run({"isolation_zones": make_layer("isolation_zones", rows)})
    overlaps = [f for f in report.findings if f.code is FindingCode.GEOM_ZONE_OVERLAP]
    assert len(overlaps) == 12 * MAX_OVERLAPS_PER_ZONE
