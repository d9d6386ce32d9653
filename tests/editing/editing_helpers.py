"""Small helpers shared by the editing tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from qgis.core import QgsGeometry, QgsPointXY, QgsVectorLayer

from covidmaps_plugin.core.editing import initial_attributes, new_feature
from covidmaps_plugin.core.fields import to_python_value, to_stored_value
from covidmaps_plugin.core.project_setup import LAYER_PROPERTY
from covidmaps_plugin.model import MODEL, PROVINCE_TZ

NOW = dt.datetime(2021, 6, 20, 9, 30, tzinfo=PROVINCE_TZ)


def add_feature(layer: QgsVectorLayer, geometry: QgsGeometry, **attrs: Any) -> int:
    """Add a committed feature with the model's defaults and ``attrs``; its id."""
    layer_def = MODEL.layer(model_name(layer))
    values = {**initial_attributes(layer_def, user="tester"), **attrs}
    feat = new_feature(layer, layer_def, geometry, values)
    ok, (added,) = layer.dataProvider().addFeatures([feat])
    assert ok
    return added.id()


def model_name(layer: QgsVectorLayer) -> str:
    return layer.customProperty(LAYER_PROPERTY)


def point(lon: float, lat: float) -> QgsGeometry:
    return QgsGeometry.fromPointXY(QgsPointXY(lon, lat))


def attributes(layer: QgsVectorLayer, fid: int) -> Dict[str, Any]:
    feat = layer.getFeature(fid)
    return {name: to_python_value(feat[name]) for name in layer.fields().names()}


def stored(layer_name: str, field: str, value: Any) -> Any:
    return to_python_value(to_stored_value(MODEL.layer(layer_name).field(field), value))
