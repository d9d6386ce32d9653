"""The officer's daily updates, each one undoable edit command.

Every action checks all its input and every target feature first and
raises :class:`EditRefused` (Vietnamese and English message) before
touching anything; then it changes exactly the intended attributes plus
``updated_at``/``updated_by`` inside one ``beginEditCommand`` /
``endEditCommand`` pair, in the layer's edit buffer (the officer saves or
undoes as with any other edit).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from qgis.core import QgsFeature, QgsFeatureRequest, QgsVectorLayer

from ...model import MODEL, PROVINCE_TZ, LayerDef
from .errors import NOTHING_SELECTED, EditRefusedError, refuse
from .new_feature import current_user, now_in_province
from .values import read_date, read_instant, read_int, stored

Changes = Dict[int, Dict[str, Any]]


def _label(feat: QgsFeature) -> str:
    names = feat.fields().names()
    name = feat["name"] if "name" in names else None
    return f"«{name}»" if name not in (None, "") and not _is_null(name) else f"#{feat.id()}"


def _is_null(value: Any) -> bool:
    return value is None or (hasattr(value, "isNull") and value.isNull())


def _require_layer(layer: QgsVectorLayer, layer_def: LayerDef, fields: Sequence[str]) -> None:
    if layer is None or not layer.isValid() or not set(fields) <= set(layer.fields().names()):
        raise EditRefusedError(
            f"Lớp này không phải lớp «{layer_def.title_vi}».",
            f"This layer is not the «{layer_def.title_en}» layer.",
        )


def _targets(layer: QgsVectorLayer, fids: Optional[Iterable[int]]) -> List[QgsFeature]:
    ids = list(layer.selectedFeatureIds() if fids is None else fids)
    if not ids:
        raise refuse(NOTHING_SELECTED)
    feats = list(layer.getFeatures(QgsFeatureRequest().setFilterFids(ids)))
    if len(feats) != len(set(ids)):
        raise EditRefusedError(
            "Một số đối tượng đã chọn không còn trên lớp; hãy chọn lại.",
            "Some selected features no longer exist; select again.",
        )
    return sorted(feats, key=lambda f: f.id())


def _refuse_if(condition: bool, message_vi: str, message_en: str) -> None:
    if condition:
        raise EditRefusedError(message_vi, message_en)


def _stamp(values: Dict[str, Any], now: dt.datetime, user: Optional[str]) -> Dict[str, Any]:
    return {**values, "updated_at": now, "updated_by": current_user() if user is None else user}


def apply_changes(
    layer: QgsVectorLayer, layer_def: LayerDef, changes: Changes, command: str
) -> int:
    """Write ``changes`` (fid -> field -> Python value) as one undo command."""
    if not changes:
        return 0
    if not layer.isEditable() and not layer.startEditing():
        raise EditRefusedError(
            "Không mở được lớp để chỉnh sửa (lớp chỉ đọc?).",
            "Could not start editing the layer (read-only?).",
        )
    fields = layer.fields()
    layer.beginEditCommand(command)
    try:
        for fid, values in changes.items():
            old = layer.getFeature(fid)
            new_map = {}
            old_map = {}
            for name, value in values.items():
                index = fields.indexOf(name)
                if index < 0:
                    continue
                new_map[index] = stored(layer_def, name, value)
                old_map[index] = old.attribute(index)
            # updated_at/updated_by are set explicitly: no on-update defaults
            if not layer.changeAttributeValues(fid, new_map, old_map, True):
                raise EditRefusedError(
                    f"Không ghi được đối tượng {_label(old)}.",
                    f"Could not write feature {_label(old)}.",
                )
    except BaseException:
        layer.destroyEditCommand()  # rolls back what this command changed
        raise
    layer.endEditCommand()
    layer.triggerRepaint()
    return len(changes)


def _when(now: Optional[dt.datetime]) -> dt.datetime:
    when = now or now_in_province()
    return when if when.tzinfo else when.replace(tzinfo=PROVINCE_TZ)


# ------------------------------------------------------------------ zones

ZONES = MODEL.layer("isolation_zones")


def lift_zones(
    layer: QgsVectorLayer,
    decision_no: str,
    lifted_on: Optional[dt.datetime] = None,
    fids: Optional[Iterable[int]] = None,
    *,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Lift zones: status ``lifted``, the lifting decision and moment."""
    _require_layer(layer, ZONES, ("status", "lifted_decision_no", "lifted_on"))
    when = _when(now)
    lifted = _when(lifted_on or when)
    decision = (decision_no or "").strip()
    limit = ZONES.field("lifted_decision_no").max_length or 80
    if not decision or len(decision) > limit:
        raise EditRefusedError(
            f"Nhập số quyết định dỡ bỏ (tối đa {limit} ký tự).",
            f"Enter the lifting decision number (at most {limit} characters).",
        )
    changes: Changes = {}
    for feat in _targets(layer, fids):
        _refuse_if(
            feat["status"] == "lifted",
            f"Vùng {_label(feat)} đã được dỡ bỏ trước đó.",
            f"Zone {_label(feat)} is already lifted.",
        )
        start = read_instant(feat["effective_from"])
        _refuse_if(
            start is not None and lifted < start,
            f"Ngày dỡ bỏ trước ngày có hiệu lực của vùng {_label(feat)}.",
            f"Zone {_label(feat)} would be lifted before it took effect.",
        )
        changes[feat.id()] = _stamp(
            {"status": "lifted", "lifted_decision_no": decision, "lifted_on": lifted}, when, user
        )
    return apply_changes(layer, ZONES, changes, "Dỡ bỏ vùng cách ly")


