"""Announcing epidemic levels in a real workspace: several units at once,
history kept (the previous level ends the day before), one undo step,
polygons from the profile's reference units, bad changes refused."""

from __future__ import annotations

import datetime as dt

import pytest
from qgis.core import QgsFeatureRequest, QgsGeometry

from covidmaps_plugin.core.editing import EditRefusedError
from covidmaps_plugin.core.editing import levels as el
from covidmaps_plugin.model import levels as lv

D = dt.date
NOW = dt.datetime(2021, 10, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _units(workspace, codes=None):
    return el.read_units(workspace.reference_layer("districts"), lv.UNIT_DISTRICT, codes)


def _records(layer):
    rows = []
    for f in layer.getFeatures():
        rows.append((f["unit_code"], f["level"], el.read_date(f["effective_from"]),
                     el.read_date(f["effective_until"]), f["status"]))
    return sorted(rows, key=lambda r: (r[0], r[2]))


def _unit_history(layer, unit_code):
    """Every record of a unit, oldest first (withdrawn ones included)."""
    rows = []
    request = QgsFeatureRequest().setFilterExpression(f"\"unit_code\" = '{unit_code}'")
    for feat in layer.getFeatures(request):
        rows.append({"from": el.read_date(feat["effective_from"]), "status": feat["status"]})
    # on the same first day a withdrawn record is the one a later decision replaced
    return sorted(rows, key=lambda r: (r["from"] or dt.date.min, r["status"] != "withdrawn"))


def test_change_for_several_units_keeps_history_and_is_one_undo_step(workspace):
    layer = workspace.layer("epidemic_levels")
    units = _units(workspace)
    first = lv.Change(("058", "060", "061"), 2, D(2021, 10, 12), "QĐ 2001/QĐ-UBND",
                      "UBND tỉnh Bắc Kạn")
    result = el.apply_level_change(layer, first, units, now=NOW, user="t")
    assert result == el.ChangeResult(3, 0, 0)
    second = lv.Change(("058", "061"), 3, D(2021, 10, 25), "QĐ 2100/QĐ-UBND", "UBND tỉnh",
                       measures="Dừng hoạt động chợ đêm.")
    before_second = layer.undoStack().count()
    result = el.apply_level_change(layer, second, units, now=NOW, user="t")
    assert result == el.ChangeResult(2, 2, 0)
    assert layer.undoStack().count() == before_second + 1
    assert _records(layer) == [
        ("058", 2, D(2021, 10, 12), D(2021, 10, 24), "announced"),
        ("058", 3, D(2021, 10, 25), None, "announced"),
        ("060", 2, D(2021, 10, 12), None, "announced"),
        ("061", 2, D(2021, 10, 12), D(2021, 10, 24), "announced"),
        ("061", 3, D(2021, 10, 25), None, "announced"),
    ]
    # the new record's polygon is the district's reference polygon, exactly
    new = next(f for f in layer.getFeatures() if f["unit_code"] == "058" and f["level"] == 3)
    ref = next(f for f in workspace.reference_layer("districts").getFeatures()
               if f["code"] == "058")
    expected = QgsGeometry(ref.geometry())
    expected.convertToMultiType()
    assert new.geometry().equals(expected)
    assert new["name"] == "Thành phố Bắc Kạn" and new["district_code"] == "058"
    assert new["measures"] == "Dừng hoạt động chợ đêm."
    # one undo removes the whole second change, the first stays
    layer.undoStack().undo()
    assert [r[3] for r in _records(layer)] == [None, None, None]
    assert layer.commitChanges()


def test_same_day_correction_withdraws_the_replaced_record(workspace):
    layer = workspace.layer("epidemic_levels")
    units = _units(workspace)
    el.apply_level_change(layer, lv.Change(("062",), 2, D(2021, 10, 25), "QĐ 1"), units, now=NOW)
    result = el.apply_level_change(layer, lv.Change(("062",), 3, D(2021, 10, 25), "QĐ 2"),
                                   units, now=NOW)
    assert result == el.ChangeResult(1, 0, 1)
    assert _records(layer) == [("062", 2, D(2021, 10, 25), None, "withdrawn"),
                               ("062", 3, D(2021, 10, 25), None, "announced")]
    history = _unit_history(layer, "062")
    assert [h["status"] for h in history] == ["withdrawn", "announced"]


@pytest.mark.parametrize("change, words", [
    (lv.Change(("058",), 7, D(2021, 10, 25), "QĐ 1"), "Cấp 7"),
    (lv.Change(("058",), 2, D(2021, 10, 25), ""), "số quyết định"),
    (lv.Change(("12345",), 2, D(2021, 10, 25), "QĐ 1"), "12345"),
])
def test_bad_change_is_refused_and_nothing_is_written(workspace, change, words):
    layer = workspace.layer("epidemic_levels")
    with pytest.raises(EditRefusedError) as err:
        el.apply_level_change(layer, change, _units(workspace), now=NOW)
    assert words in err.value.message("vi")
    assert layer.featureCount() == 0 and not layer.isModified()


def test_ending_soon_lists_units_without_a_successor(workspace):
    layer = workspace.layer("epidemic_levels")
    units = _units(workspace)
    el.apply_level_change(layer, lv.Change(("058", "060"), 3, D(2021, 10, 10), "QĐ 1",
                                           effective_until=D(2021, 10, 22)), units, now=NOW)
    el.apply_level_change(layer, lv.Change(("060",), 2, D(2021, 10, 23), "QĐ 2"), units, now=NOW)
    soon = el.ending_soon(layer, D(2021, 10, 20))
    assert [(s.unit_code, s.name, s.level, s.ends_on) for s in soon] == [
        ("058", "Thành phố Bắc Kạn", 3, D(2021, 10, 22))]


def test_load_units_reads_the_file_on_its_own(workspace):
    units = el.load_units(workspace.gpkg_path, lv.UNIT_DISTRICT)
    assert sorted(units) == ["058", "060", "061", "062", "063", "064", "065", "066"]
    assert all(u.wkb for u in units.values())
