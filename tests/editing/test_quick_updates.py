"""The toolbar's extend and close: at once on the clicked feature, the
message bar says what was done, the decision number typed there is one
undo step, Undo puts everything back, and Undo after other edits of the
layer refuses rather than undoing someone else's work."""

from __future__ import annotations

import datetime as dt

from qgis.gui import QgsMessageBar
from qgis.PyQt.QtWidgets import QLineEdit, QPushButton

from covidmaps_plugin.core.editing import now_in_province
from covidmaps_plugin.core.editing.values import read_instant
from covidmaps_plugin.gui.context import PluginContext
from covidmaps_plugin.gui.tools.quick_updates import (
    close_clicked_facility,
    extend_clicked_zone,
    extension_end,
)

from .editing_helpers import NOW, add_feature, attributes, point
from .test_daily_actions import _zone


class BarOnly:
    """The part of QGIS's interface these updates use: a real message bar
    (pytest-qgis's stand-in cannot hold widgets)."""

    def __init__(self) -> None:
        self.bar = QgsMessageBar()

    def messageBar(self) -> QgsMessageBar:  # noqa: N802 - QGIS API
        return self.bar


def test_extend_at_once_decision_as_typed_and_undo(workspace, qgis_app):
    ctx = PluginContext(BarOnly())
    layer, fid = _zone(workspace, effective_until=now_in_province() + dt.timedelta(days=2))
    layer.startEditing()
    before = attributes(layer, fid)
    expected_end = extension_end(layer, fid)
    item = extend_clicked_zone(ctx, layer, fid)
    after = attributes(layer, fid)
    assert after["status"] == "extended"
    assert read_instant(after["effective_until"]) == expected_end
    assert expected_end - read_instant(before["effective_until"]) == dt.timedelta(days=14)
    assert "«Tổ 7 phường Đức Xuân»" in item.text() and "14" in item.text()
    decision = item.findChild(QLineEdit, "CovidMapsExtensionDecision")
    decision.setText("88/QĐ")
    decision.setText("88/QĐ-UBND")  # retyped: replaces, one undo step for the number
    assert attributes(layer, fid)["source_doc"] == "88/QĐ-UBND"
    assert layer.undoStack().count() == 2  # the extension, the decision number
    item.findChild(QPushButton, "CovidMapsUndo").click()
    assert attributes(layer, fid) == before


def test_close_at_once_and_undo_refused_after_other_edits(workspace, qgis_app):
    ctx = PluginContext(BarOnly())
    layer = workspace.layer("quarantine_facilities")
    fid = add_feature(layer, point(105.84, 22.15), name="Ký túc xá A", status="operating",
                      facility_type="dormitory", capacity=50, occupancy=10,
                      opened_on=NOW.date())
    other = add_feature(layer, point(105.85, 22.16), name="Ký túc xá B", status="operating",
                        facility_type="dormitory", capacity=50, occupancy=10,
                        opened_on=NOW.date())
    layer.startEditing()
    before = attributes(layer, fid)
    item = close_clicked_facility(ctx, layer, fid)
    assert attributes(layer, fid)["status"] == "closed"
    assert attributes(layer, fid)["closed_on"] == now_in_province().date()
    close_clicked_facility(ctx, layer, other)  # another edit of the layer came after
    item.findChild(QPushButton, "CovidMapsUndo").click()
    assert attributes(layer, fid)["status"] == "closed"  # not undone behind the officer's back
    messages = [i.text() for i in ctx.iface.messageBar().items()]
    assert any("Ctrl+Z" in text for text in messages), messages
    layer.undoStack().undo()
    layer.undoStack().undo()
    assert attributes(layer, fid) == before
