"""Epidemic levels in the workspace: announce a level for several units at
once, keep the history, list the levels that end soon.

The logic of what a change does is ``model.levels.plan_change``; this module
reads the layers and writes the plan into the levels layer's edit buffer as
one undo command. A record's polygon is the unit's reference polygon
(``districts`` or ``communes`` table of the workspace: official after the
profile import, approximate before), never drawn by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from qgis.core import QgsFeatureRequest, QgsGeometry, QgsVectorLayer

from ...model import MODEL
from ...model import levels as lv
from .daily_actions import apply_changes
from .errors import EditRefusedError
from .new_feature import current_user, new_feature, now_in_province
from .values import read_date, read_int

LEVELS = MODEL.layer(lv.LAYER_NAME)
REFERENCE_TABLE = {lv.UNIT_DISTRICT: "districts", lv.UNIT_COMMUNE: "communes"}


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str
    parent_code: str  # a commune's district ("" for a district)
    kind: str  # lv.UNIT_DISTRICT / lv.UNIT_COMMUNE
    wkb: bytes  # the polygon in the workspace's CRS (WGS 84)


def read_units(reference: QgsVectorLayer, kind: str,
               codes: Optional[Iterable[str]] = None) -> Dict[str, UnitRef]:
    """The units of a reference layer by code (only ``codes`` when given)."""
    wanted = set(codes) if codes is not None else None
    out: Dict[str, UnitRef] = {}
    for feat in reference.getFeatures():
        code = str(feat["code"] or "")
        if not code or (wanted is not None and code not in wanted):
            continue
        geom = feat.geometry()
        parent = feat["parent_code"] if "parent_code" in feat.fields().names() else ""
        out[code] = UnitRef(code, str(feat["name"] or code), str(parent or ""), kind,
                            bytes(geom.asWkb()) if not geom.isNull() else b"")
    return out


def load_units(gpkg_path: Path, kind: str,
               codes: Optional[Iterable[str]] = None) -> Dict[str, UnitRef]:
    """:func:`read_units` from the file, through a layer of its own: safe in a
    ``QgsTask`` thread (official commune polygons can be large)."""
    table = REFERENCE_TABLE[kind]
    layer = QgsVectorLayer(f"{Path(gpkg_path)}|layername={table}", table, "ogr")
    if not layer.isValid():
        raise EditRefusedError(f"Vùng làm việc không có lớp ranh giới «{table}».",
                               f"The workspace has no «{table}» boundary layer.")
    return read_units(layer, kind, codes)


def read_periods(layer: QgsVectorLayer, codes: Optional[Iterable[str]] = None
                 ) -> List[lv.Period]:
    """The announced records of the levels layer (pending edits included)."""
    wanted = set(codes) if codes is not None else None
    out = []
    for feat in layer.getFeatures(QgsFeatureRequest()):
        if feat["status"] != "announced":
            continue
        code = str(feat["unit_code"] or "")
        if wanted is not None and code not in wanted:
            continue
        out.append(lv.Period(feat.id(), code, read_int(feat["level"]),
                             read_date(feat["effective_from"]),
                             read_date(feat["effective_until"])))
    return out


@dataclass(frozen=True)
class ChangeResult:
    added: int
    ended: int
    withdrawn: int


def apply_level_change(
    layer: QgsVectorLayer, change: lv.Change, units: Dict[str, UnitRef], *,
    now: Optional[dt.datetime] = None, user: Optional[str] = None,
    approved: Optional[bool] = None,
) -> ChangeResult:
    """Announce ``change`` for its units in ``layer`` (one undo command):
    the record in force ends the day before, a later one is withdrawn, a new
    record per unit carries the unit's reference polygon. Refuses (nothing
    written) a bad change or a unit without a polygon."""
    try:
        lv.check_change(change, units.keys())
    except lv.ChangeError as exc:
        raise EditRefusedError(exc.vi, exc.en) from exc
    no_polygon = sorted(c for c in change.unit_codes if not units[c].wkb)
    if no_polygon:
        raise EditRefusedError(
            f"Chưa có ranh giới cho: {', '.join(no_polygon)}. Hãy nhập ranh giới chính thức.",
            f"No boundary polygon for: {', '.join(no_polygon)}. Import the official "
            "boundaries.")
    when = now or now_in_province()
    who = current_user() if user is None else user
    plan = lv.plan_change(change, read_periods(layer, change.unit_codes))
    stamp = {"updated_at": when, "updated_by": who}
    edits: Dict[int, Dict[str, Any]] = {fid: {"effective_until": end, **stamp}
                                        for fid, end in plan.end.items()}
    for fid in plan.withdraw:
        edits[fid] = {"status": "withdrawn", **stamp}
    if not layer.isEditable() and not layer.startEditing():
        raise EditRefusedError("Không mở được lớp cấp độ dịch để chỉnh sửa.",
                               "Could not start editing the epidemic levels layer.")
    # the ends, withdrawals and new records are one undo step together
    layer.beginEditCommand("CovidMaps: epidemic level")
    try:
        if edits:
            _nested_changes(layer, edits)
        features = []
        for code in plan.add:
            unit = units[code]
            geom = QgsGeometry()
            geom.fromWkb(unit.wkb)
            geom.convertToMultiType()
            attrs = {
                "name": unit.name, "unit_kind": unit.kind, "unit_code": code,
                "level": change.level, "scheme": change.scheme,
                "effective_from": change.effective_from,
                "effective_until": change.effective_until,
                "decision_no": change.decision_no.strip(),
                "issuing_authority": change.issuing_authority.strip() or None,
                "measures": change.measures.strip() or None,
                "district_code": unit.parent_code if unit.kind == lv.UNIT_COMMUNE else code,
                "commune_code": code if unit.kind == lv.UNIT_COMMUNE else None,
                "status": "announced", "source_doc": change.decision_no.strip(), **stamp,
            }
            if approved is not None:
                attrs["approved"] = approved
            features.append(new_feature(layer, LEVELS, geom, _with_uid(attrs)))
        if not layer.addFeatures(features):
            raise EditRefusedError("Không ghi được cấp độ mới vào lớp.",
                                   "Could not add the new levels to the layer.")
    except BaseException:
        layer.destroyEditCommand()
        raise
    layer.endEditCommand()
    layer.triggerRepaint()
    return ChangeResult(len(plan.add), len(plan.end), len(plan.withdraw))


def _with_uid(attrs: Dict[str, Any]) -> Dict[str, Any]:
    import uuid

    return {"uid": str(uuid.uuid4()), **attrs}


def _nested_changes(layer: QgsVectorLayer, edits: Dict[int, Dict[str, Any]]) -> None:
    """``apply_changes`` inside the command already open: QGIS nests edit
    commands into the outer one, so the whole change stays one undo step."""
    apply_changes(layer, LEVELS, edits, "CovidMaps: end previous levels")


@dataclass(frozen=True)
class EndingSoon:
    fid: int
    unit_code: str
    name: str
    level: int
    ends_on: dt.date
    decision_no: str


def ending_soon(layer: QgsVectorLayer, today: Optional[dt.date] = None,
                days: int = lv.ENDING_SOON_DAYS) -> List[EndingSoon]:
    """Units whose level ends within ``days`` days with no level announced
    after it: the daily reminder of what the committee must decide."""
    day = today or now_in_province().date()
    periods = read_periods(layer)
    soon = lv.ending_soon(periods, day, days)
    if not soon:
        return []
    feats = {f.id(): f for f in layer.getFeatures(
        QgsFeatureRequest().setFilterFids([p.key for p in soon]))}
    return [EndingSoon(p.key, p.unit_code, str(feats[p.key]["name"] or p.unit_code), p.level,
                       p.end, str(feats[p.key]["decision_no"] or "")) for p in soon]


def rejoin_geometries(layer: QgsVectorLayer, reference: QgsVectorLayer, kind: str) -> int:
    """Give every level record of ``kind`` its unit's current reference
    polygon (after the profile import of official boundaries, the records
    carry the official polygons too). Returns how many records changed;
    records whose unit has no polygon keep theirs (the validator names an
    unknown unit)."""
    units = read_units(reference, kind)
    changes = {}
    for feat in layer.getFeatures():
        unit = units.get(str(feat["unit_code"] or ""))
        if feat["unit_kind"] != kind or unit is None or not unit.wkb:
            continue
        geom = QgsGeometry()
        geom.fromWkb(unit.wkb)
        geom.convertToMultiType()
        if not geom.equals(feat.geometry()):
            changes[feat.id()] = geom
    if changes and not layer.dataProvider().changeGeometryValues(changes):
        raise EditRefusedError("Không cập nhật được ranh giới của các cấp độ dịch.",
                               "Could not update the epidemic levels' boundaries.")
    layer.reload()
    return len(changes)
