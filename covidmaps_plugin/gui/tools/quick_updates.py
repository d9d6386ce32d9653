"""The two daily updates that need no questions: extend the zone the officer
clicks by the usual 14 days, close the facility the officer clicks today.

No dialog to confirm: the change is made at once in the layer's edit buffer
(nothing is saved or published yet) and the message bar says what was done,
with an **Undo** button and, for a zone, a field for the extension decision
number. The Daily updates menu keeps the dialogs (another end, another
closing day, several features at once).
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional

from qgis.core import Qgis, QgsVectorLayer
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ...core.editing import close_points, extend_zones, now_in_province
from ...core.editing.values import read_instant
from ...core.validation.table import instant_text
from ...i18n import tr
from ..context import MESSAGE_TITLE, PluginContext
from .daily import EXTENSION_DAYS, feature_names
from .dialogs import decision_edit


class UndoableEdit:
    """Undo of the edit commands this update pushed on the layer's undo
    stack, as long as nothing else was edited on that layer since (then the
    officer undoes with Ctrl+Z in order, and is told so)."""

    def __init__(self, layer: QgsVectorLayer) -> None:
        self.layer = layer
        self.commands = 0
        self.top = -1

    def pushed(self) -> None:
        """Call after each edit command of this update."""
        self.commands += 1
        self.top = self.layer.undoStack().index()

    def take_back_last(self) -> bool:
        """Undo only the last command of this update, if it is still the
        layer's last edit (a retyped decision replaces the one before)."""
        layer = self.layer
        if sip.isdeleted(layer) or not layer.isEditable() or self.commands < 2:
            return False
        stack = layer.undoStack()
        if stack.index() != self.top:
            return False
        stack.undo()
        self.commands -= 1
        self.top = stack.index()
        return True

    def undo(self) -> bool:
        layer = self.layer
        if sip.isdeleted(layer) or not layer.isEditable() or not self.commands:
            return False
        stack = layer.undoStack()
        if stack.index() != self.top:
            return False
        for _ in range(self.commands):
            stack.undo()
        self.commands = 0
        return True


def extension_end(layer: QgsVectorLayer, fid: int) -> dt.datetime:
    """The usual new end: the current end (or now, if it has none or has
    passed) plus ``EXTENSION_DAYS``."""
    now = now_in_province()
    current = read_instant(layer.getFeature(fid)["effective_until"])
    base = current if current is not None and current > now else now
    return base + dt.timedelta(days=EXTENSION_DAYS)


def extend_clicked_zone(ctx: PluginContext, layer: QgsVectorLayer, fid: int) -> QWidget:
    """Extend the zone at once; the message bar item it shows (decision
    number, Undo). Raises EditRefusedError (nothing changed) like the dialog."""
    until = extension_end(layer, fid)
    extend_zones(layer, until, [fid])
    edit = UndoableEdit(layer)
    edit.pushed()
    name = feature_names(layer, [fid])[0]
    text = tr("Zone «{0}» extended to {1} ({2} more days).").format(
        name, instant_text(until), EXTENSION_DAYS)
    decision = decision_edit()
    decision.setObjectName("CovidMapsExtensionDecision")
    # a decision number is short: the sentence keeps the bar's width (a
    # stretched field squeezed it onto two lines, the second cut off)
    decision.setMaximumWidth(decision.fontMetrics().averageCharWidth() * 22)
    decision.setToolTip(tr("The extension decision number goes into the zone's «source "
                           "document» as you type it; leave it empty if there is none yet."))
    before = layer.getFeature(fid)["source_doc"]
    applied = {"text": ""}

    def apply_decision(text: str) -> None:
        """As it is typed (so a save right after keeps it): one undo step,
        the number typed so far replacing the one before."""
        number = text.strip()
        if number == applied["text"] or sip.isdeleted(layer) or not layer.isEditable():
            return
        edit.take_back_last() if applied["text"] else None
        index = layer.fields().indexOf("source_doc")
        # extending again to the same end only to record the decision would be
        # refused (not later): write the document number alone
        layer.beginEditCommand(tr("Extension decision"))
        layer.changeAttributeValue(fid, index, number or before)
        layer.endEditCommand()
        edit.pushed()
        applied["text"] = number

    decision.textChanged.connect(apply_decision)
    item = _push(ctx, text, edit, [QLabel(tr("Decision no.")), decision])
    decision.setFocus()
    # and again once the click that got here is handled: QGIS 3.40's canvas
    # takes the focus back after its map tool's release event (seen on Debian 13)
    QTimer.singleShot(0, lambda: None if sip.isdeleted(decision) else decision.setFocus())
    return item


def close_clicked_facility(ctx: PluginContext, layer: QgsVectorLayer, fid: int) -> QWidget:
    """Close the facility today, at once; the message bar item (Undo)."""
    today = now_in_province().date()
    close_points(layer, today, [fid], layer_name="quarantine_facilities")
    edit = UndoableEdit(layer)
    edit.pushed()
    name = feature_names(layer, [fid])[0]
    text = tr("Facility «{0}» closed on {1}: it leaves the public map at the next "
              "publish.").format(name, today.strftime("%d/%m/%Y"))
    return _push(ctx, text, edit, [])


def _push(ctx: PluginContext, text: str, edit: UndoableEdit,
          extra: List[QWidget]) -> QWidget:
    """A success item with ``extra`` widgets and an Undo button; it stays
    until closed (the officer may still type the decision)."""
    bar = ctx.iface.messageBar()
    widget = bar.createMessage(MESSAGE_TITLE, text)
    widget.setObjectName("CovidMapsQuickUpdate")
    row = widget.layout() or QHBoxLayout(widget)
    for extra_widget in extra:
        row.addWidget(extra_widget)
    undo = QPushButton(tr("Undo"))
    undo.setObjectName("CovidMapsUndo")
    row.addWidget(undo)

    def undone() -> None:
        if edit.undo():
            _replace(ctx, widget, tr("Undone: «{0}» is as it was.").format(
                text.split("«", 1)[-1].split("»", 1)[0]), Qgis.MessageLevel.Info)
        else:
            _replace(ctx, widget, tr("Other edits of the layer came after: undo with Ctrl+Z "
                                     "(or Edit → Undo) in order."), Qgis.MessageLevel.Warning)

    undo.clicked.connect(undone)
    bar.pushWidget(widget, Qgis.MessageLevel.Success, 0)
    return widget



def _replace(ctx: PluginContext, widget: QWidget, text: str, level: Qgis.MessageLevel) -> None:
    bar = ctx.iface.messageBar()
    if not sip.isdeleted(widget):
        bar.popWidget(widget)
    ctx.push_message(text, level, 8)


QuickUpdate = Callable[[PluginContext, QgsVectorLayer, int], Optional[QWidget]]

__all__ = ["UndoableEdit", "close_clicked_facility", "extend_clicked_zone", "extension_end"]
