"""Commune-level epidemic maps after the profile import of official commune
polygons (a fixture: every district split in two communes), and district
levels following the official district polygons after their import."""

from __future__ import annotations

import datetime as dt
import json

from qgis.core import QgsFeature, QgsFields, QgsGeometry, QgsRectangle, QgsWkbTypes

from covidmaps_plugin.compat import FieldKind, new_field
from covidmaps_plugin.core.editing import levels as el
from covidmaps_plugin.core.export import export_layer
from covidmaps_plugin.core.gpkg import write_layer
from covidmaps_plugin.core.profile_import import import_boundaries
from covidmaps_plugin.core.validation import validate_workspace
from covidmaps_plugin.model import MODEL, PROVINCE_TZ
from covidmaps_plugin.model import levels as lv

# the workspace stamps updated_at with the real time on every edit
NOW = dt.datetime.now(PROVINCE_TZ)
START = NOW.date() - dt.timedelta(days=8)


def _commune_fixture(workspace, path):
    """Two communes per district: its west and east halves (EPSG:4326)."""
    fields = QgsFields()
    for name in ("MA_XA", "TEN_XA", "MA_HUYEN"):
        fields.append(new_field(name, FieldKind.STRING))
    features, polygons = [], {}
    for district in workspace.reference_layer("districts").getFeatures():
        geom = district.geometry()
        box = geom.boundingBox()
        middle = box.center().x()
        halves = (QgsRectangle(box.xMinimum() - 1, box.yMinimum() - 1, middle, box.yMaximum() + 1),
                  QgsRectangle(middle, box.yMinimum() - 1, box.xMaximum() + 1, box.yMaximum() + 1))
        for n, half in enumerate(halves, start=1):
            part = geom.intersection(QgsGeometry.fromRect(half))
            part.convertToMultiType()
            code = f"{district['code']}{n:02d}"
            feature = QgsFeature(fields)
            feature.setAttributes([code, f"Xã {n} {district['name']}", district["code"]])
            feature.setGeometry(part)
            features.append(feature)
            polygons[code] = part
    write_layer(path, "xa", fields, QgsWkbTypes.MultiPolygon, "EPSG:4326", features,
                new_file=True)
    return f"{path}|layername=xa", polygons


def test_commune_levels_after_importing_official_communes(workspace, tmp_path):
    uri, polygons = _commune_fixture(workspace, tmp_path / "xa.gpkg")
    assert import_boundaries(workspace, uri, "communes", "MA_XA", "TEN_XA", "MA_HUYEN") == 16
    communes = workspace.profile.commune_codes
    assert len(communes) == 16

    layer = workspace.layer("epidemic_levels")
    units = el.load_units(workspace.gpkg_path, lv.UNIT_COMMUNE)  # as the tool's task does
    assert sorted(units) == sorted(communes)
    first = [c for c in communes if c.endswith("01")]
    el.apply_level_change(layer, lv.Change(tuple(first), 1, START, "QĐ 10"),
                          units, now=NOW)
    assert layer.commitChanges()
    # levels are in use for communes: the other half has none yet
    report = validate_workspace(workspace, NOW)
    missing = [f for f in report.findings if f.code.value == "LEVEL_UNIT_MISSING"]
    assert len(missing) == 8 and all("Xã 2 " in f.message_vi for f in missing)

    el.apply_level_change(layer, lv.Change(tuple(c for c in communes if c not in first), 3,
                                           START, "QĐ 11"), units, now=NOW)
    assert layer.commitChanges()
    report = validate_workspace(workspace, NOW)
    assert [(f.code.value, f.field) for f in report.findings
            if f.layer == "epidemic_levels"] == []

    # each commune is published with its own official polygon and its district
    exported = json.loads(export_layer(MODEL.layer("epidemic_levels"), layer, NOW).data)
    assert len(exported["features"]) == 16
    for feature in exported["features"]:
        props = feature["properties"]
        assert props["unit_kind"] == "commune" and props["district_code"] == props["unit_code"][:3]
        published = QgsGeometry.fromWkt(_wkt(feature["geometry"]))
        # the same polygon, to the release's 6 decimals (about 0.1 m)
        assert published.hausdorffDistance(polygons[props["unit_code"]]) < 2e-6


def _wkt(geometry):
    polys = []
    for polygon in geometry["coordinates"]:
        rings = ", ".join("(" + ", ".join(f"{x} {y}" for x, y in ring) + ")" for ring in polygon)
        polys.append(f"({rings})")
    return f"MULTIPOLYGON ({', '.join(polys)})"


def test_district_levels_take_the_official_polygons_on_import(workspace, tmp_path):
    layer = workspace.layer("epidemic_levels")
    units = el.read_units(workspace.reference_layer("districts"), lv.UNIT_DISTRICT)
    el.apply_level_change(layer, lv.Change(("058", "060"), 2, START, "QĐ 1"),
                          units, now=NOW)
    assert layer.commitChanges()
    # "official" polygons: the approximate ones moved slightly east
    fields = QgsFields()
    fields.append(new_field("MA_HUYEN", FieldKind.STRING))
    fields.append(new_field("TEN", FieldKind.STRING))
    official = {}
    features = []
    for district in workspace.reference_layer("districts").getFeatures():
        geom = QgsGeometry(district.geometry())
        geom.translate(0.001, 0.0)
        official[district["code"]] = geom
        feature = QgsFeature(fields)
        feature.setAttributes([district["code"], district["name"]])
        feature.setGeometry(geom)
        features.append(feature)
    write_layer(tmp_path / "h.gpkg", "h", fields, QgsWkbTypes.MultiPolygon, "EPSG:4326",
                features, new_file=True)
    assert import_boundaries(workspace, f"{tmp_path / 'h.gpkg'}|layername=h", "districts",
                             "MA_HUYEN", "TEN") == 8
    for feat in workspace.layer("epidemic_levels").getFeatures():
        assert feat.geometry().symDifference(official[feat["unit_code"]]).area() < 1e-9
