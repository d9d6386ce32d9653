"""Create, edit, close, reopen: nothing lost or changed; bad inputs refused
with a clear error and nothing left behind."""

import dataclasses
import datetime as dt
import os
import sqlite3
from contextlib import closing

import pytest
from qgis.core import (
    QgsFeature,
    QgsFeedback,
    QgsGeometry,
    QgsProcessingFeedback,
    QgsProject,
    QgsSettings,
)
from qgis.PyQt.QtCore import QDate

from covidmaps_plugin.core import WorkspaceError, create_workspace, is_workspace, open_workspace
from covidmaps_plugin.core.fields import to_stored_datetime
from covidmaps_plugin.core.gpkg import read_meta, write_meta
from covidmaps_plugin.core.project_setup import drawing_order
from covidmaps_plugin.model import MODEL, MODEL_VERSION, default_profile

ICT = dt.timezone(dt.timedelta(hours=7))


def _snapshot(workspace):
    out = {}
    for name in MODEL.layer_names:
        layer = workspace.layer(name)
        out[name] = sorted(
            (tuple((k, f[k]) for k in layer.fields().names()), f.geometry().asWkt(9))
            for f in layer.getFeatures())
    return out


def _add(layer, values, wkt):
    feature = QgsFeature(layer.fields())
    for name, value in values.items():
        feature[name] = value
    feature.setGeometry(QgsGeometry.fromWkt(wkt))
    assert layer.startEditing() and layer.addFeature(feature)
    assert layer.commitChanges(), layer.commitErrors()


def test_round_trip_keeps_every_value(tmp_path):
    path = tmp_path / "Sở Y tế Bắc Kạn.gpkg"
    project = QgsProject()
    workspace = create_workspace(path, project=project)
    _add(workspace.layer("risk_points"), {
        "uid": "0b7e3f0e-1d7c-4b8a-9a55-3f8c1f6d2a10", "name": "Chợ Phố Ngân, phường Đức Xuân",
        "place_type": "market", "address": "Tổ 10, phường Đức Xuân — “giả định”",
        "exposure_start": to_stored_datetime(dt.datetime(2021, 6, 1, 7, 0, tzinfo=ICT)),
        "exposure_end": to_stored_datetime(dt.datetime(2021, 6, 1, 1, 30, tzinfo=dt.timezone.utc)),
        "announced_on": QDate(2021, 6, 2), "visible_until": "2021-06-15T08:30:00+07:00",
        "advice": "Dòng 1\nDòng 2: khai báo y tế", "related_cases": 3, "disinfected": True,
        "disinfected_on": QDate(2021, 6, 2), "district_code": "058", "commune_code": "01843",
        "status": "active", "source_doc": "12/TB-SYT", "updated_at": "2021-06-02T09:15:00+07:00",
        "updated_by": "cán bộ", "approved": False, "internal_note": "ghi chú nội bộ",
        "case_refs": "BN-1", "location_precision": "exact",
    }, "POINT (105.834123 22.147654)")
    _add(workspace.layer("isolation_zones"), {
        "uid": "5d0c7a7e-93a4-4f8e-8a7c-0d2f4b3c1e22", "name": "Thôn Nà Làng", "measure":
        "lockdown", "scale": "hamlet", "effective_from": "2021-06-01T12:00:00+07:00",
        "households": 12, "residents": 40, "district_code": "061", "status": "in_force",
        "updated_at": "2021-06-01T12:00:00+07:00", "approved": True,
    }, "MULTIPOLYGON (((105.70 22.40, 105.71 22.40, 105.71 22.41, 105.70 22.40)))")
    before = _snapshot(workspace)
    stored = dict(before["risk_points"][0][0])
    assert stored["exposure_end"] == "2021-06-01T08:30:00+07:00"  # same instant, +07:00
    assert stored["disinfected"] is True and stored["approved"] is False
    project.clear()

    reopened = open_workspace(path, project=QgsProject())
    assert _snapshot(reopened) == before
    assert reopened.model_version == MODEL_VERSION
    order = [n.layer().customProperty("covidmaps/layer") or
             n.layer().customProperty("covidmaps/reference")
             for n in reopened.project.layerTreeRoot().findLayers()]
    assert order == drawing_order()
    assert reopened.project.crs().authid() == "EPSG:9213"


def test_moved_workspace_still_opens(tmp_path):
    project = QgsProject()
    create_workspace(tmp_path / "a.gpkg", with_sample=False, project=project)
    project.clear()
    (tmp_path / "moved").mkdir()
    os.replace(tmp_path / "a.gpkg", tmp_path / "moved" / "b.gpkg")
    workspace = open_workspace(tmp_path / "moved" / "b.gpkg", project=QgsProject())
    assert all(workspace.layer(n).isValid() for n in MODEL.layer_names)
    assert workspace.reference_layer("districts").featureCount() == 8


