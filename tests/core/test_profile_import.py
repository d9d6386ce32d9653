"""Importing official boundaries from an EPSG:9213 (VN-2000) source."""

import json
import sqlite3

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)

from covidmaps_plugin.compat import FieldKind, new_field
from covidmaps_plugin.core import WorkspaceError
from covidmaps_plugin.core.gpkg import read_meta, replace_rows, write_layer
from covidmaps_plugin.core.profile_import import import_boundaries


def _write_source(workspace, path, extra=(), drop=(), broken=None):
    """The workspace's districts rewritten in EPSG:9213 with numeric codes."""
    fields = QgsFields()
    fields.append(new_field("MA_HUYEN", FieldKind.INT))
    fields.append(new_field("TEN", FieldKind.STRING))
    to_local = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                      QgsCoordinateReferenceSystem("EPSG:9213"),
                                      workspace.project.transformContext())
    features = []
    rows = [(f["code"], f["name"], f.geometry()) for f in
            workspace.reference_layer("districts").getFeatures() if f["code"] not in drop]
    for code, name, geometry in [*rows, *extra]:
        local = QgsGeometry(geometry)
        local.transform(to_local)
        if broken == code:
            box = local.boundingBox()
            local = QgsGeometry.fromWkt(
                f"MULTIPOLYGON ((({box.xMinimum()} {box.yMinimum()}, {box.xMaximum()} "
                f"{box.yMaximum()}, {box.xMaximum()} {box.yMinimum()}, {box.xMinimum()} "
                f"{box.yMaximum()}, {box.xMinimum()} {box.yMinimum()})))")
        feature = QgsFeature(fields)
        feature.setAttributes([int(code), f"Huyện {name}"])
        feature.setGeometry(local)
        features.append(feature)
    write_layer(path, "ranh_gioi_huyen", fields, QgsWkbTypes.MultiPolygon, "EPSG:9213",
                features, new_file=True)
    return f"{path}|layername=ranh_gioi_huyen"


def test_import_districts_from_vn2000(workspace, tmp_path):
    before = {f["code"]: f.geometry() for f in
              workspace.reference_layer("districts").getFeatures()}
    uri = _write_source(workspace, tmp_path / "official.gpkg")

    assert import_boundaries(workspace, uri, "districts", "MA_HUYEN", "TEN") == 8

    after = {f["code"]: f for f in workspace.reference_layer("districts").getFeatures()}
    assert sorted(after) == sorted(before)
    for code, feature in after.items():
        assert feature["name"].startswith("Huyện ")
        assert "imported" in feature["source"]
        geometry = feature.geometry()
        assert geometry.wkbType() == QgsWkbTypes.MultiPolygon
        # back in WGS 84 where it started (to/from VN-2000 with the same operation)
        difference = geometry.symDifference(before[code]).area()
        assert difference < 1e-6 * before[code].area()
    profile = json.loads(read_meta(workspace.gpkg_path)["profile"])
    assert profile["extra"]["boundary_sources"]["districts"]["source"] == uri
    assert workspace.profile.extra["boundary_sources"]["districts"]["source"] == uri


def _unchanged(workspace, before):
    now = sorted((f["code"], f["source"]) for f in
                 workspace.reference_layer("districts").getFeatures())
    assert now == before


def test_unknown_and_missing_codes_are_listed(workspace, tmp_path):
    before = sorted((f["code"], f["source"]) for f in
                    workspace.reference_layer("districts").getFeatures())
    stray = next(workspace.reference_layer("districts").getFeatures()).geometry()
    uri = _write_source(workspace, tmp_path / "bad.gpkg", extra=[("999", "Lạ", stray)],
                        drop=("066",))
    with pytest.raises(WorkspaceError) as info:
        import_boundaries(workspace, uri, "districts", "MA_HUYEN", "TEN")
    assert "999" in str(info.value) and "missing district codes: 066" in str(info.value)
    assert "999" in info.value.message("vi")
    _unchanged(workspace, before)


