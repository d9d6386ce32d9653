"""A republish does not export again a layer whose rows and shown features
are unchanged (core/export_cache.py), and never reuses one that changed:
an edit by any program, a feature whose visibility ends in between, a
clock that went back, and edits only QGIS holds all export again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import QgsProject, QgsVectorLayer

from covidmaps_plugin.core.export import export_layer
from covidmaps_plugin.core.export_cache import ExportCache
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.model import MODEL, PROVINCE_TZ, parse_instant

NOW = dt.datetime.now(PROVINCE_TZ)


@pytest.fixture
def workspace(qgis_app, tmp_path) -> Path:
    from covidmaps_plugin.core.workspace import create_workspace

    path = tmp_path / "sample.gpkg"
    project = QgsProject()
    create_workspace(path, with_sample=True, project=project)
    project.clear()
    return path


def _shown_ends(gpkg: Path) -> list:
    """The visible_until of the risk points shown at NOW, earliest first."""
    exported = json.loads(export_layer(MODEL.layer("risk_points"),
                                       open_source(gpkg).layers["risk_points"], NOW).data)
    return sorted(parse_instant(f["properties"]["visible_until"])
                  for f in exported["features"] if f["properties"]["visible_until"])


def test_an_unchanged_layer_is_reused_and_an_edited_one_exported(workspace: Path) -> None:
    cache = ExportCache()
    first = cache.export_layers(open_source(workspace).layers, NOW)
    assert (cache.hits, cache.misses) == (0, len(MODEL.layers))
    later = NOW + dt.timedelta(seconds=1)
    again = cache.export_layers(open_source(workspace).layers, later)
    assert cache.hits == len(MODEL.layers) and cache.misses == len(MODEL.layers)
    assert {n: e.data for n, e in again.items()} == {n: e.data for n, e in first.items()}
    # an edit through QGIS, saved: that layer (only) is exported again
    layer = QgsVectorLayer(f"{workspace}|layername=quarantine_facilities", "q", "ogr")
    feature = next(f for f in layer.getFeatures() if f["approved"])
    layer.startEditing()
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), "Tên mới")
    assert layer.commitChanges()
    del layer
    third = cache.export_layers(open_source(workspace).layers, later)
    assert cache.misses == len(MODEL.layers) + 1
    assert "Tên mới" in third["quarantine_facilities"].data.decode("utf-8")
    assert third["risk_points"] is first["risk_points"]


def test_an_edit_by_another_program_is_exported(workspace: Path) -> None:
    cache = ExportCache()
    layers = open_source(workspace).layers
    first = cache.export("checkpoints", layers["checkpoints"], NOW)
    # GDAL alone (its R-tree triggers need its SQL functions), no QGIS
    dataset = gdal.OpenEx(str(workspace), gdal.OF_VECTOR | gdal.OF_UPDATE)
    dataset.ExecuteSQL("UPDATE checkpoints SET road = 'QL3 km 12' WHERE fid = "
                       "(SELECT min(fid) FROM checkpoints)")
    dataset = None  # noqa: F841 - closing writes it
    again = cache.export("checkpoints", open_source(workspace).layers["checkpoints"], NOW)
    assert cache.hits == 0 and again.data != first.data
    assert again.data == export_layer(MODEL.layer("checkpoints"),
                                      open_source(workspace).layers["checkpoints"], NOW,
                                      bulk=False).data


def test_time_that_changes_what_is_shown_exports_again(workspace: Path) -> None:
    cache = ExportCache()
    layers = open_source(workspace).layers
    made = cache.export("risk_points", layers["risk_points"], NOW)
    ends = _shown_ends(workspace)
    assert ends and made.stable_until == ends[0]
    # up to the first end of visibility: the same export
    assert cache.export("risk_points", layers["risk_points"], ends[0]) is made
    # one second after it, that feature is hidden: exported again, without it
    after = cache.export("risk_points", layers["risk_points"], ends[0] + dt.timedelta(seconds=1))
    assert after is not made and after.feature_count < made.feature_count
    # a clock set back before the export: exported again
    cache.export("risk_points", layers["risk_points"], NOW - dt.timedelta(days=1))
    assert cache.misses == 3 and cache.hits == 1


def test_edits_only_qgis_holds_are_always_exported(workspace: Path) -> None:
    cache = ExportCache()
    layer = QgsVectorLayer(f"{workspace}|layername=checkpoints", "c", "ogr")
    cache.export("checkpoints", layer, NOW)
    feature = next(f for f in layer.getFeatures() if f["approved"])
    layer.startEditing()
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("road"), "Đường tạm")
    edited = cache.export("checkpoints", layer, NOW)
    assert cache.misses == 2 and "Đường tạm" in edited.data.decode("utf-8")
    layer.rollBack()
