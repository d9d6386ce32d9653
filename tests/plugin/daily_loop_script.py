"""Run inside a real QGIS desktop (``qgis.bin --code daily_loop_script.py``).

The officer's day, through the installed plugin's own buttons, with the
mouse and keyboard: add 3 risk points (click the map, type the name, Tab,
the times, Enter), extend 1 isolation zone and close 1 facility (their
toolbar button, click the feature),
update 4 facilities' figures (one table, typed down with Enter), check the map, publish (save
edits and check, confirm the warnings, publish).

Every click and keystroke an officer needs goes through ``click()`` /
``key()``, which count it; free text (names, dates, numbers) is typed or
set without counting, as the issue asks. Map navigation is set up between
steps and not counted. The wall time of Check and of Publish is measured.
Writes what it saw to ``$COVIDMAPS_DAILY_RESULT`` (JSON).
"""

import json
import os
import time
import traceback

import qgis.utils
from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
)
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (
    QAction,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QToolBar,
)

RESULT_PATH = os.environ["COVIDMAPS_DAILY_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_DAILY_WORKSPACE"]
SHOTS = os.environ["COVIDMAPS_DAILY_SHOTS"]
PLAN = json.loads(os.environ["COVIDMAPS_DAILY_PLAN"])
WATCHDOG_MS = 150_000
POLL_MS = 100

iface = qgis.utils.iface
result = {"python_errors": [], "critical_messages": [], "shots": {}, "ledger": [],
          "messages": []}
state = {}


def on_message(message, tag, level):
    if level == Qgis.MessageLevel.Critical and tag in ("CovidMaps", "Python error"):
        result["critical_messages"].append(f"[{tag}] {message}")


QgsApplication.messageLog().messageReceived.connect(on_message)


def later(ms, step, *args):
    def run():
        try:
            step(*args)
        except Exception:  # noqa: BLE001 - report everything, then quit
            result["python_errors"].append(traceback.format_exc())
            finish()

    QTimer.singleShot(ms, run)


# ------------------------------------------------------------ the ledger

def count(kind, what):
    result["ledger"].append({"kind": kind, "what": what, "task": state.get("task", "")})


def click(widget, what, pos=None):
    count("click", what)
    if pos is None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         pos)


def key(widget, qt_key, what):
    count("key", what)
    QTest.keyClick(widget, qt_key)


def shot(name, widget=None):
    QgsApplication.processEvents()
    path = f"{SHOTS}_{name}.png"
    image = widget.grab() if widget is not None else QgsApplication.primaryScreen().grabWindow(0)
    result["shots"][name] = path if image.save(path, "PNG") else None


def toolbar_button(action_id):
    window = iface.mainWindow()
    action = window.findChild(QAction, "covidmaps_" + action_id)
    for toolbar in window.findChildren(QToolBar):
        button = toolbar.widgetForAction(action)
        if button is not None and button.isVisible():
            return button
    raise AssertionError(f"no visible toolbar button for {action_id}")


def modal():
    return QApplication.activeModalWidget()


def session():
    from covidmaps_plugin.core.editing.session import EditingSession

    return EditingSession.from_project()


def to_canvas(layer):
    canvas = iface.mapCanvas()
    return QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(),
                                  QgsProject.instance())


def show_around(layer, geometry, margin_m=1500.0):
    """Navigation (not counted): the map around a feature."""
    canvas = iface.mapCanvas()
    box = to_canvas(layer).transformBoundingBox(geometry.boundingBox())
    box.grow(margin_m)
    canvas.setExtent(box)
    canvas.refresh()
    QgsApplication.processEvents()


def pixel_of(layer, point):
    canvas = iface.mapCanvas()
    where = to_canvas(layer).transform(point)
    pixel = canvas.getCoordinateTransform().transform(where)
    return QPoint(round(pixel.x()), round(pixel.y()))


def ok_button(dialog):
    box = dialog.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


# ------------------------------------------------------------ the day

def step_open():
    from covidmaps_plugin.core.workspace import open_workspace

    window = iface.mainWindow()
    window.setGeometry(QgsApplication.primaryScreen().availableGeometry())
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    open_workspace(WORKSPACE_PATH, project=QgsProject.instance())
    result["started"] = time.monotonic()
    later(1500, step_place_tool)


def step_place_tool():
    state["task"] = "add 3 risk points"
    click(toolbar_button("place_risk_point"), "Place a high-risk point")
    state["points"] = list(PLAN["risk_points"])
    later(300, step_next_point)


def step_next_point():
    if not state["points"]:
        later(300, step_extend)
        return
    point = state["points"].pop(0)
    risk = session().layers["risk_points"]
    spot = QgsPointXY(*point["lonlat"])
    show_around(risk, QgsGeometry.fromPointXY(spot), 3000.0)
    later(400, when_modal, step_fill_form, point)  # runs inside the form's exec()
    click(iface.mapCanvas().viewport(), "click the place on the map",
          pixel_of(risk, spot))


