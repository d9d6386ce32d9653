"""The daily updates as dialogs over the selected features.

Each function returns the dialog (not yet shown) for the features selected
on the right layer, or raises :class:`EditRefusedError` when the selection
does not fit (nothing selected, several facilities for one figure...).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from qgis.PyQt.QtWidgets import QWidget

from ...core.editing import (
    close_points,
    expire_risk_points,
    extend_zones,
    lift_zones,
    now_in_province,
    update_occupancy,
)
from ...core.editing.errors import NOTHING_SELECTED, EditRefusedError
from ...core.editing.session import EditingSession
from ...core.editing.values import read_instant, read_int
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
)

EXTENSION_DAYS = 14  # the usual length of an extension, as the proposed new end


def _selected(session: EditingSession, layer_name: str) -> list:
    ids = session.layers[layer_name].selectedFeatureIds()
    if not ids:
        title = MODEL.layer(layer_name)
        raise EditRefusedError(
            f"{NOTHING_SELECTED[0]} (lớp «{title.title_vi}»)",
            f"{NOTHING_SELECTED[1]} (layer «{title.title_en}»)",
        )
    return sorted(ids)


def lift_dialog(session: EditingSession, parent: Optional[QWidget] = None) -> LiftZoneDialog:
    layer = session.layers["isolation_zones"]
    ids = _selected(session, "isolation_zones")

    def apply(dialog: ToolDialog) -> None:
        lift_zones(layer, dialog.decision.text(),  # type: ignore[attr-defined]
                   from_qdatetime(dialog.lifted_on.dateTime()), ids)  # type: ignore[attr-defined]

    return LiftZoneDialog(len(ids), now_in_province(), apply, parent)


def extend_dialog(session: EditingSession, parent: Optional[QWidget] = None) -> ExtendZoneDialog:
    layer = session.layers["isolation_zones"]
    ids = _selected(session, "isolation_zones")
    ends = [read_instant(layer.getFeature(fid)["effective_until"]) for fid in ids]
    latest = max([e for e in ends if e is not None], default=now_in_province())
    proposed = latest + dt.timedelta(days=EXTENSION_DAYS)

    def apply(dialog: ToolDialog) -> None:
        extend_zones(layer, from_qdatetime(dialog.until.dateTime()), ids,  # type: ignore[attr-defined]
                     decision_no=dialog.decision.text())  # type: ignore[attr-defined]

    return ExtendZoneDialog(len(ids), proposed, apply, parent)


def _close_dialog(session: EditingSession, layer_name: str, title: str, intro: str,
                  parent: Optional[QWidget]) -> CloseDialog:
    layer = session.layers[layer_name]
    ids = _selected(session, layer_name)

    def apply(dialog: ToolDialog) -> None:
        closed_on = from_qdate(dialog.closed_on.date())  # type: ignore[attr-defined]
        close_points(layer, closed_on, ids, layer_name=layer_name)

    return CloseDialog(title, intro.format(len(ids)), now_in_province().date(), apply, parent)


def close_facility_dialog(session: EditingSession,
                          parent: Optional[QWidget] = None) -> CloseDialog:
    return _close_dialog(
        session, "quarantine_facilities", tr("Close quarantine facility"),
        tr("Close the {0} selected facility(ies): they leave the public map."), parent,
    )


def disband_checkpoint_dialog(session: EditingSession,
                              parent: Optional[QWidget] = None) -> CloseDialog:
    return _close_dialog(
        session, "checkpoints", tr("Disband checkpoint"),
        tr("Disband the {0} selected checkpoint(s): they leave the public map."), parent,
    )


def occupancy_dialog(session: EditingSession,
                     parent: Optional[QWidget] = None) -> OccupancyDialog:
    layer = session.layers["quarantine_facilities"]
    ids = _selected(session, "quarantine_facilities")
    if len(ids) != 1:
        raise EditRefusedError(
            "Hãy chọn đúng một cơ sở cách ly để cập nhật số liệu.",
            "Select exactly one quarantine facility to update its figures.",
        )
    feature = layer.getFeature(ids[0])

    def apply(dialog: ToolDialog) -> None:
        update_occupancy(layer, ids[0], dialog.occupancy.value())  # type: ignore[attr-defined]

    return OccupancyDialog(str(feature["name"]), read_int(feature["occupancy"]) or 0,
                           read_int(feature["capacity"]), apply, parent)


def expire_now(session: EditingSession) -> int:
    """Expire the risk points whose visible-until has passed; how many."""
    return expire_risk_points(session.layers["risk_points"])


__all__ = [
    "close_facility_dialog", "disband_checkpoint_dialog", "expire_now", "extend_dialog",
    "lift_dialog", "occupancy_dialog",
]
