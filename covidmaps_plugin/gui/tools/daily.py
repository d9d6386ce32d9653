"""The daily updates as dialogs over the selected features.

Each function returns the dialog (not yet shown) for the features selected
on the right layer, or raises :class:`EditRefusedError` when the selection
does not fit (nothing selected, several facilities for one figure...).
"""

from __future__ import annotations

import datetime as dt
from typing import List, Optional, Sequence, Tuple

from qgis.core import QgsVectorLayer
from qgis.PyQt.QtWidgets import QWidget

from ...core.editing import (
    close_points,
    expire_risk_points,
    extend_zones,
    facility_figures,
    lift_zones,
    now_in_province,
    update_occupancy,
)
from ...core.editing.errors import NOTHING_SELECTED, EditRefusedError
from ...core.editing.session import EditingSession
from ...core.editing.values import read_instant, read_int
from ...core.validation.table import instant_text
from ...i18n import tr
from ...model import MODEL
from .dialogs import (
    CloseDialog,
    ExtendZoneDialog,
    LiftZoneDialog,
    OccupancyDialog,
    ToolDialog,
    from_qdate,
    from_qdatetime,
    one_or_many,
)
from .figures_panel import FiguresPanel

EXTENSION_DAYS = 14  # the usual length of an extension, as the proposed new end


def selected_ids(session: EditingSession, layer_name: str) -> List[int]:
    """The features selected on ``layer_name`` (whatever layer is active)."""
    return sorted(session.layers[layer_name].selectedFeatureIds())


def _targets(session: EditingSession, layer_name: str,
             ids: Optional[Sequence[int]]) -> List[int]:
    ids = sorted(ids) if ids else selected_ids(session, layer_name)
    if not ids:
        title = MODEL.layer(layer_name)
        raise EditRefusedError(
            f"{NOTHING_SELECTED[0]} (lớp «{title.title_vi}»)",
            f"{NOTHING_SELECTED[1]} (layer «{title.title_en}»)",
        )
    return ids


def feature_names(layer: QgsVectorLayer, ids: Sequence[int]) -> List[str]:
    """How the officer knows each feature: its name, else #fid."""
    names = []
    for fid in ids:
        name = layer.getFeature(fid)["name"]
        names.append(str(name) if name not in (None, "") and not _null(name) else f"#{fid}")
    return names


def _null(value: object) -> bool:
    is_null = getattr(value, "isNull", None)
    return bool(is_null()) if callable(is_null) else False


def _done(names: Sequence[str], one: str, many: str) -> str:
    return one_or_many(names, one, many) + " " + tr("Save the layer's edits to keep it.")


def lift_dialog(session: EditingSession, parent: Optional[QWidget] = None,
                ids: Optional[Sequence[int]] = None) -> LiftZoneDialog:
    layer = session.layers["isolation_zones"]
    ids = _targets(session, "isolation_zones", ids)
    names = feature_names(layer, ids)

    def apply(dialog: ToolDialog) -> None:
        lift_zones(layer, dialog.decision.text(),  # type: ignore[attr-defined]
                   from_qdatetime(dialog.lifted_on.dateTime()), ids)  # type: ignore[attr-defined]
        dialog.done_message = _done(names, tr("Zone «{0}» lifted."),
                                    tr("{0} zones lifted: {1}."))

    return LiftZoneDialog(names, now_in_province(), apply, parent)


def extend_dialog(session: EditingSession, parent: Optional[QWidget] = None,
                  ids: Optional[Sequence[int]] = None) -> ExtendZoneDialog:
    layer = session.layers["isolation_zones"]
    ids = _targets(session, "isolation_zones", ids)
    names = feature_names(layer, ids)
    ends = [read_instant(layer.getFeature(fid)["effective_until"]) for fid in ids]
    latest = max([e for e in ends if e is not None], default=now_in_province())
    proposed = latest + dt.timedelta(days=EXTENSION_DAYS)

    def apply(dialog: ToolDialog) -> None:
        until = from_qdatetime(dialog.until.dateTime())  # type: ignore[attr-defined]
        extend_zones(layer, until, ids,
                     decision_no=dialog.decision.text())  # type: ignore[attr-defined]
        dialog.done_message = _done(
            names, tr("Zone «{0}» extended to {1}.").replace("{1}", instant_text(until)),
            tr("{0} zones extended to {2}: {1}.").replace("{2}", instant_text(until)))

    return ExtendZoneDialog(names, proposed, apply, parent)


