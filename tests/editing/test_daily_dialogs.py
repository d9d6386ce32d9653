"""The daily-update dialogs: act on the selection, refuse inside the dialog."""

from __future__ import annotations

import datetime as dt

import pytest
from qgis.PyQt.QtWidgets import QDialog

from covidmaps_plugin.core.editing import EditRefusedError
from covidmaps_plugin.core.editing.session import EditingSession
from covidmaps_plugin.core.editing.values import read_instant
from covidmaps_plugin.gui.tools import daily

from .editing_helpers import NOW, add_feature, attributes, point

DAY = dt.timedelta(days=1)


def _zone(workspace):
    from qgis.core import QgsGeometry, QgsRectangle

    layer = workspace.layer("isolation_zones")
    square = QgsGeometry.fromRect(QgsRectangle(105.83, 22.14, 105.84, 22.15))
    fid = add_feature(layer, square, name="Tổ 7", measure="lockdown", scale="cluster",
                      status="in_force", effective_from=NOW - 5 * DAY,
                      effective_until=NOW + 2 * DAY)
    return layer, fid


def test_lift_dialog_refuses_an_empty_decision_then_lifts(workspace):
    session = EditingSession.from_workspace(workspace)
    layer, fid = _zone(workspace)
    with pytest.raises(EditRefusedError, match="Nothing is selected"):
        daily.lift_dialog(session)
    layer.selectByIds([fid])
    dialog = daily.lift_dialog(session)
    before = attributes(layer, fid)
    dialog.accept()
    assert not dialog.problem.isHidden() and "decision number" in dialog.problem.text()
    assert attributes(layer, fid) == before and dialog.result() != QDialog.DialogCode.Accepted
    dialog.decision.setText("45/QĐ-UBND")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    after = attributes(layer, fid)
    assert after["status"] == "lifted" and after["lifted_decision_no"] == "45/QĐ-UBND"


def test_extend_dialog_proposes_two_more_weeks(workspace):
    session = EditingSession.from_workspace(workspace)
    layer, fid = _zone(workspace)
    layer.selectByIds([fid])
    dialog = daily.extend_dialog(session)
    dialog.accept()
    after = attributes(layer, fid)
    assert after["status"] == "extended"
    assert read_instant(after["effective_until"]) == (NOW + 16 * DAY).replace(second=0)


def test_occupancy_dialog_needs_exactly_one_facility_and_refuses_over_capacity(workspace):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("quarantine_facilities")
    a = add_feature(layer, point(105.8, 22.1), name="A", facility_type="school", capacity=30)
    b = add_feature(layer, point(105.9, 22.2), name="B", facility_type="school", capacity=30)
    layer.selectByIds([a, b])
    with pytest.raises(EditRefusedError, match="exactly one"):
        daily.occupancy_dialog(session)
    layer.selectByIds([a])
    dialog = daily.occupancy_dialog(session)
    dialog.occupancy.setValue(31)
    dialog.accept()
    assert "31" in dialog.problem.text() and attributes(layer, a)["occupancy"] is None
    dialog.occupancy.setValue(12)
    dialog.accept()
    assert attributes(layer, a)["occupancy"] == 12


@pytest.mark.parametrize(("layer_name", "factory", "status"), [
    ("quarantine_facilities", daily.close_facility_dialog, "closed"),
    ("checkpoints", daily.disband_checkpoint_dialog, "disbanded"),
])
def test_close_dialogs_close_the_selection(workspace, layer_name, factory, status):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer(layer_name)
    fid = add_feature(layer, point(105.8, 22.1), name="X", capacity=10,
                      facility_type="school", checkpoint_type="mobile")
    layer.selectByIds([fid])
    factory(session).accept()
    assert attributes(layer, fid)["status"] == status


def test_expire_now_expires_only_points_past_their_date(workspace):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("risk_points")
    old = add_feature(layer, point(105.8, 22.1), name="Chợ", place_type="market",
                      visible_until=dt.datetime(2021, 1, 1, tzinfo=NOW.tzinfo))
    assert daily.expire_now(session) == 1
    assert attributes(layer, old)["status"] == "expired"


def test_dialogs_name_their_features_in_the_right_number(workspace):
    session = EditingSession.from_workspace(workspace)
    layer, fid = _zone(workspace)
    other = add_feature(layer, layer.getFeature(fid).geometry(), name="Tổ 8",
                        measure="lockdown", scale="cluster", status="in_force",
                        effective_from=NOW - 5 * DAY, effective_until=NOW + 2 * DAY)
    one = daily.extend_dialog(session, ids=[fid])  # the clicked zone, nothing selected
    assert "«Tổ 7»" in one.intro.text() and "zone(s)" not in one.intro.text()
    assert "zones" not in one.intro.text()
    one.accept()
    assert attributes(layer, fid)["status"] == "extended"
    assert "«Tổ 7»" in one.done_message  # said afterwards, in the message bar
    layer.selectByIds([fid, other])
    many = daily.lift_dialog(session)
    assert "2" in many.intro.text() and "«Tổ 7», «Tổ 8»" in many.intro.text()
    many.decision.setText("46/QĐ-UBND")
    many.accept()
    assert "«Tổ 7», «Tổ 8»" in many.done_message


