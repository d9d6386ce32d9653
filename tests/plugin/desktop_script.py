"""Run inside a real QGIS desktop (``qgis.bin --code desktop_script.py``).

Drives the installed plugin the way an officer would (minus the modal
dialog): checks its toolbar and menu, creates a workspace through the
plugin's own task code path, takes a screenshot, unloads and reloads the
plugin, then writes what it saw to ``$COVIDMAPS_DESKTOP_RESULT`` (JSON) and
quits QGIS. ``test_desktop.py`` asserts on that file.
"""

import json
import os
import sys
import traceback

import qgis.utils
from qgis.core import Qgis, QgsApplication, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QObject, Qt, QTimer
from qgis.PyQt.QtWidgets import QAction, QDockWidget, QMenu, QToolBar

PLUGIN = "covidmaps_plugin"
RESULT_PATH = os.environ["COVIDMAPS_DESKTOP_RESULT"]
WORKSPACE_PATH = os.environ["COVIDMAPS_DESKTOP_WORKSPACE"]
SCREENSHOT_PATH = os.environ["COVIDMAPS_DESKTOP_SCREENSHOT"]
WITH_SAMPLE = os.environ.get("COVIDMAPS_DESKTOP_SAMPLE") == "1"
WATCHDOG_MS = 60_000

iface = qgis.utils.iface
result = {"critical_messages": [], "python_errors": [], "done": False}
_timers = []  # keep single-shot timers alive


def later(ms, function):
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: guarded(function))
    timer.start(ms)
    _timers.append(timer)


def guarded(function):
    try:
        function()
    except Exception:  # noqa: BLE001 - report everything, then quit
        result["python_errors"].append(traceback.format_exc())
        finish()


def on_message(message, tag, level):
    if level == Qgis.MessageLevel.Critical:
        result["critical_messages"].append(f"[{tag}] {message}")


QgsApplication.messageLog().messageReceived.connect(on_message)
_previous_hook = sys.excepthook


def excepthook(kind, value, tb):
    result["python_errors"].append("".join(traceback.format_exception(kind, value, tb)))
    _previous_hook(kind, value, tb)


sys.excepthook = excepthook


def window():
    return iface.mainWindow()


def plugin_ui_state():
    """What of the plugin is visible in the main window right now."""
    toolbars = [
        tb for tb in window().findChildren(QToolBar) if tb.objectName() == "CovidMapsToolbar"
    ]
    menus = [a.menu() for a in window().menuBar().actions() if a.menu() is not None]
    covid_menus = [m for m in menus if m.objectName() == "CovidMapsMenu"]
    actions = [a for a in window().findChildren(QAction) if a.objectName().startswith("covidmaps_")]
    # anything the plugin named: toolbars, menus, actions, docks, dialogs
    named = [o.objectName() for o in window().findChildren(QObject)
             if o.objectName().lower().startswith("covidmaps")]
    return {
        "toolbars": [
            {
                "title": tb.windowTitle(),
                "visible": tb.isVisible(),
                "actions": [
                    {"id": a.objectName(), "text": a.text(), "tooltip": a.toolTip(),
                     "has_icon": not a.icon().isNull()}
                    for a in tb.actions() if not a.isSeparator()
                ],
            }
            for tb in toolbars
        ],
        "menus": [
            {"title": m.title(), "actions": [a.text() for a in m.actions() if not a.isSeparator()]}
            for m in covid_menus if isinstance(m, QMenu)
        ],
        "action_objects": sorted(a.objectName() for a in actions),
        "named_objects": sorted(named),
        "provider": QgsApplication.processingRegistry().providerById("covidmaps") is not None,
        "algorithm": QgsApplication.processingRegistry().algorithmById("covidmaps:createworkspace")
        is not None,
        "translated_sample": QCoreApplication.translate("CovidMaps", "Create workspace"),
    }


def step_loaded():
    result["plugin_loaded"] = PLUGIN in qgis.utils.plugins
    module = sys.modules.get(PLUGIN)
    result["plugin_file"] = getattr(module, "__file__", None)
    result["loaded"] = plugin_ui_state()
    # no window manager under Xvfb: fill the screen by hand, and give the
    # layer legend the room the browser panel would take
    window().setGeometry(QgsApplication.primaryScreen().availableGeometry())
    browser = window().findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    layers = window().findChild(QDockWidget, "Layers")
    if layers is not None:
        window().resizeDocks([layers], [380], Qt.Orientation.Horizontal)
    plugin = qgis.utils.plugins[PLUGIN]
    from covidmaps_plugin.gui.workspace_dialogs import NewWorkspaceRequest, start_create_workspace

    request = NewWorkspaceRequest(WORKSPACE_PATH, with_sample=WITH_SAMPLE)
    task = start_create_workspace(plugin.ctx, request, on_done=lambda ok, msg: guarded(
        lambda: step_created(ok, msg)))
    result["task_started"] = task is not None
    if task is None:
        finish()


def step_created(ok, message):
    result["create_ok"] = ok
    result["create_message"] = message
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()]
    result["layers"] = [
        {"name": lyr.name(), "source": lyr.source(), "valid": lyr.isValid(),
         "features": lyr.featureCount() if isinstance(lyr, QgsVectorLayer) else None,
         "covidmaps_layer": lyr.customProperty("covidmaps/layer")}
        for lyr in layers
    ]
    later(500, wait_for_render)


def wait_for_render(attempts=[0]):  # noqa: B006 - a counter across calls
    attempts[0] += 1
    if iface.mapCanvas().isDrawing() and attempts[0] < 40:
        later(250, wait_for_render)
        return
    iface.statusBarIface().clearMessage()  # stale "Loading layer ..." text
    later(300, step_screenshot)  # lets the status bar repaint


def step_screenshot():
    # read turns of the event loop after the workspace opened: nothing in
    # QGIS may have replaced the province's CRS meanwhile
    result["project_crs"] = QgsProject.instance().crs().authid()
    result["canvas_crs"] = iface.mapCanvas().mapSettings().destinationCrs().authid()
    screen = QgsApplication.primaryScreen()
    result["screenshot_saved"] = screen.grabWindow(0).save(SCREENSHOT_PATH, "PNG")
    result["unload_returned"] = qgis.utils.unloadPlugin(PLUGIN)
    later(300, step_unloaded)  # deleteLater() needs the event loop


def step_unloaded():
    result["unloaded"] = plugin_ui_state()
    result["reload_returned"] = qgis.utils.loadPlugin(PLUGIN) and qgis.utils.startPlugin(PLUGIN)
    later(300, step_reloaded)  # a new toolbar shows once the event loop runs


def step_reloaded():
    result["reloaded"] = plugin_ui_state()
    qgis.utils.unloadPlugin(PLUGIN)
    later(300, step_unloaded_again)


def step_unloaded_again():
    result["unloaded_again"] = plugin_ui_state()
    finish()


def finish():
    if result["done"]:
        return
    result["done"] = True
    with open(RESULT_PATH, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=2)
    QgsProject.instance().clear()  # nothing unsaved: QGIS quits without asking
    QTimer.singleShot(0, iface.actionExit().trigger)


def watchdog():
    result["python_errors"].append("watchdog: the script did not finish in time")
    finish()


later(WATCHDOG_MS, watchdog)
later(500, step_loaded)
