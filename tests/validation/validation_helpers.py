"""Helpers of the validator tests: memory layers built from the model (the
workspace's own field definitions), one sound feature per layer, and a
helper to run the validator and pick findings by code."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

from covidmaps_plugin.core.fields import STORAGE_CRS, qgs_fields, to_stored_value
from covidmaps_plugin.core.validation import ValidationReport, validate
from covidmaps_plugin.model import MODEL, PROVINCE_TZ, default_profile

NOW = dt.datetime(2021, 6, 10, 10, 0, tzinfo=PROVINCE_TZ)
# Thành phố Bắc Kạn, inside the province
CITY = (105.834, 22.147)
ZONE_WKT = ("MULTIPOLYGON(((105.830 22.140, 105.836 22.140, 105.836 22.146, "
            "105.830 22.146, 105.830 22.140)))")

Geometry = Union[str, QgsGeometry, None]
Row = Tuple[Geometry, Mapping[str, Any]]


def new_uid() -> str:
    return str(uuid.uuid4())


def sound_attributes(layer_name: str, **overrides: Any) -> Dict[str, Any]:
    """Attributes of a feature that passes every rule at NOW."""
    common = {"uid": new_uid(), "district_code": "058", "updated_at": "2021-06-09T09:00:00+07:00",
              "approved": True, "source_doc": "Thông báo 12/TB-SYT"}
    per_layer: Dict[str, Dict[str, Any]] = {
        "risk_points": {
            "name": "Chợ Đức Xuân", "place_type": "market", "address": "Tổ 5, phường Đức Xuân",
            "exposure_start": "2021-06-05T08:00:00+07:00",
            "exposure_end": "2021-06-05T11:00:00+07:00", "announced_on": "2021-06-07",
            "visible_until": "2021-06-19T11:00:00+07:00",
            "advice": "Người đến chợ trong thời gian trên liên hệ trạm y tế 0209 3870 123.",
            "related_cases": 1, "disinfected": True, "disinfected_on": "2021-06-06",
            "status": "active", "case_refs": "BN1234, 0912345678",
        },
        "quarantine_facilities": {
            "name": "Trường Quân sự tỉnh", "address": "Xã Dương Quang", "facility_type": "military",
            "decision_no": "123/QĐ-UBND", "decision_date": "2021-05-20", "capacity": 200,
            "occupancy": 50, "figures_as_of": "2021-06-09T17:00:00+07:00",
            "target_group": "f1", "duty_phone": "0912 345 678", "opened_on": "2021-05-21",
            "status": "operating",
        },
        "isolation_zones": {
            "name": "Tổ 1 phường Sông Cầu", "measure": "lockdown", "regime": "directive_16",
            "scale": "hamlet", "decision_no": "45/QĐ-UBND", "signed_on": "2021-06-04",
            "effective_from": "2021-06-05T00:00:00+07:00",
            "effective_until": "2021-06-20T00:00:00+07:00", "households": 40,
            "residents": 150, "status": "in_force",
        },
        "checkpoints": {
            "name": "Chốt Đèo Giàng", "checkpoint_type": "province_gate", "road": "QL3",
            "forces": "joint", "hours": "24/24", "requirements": "Khai báo y tế",
            "opened_on": "2021-06-01", "status": "operating", "duty_phone": "0209.3870.115",
            "commander": "Nguyễn Văn A 0987654321",
        },
        "epidemic_levels": {
            "name": "Thành phố Bắc Kạn", "unit_kind": "district", "unit_code": "058",
            "level": 2, "scheme": "nq128", "effective_from": "2021-06-01",
            "decision_no": "1500/QĐ-UBND", "issuing_authority": "UBND tỉnh Bắc Kạn",
            "status": "announced",
        },
    }
    values = {**common, **per_layer[layer_name]}
    values.update(overrides)
    return values


class Raw(str):
    """A value stored as it is, bypassing the workspace's conversion."""