def test_the_selection_counts_whatever_layer_is_active(workspace):
    """The dialogs read the selection of their own layer, never the active one."""
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("checkpoints")
    fid = add_feature(layer, point(105.8, 22.1), name="Chốt Đèo Giàng",
                      checkpoint_type="mobile")
    layer.selectByIds([fid])
    workspace.layer("risk_points").selectByIds([])
    dialog = daily.disband_checkpoint_dialog(session)
    assert "«Chốt Đèo Giàng»" in dialog.intro.text()


def _facilities(workspace, names, capacity=30, occupancy=5):
    layer = workspace.layer("quarantine_facilities")
    ids = {name: add_feature(layer, point(105.8 + i / 100, 22.1), name=name,
                             facility_type="school", capacity=capacity, occupancy=occupancy)
           for i, name in enumerate(names)}
    return layer, ids


def test_one_table_writes_each_facility_as_its_cell_is_left(workspace):
    """No Save button: each facility's figures go into the edit buffer as
    they are entered, one undo step each; a refused one changes nothing."""
    from qgis.PyQt.QtCore import Qt

    session = EditingSession.from_workspace(workspace)
    layer, ids = _facilities(workspace, ("KTX Cao đẳng", "Trường Quân sự",
                                         "Khách sạn Hoa Sen", "TTYT Chợ Mới"))
    closed = add_feature(layer, point(105.7, 22.1), name="Đã đóng", facility_type="school",
                         capacity=10, status="closed", closed_on=NOW.date())
    panel = daily.figures_panel(session)
    assert not panel.isModal()
    rows = {panel.table.item(r, 0).text(): r for r in range(panel.table.rowCount())}
    assert set(rows) == set(ids) and closed not in [row.fid for row in panel.rows]
    assert panel.table.currentColumn() == 2  # starts on today's occupancy
    steps = layer.undoStack().count()
    for name, people in (("KTX Cao đẳng", 12), ("Trường Quân sự", 31),
                         ("Khách sạn Hoa Sen", 3), ("TTYT Chợ Mới", 7)):
        panel.table.item(rows[name], 2).setData(Qt.ItemDataRole.EditRole, str(people))
    # 31 > 30: refused with the facility's name, the cell back to 5, nothing written
    assert "Trường Quân sự" in panel.problem.text() and not panel.problem.isHidden()
    assert panel.table.item(rows["Trường Quân sự"], 2).data(Qt.ItemDataRole.EditRole) == 5
    assert attributes(layer, ids["Trường Quân sự"])["occupancy"] == 5
    panel.table.item(rows["Trường Quân sự"], 1).setData(Qt.ItemDataRole.EditRole, "40")
    panel.table.item(rows["Trường Quân sự"], 2).setData(Qt.ItemDataRole.EditRole, "31")
    assert panel.problem.isHidden()
    got = {name: (attributes(layer, fid)["capacity"], attributes(layer, fid)["occupancy"])
           for name, fid in ids.items()}
    assert got == {"KTX Cao đẳng": (30, 12), "Trường Quân sự": (40, 31),
                   "Khách sạn Hoa Sen": (30, 3), "TTYT Chợ Mới": (30, 7)}
    assert all(attributes(layer, fid)["figures_as_of"] for fid in ids.values())
    assert "4" in panel.status.text()
    # the "last figures" column shows the time they now carry
    from covidmaps_plugin.core.validation.table import instant_text

    for name, fid in ids.items():
        assert panel.table.item(rows[name], 3).text() == instant_text(
            read_instant(attributes(layer, fid)["figures_as_of"]))
    # one undo step per figure entered: the last one (TQS occupancy) goes back alone
    assert layer.undoStack().count() == steps + 5
    layer.undoStack().undo()
    assert attributes(layer, ids["Trường Quân sự"])["occupancy"] == 5
    assert attributes(layer, ids["TTYT Chợ Mới"])["occupancy"] == 7
    # and the table shows what the layer now holds
    assert panel.table.item(rows["Trường Quân sự"], 2).data(Qt.ItemDataRole.EditRole) == 5


