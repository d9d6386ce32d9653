"""Run inside a real QGIS desktop (``qgis.bin --code daily_loop_script.py``).

The officer's day, through the installed plugin's own buttons, with the
mouse and keyboard: add 3 risk points (click the map, type the name, Tab,
the start time (a whole date moves on), the end time, Enter), extend 1
isolation zone and close 1 facility (their toolbar button, click the
feature; the decision number typed in the message bar), update 4
facilities' figures (one table, typed down with Enter, no Save: the last
number is still in its cell when the officer goes to Publish), publish
(the dialog applies that number, saves and checks by itself; confirm new
warnings; publish).

Before the day, "yesterday" publishes through the same dialog (its clicks
are kept apart in ``yesterday``, not counted): the steady state of an
officer who confirmed the sample's warnings at the last publish. After the
day, the validation dock is opened (not counted) to look at its rows.

Every click and keystroke an officer needs goes through ``click()`` /
``key()``, which count it; free text (names, dates, numbers) is typed or
set without counting, as the issue asks. Map navigation is set up between
steps and not counted. The wall time of Check and of Publish is measured.
Writes what it saw to ``$COVIDMAPS_DAILY_RESULT`` (JSON); the start-up,
timers, message log and screenshots are ``window_harness.py``'s.
"""

import json
import os
import time

from qgis.core import (
    QgsApplication,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
)
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDockWidget,
    QLineEdit,
    QWidget,
)
from window_harness import (
    finish,
    iface,
    later,
    modal,
    open_workspace_full_screen,
    result,
    shot,
    start,
    toolbar_button,
)

RESULT_PATH = os.environ["COVIDMAPS_DAILY_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_DAILY_WORKSPACE"]
SHOTS = os.environ["COVIDMAPS_DAILY_SHOTS"]
PLAN = json.loads(os.environ["COVIDMAPS_DAILY_PLAN"])
WATCHDOG_MS = 150_000
POLL_MS = 100

result.update(ledger=[], messages=[])
state = {}


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
    # QGIS 3.40 reads the GeoPackage for the map in render threads; a query or
    # a click on a layer while they run can miss its feature
    canvas.waitWhileRendering()


def pixel_of(layer, point):
    QgsApplication.processEvents()  # a message bar item shown moves the map down
    canvas = iface.mapCanvas()
    canvas.waitWhileRendering()
    where = to_canvas(layer).transform(point)
    pixel = canvas.getCoordinateTransform().transform(where)
    return QPoint(round(pixel.x()), round(pixel.y()))


# ------------------------------------------------------------ the day

def step_open():
    open_workspace_full_screen(WORKSPACE_PATH)
    later(1500, step_yesterday)


def step_yesterday():
    """Yesterday's publish (not counted): the officer confirmed the
    sample's warnings then."""
    state["task"] = "yesterday"
    click(toolbar_button("publish"), "Publish… (yesterday)")
    later(500, when_dialog, step_yesterday_dialog)


def publish_dialog():
    dialog = iface.mainWindow().findChild(QDialog, "CovidMapsPublishDialog")
    return dialog if dialog is not None and dialog.isVisible() else None


def when_dialog(step, waited=0):
    if publish_dialog() is None and waited < 20_000:
        later(POLL_MS, lambda: when_dialog(step, waited + POLL_MS))
    else:
        step()


def step_yesterday_dialog():
    dialog = publish_dialog()
    wait_idle(dialog, step_yesterday_checked)


