"""A version-0 workspace (the layout before model version 1) is upgraded on
open without losing or altering a single feature."""

import datetime as dt

from qgis.core import QgsFeature, QgsFields, QgsGeometry, QgsProject, QgsWkbTypes

from covidmaps_plugin.core import open_workspace
from covidmaps_plugin.core.fields import (
    STORAGE_CRS,
    WKB_TYPES,
    qgs_field,
    to_python_value,
    to_stored_value,
)
from covidmaps_plugin.core.gpkg import read_meta, table_names, write_layer
from covidmaps_plugin.core.profile_data import default_reference_features
from covidmaps_plugin.core.sample_data import sample_rows
from covidmaps_plugin.core.upgrade import V0_MISSING_FIELDS, V0_REFERENCE_LAYERS
from covidmaps_plugin.core.workspace import write_reference_layer
from covidmaps_plugin.model import MODEL, MODEL_VERSION, default_profile

SAMPLE_DAY = dt.date(2021, 7, 15)


def build_v0(path):
    """A v0 GeoPackage: v1 fields minus those v0 lacked, features from the sample."""
    expected = {}
    v0_layers = [d for d in MODEL.layers if d.name in V0_MISSING_FIELDS]
    for index, layer_def in enumerate(v0_layers):
        v0_fields = [f for f in layer_def.fields
                     if f.name not in V0_MISSING_FIELDS[layer_def.name]]
        fields = QgsFields()
        for fld in v0_fields:
            fields.append(qgs_field(fld))
        features = []
        for row in sample_rows(SAMPLE_DAY)[layer_def.name]:
            feature = QgsFeature(fields)
            for fld in v0_fields:
                feature[fld.name] = to_stored_value(fld, row["attributes"].get(fld.name))
            feature.setGeometry(QgsGeometry.fromWkt(row["geometry"]))
            features.append(feature)
        write_layer(path, layer_def.name, fields, WKB_TYPES[layer_def.geometry_type],
                    STORAGE_CRS, features, new_file=index == 0)
        expected[layer_def.name] = [
            ({f.name: f2 for f, f2 in zip(v0_fields, feat.attributes())},
             feat.geometry().asWkt(9)) for feat in features]
    references = default_reference_features(default_profile())
    for table in V0_REFERENCE_LAYERS:
        write_reference_layer(path, table, references[table])
    return expected


def test_v0_workspace_is_upgraded_losslessly(tmp_path):
    path = tmp_path / "old.gpkg"
    expected = build_v0(path)
    assert "covidmaps_meta" not in table_names(path)
    assert QgsWkbTypes.displayString(WKB_TYPES[MODEL.layer("isolation_zones").geometry_type])

    workspace = open_workspace(path, project=QgsProject())

    assert read_meta(path)["model_version"] == str(MODEL_VERSION)
    assert (tmp_path / "old.backup-v0.gpkg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.backup-v0.gpkg", "old.gpkg"]
    # the step 1 -> 2 adds the epidemic levels layer, empty
    levels = workspace.layer("epidemic_levels")
    assert levels.featureCount() == 0
    assert levels.fields().names() == ["fid", *MODEL.layer("epidemic_levels").field_names]
    for layer_def in (d for d in MODEL.layers if d.name in V0_MISSING_FIELDS):
        layer = workspace.layer(layer_def.name)
        assert layer.fields().names() == ["fid", *[
            f.name for f in layer_def.fields
            if f.name not in V0_MISSING_FIELDS[layer_def.name]],
            *[f.name for f in layer_def.fields if f.name in V0_MISSING_FIELDS[layer_def.name]]]
        assert layer.featureCount() == len(expected[layer_def.name])
        got = [({name: feat[name] for name in values}, feat.geometry().asWkt(9))
               for feat, (values, _) in zip(layer.getFeatures(), expected[layer_def.name])]
        assert got == expected[layer_def.name]
        for name in V0_MISSING_FIELDS[layer_def.name]:
            assert all(to_python_value(feat[name]) is None for feat in layer.getFeatures())
            setup = layer.editorWidgetSetup(layer.fields().indexOf(name))
            assert setup.type() in ("ValueRelation", "ValueMap", "DateTime"), name
    assert workspace.reference_layer("communes").featureCount() == 0
    assert workspace.reference_layer("districts").featureCount() == 8

    again = open_workspace(path, project=QgsProject())  # already current: no new backup
    assert again.model_version == MODEL_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.backup-v0.gpkg", "old.gpkg"]