def extend_zones(
    layer: QgsVectorLayer,
    effective_until: dt.datetime,
    fids: Optional[Iterable[int]] = None,
    *,
    decision_no: str = "",
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Extend zones to a later ``effective_until``: status ``extended``.

    The extending decision, when given, goes to ``source_doc`` (the zone's
    own ``decision_no`` stays the one that created it).
    """
    _require_layer(layer, ZONES, ("status", "effective_from", "effective_until"))
    when = _when(now)
    if effective_until is None:
        raise EditRefusedError("Nhập thời hạn mới.", "Enter the new end of the zone.")
    until = _when(effective_until)
    changes: Changes = {}
    for feat in _targets(layer, fids):
        _refuse_if(
            feat["status"] == "lifted",
            f"Vùng {_label(feat)} đã dỡ bỏ, không gia hạn được.",
            f"Zone {_label(feat)} is lifted and cannot be extended.",
        )
        start = read_instant(feat["effective_from"])
        _refuse_if(
            start is not None and until <= start,
            f"Thời hạn mới kết thúc trước khi vùng {_label(feat)} có hiệu lực.",
            f"The new end is before zone {_label(feat)} takes effect.",
        )
        current = read_instant(feat["effective_until"])
        _refuse_if(
            current is not None and until <= current,
            f"Thời hạn mới phải sau thời hạn hiện tại của vùng {_label(feat)}.",
            f"The new end must be later than the current end of zone {_label(feat)}.",
        )
        values: Dict[str, Any] = {"status": "extended", "effective_until": until}
        if decision_no.strip():
            values["source_doc"] = decision_no.strip()
        changes[feat.id()] = _stamp(values, when, user)
    return apply_changes(layer, ZONES, changes, "Gia hạn vùng cách ly")


# ------------------------------------------------- facilities, checkpoints

FACILITIES = MODEL.layer("quarantine_facilities")
CHECKPOINTS = MODEL.layer("checkpoints")
# the status that takes a facility or checkpoint off the map for good
CLOSED_STATUS = {FACILITIES.name: "closed", CHECKPOINTS.name: "disbanded"}


def close_points(
    layer: QgsVectorLayer,
    closed_on: Optional[dt.date] = None,
    fids: Optional[Iterable[int]] = None,
    *,
    layer_name: str,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Close quarantine facilities (status ``closed``) or disband checkpoints
    (status ``disbanded``) on ``closed_on`` (default: today)."""
    layer_def = MODEL.layer(layer_name)
    closed_status = CLOSED_STATUS[layer_name]
    _require_layer(layer, layer_def, ("status", "opened_on", "closed_on"))
    when = _when(now)
    day = closed_on or when.date()
    closed_choice = layer_def.status_list.choice(closed_status)
    changes: Changes = {}
    for feat in _targets(layer, fids):
        _refuse_if(
            feat["status"] == closed_status,
            f"{_label(feat)} đã ở trạng thái «{closed_choice.label_vi}».",
            f"{_label(feat)} is already «{closed_choice.label_en}».",
        )
        opened = read_date(feat["opened_on"]) or day
        _refuse_if(
            day < opened,
            f"Ngày đóng trước ngày bắt đầu hoạt động của {_label(feat)} ({opened:%d/%m/%Y}).",
            f"The closing date is before {_label(feat)} opened ({opened.isoformat()}).",
        )
        changes[feat.id()] = _stamp({"status": closed_status, "closed_on": day}, when, user)
    return apply_changes(layer, layer_def, changes, closed_choice.label_vi)


close_facilities = functools.partial(close_points, layer_name=FACILITIES.name)
disband_checkpoints = functools.partial(close_points, layer_name=CHECKPOINTS.name)


def update_occupancy(
    layer: QgsVectorLayer,
    fid: int,
    occupancy: int,
    *,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Today's number of people in a facility; ``figures_as_of`` = now."""
    _require_layer(layer, FACILITIES, ("capacity", "occupancy", "figures_as_of"))
    when = _when(now)
    if fid is None:
        raise refuse(NOTHING_SELECTED)
    (feat,) = _targets(layer, [fid])
    if isinstance(occupancy, bool) or not isinstance(occupancy, int) or occupancy < 0:
        raise EditRefusedError(
            "Số người đang cách ly phải là số nguyên không âm.",
            "Occupancy must be a whole number, zero or more.",
        )
    capacity = read_int(feat["capacity"])
    if capacity is None:
        raise EditRefusedError(
            f"{_label(feat)} chưa có sức chứa; nhập sức chứa trước.",
            f"{_label(feat)} has no capacity yet; enter it first.",
        )
    if occupancy > capacity:
        raise EditRefusedError(
            f"Số người đang cách ly ({occupancy}) vượt quá sức chứa ({capacity}) "
            f"của {_label(feat)}.",
            f"Occupancy ({occupancy}) exceeds the capacity ({capacity}) of {_label(feat)}.",
        )
    changes = {feat.id(): _stamp({"occupancy": occupancy, "figures_as_of": when}, when, user)}
    return apply_changes(layer, FACILITIES, changes, "Cập nhật số người cách ly")


@dataclass(frozen=True)
class FacilityFigures:
    """One row of the figures table: what it shows and what the officer typed."""

    fid: int
    name: str
    capacity: Optional[int]
    occupancy: Optional[int]
    figures_as_of: Optional[dt.datetime]


def facility_figures(layer: QgsVectorLayer) -> List[FacilityFigures]:
    """Every facility not closed, by name: the rows of the daily figures table."""
    _require_layer(layer, FACILITIES, ("name", "status", "capacity", "occupancy",
                                       "figures_as_of"))
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    rows = [
        FacilityFigures(feat.id(), str(feat["name"] or f"#{feat.id()}"),
                        read_int(feat["capacity"]), read_int(feat["occupancy"]),
                        read_instant(feat["figures_as_of"]))
        for feat in layer.getFeatures(request)
        if feat["status"] != CLOSED_STATUS[FACILITIES.name]
    ]
    return sorted(rows, key=lambda r: r.name.casefold())


def update_figures(
    layer: QgsVectorLayer,
    figures: Mapping[int, Tuple[Optional[int], Optional[int]]],
    as_of: Optional[dt.datetime] = None,
    *,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Capacity and occupancy of many facilities (fid -> (capacity,
    occupancy)) as one undo command; ``figures_as_of`` = ``as_of`` (default
    now) on the facilities whose figures changed. Every row is checked
    before anything is written; how many facilities changed."""
    _require_layer(layer, FACILITIES, ("capacity", "occupancy", "figures_as_of"))
    when = _when(now)
    stamp_time = _when(as_of or when)
    if not figures:
        return 0
    changes: Changes = {}
    for feat in _targets(layer, figures):
        capacity, occupancy = figures[feat.id()]
        for value, vi, en in ((capacity, "Sức chứa", "Capacity"),
                              (occupancy, "Số người đang cách ly", "Occupancy")):
            _refuse_if(
                value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                       or value < 0),
                f"{vi} của {_label(feat)} phải là số nguyên không âm.",
                f"{en} of {_label(feat)} must be a whole number, zero or more.",
            )
        _refuse_if(
            capacity is not None and occupancy is not None and occupancy > capacity,
            f"Số người đang cách ly ({occupancy}) vượt quá sức chứa ({capacity}) "
            f"của {_label(feat)}.",
            f"Occupancy ({occupancy}) exceeds the capacity ({capacity}) of {_label(feat)}.",
        )
        if (capacity, occupancy) == (read_int(feat["capacity"]), read_int(feat["occupancy"])):
            continue
        values = {"capacity": capacity, "occupancy": occupancy, "figures_as_of": stamp_time}
        changes[feat.id()] = _stamp(values, when, user)
    return apply_changes(layer, FACILITIES, changes, "Cập nhật số liệu cơ sở cách ly")


# ------------------------------------------------------------ risk points

RISK_POINTS = MODEL.layer("risk_points")


def expired_risk_point_ids(layer: QgsVectorLayer, now: dt.datetime) -> List[int]:
    """Active risk points whose ``visible_until`` has passed."""
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
    request.setSubsetOfAttributes(["status", "visible_until"], layer.fields())
    found = []
    for feat in layer.getFeatures(request):
        until = read_instant(feat["visible_until"])
        if feat["status"] == "active" and until is not None and until < now:
            found.append(feat.id())
    return found


def expire_risk_points(
    layer: QgsVectorLayer,
    *,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> int:
    """Mark active risk points past ``visible_until`` as ``expired``; how many."""
    _require_layer(layer, RISK_POINTS, ("status", "visible_until"))
    when = _when(now)
    changes = {
        fid: _stamp({"status": "expired"}, when, user)
        for fid in expired_risk_point_ids(layer, when)
    }
    return apply_changes(layer, RISK_POINTS, changes, "Hết hạn điểm nguy cơ")
