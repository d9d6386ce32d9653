"""Export of the public map: the canonical GeoJSON of each layer.

Only approved features that are currently visible (``model.visibility``),
only public fields, WGS 84 per RFC 7946, deterministic bytes
(``model.geojson``). The source layers are read, never modified.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsFeedback,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ..model import MODEL, PROVINCE_TZ, FieldType, LayerDef, hidden_reason, parse_instant
from ..model import geojson as cgj

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


class ExportCancelledError(Exception):
    """The officer cancelled; nothing was produced."""


@dataclass(frozen=True)
class LayerExport:
    layer: str
    data: bytes
    sha256: str
    feature_count: int
    uids: Tuple[str, ...]
    # why the other features were left out, by uid:
    # not_approved / status / expired / no_geometry
    hidden: Mapping[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)

    @classmethod
    def of_features(cls, layer: str, features: List[Dict[str, Any]],
                    hidden: Optional[Mapping[str, str]] = None) -> LayerExport:
        """The canonical bytes of ``features`` and what describes them."""
        data = cgj.canonical_bytes(features)
        return cls(layer=layer, data=data, sha256=cgj.sha256_hex(data),
                   feature_count=len(features),
                   uids=tuple(sorted(f["id"] for f in features)),
                   hidden=dict(hidden or {}))


def to_json_value(value: Any, field_type: FieldType) -> Any:
    """A QGIS attribute value as the JSON value the release contract wants."""
    if value is None:
        return None
    if type(value) is str and field_type in _TEXT_TYPES:  # the common case, first
        return value if value != "" else None
    if isinstance(value, QDateTime):
        if value.isNull() or not value.isValid():
            return None
        # ISO text keeps the offset (UTC or fixed offset); a naive local
        # time is read as province time by parse_instant.
        value = value.toString(Qt.DateFormat.ISODate)
    elif isinstance(value, QDate):
        if value.isNull() or not value.isValid():
            return None
        value = value.toPyDate()
    elif hasattr(value, "isNull") and value.isNull():  # QVariant NULL
        return None
    if field_type is FieldType.DATETIME:
        return _iso_instant(value)
    if field_type is FieldType.DATE:
        if isinstance(value, dt.datetime):
            return value.astimezone(PROVINCE_TZ).date().isoformat() if value.tzinfo else (
                value.date().isoformat())
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)[:10]
    if field_type is FieldType.BOOLEAN:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "t", "yes")
        return bool(value)
    if field_type is FieldType.INTEGER:
        return int(value)
    if field_type is FieldType.REAL:
        return float(value)
    text = str(value)
    return text if text != "" else None


_TEXT_TYPES = (FieldType.STRING, FieldType.UUID)


def _iso_instant(value: Any) -> Optional[str]:
    if isinstance(value, str):  # dates repeat a lot in a layer: parse each text once
        return _iso_instant_text(value)
    return _iso_instant_uncached(value)


@functools.lru_cache(maxsize=4096)
def _iso_instant_text(text: str) -> Optional[str]:
    return _iso_instant_uncached(text)


def _iso_instant_uncached(value: Any) -> Optional[str]:
    instant = parse_instant(value)
    if instant is None:
        return None
    return instant.astimezone(PROVINCE_TZ).isoformat(timespec="seconds")


def _geometry_json(geom: QgsGeometry) -> Optional[Dict[str, Any]]:
    if geom is None or geom.isNull() or geom.isEmpty():
        return None
    if QgsWkbTypes.geometryType(geom.wkbType()) == QgsWkbTypes.GeometryType.PointGeometry:
        pt = geom.asPoint() if not geom.isMultipart() else geom.asMultiPoint()[0]
        return cgj.canonical_point(pt.x(), pt.y())
    polygons = geom.asMultiPolygon() if geom.isMultipart() else [geom.asPolygon()]
    return cgj.canonical_multipolygon(
        [[(p.x(), p.y()) for p in ring] for ring in rings] for rings in polygons
    )


def export_layer(
    layer_def: LayerDef,
    layer: QgsVectorLayer,
    now: dt.datetime,
    feedback: Optional[QgsFeedback] = None,
) -> LayerExport:
    """The public GeoJSON of one layer as of ``now`` (an aware datetime)."""
    transform = QgsCoordinateTransform(layer.crs(), WGS84, QgsProject.instance())
    same_crs = layer.crs() == WGS84  # workspaces store WGS 84: no transform at all
    fields = layer.fields()
    # (name, attribute index, type) of the model fields the layer has
    columns = [(f.name, fields.indexOf(f.name), f.type) for f in layer_def.fields
               if fields.indexOf(f.name) >= 0]
    public = [f.name for f in layer_def.public_fields]
    request = QgsFeatureRequest().setSubsetOfAttributes([c[1] for c in columns])
    total = max(layer.featureCount(), 1)
    features: List[Dict[str, Any]] = []
    hidden: Dict[str, str] = {}
    for i, feat in enumerate(layer.getFeatures(request)):
        if feedback is not None and i % 500 == 0:
            if feedback.isCanceled():
                raise ExportCancelledError(layer_def.name)
            feedback.setProgress(100.0 * i / total)
        attributes = feat.attributes()
        values = {name: to_json_value(attributes[index], kind) for name, index, kind in columns}
        reason = hidden_reason(layer_def, values, now)
        if reason is not None:
            hidden[str(values.get("uid"))] = reason
            continue
        geom = feat.geometry()
        if not same_crs and not geom.isNull():
            geom = QgsGeometry(geom)
            geom.transform(transform)
        geometry = _geometry_json(geom)
        if geometry is None:
            hidden[str(values.get("uid"))] = "no_geometry"
            continue
        uid = str(values["uid"])
        features.append(cgj.feature(uid, geometry, {n: values.get(n) for n in public}))
    return LayerExport.of_features(layer_def.name, features, hidden)


def export_reference(
    name: str, layer: QgsVectorLayer, feedback: Optional[QgsFeedback] = None
) -> LayerExport:
    """A reference layer (``province``, ``districts``) as the release wants
    it: MultiPolygons in WGS 84, ``id`` = ``code``, properties code and name."""
    transform = QgsCoordinateTransform(layer.crs(), WGS84, QgsProject.instance())
    features: List[Dict[str, Any]] = []
    for feat in layer.getFeatures():
        if feedback is not None and feedback.isCanceled():
            raise ExportCancelledError(name)
        code = to_json_value(feat["code"], FieldType.STRING)
        geom = QgsGeometry(feat.geometry())
        if code is None or geom.isNull() or geom.isEmpty():
            continue
        geom.transform(transform)
        geom.convertToMultiType()
        features.append(cgj.feature(code, _geometry_json(geom), {
            "code": code, "name": to_json_value(feat["name"], FieldType.STRING)}))
    return LayerExport.of_features(name, features)


def export_layers(
    layers: Mapping[str, QgsVectorLayer],
    now: Optional[dt.datetime] = None,
    feedback: Optional[QgsFeedback] = None,
) -> Dict[str, LayerExport]:
    """Every model layer present in ``layers``, in model order."""
    when = now or dt.datetime.now(PROVINCE_TZ)
    return {
        layer_def.name: export_layer(layer_def, layers[layer_def.name], when, feedback)
        for layer_def in MODEL.layers
        if layer_def.name in layers
    }