def test_invalid_geometry_is_rejected_with_its_name(workspace, tmp_path):
    before = sorted((f["code"], f["source"]) for f in
                    workspace.reference_layer("districts").getFeatures())
    uri = _write_source(workspace, tmp_path / "bowtie.gpkg", broken="061")
    with pytest.raises(WorkspaceError, match="061 Huyện Ba Bể: invalid geometry"):
        import_boundaries(workspace, uri, "districts", "MA_HUYEN", "TEN")
    _unchanged(workspace, before)


def test_bad_source_and_fields(workspace, tmp_path):
    with pytest.raises(WorkspaceError, match="Cannot open"):
        import_boundaries(workspace, str(tmp_path / "nothing.gpkg"), "districts", "a", "b")
    uri = _write_source(workspace, tmp_path / "ok.gpkg")
    with pytest.raises(WorkspaceError, match="no field CODE"):
        import_boundaries(workspace, uri, "districts", "CODE", "TEN")
    with pytest.raises(WorkspaceError, match="Unknown boundary level"):
        import_boundaries(workspace, uri, "hamlets", "MA_HUYEN", "TEN")


def test_replacement_is_one_transaction(workspace):
    path = workspace.gpkg_path
    before = sorted(f["code"] for f in workspace.reference_layer("districts").getFeatures())
    geometry = QgsGeometry.fromWkt("MULTIPOLYGON (((105.8 22.1, 105.9 22.1, 105.9 22.2, "
                                   "105.8 22.1)))")
    row = (("058", "x", "", "test"), bytes(geometry.asWkb()), (105.8, 22.1, 105.9, 22.2))
    with pytest.raises(sqlite3.OperationalError):  # the 2nd row names a missing column
        replace_rows(path, "districts", ("code", "name", "parent_code", "nope"), [row, row])
    fresh = QgsVectorLayer(f"{path}|layername=districts", "fresh", "ogr")
    assert sorted(f["code"] for f in fresh.getFeatures()) == before
    assert fresh.featureCount() == len(before)


def test_imported_rows_are_indexed_and_counted(workspace, tmp_path):
    uri = _write_source(workspace, tmp_path / "official.gpkg")
    import_boundaries(workspace, uri, "districts", "MA_HUYEN", "TEN")
    fresh = QgsVectorLayer(f"{workspace.gpkg_path}|layername=districts", "fresh", "ogr")
    assert fresh.featureCount() == 8  # GDAL's cached count followed the change
    near_city = QgsRectangle(105.829, 22.149, 105.831, 22.151)
    hits = [f["code"] for f in fresh.getFeatures(QgsFeatureRequest().setFilterRect(near_city))]
    assert "058" in hits  # the R-tree index holds the new rows
    assert fresh.extent().xMinimum() >= 105.4


def test_import_communes_updates_the_profile_and_forms(workspace, tmp_path):
    fields = QgsFields()
    for name in ("MA_XA", "TEN_XA", "MA_HUYEN"):
        fields.append(new_field(name, FieldKind.STRING))
    features = []
    for district in workspace.reference_layer("districts").getFeatures():
        feature = QgsFeature(fields)
        feature.setAttributes([f"{district['code']}01", f"Xã trung tâm {district['name']}",
                               district["code"]])
        feature.setGeometry(district.geometry())
        features.append(feature)
    write_layer(tmp_path / "xa.gpkg", "xa", fields, QgsWkbTypes.MultiPolygon, "EPSG:4326",
                features, new_file=True)

    count = import_boundaries(workspace, f"{tmp_path / 'xa.gpkg'}|layername=xa", "communes",
                              "MA_XA", "TEN_XA", "MA_HUYEN")

    assert count == 8
    assert workspace.profile.commune_codes == tuple(sorted(f"{c}01" for c in
                                                           workspace.profile.district_codes))
    assert workspace.profile.communes[0].parent_code == "058"
    stored = json.loads(read_meta(workspace.gpkg_path)["profile"])
    assert stored["communes"][0] == {"code": "05801", "name": "Xã trung tâm Thành phố Bắc Kạn",
                                     "district": "058"}
    layer = workspace.layer("risk_points")
    commune = layer.fields().field("commune_code").constraints().constraintExpression()
    assert "'05801'" in commune