def step_yesterday_checked():
    dialog = publish_dialog()
    result["yesterday_confirm_visible"] = dialog.confirm.isVisible()
    if dialog.confirm.isVisible():
        click(dialog.confirm, "I have read the warnings (yesterday)",
              QPoint(8, dialog.confirm.height() // 2))
    click(dialog.publish_button, "Publish (yesterday)")
    wait_idle(dialog, step_yesterday_done)


def step_yesterday_done():
    dialog = publish_dialog()
    result["yesterday_status"] = dialog.status.text()
    dialog.close()
    result["yesterday"] = result["ledger"]
    result["ledger"] = []
    result["started"] = time.monotonic()
    later(500, step_place_tool)


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
    # Tab from the name to «exposure start»; its whole date moves the
    # cursor on to «exposure end» by itself
    key(dialog.focusWidget(), Qt.Key.Key_Tab, "Tab to «exposure start»")
    for edit, digits in ((empty_dates[0], point["start_digits"]),
                         (empty_dates[1], point["end_digits"])):
        QApplication.processEvents()
        focus = dialog.focusWidget()
        reached.append(focus is not None and focus.objectName() == edit.objectName())
        for digit in digits:  # typed: free text, a key at a time as an officer types
            QTest.keyClick(dialog.focusWidget(), digit)
            QApplication.processEvents()  # the moment between two keys
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
    iface.mapCanvas().waitWhileRendering()
    zone = zones.getFeature(PLAN["zone_fid"])
    assert zone.isValid() and zone.hasGeometry(), f"zone {PLAN['zone_fid']} not readable"
    zones.removeSelection()
    show_around(zones, zone.geometry())
    # the middle of a (small, convex) zone; GEOS's point on surface can come
    # back empty for a zone of a few metres
    state["zone_pixel"] = lambda: pixel_of(zones, zone.geometry().boundingBox().center())
    open_daily("extend_zone", PLAN["extend_entry"], step_extend_click_zone)


def settle_map(then):
    """Navigation (not counted): the message bar's items come and go and the
    map moves with them; clear them and let the map settle before a click."""
    iface.messageBar().clearWidgets()
    later(300, then)


def step_extend_click_zone():
    settle_map(step_extend_click_zone_now)


def step_extend_click_zone_now():
    later(500, step_extended)
    click(iface.mapCanvas().viewport(), "click the zone", state["zone_pixel"]())


def quick_item():
    """The message bar's item of the last extend/close (text, Undo)."""
    result.setdefault("bar", []).append([i.text() for i in iface.messageBar().items()])
    items = [w for w in iface.messageBar().findChildren(QWidget, "CovidMapsQuickUpdate")
             if w.isVisible()]
    return items[-1] if items else None


def bar_text(item):
    from qgis.PyQt.QtWidgets import QLabel, QTextEdit

    texts = [w.toPlainText() for w in item.findChildren(QTextEdit)]
    texts += [w.text() for w in item.findChildren(QLabel)]
    return " ".join(texts)


def step_extended():
    assert modal() is None, modal()  # no dialog to confirm
    item = quick_item()
    assert item is not None, result.get("bar")
    result["extend_intro"] = bar_text(item)
    iface.mainWindow().activateWindow()  # a window manager does this; Xvfb has none
    QApplication.processEvents()
    decision = item.findChild(QLineEdit, "CovidMapsExtensionDecision")
    result["decision_focused"] = decision.hasFocus()
    decision.insert(PLAN["extend_decision"])  # typed: free text (QTest types ASCII only)
    shot("extend_message", iface.messageBar())
    later(400, step_close_facility)


def step_close_facility():
    result["messages"].append([i.text() for i in iface.messageBar().items()])
    state["task"] = "close 1 facility"
    facilities = session().layers["quarantine_facilities"]
    facility = facilities.getFeature(PLAN["closed_facility_fid"])
    show_around(facilities, facility.geometry())
    state["facility_pixel"] = lambda: pixel_of(facilities, facility.geometry().asPoint())
    open_daily("close_facility", PLAN["close_entry"], step_close_click)


def step_close_click():
    settle_map(step_close_click_now)


def step_close_click_now():
    later(500, step_closed)
    click(iface.mapCanvas().viewport(), "click the facility", state["facility_pixel"]())


def step_closed():
    assert modal() is None, modal()
    result["close_intro"] = bar_text(quick_item())
    shot("close_message", iface.messageBar())
    later(400, step_figures)


def step_figures():
    state["task"] = "update 4 facilities' figures"
    later(400, when_panel, step_figures_table)
    click(toolbar_button("update_figures"), PLAN["figures_entry"])


def figures_panel():
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "CovidMapsFiguresPanel" and widget.isVisible():
            return widget
    return None


def when_panel(step, waited=0):
    """The figures panel is not modal: wait until it is shown."""
    if figures_panel() is None and waited < 20_000:
        later(POLL_MS, when_panel, step, waited + POLL_MS)
    else:
        step()


def step_figures_table():
    panel = figures_panel()
    assert panel is not None and not panel.isModal(), panel
    panel.activateWindow()  # a window manager does this; Xvfb has none
    QApplication.processEvents()
    table = panel.table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    result["figures_rows"] = names
    result["figures_start"] = [table.hasFocus(), table.currentRow(), table.currentColumn()]
    # down the table: each facility's number (typed), Enter to the next; no
    # Save: each row goes into the layer as it is left, and the last number
    # is left in its cell (the officer goes straight to Publish)
    last = max(row for row, name in enumerate(names) if name in PLAN["figures"])
    for row in range(last + 1):
        name = names[row]
        if name in PLAN["figures"]:
            for digit in str(PLAN["figures"][name]):  # typed: a number
                QTest.keyClick(QApplication.focusWidget(), digit)
                QApplication.processEvents()
        if row < last:
            key(QApplication.focusWidget(), Qt.Key.Key_Return, f"Enter after {name}")
            QApplication.processEvents()
    facilities = session().layers["quarantine_facilities"]
    fid = panel.rows[last].fid
    result["last_typed"] = {
        "name": names[last], "in_cell_editor": table.state()
        == QAbstractItemView.State.EditingState,
        "editor_text": QApplication.focusWidget().text()
        if isinstance(QApplication.focusWidget(), QLineEdit) else None,
        "layer_before_publish": facilities.getFeature(fid)["occupancy"]}
    result["figures_applied_before_publish"] = {
        n: facilities.getFeature(panel.rows[r].fid)["occupancy"]
        for r, n in enumerate(names)}
    shot("figures_table", panel)
    later(400, step_publish)


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


def step_publish():
    result["messages"].append([i.text() for i in iface.messageBar().items()])
    result["unsaved_before_publish"] = [
        layer.name() for layer in QgsProject.instance().mapLayers().values()
        if layer.isEditable() and layer.isModified()]
    state["task"] = "publish"
    state["t0"] = time.monotonic()  # the check starts as the dialog opens
    # the tasks opening the dialog starts, seen as QGIS's task manager adds
    # them: a republish's check can be over before the dialog is polled
    started = state["tasks_on_open"] = []
    QgsApplication.taskManager().taskAdded.connect(started.append)
    click(toolbar_button("publish"), "Publish…")
    later(100, when_dialog, step_publish_dialog)


def step_publish_dialog():
    dialog = publish_dialog()
    state["dialog"] = dialog
    screen = QgsApplication.primaryScreen().availableGeometry()
    dialog.setGeometry(screen.width() - 720, 40, 710, screen.height() - 80)
    result["status_before"] = dialog.status.text()
    # the dialog's check, running or already over (nothing else starts a task here)
    result["checking_on_open"] = bool(dialog.tasks) or bool(state["tasks_on_open"])
    result["unsaved_after_open"] = [
        layer.name() for layer in QgsProject.instance().mapLayers().values()
        if layer.isEditable() and layer.isModified()]
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
    result["confirm_visible"] = dialog.confirm.isVisible()
    dialog.message.setText(PLAN["message"])  # typed: free text
    result["publish_is_default"] = dialog.publish_button.isDefault()
    state["t0"] = time.monotonic()
    click(dialog.publish_button, "Publish")
    wait_idle(dialog, step_published)


def step_published():
    dialog = state["dialog"]
    result["publish_seconds"] = time.monotonic() - state["t0"]
    result["result_text"] = dialog.result.text()
    result["status_published"] = dialog.status.text()
    panel = figures_panel()
    if panel is not None:
        result["figures_status"] = panel.status.text()
        result["figures_problem_visible"] = panel.problem.isVisible()
    later(300, step_done)


def step_done():
    shot("published", state["dialog"])
    shot("screen_published")
    result["wall_seconds"] = time.monotonic() - result.pop("started")
    state["dialog"].close()
    # after the day, not counted: the validation dock's rows, whole
    state["task"] = "after the day"
    toolbar_button("validate").click()
    later(1500, step_dock)


def step_dock():
    dock = iface.mainWindow().findChild(QDockWidget, "CovidMapsValidationDock")
    result["dock_summary"] = dock.summary.text()
    result["dock_cut_rows"] = cut_rows(dock.tree)
    shot("screen_validated")
    shot("dock", dock)
    later(300, step_check_takes_the_typed_figure)


def type_in_cell(panel, row, text):
    """Not counted (after the day): the cell of row ``row``'s people, typed."""
    panel.activateWindow()  # a window manager does this; Xvfb has none
    panel.table.setFocus()
    panel.table.setCurrentCell(row, 2)
    QApplication.processEvents()
    for char in text:
        QTest.keyClick(QApplication.focusWidget(), char)
        QApplication.processEvents()


def occupancy(panel, row):
    return session().layers["quarantine_facilities"].getFeature(panel.rows[row].fid)["occupancy"]


def step_check_takes_the_typed_figure():
    """After the day (not counted): a number typed and left in its cell,
    then Check the map: the check applies it first."""
    panel = figures_panel()
    before = occupancy(panel, 0)
    typed = str(before + 3)
    type_in_cell(panel, 0, typed)
    in_editor = panel.table.state() == QAbstractItemView.State.EditingState
    QTest.mouseClick(toolbar_button("validate"), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    result["check_applied"] = {"in_editor": in_editor, "before": before, "typed": int(typed),
                               "after": occupancy(panel, 0)}
    state["refusals"] = ["999", "-3", "x7"]  # over capacity, negative, not a number
    later(1000, step_refused)


def step_refused():
    """Figures the layer must not take, typed and left with Enter: refused
    in place, in Vietnamese, nothing applied."""
    panel = figures_panel()
    if not state["refusals"]:
        finish()
        return
    typed = state["refusals"].pop(0)
    before = occupancy(panel, 1)
    type_in_cell(panel, 1, typed)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()
    later(200, step_refused_seen, typed, before)


def step_refused_seen(typed, before):
    panel = figures_panel()
    result.setdefault("refused", []).append({
        "typed": typed, "problem": panel.problem.text(),
        "problem_visible": panel.problem.isVisible(),
        "cell": panel.table.item(1, 2).data(Qt.ItemDataRole.EditRole),
        "before": before, "after": occupancy(panel, 1),
        "current": [panel.table.currentRow(), panel.table.currentColumn()]})
    if typed == "999":
        shot("figures_refused", panel)
    later(200, step_refused)


start(RESULT_PATH, SHOTS, step_open, WATCHDOG_MS)