def step_fill_form(point):
    from covidmaps_plugin.gui.tools.form_polish import date_edits

    dialog = modal()
    assert dialog is not None and dialog.objectName() == "CovidMapsNewFeatureForm", dialog
    dialog.activateWindow()  # a window manager does this; Xvfb has none
    QApplication.processEvents()
    form = dialog.attributeForm()
    focused = dialog.focusWidget()
    result.setdefault("first_focus", []).append(type(focused).__name__ if focused else None)
    combo = next(c for c in dialog.findChildren(QComboBox)
                 if c.isVisibleTo(dialog) and c.findText(point["place_type_label"]) >= 0)
    result.setdefault("empty_choice", []).append(combo.currentText())
    empty_dates = [e for e in date_edits(dialog) if e.isVisibleTo(dialog) and e.isNull()]
    if "calendar" not in result["shots"]:  # a required, still empty date: its calendar
        calendar = empty_dates[0].calendarWidget()
        calendar.resize(calendar.sizeHint())
        shot("calendar", calendar)
        result["calendar_locale"] = calendar.locale().name()
    # as the announcement reads: the name (the place type follows from it),
    # Tab, when it started, Tab, when it ended
    form.changeAttribute("name", point["name"])  # typed: free text (QTest types ASCII only)
    QApplication.processEvents()
    result.setdefault("place_type", []).append(combo.currentText())
    reached = []
    for edit, digits, what in ((empty_dates[0], point["start_digits"], "exposure start"),
                               (empty_dates[1], point["end_digits"], "exposure end")):
        key(dialog.focusWidget(), Qt.Key.Key_Tab, f"Tab to «{what}»")
        here = sip.unwrapinstance(dialog.focusWidget())
        reached.append(here in (sip.unwrapinstance(edit), sip.unwrapinstance(edit.lineEdit())))
        QTest.keyClicks(dialog.focusWidget(), digits)  # typed: free text
    result.setdefault("tab_reached_dates", []).append(all(reached))
    QApplication.processEvents()
    feature = form.currentFormFeature()
    result.setdefault("forms", []).append({
        "name": feature["name"], "visible_until": str(feature["visible_until"]),
        "approved": bool(feature["approved"]), "district": str(feature["district_code"]),
        "exposure_end": str(feature["exposure_end"])})
    if len(result["forms"]) == 1:
        shot("risk_point_form", dialog)
    key(dialog.focusWidget(), Qt.Key.Key_Return, "Enter adds the point")
    later(300, step_next_point)


def when_modal(step, *args, waited=0):
    """Run ``step`` once a dialog is open (a loaded machine opens it late)."""
    if modal() is None and waited < 20_000:
        later(POLL_MS, lambda: when_modal(step, *args, waited=waited + POLL_MS))
    else:
        step(*args)


def open_daily(action_id, what, then, opens_dialog=False):
    """The daily update's own toolbar button (a dialog, or a map click next)."""
    if opens_dialog:
        later(400, when_modal, then)  # runs inside the dialog's exec()
    else:
        later(400, then)
    click(toolbar_button(action_id), what)


def step_extend():
    state["task"] = "extend 1 zone"
    zones = session().layers["isolation_zones"]
    zone = zones.getFeature(PLAN["zone_fid"])
    zones.removeSelection()
    show_around(zones, zone.geometry())
    # the middle of a (small, convex) zone; GEOS's point on surface can come
    # back empty for a zone of a few metres
    state["zone_pixel"] = pixel_of(zones, zone.geometry().boundingBox().center())
    open_daily("extend_zone", PLAN["extend_entry"], step_extend_click_zone)


def step_extend_click_zone():
    later(500, when_modal, step_extend_dialog)
    click(iface.mapCanvas().viewport(), "click the zone", state["zone_pixel"])


def step_extend_dialog():
    dialog = modal()
    assert isinstance(dialog, QDialog), dialog
    result["extend_intro"] = dialog.intro.text()
    dialog.decision.setText(PLAN["extend_decision"])  # typed: free text
    shot("extend_dialog", dialog)
    click(ok_button(dialog), "Gia hạn")
    later(400, step_close_facility)


def step_close_facility():
    result["messages"].append([i.text() for i in iface.messageBar().items()])
    state["task"] = "close 1 facility"
    facilities = session().layers["quarantine_facilities"]
    facility = facilities.getFeature(PLAN["closed_facility_fid"])
    show_around(facilities, facility.geometry())
    state["facility_pixel"] = pixel_of(facilities, facility.geometry().asPoint())
    open_daily("close_facility", PLAN["close_entry"], step_close_click)


def step_close_click():
    later(500, when_modal, step_close_dialog)
    click(iface.mapCanvas().viewport(), "click the facility", state["facility_pixel"])


def step_close_dialog():
    dialog = modal()
    result["close_intro"] = dialog.intro.text()
    click(ok_button(dialog), "Xác nhận")
    later(400, step_figures)


def step_figures():
    state["task"] = "update 4 facilities' figures"
    open_daily("update_figures", PLAN["figures_entry"], step_figures_table, True)


