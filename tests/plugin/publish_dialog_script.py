"""Run inside a real QGIS desktop (``qgis.bin --code publish_dialog_script.py``).

Opens the workspace the test prepared, clicks the plugin's Publish button,
and works the dialog the way an officer does, with the mouse: Check, read
the findings and the change preview, double-click the warning (the map
selects and zooms to the feature), tick the confirmation, Publish, then the
History tab: load, select the previous release, roll back. Saves
screenshots and writes what it saw to ``$COVIDMAPS_PUBLISH_RESULT`` (JSON)
for ``test_publish_dialog_desktop.py``.
"""

import os

import qgis.utils
from qgis.core import QgsApplication, QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QMessageBox,
    QStyle,
    QStyleOptionButton,
)
from window_harness import (
    action,
    finish,
    iface,
    later,
    open_workspace_full_screen,
    result,
    shot,
    start,
)

RESULT_PATH = os.environ["COVIDMAPS_PUBLISH_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_PUBLISH_WORKSPACE"]
ENDPOINT = os.environ["COVIDMAPS_PUBLISH_ENDPOINT"]
SHOTS = os.environ["COVIDMAPS_PUBLISH_SHOTS"]  # path prefix of the screenshots
WATCHDOG_MS = 90_000
POLL_MS = 200

state = {}  # the dialog under test


def when_idle(dialog, step, waited=0):
    """``step()`` once the dialog's background task has finished."""
    if dialog.tasks and waited < 60_000:
        later(POLL_MS, when_idle, dialog, step, waited + POLL_MS)
    else:
        later(300, step)  # the result is drawn


def click(widget):
    """A left click where an officer clicks: a check box on its box (Qt 5.15.15
    only toggles it within the box and its text, not anywhere on the row)."""
    if isinstance(widget, QCheckBox):
        option = QStyleOptionButton()
        widget.initStyleOption(option)
        box = widget.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option,
                                            widget)
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         box.center())
        return
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def texts(listing):
    return [listing.item(i).text() for i in range(listing.count())]


def step_open():
    open_workspace_full_screen(WORKSPACE_PATH)
    later(1500, step_publish_button)


def step_publish_button():
    window = iface.mainWindow()
    publish = action("publish")
    result["action_found"] = publish is not None
    publish.trigger()  # what the toolbar button does
    dialog = window.findChild(QDialog, "CovidMapsPublishDialog")
    result["dialog_found"] = dialog is not None
    result["dialog_modal"] = dialog.isModal()
    # beside the map, not over its middle: the officer sees where a finding is
    screen = QgsApplication.primaryScreen().availableGeometry()
    dialog.setGeometry(screen.width() - 700, 40, 690, screen.height() - 80)
    result["title"] = dialog.windowTitle()
    # QGIS's own authentication picker, in QGIS's language
    result["auth_choice"] = [c.currentText() for c in dialog.authcfg.findChildren(QComboBox)]
    state["dialog"] = dialog
    dialog.endpoint.setText(ENDPOINT)
    result["publish_enabled_before_check"] = dialog.publish_button.isEnabled()
    click(dialog.check_button)
    when_idle(dialog, step_previewed)


def dialog_now():
    return state["dialog"]


