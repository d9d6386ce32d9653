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