@pytest.mark.parametrize("typed, says", [
    ("31", "vượt quá sức chứa (30)"),  # more people than the capacity
    ("-3", "phải là số nguyên không âm"),  # negative
    ("12a", "phải là số nguyên không âm"),  # not a number
    ("2.5", "phải là số nguyên không âm"),  # not a whole number
])
def test_a_figure_the_layer_must_not_take_is_refused_in_place(workspace, monkeypatch,
                                                               typed, says):
    """Typed into the cell editor as an officer does; refused in Vietnamese
    (QGIS in Vietnamese), the cell back to the stored figure, the cursor
    back on it, nothing written or stacked for undo."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication

    monkeypatch.setattr("covidmaps_plugin.i18n.current_language", lambda *_: "vi")
    session = EditingSession.from_workspace(workspace)
    layer, ids = _facilities(workspace, ("A Khu một", "B Khu hai"))
    steps = layer.undoStack().count()
    panel = daily.figures_panel(session)
    panel.show()
    panel.activateWindow()
    QApplication.processEvents()
    for char in typed:  # a key at a time: the first opens the cell's editor
        QTest.keyClick(QApplication.focusWidget(), char)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # leaves the cell
    QApplication.processEvents()
    QApplication.processEvents()
    assert says in panel.problem.text() and "«A Khu một»" in panel.problem.text()
    assert panel.problem.isVisible()
    assert panel.table.item(0, 2).data(Qt.ItemDataRole.EditRole) == 5
    assert (panel.table.currentRow(), panel.table.currentColumn()) == (0, 2)
    assert attributes(layer, ids["A Khu một"])["occupancy"] == 5
    assert layer.undoStack().count() == steps
    # corrected in the same cell: taken, the message goes
    for char in "12":
        QTest.keyClick(QApplication.focusWidget(), char)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()
    assert attributes(layer, ids["A Khu một"])["occupancy"] == 12
    assert panel.problem.isHidden()
    panel.close()


def test_pick_tool_finds_the_clicked_feature(workspace):
    from qgis.core import QgsPointXY

    from covidmaps_plugin.gui.tools.zone_tools import feature_at

    layer, fid = _zone(workspace)
    assert feature_at(layer, QgsPointXY(105.835, 22.145), 0.001) == fid  # inside
    assert feature_at(layer, QgsPointXY(105.8405, 22.145), 0.001) == fid  # at the edge
    assert feature_at(layer, QgsPointXY(105.90, 22.145), 0.001) is None


def test_figures_are_typed_down_the_table_and_the_last_one_is_not_lost(workspace):
    """The cursor starts in the first facility's people; a number, Enter,
    the next facility's, ... The last number, still in its cell, is applied
    by ``commit_pending`` (what Publish, Check and QGIS closing call)."""
    from qgis.PyQt.QtCore import Qt
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication

    session = EditingSession.from_workspace(workspace)
    layer, ids = _facilities(workspace, ("A Khu một", "B Khu hai", "C Khu ba"))
    panel = daily.figures_panel(session)
    panel.show()
    panel.activateWindow()
    QApplication.processEvents()
    assert panel.table.hasFocus() and panel.table.currentColumn() == 2
    typed = {"A Khu một": "12", "B Khu hai": "", "C Khu ba": "27"}  # B unchanged
    last = panel.table.rowCount() - 1
    for row in range(panel.table.rowCount()):
        assert panel.table.currentRow() == row
        for digit in typed[panel.table.item(row, 0).text()]:
            QTest.keyClick(QApplication.focusWidget(), digit)
        if row < last:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        QApplication.processEvents()
    got = {name: attributes(layer, fid)["occupancy"] for name, fid in ids.items()}
    assert got == {"A Khu một": 12, "B Khu hai": 5, "C Khu ba": 5}  # 27 still in its cell
    panel.commit_pending()
    got = {name: attributes(layer, fid)["occupancy"] for name, fid in ids.items()}
    assert got == {"A Khu một": 12, "B Khu hai": 5, "C Khu ba": 27}
    assert panel.problem.isHidden()
    panel.close()


def test_the_figure_in_its_cell_is_applied_when_the_main_window_closes(workspace):
    """QGIS closing by its window: the panel applies the number still in its
    cell before QGIS asks about unsaved edits (so it is asked about too)."""
    from qgis.PyQt.QtTest import QTest
    from qgis.PyQt.QtWidgets import QApplication, QMainWindow

    session = EditingSession.from_workspace(workspace)
    layer, ids = _facilities(workspace, ("A Khu một",))
    window = QMainWindow()
    window.show()
    panel = daily.figures_panel(session, window)
    panel.show()
    panel.activateWindow()
    QApplication.processEvents()
    for digit in "9":
        QTest.keyClick(QApplication.focusWidget(), digit)
    assert attributes(layer, ids["A Khu một"])["occupancy"] == 5
    window.close()
    assert attributes(layer, ids["A Khu một"])["occupancy"] == 9
    assert layer.isModified()
