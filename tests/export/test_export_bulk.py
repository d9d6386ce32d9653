"""The export's bulk GeoPackage read (one Arrow query, no QgsFeature per
row) gives exactly the bytes of the feature-by-feature read through QGIS,
including the awkward values: NULLs, empty text, false booleans, instants
in UTC, in other offsets and naive, and multipart polygons with holes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Dict

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsProject, QgsVectorLayer

from covidmaps_plugin.core import export
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.model import MODEL, PROVINCE_TZ

NOW = dt.datetime.now(PROVINCE_TZ)
FAR = "2099-01-01T00:00:00+07:00"

# (field, value) overrides; each override makes one more copy of a published feature
RISK_VARIANTS = [
    {"address": "", "advice": None, "related_cases": None},
    {"exposure_start": "2026-11-20T01:00:00Z", "exposure_end": "2026-11-20T03:30:15.250Z"},
    {"exposure_start": "2026-11-20 08:00:00", "exposure_end": "2026-11-20T10:00:00+09:00"},
    {"disinfected": False, "disinfected_on": None, "name": "Điểm \"có\" dấu\nxuống dòng"},
    {"approved": False},
    {"visible_until": "2020-11-24T23:59:59+07:00"},  # expired before NOW
]
ZONE_WITH_HOLE = ("MultiPolygon (((105.80 22.10, 105.84 22.10, 105.84 22.14, 105.80 22.14, "
                  "105.80 22.10), (105.81 22.11, 105.81 22.12, 105.82 22.12, 105.81 22.11)), "
                  "((105.90 22.20, 105.91 22.20, 105.91 22.21, 105.90 22.20)))")


def _add_variants(gpkg: Path, layer_name: str, variants, geometry_wkt=None) -> None:
    layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
    statuses = MODEL.layer(layer_name).published_statuses
    template = next(f for f in layer.getFeatures()
                    if f["approved"] and f["status"] in statuses)
    added = []
    for i, overrides in enumerate(variants):
        feature = QgsFeature(template)
        feature.setAttribute("fid", None)
        feature.setAttribute("uid", f"00000000-0000-4000-8000-{i:012d}")
        if layer.fields().indexOf("visible_until") >= 0:
            feature.setAttribute("visible_until", FAR)
        for name, value in overrides.items():
            feature.setAttribute(name, value)
        if geometry_wkt:
            feature.setGeometry(QgsGeometry.fromWkt(geometry_wkt))
        added.append(feature)
    ok, _ = layer.dataProvider().addFeatures(added)
    assert ok, layer.dataProvider().lastError()


@pytest.fixture(scope="module")
def workspace(qgis_app, tmp_path_factory) -> Path:
    from covidmaps_plugin.core.workspace import create_workspace

    path = tmp_path_factory.mktemp("bulk-export") / "sample.gpkg"
    project = QgsProject()
    create_workspace(path, with_sample=True, project=project)
    project.clear()
    _add_variants(path, "risk_points", RISK_VARIANTS)
    _add_variants(path, "isolation_zones", [{"households": None, "lifted_on": ""}],
                  ZONE_WITH_HOLE)
    return path


@pytest.mark.parametrize("layer_name", MODEL.layer_names)
def test_bulk_read_gives_the_bytes_of_the_feature_read(workspace, layer_name):
    layer_def = MODEL.layer(layer_name)
    layer = open_source(workspace).layers[layer_name]
    assert export.bulk_rows(layer_def, layer) is not None  # the bulk path applies
    bulk = export.export_layer(layer_def, layer, NOW)
    features = export.export_layer(layer_def, layer, NOW, bulk=False)
    assert bulk.data == features.data
    assert bulk.hidden == features.hidden
    assert bulk.feature_count > 0


def test_the_variants_reach_the_export(workspace):
    exported = export.export_layer(MODEL.layer("risk_points"),
                                   open_source(workspace).layers["risk_points"], NOW)
    hidden: Dict[str, str] = dict(exported.hidden)
    assert hidden["00000000-0000-4000-8000-000000000004"] == "not_approved"
    assert hidden["00000000-0000-4000-8000-000000000005"] == "expired"
    text = exported.data.decode("utf-8")
    assert '"exposure_start":"2026-11-20T08:00:00+07:00"' in text  # 01:00 UTC
    assert '"exposure_end":"2026-11-20T08:00:00+07:00"' in text  # 10:00 at +09:00
    assert '"name":"Điểm \\"có\\" dấu\\nxuống dòng"' in text


def test_pending_edits_use_the_feature_read(workspace):
    layer_def = MODEL.layer("risk_points")
    layer = QgsVectorLayer(f"{workspace}|layername=risk_points", "risk_points", "ogr")
    uid = "00000000-0000-4000-8000-000000000000"  # a published variant
    feature = next(f for f in layer.getFeatures() if f["uid"] == uid)
    layer.startEditing()
    try:
        layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), "Chưa lưu")
        assert export.bulk_rows(layer_def, layer) is None
        text = export.export_layer(layer_def, layer, NOW).data.decode("utf-8")
    finally:
        layer.rollBack()
    assert '"name":"Chưa lưu"' in text