def _close_dialog(session: EditingSession, layer_name: str, title: str,
                  texts: Tuple[str, str, str, str], parent: Optional[QWidget],
                  ids: Optional[Sequence[int]]) -> CloseDialog:
    """``texts``: the intro for one and for many, the confirmation for one
    and for many (``{0}`` the name or count, ``{1}`` the names)."""
    layer = session.layers[layer_name]
    ids = _targets(session, layer_name, ids)
    names = feature_names(layer, ids)

    def apply(dialog: ToolDialog) -> None:
        closed_on = from_qdate(dialog.closed_on.date())  # type: ignore[attr-defined]
        close_points(layer, closed_on, ids, layer_name=layer_name)
        dialog.done_message = _done(names, texts[2], texts[3])

    return CloseDialog(title, one_or_many(names, texts[0], texts[1]),
                       now_in_province().date(), apply, parent)


def close_facility_dialog(session: EditingSession, parent: Optional[QWidget] = None,
                          ids: Optional[Sequence[int]] = None) -> CloseDialog:
    return _close_dialog(
        session, "quarantine_facilities", tr("Close quarantine facility"),
        (tr("Close the facility «{0}»: it leaves the public map."),
         tr("Close these {0} facilities: {1}. They leave the public map."),
         tr("Facility «{0}» closed."), tr("{0} facilities closed: {1}.")), parent, ids,
    )


def disband_checkpoint_dialog(session: EditingSession, parent: Optional[QWidget] = None,
                              ids: Optional[Sequence[int]] = None) -> CloseDialog:
    return _close_dialog(
        session, "checkpoints", tr("Disband checkpoint"),
        (tr("Disband the checkpoint «{0}»: it leaves the public map."),
         tr("Disband these {0} checkpoints: {1}. They leave the public map."),
         tr("Checkpoint «{0}» disbanded."), tr("{0} checkpoints disbanded: {1}.")),
        parent, ids,
    )


def occupancy_dialog(session: EditingSession, parent: Optional[QWidget] = None,
                     ids: Optional[Sequence[int]] = None) -> OccupancyDialog:
    layer = session.layers["quarantine_facilities"]
    ids = _targets(session, "quarantine_facilities", ids)
    if len(ids) != 1:
        raise EditRefusedError(
            "Hãy chọn đúng một cơ sở cách ly để cập nhật số liệu.",
            "Select exactly one quarantine facility to update its figures.",
        )
    feature = layer.getFeature(ids[0])

    def apply(dialog: ToolDialog) -> None:
        update_occupancy(layer, ids[0], dialog.occupancy.value())  # type: ignore[attr-defined]
        dialog.done_message = _done([str(feature["name"])],
                                    tr("Figures of «{0}» updated."), "")

    return OccupancyDialog(str(feature["name"]), read_int(feature["occupancy"]) or 0,
                           read_int(feature["capacity"]), apply, parent)


def figures_panel(session: EditingSession, parent: Optional[QWidget] = None
                  ) -> FiguresPanel:
    """Every open facility's capacity and occupancy in one table; each
    facility's figures go into the layer as its cell is left."""
    layer = session.layers["quarantine_facilities"]
    rows = facility_figures(layer)
    if not rows:
        raise EditRefusedError("Chưa có cơ sở cách ly nào đang hoạt động.",
                               "There is no open quarantine facility.")
    return FiguresPanel(layer, rows, now_in_province(), parent)


def expire_now(session: EditingSession) -> int:
    """Expire the risk points whose visible-until has passed; how many."""
    return expire_risk_points(session.layers["risk_points"])


__all__ = [
    "close_facility_dialog", "disband_checkpoint_dialog", "expire_now", "extend_dialog",
    "feature_names", "figures_panel", "lift_dialog", "occupancy_dialog", "selected_ids",
]
