"""Run inside a real QGIS desktop (``qgis.bin --code levels_desktop_script.py``).

The officer announces this week's epidemic levels with the installed
plugin's own buttons: select two districts on the map, open *Cấp độ dịch
theo địa bàn…*, tick them from the map selection, choose level 3, the
decision and tomorrow's date, announce (the polygons are read in a
QgsTask), save; then the daily *Cấp độ sắp hết hiệu lực…* list and its
button that opens the tool with those units ticked. Writes what it saw to
``$COVIDMAPS_LEVELS_RESULT`` (JSON).
"""

import datetime as dt
import json
import os

from qgis.core import QgsProject
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from window_harness import (
    finish,
    iface,
    later,
    open_workspace_full_screen,
    result,
    shot,
    start,
    toolbar_button,
)

RESULT_PATH = os.environ["COVIDMAPS_LEVELS_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_LEVELS_WORKSPACE"]
SHOTS = os.environ["COVIDMAPS_LEVELS_SHOTS"]
PLAN = json.loads(os.environ["COVIDMAPS_LEVELS_PLAN"])
WATCHDOG_MS = 100_000

result["bar"] = []
state = {}


def window_named(name):
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    return None


def layer(prop, name):
    from covidmaps_plugin.core.project_setup import LAYER_PROPERTY, REFERENCE_PROPERTY, find_layer

    return find_layer(QgsProject.instance(),
                      LAYER_PROPERTY if prop == "layer" else REFERENCE_PROPERTY, name)


def step_open():
    open_workspace_full_screen(WORKSPACE_PATH)
    later(1500, step_select_on_map)


def step_select_on_map():
    districts = layer("reference", "districts")
    iface.mapCanvas().setExtent(iface.mapCanvas().fullExtent())
    iface.setActiveLayer(districts)
    # what the select tool leaves after the officer clicks two districts
    ids = [f.id() for f in districts.getFeatures() if f["code"] in PLAN["selected"]]
    districts.selectByIds(ids)
    QTest.mouseClick(toolbar_button("epidemic_level"), Qt.MouseButton.LeftButton)
    later(800, step_dialog)


def mark(text):
    with open(RESULT_PATH + ".steps", "a", encoding="utf-8") as fh:
        fh.write("  " + text + "\n")


def step_dialog():
    dialog = window_named("covidmaps_levels_dialog")
    assert dialog is not None, "the levels dialog did not open"
    state["dialog"] = dialog
    result["title"] = dialog.windowTitle()
    result["unit_rows"] = [dialog.units.item(i).text() for i in range(dialog.units.count())]
    mark("rows")
    QTest.mouseClick(dialog.findChild(QPushButton, "from_selection"), Qt.MouseButton.LeftButton)
    mark("from selection")
    result["ticked_from_map"] = dialog.checked_codes()
    dialog.level.setCurrentIndex(dialog.level.findData(3))
    result["level_text"] = dialog.level.currentText()
    start = dt.date.fromisoformat(PLAN["from"])
    dialog.effective_from.setDate(QDate(start.year, start.month, start.day))
    # free text is set, not typed (QTest types Latin-1 only)
    dialog.decision.setText(PLAN["decision"])
    dialog.authority.setText(PLAN["authority"])
    dialog.measures.setPlainText(PLAN["measures"])
    mark("filled")
    shot("dialog", dialog)
    mark("shot")
    # first without a decision number: refused inside the dialog, nothing written
    dialog.decision.clear()
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    result["refusal"] = dialog.problem.text() if dialog.problem.isVisible() else ""
    mark("refused")
    dialog.decision.setText(PLAN["decision"])
    state["before"] = layer("layer", "epidemic_levels").featureCount()
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    later(300, step_wait_written, 0)


def step_wait_written(waited):
    levels = layer("layer", "epidemic_levels")
    if levels.featureCount() == state["before"] and waited < 20_000:
        later(200, step_wait_written, waited + 200)
        return
    result["added"] = levels.featureCount() - state["before"]
    item = iface.messageBar().currentItem()
    result["bar"] = [item.text()] if item is not None else []
    result["undo_steps"] = levels.undoStack().count()
    result["saved"] = levels.commitChanges()
    districts = layer("reference", "districts")
    districts.removeSelection()
    iface.setActiveLayer(levels)
    iface.zoomToActiveLayer()  # (the layer's extent, in the project's CRS)
    iface.mapCanvas().refresh()
    later(1500, step_ending_soon)


def step_ending_soon():
    shot("map")
    iface.messageBar().clearWidgets()
    QTest.mouseClick(toolbar_button("levels_ending"), Qt.MouseButton.LeftButton)
    later(600, step_ending_dialog)


def step_ending_dialog():
    dialog = window_named("covidmaps_levels_ending_dialog")
    assert dialog is not None, "the ending-soon list did not open"
    result["ending_title"] = dialog.windowTitle()
    result["ending_lines"] = [dialog.items.item(i).text() for i in range(dialog.items.count())]
    shot("ending_soon", dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    result["ending_button"] = ok.text()
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    later(600, step_next_levels)


def step_next_levels():
    dialog = window_named("covidmaps_levels_dialog")
    assert dialog is not None, "the button did not open the levels tool"
    result["next_ticked"] = dialog.checked_codes()
    dialog.reject()
    finish()


start(RESULT_PATH, SHOTS, step_open, WATCHDOG_MS)