def step_figures_table():
    dialog = modal()
    dialog.activateWindow()  # a window manager does this; Xvfb has none
    QApplication.processEvents()
    table = dialog.table
    result["figures_rows"] = [table.item(r, 0).text() for r in range(table.rowCount())]
    result["figures_start"] = [table.hasFocus(), table.currentRow(), table.currentColumn()]
    # down the table: each facility's number (typed), Enter to the next;
    # Enter on the last one saves them all
    for row in range(table.rowCount()):
        name = table.item(row, 0).text()
        if name in PLAN["figures"]:
            for digit in str(PLAN["figures"][name]):  # typed: a number
                QTest.keyClick(QApplication.focusWidget(), digit)
        if row == table.rowCount() - 1:
            shot("figures_table", dialog)
        key(QApplication.focusWidget(), Qt.Key.Key_Return,
            "Enter saves them all" if row == table.rowCount() - 1 else f"Enter after {name}")
        QApplication.processEvents()
    later(400, step_validate)


def step_validate():
    result["messages"].append([i.text() for i in iface.messageBar().items()])
    state["task"] = "check the map"
    click(toolbar_button("validate"), "Check the map")
    later(800, step_validated)


def cut_rows(tree):
    """Findings whose row is shorter than their whole message laid out in
    the width the style paints it (the last line would end in "…")."""
    from qgis.PyQt.QtWidgets import QStyle

    from covidmaps_plugin.gui.validation_dock import wrapped_height

    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    cut = []
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            item = group.child(j)
            rect = tree.visualRect(tree.indexFromItem(item, 0))
            needed = wrapped_height(item.text(0), tree.font(), rect.width() - 2 * margin)
            if rect.height() < needed:
                cut.append([item.text(0)[:60], rect.height(), needed])
    return cut


def step_validated():
    dock = iface.mainWindow().findChild(QDockWidget, "CovidMapsValidationDock")
    result["dock_summary"] = dock.summary.text()
    result["dock_cut_rows"] = cut_rows(dock.tree)
    shot("screen_validated")
    state["task"] = "publish"
    click(toolbar_button("publish"), "Publish…")
    later(500, step_publish_dialog)


def step_publish_dialog():
    window = iface.mainWindow()
    dialog = window.findChild(QDialog, "CovidMapsPublishDialog")
    state["dialog"] = dialog
    screen = QgsApplication.primaryScreen().availableGeometry()
    dialog.setGeometry(screen.width() - 720, 40, 710, screen.height() - 80)
    result["save_check_visible"] = dialog.save_check_button.isVisible()
    result["save_check_default"] = dialog.save_check_button.isDefault()
    shot("publish_opened", dialog)
    result["status_before"] = dialog.status.text()
    button = dialog.save_check_button if dialog.save_check_button.isVisible() \
        else dialog.check_button
    state["t0"] = time.monotonic()
    click(button, button.text())
    wait_idle(dialog, step_previewed)


def wait_idle(dialog, step, waited=0):
    if dialog.tasks and waited < 90_000:
        later(POLL_MS, wait_idle, dialog, step, waited + POLL_MS)
    else:
        step()


def step_previewed():
    dialog = state["dialog"]
    result["check_seconds"] = time.monotonic() - state["t0"]
    result["findings"] = [dialog.findings.item(i).text() for i in range(dialog.findings.count())]
    result["changes"] = [dialog.changes.item(i).text() for i in range(dialog.changes.count())]
    result["status_preview"] = dialog.status.text()
    later(300, step_confirm)


def step_confirm():
    dialog = state["dialog"]
    shot("publish_preview", dialog)
    if dialog.confirm.isVisible():  # on the box itself, as an officer clicks it
        click(dialog.confirm, "I have read the warnings",
              QPoint(8, dialog.confirm.height() // 2))
    dialog.message.setText(PLAN["message"])  # typed: free text
    state["t0"] = time.monotonic()
    click(dialog.publish_button, "Publish")
    wait_idle(dialog, step_published)


def step_published():
    dialog = state["dialog"]
    result["publish_seconds"] = time.monotonic() - state["t0"]
    result["result_text"] = dialog.result.text()
    result["status_published"] = dialog.status.text()
    later(300, step_done)


def step_done():
    shot("published", state["dialog"])
    shot("screen_published")
    result["wall_seconds"] = time.monotonic() - result.pop("started")
    finish()


def finish():
    if result.get("done"):
        return
    result["done"] = True
    with open(RESULT_PATH, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    for layer in QgsProject.instance().mapLayers().values():
        if layer.isEditable():
            layer.rollBack()
    QgsProject.instance().clear()
    QTimer.singleShot(0, iface.actionExit().trigger)


def watchdog():
    result["python_errors"].append("watchdog: the script did not finish in time")
    if modal() is not None:
        shot("stuck")
    finish()


QTimer.singleShot(WATCHDOG_MS, watchdog)
later(1000, step_open)