def step_previewed():
    dialog = dialog_now()
    result["status_preview"] = dialog.status.text()
    result["findings"] = texts(dialog.findings)
    result["findings_hint_visible"] = dialog.findings_hint.isVisible()
    result["changes"] = texts(dialog.changes)
    result["confirm_visible"] = dialog.confirm.isVisible()
    result["confirm_text"] = dialog.confirm.text()
    result["publish_enabled_unconfirmed"] = dialog.publish_button.isEnabled()
    result["data_updated_at"] = dialog.prepared.data_updated_at if dialog.prepared else None
    # the officer double-clicks the warning: QGIS selects and shows the feature
    canvas = iface.mapCanvas()
    before = canvas.extent()
    item = dialog.findings.item(0)
    finding = item.data(Qt.ItemDataRole.UserRole + 1)
    where_clicked = dialog.findings.visualItemRect(item).center()
    result["item_under_mouse"] = dialog.findings.itemAt(where_clicked) is item
    # a real double-click: press, release, then the second press as a double-click
    QTest.mouseClick(dialog.findings.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, where_clicked)
    QTest.mouseDClick(dialog.findings.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, where_clicked)
    from covidmaps_plugin.core.editing.session import EditingSession

    layer = EditingSession.from_project().layers[finding.layer]
    feature = layer.getFeature(finding.fid)
    to_map = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(),
                                    QgsProject.instance())
    where = to_map.transform(feature.geometry().asPoint())
    result["jump"] = {
        "finding_fid": finding.fid, "finding_layer": finding.layer,
        "feature_name": feature["name"], "selected": layer.selectedFeatureIds(),
        "extent_changed": canvas.extent() != before,
        "feature_in_view": canvas.extent().contains(where),
        "zoomed_in": canvas.extent().width() < before.width(),
        # the dialog stepped aside: the officer sees the feature
        "dialog_clear_of_feature": not dialog.frameGeometry().contains(
            canvas.mapToGlobal(canvas.rect().center())),
    }
    later(1500, step_preview_shots)  # the map redraws at the feature


def step_preview_shots():
    dialog = dialog_now()
    # what else QGIS shows the officer meanwhile (reported, not asserted)
    result["message_bar"] = [f"{item.title()} {item.text()}"
                             for item in iface.messageBar().items()]
    shot("screen")
    shot("preview", dialog)
    click(dialog.confirm)
    result["publish_enabled_confirmed"] = dialog.publish_button.isEnabled()
    click(dialog.publish_button)
    when_idle(dialog, step_published)


def step_published():
    dialog = dialog_now()
    result["status_published"] = dialog.status.text()
    result["result_text"] = dialog.result.text()
    result["publish_enabled_after"] = dialog.publish_button.isEnabled()
    shot("done", dialog)
    dialog.tabs.setCurrentIndex(1)
    click(dialog.history_button)
    when_idle(dialog, step_history)


def step_history():
    dialog = dialog_now()
    history = dialog.history
    result["history"] = texts(history)
    result["history_ids"] = [history.item(i).data(Qt.ItemDataRole.UserRole)
                             for i in range(history.count())]
    history.setCurrentRow(1)  # the release before the one just published
    shot("history", dialog)
    later(500, step_confirm_rollback)  # the question the button asks first
    click(dialog.rollback_button)  # returns once the question is answered


def step_confirm_rollback():
    box = QApplication.activeModalWidget()
    result["rollback_question"] = box.text() if isinstance(box, QMessageBox) else None
    shot("rollback_question")
    if isinstance(box, QMessageBox):
        buttons = {b.text(): b for b in box.buttons()}
        result["rollback_buttons"] = sorted(buttons)
        click(buttons["Quay lại bản này"])
    # the question's exec() returns after this step: the rollback task starts then
    later(300, when_idle, dialog_now(), step_rolled_back)


def step_rolled_back():
    dialog = dialog_now()
    result["status_rollback"] = dialog.status.text()
    result["history_after_rollback"] = texts(dialog.history)
    result["history_ids_after_rollback"] = [
        dialog.history.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(dialog.history.count())]
    shot("rollback", dialog)
    # the dialog is not modal: unloading the plugin must take it away too
    result["unload_returned"] = qgis.utils.unloadPlugin("covidmaps_plugin")
    later(500, step_unloaded)


def step_unloaded():
    result["left_after_unload"] = sorted(
        o.objectName() for o in iface.mainWindow().findChildren(QObject)
        if o.objectName().lower().startswith("covidmaps"))
    finish()


start(RESULT_PATH, SHOTS, step_open, WATCHDOG_MS)
