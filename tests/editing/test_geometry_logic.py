"""Location lookup and zone geometries on the workspace's reference polygons."""

from __future__ import annotations

import math

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsWkbTypes,
)

from covidmaps_plugin.core.editing import (
    AdminLookup,
    AdminUnits,
    EditRefusedError,
    zone_around_point,
    zone_from_admin_units,
)

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def _metric(workspace) -> QgsCoordinateReferenceSystem:
    return QgsCoordinateReferenceSystem(workspace.profile.crs)


def _area_m2(workspace, geometry, crs) -> float:
    metric = QgsCoordinateReferenceSystem(workspace.profile.crs)
    copy = QgsGeometry(geometry)
    copy.transform(QgsCoordinateTransform(crs, metric, workspace.project.transformContext()))
    return copy.area()


def _inside(layer, code):
    """A point safely inside the district ``code`` and its expected code."""
    feat = next(f for f in layer.getFeatures() if f["code"] == code)
    return feat.geometry().pointOnSurface().asPoint()


def test_district_is_derived_from_the_location_in_any_crs(workspace):
    districts = workspace.reference_layer("districts")
    lookup = AdminLookup(districts, workspace.reference_layer("communes"), workspace.project)
    codes = [f["code"] for f in districts.getFeatures()]
    assert len(set(codes)) == len(workspace.profile.districts)
    to_metric = QgsCoordinateTransform(districts.crs(), _metric(workspace), workspace.project)
    for code in codes[:4]:
        where = _inside(districts, code)
        assert lookup.locate(where, districts.crs()).district_code == code
        # the same place given in the province's metric CRS
        assert lookup.locate(to_metric.transform(where), _metric(workspace)).district_code == code
    outside = lookup.locate(QgsPointXY(100.0, 10.0), WGS84)
    assert outside.district_code is None and outside.commune_code is None


def test_zone_from_two_districts_is_their_union(workspace):
    districts = workspace.reference_layer("districts")
    units = AdminUnits(districts)
    a, b = units.codes[:2]
    zone = zone_from_admin_units(units, [a, b], WGS84, workspace.project)
    assert zone.wkbType() == QgsWkbTypes.MultiPolygon
    area_a = _area_m2(workspace, units.geometries([a])[0], districts.crs())
    area_b = _area_m2(workspace, units.geometries([b])[0], districts.crs())
    overlap = units.geometries([a])[0].intersection(units.geometries([b])[0])
    expected = area_a + area_b - _area_m2(workspace, overlap, districts.crs())
    assert _area_m2(workspace, zone, WGS84) == pytest.approx(expected, rel=1e-3)
    for single in (a, b):
        assert zone.contains(units.geometries([single])[0].pointOnSurface())


def test_zone_from_admin_units_refuses_no_choice_and_unknown_codes(workspace):
    units = AdminUnits(workspace.reference_layer("districts"))
    with pytest.raises(EditRefusedError) as empty:
        zone_from_admin_units(units, [], WGS84)
    assert "Chưa chọn" in empty.value.message_vi
    with pytest.raises(EditRefusedError) as unknown:
        zone_from_admin_units(units, [units.codes[0], "999"], WGS84)
    assert "999" in unknown.value.message_en


def test_buffer_of_500_m_is_500_metres_on_the_ground_not_degrees(workspace):
    centre = QgsPointXY(105.834, 22.147)  # Bắc Kạn town, WGS 84
    zone = zone_around_point(centre, WGS84, 500, _metric(workspace), WGS84, workspace.project)
    assert zone.wkbType() == QgsWkbTypes.MultiPolygon
    area = _area_m2(workspace, zone, WGS84)
    assert area == pytest.approx(math.pi * 500**2, rel=0.01)
    box = zone.boundingBox()
    assert box.width() < 0.02 and box.height() < 0.02  # a few hundred metres, in degrees
    assert zone.contains(zone.centroid()) and box.contains(centre)
    # the same circle asked from a point in the metric CRS
    to_metric = QgsCoordinateTransform(WGS84, _metric(workspace), workspace.project)
    metric_centre = to_metric.transform(centre)
    again = zone_around_point(metric_centre, _metric(workspace), 500, _metric(workspace), WGS84)
    assert _area_m2(workspace, again, WGS84) == pytest.approx(area, rel=1e-6)


@pytest.mark.parametrize("radius", [0, -10, 10_000_000])
def test_buffer_refuses_radius_out_of_range(workspace, radius):
    with pytest.raises(EditRefusedError) as refused:
        zone_around_point(QgsPointXY(105.8, 22.1), WGS84, radius, _metric(workspace), WGS84)
    assert "Bán kính" in refused.value.message_vi


def test_buffer_refuses_a_crs_in_degrees(workspace):
    with pytest.raises(EditRefusedError) as refused:
        zone_around_point(QgsPointXY(105.8, 22.1), WGS84, 500, WGS84, WGS84)
    assert "mét" in refused.value.message_vi


def test_commune_and_its_district_come_from_commune_polygons(workspace):
    """Where a profile has commune polygons, the commune gives both codes."""
    from qgis.core import QgsFeature, QgsRectangle, QgsVectorLayer

    districts = workspace.reference_layer("districts")
    town = next(f for f in districts.getFeatures() if f["code"] == "058")
    box = town.geometry().boundingBox()
    communes = QgsVectorLayer(f"MultiPolygon?crs={districts.crs().authid()}", "communes",
                              "memory")
    communes.dataProvider().addAttributes(districts.fields().toList()[1:])  # code, name, parent
    communes.updateFields()
    halves = [("01834", QgsRectangle(box.xMinimum(), box.yMinimum(), box.center().x(),
                                     box.yMaximum())),
              ("01837", QgsRectangle(box.center().x(), box.yMinimum(), box.xMaximum(),
                                     box.yMaximum()))]
    for code, rect in halves:
        feat = QgsFeature(communes.fields())
        feat.setGeometry(town.geometry().intersection(QgsGeometry.fromRect(rect)))
        feat["code"], feat["name"], feat["parent_code"] = code, code, "058"
        communes.dataProvider().addFeature(feat)
    lookup = AdminLookup(districts, communes, workspace.project)
    for code, rect in halves:
        probe = town.geometry().intersection(QgsGeometry.fromRect(rect)).pointOnSurface()
        where = lookup.locate(probe.asPoint(), districts.crs())
        assert (where.district_code, where.commune_code) == ("058", code)
