"""Export of the public map: the canonical GeoJSON of each layer.

Only approved features that are currently visible (``model.visibility``),
only public fields, WGS 84 per RFC 7946, deterministic bytes
(``model.geojson``). The source layers are read, never modified.
"""

from __future__ import annotations

import datetime as dt
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

from ..model import MODEL, PROVINCE_TZ, FieldType, LayerDef, hidden_reason
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


def to_json_value(value: Any, field_type: FieldType) -> Any:
    """A QGIS attribute value as the JSON value the release contract wants."""
    if value is None:
        return None
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


def _iso_instant(value: Any) -> Optional[str]:
    from ..model.visibility import parse_instant

    instant = parse_instant(value)
    if instant is None:
        return None
    return instant.astimezone(PROVINCE_TZ).isoformat(timespec="seconds")


def _geometry_json(geom: QgsGeometry, layer: LayerDef) -> Optional[Dict[str, Any]]:
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
    names = layer.fields().names()
    wanted = [n for n in layer_def.field_names if n in names]
    request = QgsFeatureRequest().setSubsetOfAttributes(wanted, layer.fields())
    total = max(layer.featureCount(), 1)
    features: List[Dict[str, Any]] = []
    hidden: Dict[str, str] = {}
    types = {f.name: f.type for f in layer_def.fields}
    for i, feat in enumerate(layer.getFeatures(request)):
        if feedback is not None:
            if feedback.isCanceled():
                raise ExportCancelledError(layer_def.name)
            if i % 500 == 0:
                feedback.setProgress(100.0 * i / total)
        raw = {n: feat[n] for n in wanted}
        values = {n: to_json_value(v, types[n]) for n, v in raw.items()}
        reason = hidden_reason(layer_def, values, now)
        if reason is not None:
            hidden[str(values.get("uid"))] = reason
            continue
        geom = QgsGeometry(feat.geometry())
        if not geom.isNull():
            geom.transform(transform)
        geometry = _geometry_json(geom, layer_def)
        if geometry is None:
            hidden[str(values.get("uid"))] = "no_geometry"
            continue
        uid = str(values["uid"])
        features.append(cgj.feature(uid, geometry, cgj.public_properties(layer_def, values)))
    data = cgj.canonical_bytes(features)
    return LayerExport(
        layer=layer_def.name,
        data=data,
        sha256=cgj.sha256_hex(data),
        feature_count=len(features),
        uids=tuple(sorted(f["id"] for f in features)),
        hidden=hidden,
    )


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
