"""Run inside a real QGIS desktop (``qgis.bin --code dock_screenshot_script.py``).

Creates the sample workspace with the installed plugin, spoils a few
features in the edit buffer (what an officer might type by mistake), checks
that the draw-zone button hands over to QGIS's add-polygon tool, opens
the validation dock from the plugin's toolbar, clicks an error in the dock,
saves a screenshot of the window and writes what it saw to
``$COVIDMAPS_DOCK_RESULT`` (JSON) before quitting QGIS.
"""

import json
import os
import sys
import traceback

import qgis.utils
from qgis.core import Qgis, QgsApplication, QgsCoordinateTransform, QgsProject
from qgis.PyQt.QtCore import QPoint, Qt, QTimer
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QAction, QDockWidget

RESULT_PATH = os.environ["COVIDMAPS_DOCK_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_DOCK_WORKSPACE"]
SCREENSHOT_PATH = os.environ["COVIDMAPS_DOCK_SCREENSHOT"]
PLUGIN = "covidmaps_plugin"

iface = qgis.utils.iface
result = {"python_errors": [], "critical_messages": []}


def on_message(message, tag, level):
    if level == Qgis.MessageLevel.Critical and tag in ("CovidMaps", "Python error"):
        result["critical_messages"].append(f"[{tag}] {message}")


QgsApplication.messageLog().messageReceived.connect(on_message)


def later(ms, step):
    """Run ``step`` once QGIS has had ``ms`` to draw; any error ends the run."""

    def run():
        try:
            step()
        except Exception:  # noqa: BLE001 - report everything, then quit
            result["python_errors"].append(traceback.format_exc())
            finish()

    QTimer.singleShot(ms, run)


def finish():
    if result.get("done"):
        return
    result["done"] = True
    with open(RESULT_PATH, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    # drop the spoiled edits and the project, so QGIS quits without asking
    for layer in QgsProject.instance().mapLayers().values():
        if getattr(layer, "isEditable", lambda: False)():
            layer.rollBack()
    QgsProject.instance().clear()
    QTimer.singleShot(0, iface.actionExit().trigger)


def spoil(workspace):
    """Mistakes the validator must catch, left unsaved in the edit buffer."""
    facilities = workspace.layer("quarantine_facilities")
    facilities.startEditing()
    facility = next(iter(facilities.getFeatures()))
    facilities.changeAttributeValue(facility.id(), facilities.fields().indexOf("occupancy"),
                                    int(facility["capacity"]) + 25)
    risk = workspace.layer("risk_points")
    risk.startEditing()
    points = list(risk.getFeatures())
    risk.changeAttributeValue(points[0].id(), risk.fields().indexOf("name"), None)
    risk.changeAttributeValue(points[1].id(), risk.fields().indexOf("advice"),
                              "Ai đã đến xin gọi anh Nam 0912 345 678")
    zones = workspace.layer("isolation_zones")
    zones.startEditing()
    zone = next(iter(zones.getFeatures()))
    zones.changeAttributeValue(zone.id(), zones.fields().indexOf("effective_until"),
                               "2021-01-01T00:00:00+07:00")
    result["spoiled_zone"] = zone.id()


def check_draw_zone(window, workspace):
    """The draw-zone button hands over to QGIS's own add-polygon tool, on the
    zone layer, snapping to the district boundaries."""
    window.findChild(QAction, "covidmaps_draw_zone").trigger()
    zones = workspace.layer("isolation_zones")
    snapping = QgsProject.instance().snappingConfig()
    result["draw_zone"] = {
        "active_layer_is_zones": iface.activeLayer() is not None
        and iface.activeLayer().id() == zones.id(),
        "add_feature_checked": iface.actionAddFeature().isChecked(),
        "zones_editable": zones.isEditable(),
        "snapping_on": snapping.enabled(),
        "snaps_to_districts": snapping.individualLayerSettings(
            workspace.reference_layer("districts")).enabled(),
    }
    iface.actionPan().trigger()


def step_start():
    window = iface.mainWindow()
    window.setGeometry(QgsApplication.primaryScreen().availableGeometry())
    for name in ("Browser", "Browser2"):
        panel = window.findChild(QDockWidget, name)
        if panel is not None:
            panel.hide()
    from covidmaps_plugin.core.workspace import create_workspace

    workspace = create_workspace(WORKSPACE_PATH, with_sample=True)
    spoil(workspace)
    canvas = iface.mapCanvas()
    districts = workspace.reference_layer("districts")
    to_map = QgsCoordinateTransform(districts.crs(), canvas.mapSettings().destinationCrs(),
                                    QgsProject.instance())
    canvas.setExtent(to_map.transformBoundingBox(districts.extent()))
    check_draw_zone(window, workspace)
    action = window.findChild(QAction, "covidmaps_validate")
    result["action_found"] = action is not None
    action.trigger()
    dock = window.findChild(QDockWidget, "CovidMapsValidationDock")
    result["dock_found"] = dock is not None
    window.resizeDocks([dock], [620], Qt.Orientation.Horizontal)
    later(1500, lambda: step_click(dock, workspace))


def step_click(dock, workspace):
    from covidmaps_plugin.core.validation import Severity
    from covidmaps_plugin.gui.validation_dock import FINDING_ROLE

    report = dock.report
    result["counts"] = {s.value: n for s, n in report.counts.items()}
    result["findings"] = [f.to_dict() for f in report.findings]
    result["groups"] = [dock.tree.topLevelItem(i).text(0)
                        for i in range(dock.tree.topLevelItemCount())]
    target = None
    for i in range(dock.tree.topLevelItemCount()):
        group = dock.tree.topLevelItem(i)
        for j in range(group.childCount()):
            finding = group.child(j).data(0, FINDING_ROLE)
            if finding.layer == "isolation_zones" and finding.severity is Severity.ERROR:
                target = group.child(j)
    dock.tree.scrollToItem(target)
    rect = dock.tree.visualItemRect(target)
    before = iface.mapCanvas().extent()
    QTest.mouseClick(dock.tree.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(rect.center()))
    zones = workspace.layer("isolation_zones")
    result["selected_zone_ids"] = zones.selectedFeatureIds()
    result["extent_changed"] = iface.mapCanvas().extent() != before
    later(3000, step_screenshot)


def step_screenshot():
    QgsApplication.processEvents()
    # seconds after the workspace was created in the current project
    result["project_crs"] = QgsProject.instance().crs().authid()
    result["screenshot_saved"] = iface.mainWindow().grab().save(SCREENSHOT_PATH, "PNG")
    finish()


def watchdog():
    result["python_errors"].append("timed out")
    finish()


later(60_000, watchdog)
if PLUGIN not in qgis.utils.plugins:
    result["python_errors"].append(f"plugin not loaded; sys.path={sys.path}")
    later(100, finish)
else:
    later(2000, step_start)
