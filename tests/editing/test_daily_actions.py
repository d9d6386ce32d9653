"""The officer's daily actions: exactly the intended change, undoable, and
bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from covidmaps_plugin.core.editing import (
    EditRefusedError,
    close_facilities,
    disband_checkpoints,
    expire_risk_points,
    extend_zones,
    lift_zones,
    update_occupancy,
    zone_around_point,
)
from covidmaps_plugin.core.editing.values import read_instant

from .editing_helpers import NOW, add_feature, attributes, point, stored

DAY = dt.timedelta(days=1)


def _changed(before, after):
    return {k for k in before if before[k] != after[k]}


def _zone(workspace, **attrs):
    from qgis.core import QgsCoordinateReferenceSystem, QgsPointXY

    layer = workspace.layer("isolation_zones")
    crs = layer.crs()
    geom = zone_around_point(
        QgsPointXY(105.83, 22.15), crs, 300, QgsCoordinateReferenceSystem("EPSG:9213"), crs
    )
    values = {"name": "Tổ 7 phường Đức Xuân", "measure": "lockdown", "scale": "cluster",
              "effective_from": NOW - 10 * DAY, "effective_until": NOW + 4 * DAY,
              "status": "in_force", **attrs}
    return layer, add_feature(layer, geom, **values)


def _assert_undo_restores(layer, fid, before):
    assert layer.undoStack().count() == 1  # one command for the whole action
    layer.undoStack().undo()
    assert attributes(layer, fid) == before


def _assert_refused(call, layer, fid, before, *words):
    stack = layer.undoStack().count() if layer.isEditable() else 0
    with pytest.raises(EditRefusedError) as refused:
        call()
    for word in words:
        assert word in refused.value.message_vi + " " + refused.value.message_en
    assert refused.value.message_vi and refused.value.message_en
    assert attributes(layer, fid) == before
    assert (layer.undoStack().count() if layer.isEditable() else 0) == stack
    return refused.value


def test_lift_zone_sets_status_decision_and_moment_and_is_undoable(workspace):
    layer, fid = _zone(workspace)
    before = attributes(layer, fid)
    assert lift_zones(layer, "123/QĐ-UBND", NOW, [fid], now=NOW, user="cán bộ A") == 1
    after = attributes(layer, fid)
    assert _changed(before, after) == {
        "status", "lifted_decision_no", "lifted_on", "updated_at", "updated_by"}
    assert after["status"] == "lifted" and after["lifted_decision_no"] == "123/QĐ-UBND"
    assert read_instant(after["lifted_on"]) == NOW
    assert read_instant(after["updated_at"]) == NOW and after["updated_by"] == "cán bộ A"
    _assert_undo_restores(layer, fid, before)


def test_lift_zone_refuses_bad_input(workspace):
    layer, fid = _zone(workspace)
    before = attributes(layer, fid)
    _assert_refused(lambda: lift_zones(layer, "1/QĐ", NOW, [], now=NOW), layer, fid, before,
                    "Chưa chọn")
    layer.selectByIds([])
    _assert_refused(lambda: lift_zones(layer, "1/QĐ", NOW, now=NOW), layer, fid, before,
                    "Nothing is selected")
    _assert_refused(lambda: lift_zones(layer, "  ", NOW, [fid], now=NOW), layer, fid, before,
                    "decision number")
    _assert_refused(lambda: lift_zones(layer, "1/QĐ", NOW - 30 * DAY, [fid], now=NOW),
                    layer, fid, before, "before it took effect")
    wrong = workspace.layer("checkpoints")
    with pytest.raises(EditRefusedError, match="not the «Medical isolation zones» layer"):
        lift_zones(wrong, "1/QĐ", NOW, [fid], now=NOW)


def test_lift_uses_the_selection_and_refuses_an_already_lifted_zone(workspace):
    layer, fid = _zone(workspace)
    _, other = _zone(workspace, status="lifted", lifted_on=NOW - DAY)
    layer.selectByIds([fid, other])
    before = attributes(layer, fid)
    _assert_refused(lambda: lift_zones(layer, "1/QĐ", NOW, now=NOW), layer, fid, before,
                    "already lifted")
    layer.selectByIds([fid])
    assert lift_zones(layer, "1/QĐ", NOW, now=NOW) == 1


def test_extend_zone_sets_new_end_and_status(workspace):
    layer, fid = _zone(workspace)
    before = attributes(layer, fid)
    until = NOW + 14 * DAY
    assert extend_zones(layer, until, [fid], decision_no="88/QĐ", now=NOW, user="u") == 1
    after = attributes(layer, fid)
    assert _changed(before, after) == {
        "status", "effective_until", "source_doc", "updated_at", "updated_by"}
    assert after["status"] == "extended" and read_instant(after["effective_until"]) == until
    assert after["source_doc"] == "88/QĐ"
    _assert_undo_restores(layer, fid, before)


def test_extend_zone_refuses_an_end_before_start_or_not_later(workspace):
    layer, fid = _zone(workspace)
    before = attributes(layer, fid)
    _assert_refused(lambda: extend_zones(layer, NOW - 20 * DAY, [fid], now=NOW),
                    layer, fid, before, "before zone")
    _assert_refused(lambda: extend_zones(layer, NOW + 2 * DAY, [fid], now=NOW),
                    layer, fid, before, "later than the current end")
    _, lifted = _zone(workspace, status="lifted", lifted_on=NOW)
    lifted_before = attributes(layer, lifted)
    _assert_refused(lambda: extend_zones(layer, NOW + 20 * DAY, [lifted], now=NOW),
                    layer, lifted, lifted_before, "cannot be extended")


@pytest.mark.parametrize(
    ("layer_name", "action", "closed_status"),
    [("quarantine_facilities", close_facilities, "closed"),
     ("checkpoints", disband_checkpoints, "disbanded")],
)
def test_close_sets_status_and_date_and_refuses_a_date_before_opening(
    workspace, layer_name, action, closed_status
):
    layer = workspace.layer(layer_name)
    extra = {"capacity": 100} if layer_name == "quarantine_facilities" else {}
    fid = add_feature(layer, point(105.8, 22.1), name="Trường PTDT nội trú",
                      opened_on=dt.date(2021, 6, 1), **extra)
    before = attributes(layer, fid)
    _assert_refused(lambda: action(layer, dt.date(2021, 5, 30), [fid], now=NOW),
                    layer, fid, before, "Trường PTDT nội trú", "opened")
    assert action(layer, dt.date(2021, 6, 19), [fid], now=NOW, user="u") == 1
    after = attributes(layer, fid)
    assert _changed(before, after) == {"status", "closed_on", "updated_at", "updated_by"}
    assert after["status"] == closed_status
    assert after["closed_on"] == stored(layer_name, "closed_on", dt.date(2021, 6, 19))
    _assert_undo_restores(layer, fid, before)
    action(layer, dt.date(2021, 6, 19), [fid], now=NOW)
    closed = attributes(layer, fid)
    _assert_refused(lambda: action(layer, None, [fid], now=NOW), layer, fid, closed, "already")


def test_update_occupancy_sets_figures_as_of_now(workspace):
    layer = workspace.layer("quarantine_facilities")
    fid = add_feature(layer, point(105.8, 22.1), name="KTX Cao đẳng", capacity=120, occupancy=40,
                      figures_as_of=NOW - 3 * DAY)
    before = attributes(layer, fid)
    assert update_occupancy(layer, fid, 75, now=NOW, user="u") == 1
    after = attributes(layer, fid)
    assert _changed(before, after) == {"occupancy", "figures_as_of", "updated_at", "updated_by"}
    assert after["occupancy"] == 75 and read_instant(after["figures_as_of"]) == NOW
    _assert_undo_restores(layer, fid, before)


@pytest.mark.parametrize(("value", "words"), [
    (121, ("vượt quá sức chứa", "exceeds the capacity (120)")),
    (-1, ("không âm",)),
    (3.5, ("whole number",)),
])
def test_update_occupancy_refuses_bad_numbers(workspace, value, words):
    layer = workspace.layer("quarantine_facilities")
    fid = add_feature(layer, point(105.8, 22.1), name="KTX", capacity=120, occupancy=40)
    before = attributes(layer, fid)
    _assert_refused(lambda: update_occupancy(layer, fid, value, now=NOW), layer, fid, before,
                    *words)


def test_expire_marks_only_active_points_past_visible_until(workspace):
    layer = workspace.layer("risk_points")
    common = {"place_type": "market", "exposure_start": NOW - 30 * DAY,
              "exposure_end": NOW - 20 * DAY}
    past = add_feature(layer, point(105.8, 22.1), name="Chợ Bắc Kạn",
                       visible_until=NOW - DAY, **common)
    future = add_feature(layer, point(105.81, 22.1), name="Siêu thị",
                         visible_until=NOW + DAY, **common)
    withdrawn = add_feature(layer, point(105.82, 22.1), name="Bến xe", status="withdrawn",
                            visible_until=NOW - DAY, **common)
    befores = {fid: attributes(layer, fid) for fid in (past, future, withdrawn)}
    assert expire_risk_points(layer, now=NOW, user="u") == 1
    after = attributes(layer, past)
    assert _changed(befores[past], after) == {"status", "updated_at", "updated_by"}
    assert after["status"] == "expired"
    assert attributes(layer, future) == befores[future]
    assert attributes(layer, withdrawn) == befores[withdrawn]
    assert expire_risk_points(layer, now=NOW) == 0  # nothing left to expire
    _assert_undo_restores(layer, past, befores[past])