def make_layer(layer_name: str, rows: Iterable[Row], crs: str = STORAGE_CRS,
               fields: Optional[Sequence[str]] = None) -> QgsVectorLayer:
    """A memory layer with the model's fields (or only ``fields``)."""
    layer_def = MODEL.layer(layer_name)
    geometry_type = layer_def.geometry_type.value
    layer = QgsVectorLayer(f"{geometry_type}?crs={crs}", layer_name, "memory")
    all_fields = qgs_fields(layer_def)
    wanted = [f for f in all_fields if fields is None or f.name() in fields]
    for fld in wanted:
        fld.setLength(0)  # a memory layer would refuse long text: the validator reports it
    layer.dataProvider().addAttributes(wanted)
    layer.updateFields()
    features = []
    for geometry, attributes in rows:
        feature = QgsFeature(layer.fields())
        if isinstance(geometry, str):
            geometry = QgsGeometry.fromWkt(geometry)
        if geometry is not None:
            feature.setGeometry(geometry)
        for name, value in attributes.items():
            if layer.fields().indexOf(name) >= 0:
                feature[name] = str(value) if isinstance(value, Raw) else to_stored_value(
                    layer_def.field(name), value)
        features.append(feature)
    assert layer.dataProvider().addFeatures(features)
    assert layer.featureCount() == len(features), "the provider dropped a feature"
    return layer


def point(x: float = CITY[0], y: float = CITY[1]) -> QgsGeometry:
    from qgis.core import QgsPointXY

    return QgsGeometry.fromPointXY(QgsPointXY(x, y))


def sound_layers(**extra_rows: List[Row]) -> Dict[str, QgsVectorLayer]:
    """One sound feature per layer (the checkpoint guards the zone), plus
    ``extra_rows`` per layer name."""
    zone = sound_attributes("isolation_zones")
    rows: Dict[str, List[Row]] = {
        "risk_points": [(point(), sound_attributes("risk_points"))],
        "quarantine_facilities": [(point(105.85, 22.16),
                                   sound_attributes("quarantine_facilities"))],
        "isolation_zones": [(ZONE_WKT, zone)],
        "checkpoints": [(point(105.836, 22.146), sound_attributes(
            "checkpoints", zone_uid=zone["uid"], checkpoint_type="zone_gate"))],
    }
    # once levels are in use every district needs one: a level per district
    rows["epidemic_levels"] = [
        (ZONE_WKT, sound_attributes("epidemic_levels", unit_code=code))
        for code in default_profile().district_codes]
    for name, more in extra_rows.items():
        rows[name] = rows[name] + list(more)
    return {name: make_layer(name, r) for name, r in rows.items()}


def run(layers: Mapping[str, QgsVectorLayer], **kwargs: Any) -> ValidationReport:
    """Validate ``layers``; model layers not given are empty."""
    complete = {name: layers.get(name) or make_layer(name, []) for name in MODEL.layer_names}
    return validate(complete, default_profile(), kwargs.pop("now", NOW), **kwargs)


def codes(report: ValidationReport, layer: Optional[str] = None) -> List[str]:
    return sorted(f.code.value for f in report.findings if layer is None or f.layer == layer)


def has_finite_coordinates(geometry: QgsGeometry) -> bool:
    # QGIS 3.40 reads a point with a NaN coordinate as an empty point, which
    # has no vertices to look at; GDAL 3.10 refuses to store it all the same
    return not geometry.isEmpty() and all(
        math.isfinite(v.x()) and math.isfinite(v.y()) for v in geometry.vertices())


def copy_into(workspace: Any, layers: Mapping[str, QgsVectorLayer]) -> None:
    """Add the features of ``layers`` to the workspace's layers of the same name.

    Features with finite coordinates are saved to the GeoPackage. The others
    are left as unsaved edits: that is the only place they can live in a
    workspace of QGIS 3.40 (GDAL 3.10's R-tree triggers refuse to store them,
    and would take the whole batch down with them), and the validator reads
    unsaved edits on every version.
    """
    for name, source in layers.items():
        target = workspace.layer(name)
        saved, unsaved = [], []
        for feature in source.getFeatures():
            copy = QgsFeature(target.fields())
            copy.setGeometry(feature.geometry())
            for fld in source.fields():
                copy[fld.name()] = feature[fld.name()]
            finite = feature.geometry().isNull() or has_finite_coordinates(feature.geometry())
            (saved if finite else unsaved).append(copy)
        assert target.dataProvider().addFeatures(saved)
        if unsaved:
            assert target.isEditable() or target.startEditing()
            assert target.addFeatures(unsaved)