def test_labels_follow_the_qgis_language(tmp_path):
    path = tmp_path / "ws.gpkg"
    create_workspace(path, project=QgsProject())
    settings = QgsSettings()
    saved = (settings.value("locale/overrideFlag"), settings.value("locale/userLocale"))
    try:
        settings.setValue("locale/overrideFlag", True)
        settings.setValue("locale/userLocale", "vi")
        workspace = open_workspace(path, project=QgsProject())
        layer = workspace.layer("risk_points")
        assert layer.name() == MODEL.layer("risk_points").title_vi
        assert layer.attributeAlias(layer.fields().indexOf("name")) == "Tên địa điểm"
        assert layer.attributeAlias(layer.fields().indexOf("case_refs")).endswith(" (nội bộ)")
        settings.setValue("locale/userLocale", "en_US")
        workspace = open_workspace(path, project=QgsProject())
        layer = workspace.layer("risk_points")
        assert layer.attributeAlias(layer.fields().indexOf("name")) == "Place name"
    finally:
        settings.setValue("locale/overrideFlag", saved[0] or False)
        settings.setValue("locale/userLocale", saved[1] or "")


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_existing_path_is_refused(workspace, tmp_path):
    before = _listing(tmp_path)
    with pytest.raises(WorkspaceError) as info:
        create_workspace(workspace.gpkg_path, project=QgsProject())
    assert "already exists" in str(info.value) and "đã tồn tại" in info.value.message("vi")
    assert _listing(tmp_path) == before


@pytest.mark.parametrize("name, content, expected", [
    ("notes.gpkg", b"hello", "not a GeoPackage"),
    ("missing.gpkg", None, "does not exist"),
])
def test_bad_files_are_refused(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = _listing(tmp_path)
    with pytest.raises(WorkspaceError, match=expected):
        open_workspace(path, project=QgsProject())
    assert _listing(tmp_path) == before


def test_other_geopackage_is_not_a_workspace(tmp_path, workspace):
    other = tmp_path / "other.gpkg"
    other.write_bytes(workspace.gpkg_path.read_bytes())
    with closing(sqlite3.connect(other)) as db, db:
        db.execute("DELETE FROM gpkg_contents WHERE table_name IN "
                   "('covidmaps_meta', 'checkpoints')")
        db.execute("DROP TABLE covidmaps_meta")
    with pytest.raises(WorkspaceError, match="not a CovidMaps workspace.*checkpoints"):
        open_workspace(other, project=QgsProject())


def test_read_only_workspace_is_refused(workspace):
    os.chmod(workspace.gpkg_path, 0o444)
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            open_workspace(workspace.gpkg_path, project=QgsProject())
    finally:
        os.chmod(workspace.gpkg_path, 0o644)


def test_wrong_suffix_and_missing_folder(tmp_path):
    with pytest.raises(WorkspaceError, match=r"\.gpkg"):
        create_workspace(tmp_path / "ws.sqlite", project=QgsProject())
    with pytest.raises(WorkspaceError, match="does not exist"):
        create_workspace(tmp_path / "no" / "ws.gpkg", project=QgsProject())
    assert _listing(tmp_path) == []


def test_cancelled_creation_leaves_nothing(tmp_path):
    feedback = QgsFeedback()
    feedback.cancel()
    with pytest.raises(WorkspaceError, match="Cancelled"):
        create_workspace(tmp_path / "ws.gpkg", project=QgsProject(), feedback=feedback)
    assert _listing(tmp_path) == []


def test_meta_records_version_and_profile(workspace):
    meta = read_meta(workspace.gpkg_path)
    assert meta["model_version"] == str(MODEL_VERSION)
    assert '"EPSG:9213"' in meta["profile"]


def test_workspace_from_a_newer_plugin_is_refused(workspace):
    write_meta(workspace.gpkg_path, {"model_version": str(MODEL_VERSION + 1)})
    assert is_workspace(workspace.gpkg_path)
    with pytest.raises(WorkspaceError, match="newer plugin"):
        open_workspace(workspace.gpkg_path, project=QgsProject())


def test_is_workspace(workspace, tmp_path):
    assert is_workspace(workspace.gpkg_path)
    (tmp_path / "x.gpkg").write_bytes(b"")
    assert not is_workspace(tmp_path / "x.gpkg")
    assert not is_workspace(tmp_path / "none.gpkg")


def test_province_unknown_to_the_world_map_starts_without_boundaries(tmp_path):
    profile = dataclasses.replace(
        default_profile(), id="test", name="Tỉnh Thử", name_en="Test Province",
        extra={"outline_match": {"gn_name": "No Such Province"}})
    feedback = QgsProcessingFeedback()
    workspace = create_workspace(tmp_path / "t.gpkg", profile, project=QgsProject(),
                                 feedback=feedback)
    assert workspace.reference_layer("province").featureCount() == 0
    assert workspace.profile.name == "Tỉnh Thử"
    assert "import official boundaries" in feedback.textLog() or \
        "nhập ranh giới" in feedback.textLog()


def test_damaged_profile_is_reported(workspace):
    write_meta(workspace.gpkg_path, {"profile": "{not json"})
    with pytest.raises(WorkspaceError, match="profile .* is damaged"):
        open_workspace(workspace.gpkg_path, project=QgsProject())


@pytest.mark.parametrize("at_percent", [40, 80])  # before / after the rename
def test_cancel_after_the_data_was_written_leaves_nothing(tmp_path, at_percent):
    feedback = QgsFeedback()
    feedback.progressChanged.connect(lambda value: value >= at_percent and feedback.cancel())
    project = QgsProject()
    with pytest.raises(WorkspaceError, match="Cancelled"):
        create_workspace(tmp_path / "ws.gpkg", project=project, feedback=feedback)
    assert _listing(tmp_path) == []
    assert not project.mapLayers()
