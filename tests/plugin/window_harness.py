"""What every script run inside a real QGIS window shares (imported there).

``qgis_window.run_in_qgis_window`` starts ``qgis.bin --code SCRIPT`` with this
folder on ``PYTHONPATH``; the script (``daily_loop_script.py``,
``publish_dialog_script.py``, ``levels_desktop_script.py``) calls
:func:`start` with its first step and chains its steps with :func:`later`
(QGIS draws between them). Any exception in a step, a CovidMaps or Python
error in QGIS's message log, or the watchdog ends the run with a report:
:func:`finish` writes ``result`` as JSON to the result path, drops unsaved
edits (QGIS then quits without asking) and quits QGIS.
"""

import json
import traceback

import qgis.utils
from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QAction, QApplication, QDockWidget, QToolBar

iface = qgis.utils.iface
# what the script saw; the test reads it from the result file
result = {"python_errors": [], "critical_messages": [], "shots": {}}
_run = {"result_path": "", "shots": ""}
START_MS = 1000  # QGIS has shown its window and loaded the plugin


def _on_message(message, tag, level):
    if level == Qgis.MessageLevel.Critical and tag in ("CovidMaps", "Python error"):
        result["critical_messages"].append(f"[{tag}] {message}")


def start(result_path, shots, first_step, watchdog_ms):
    """Run ``first_step`` once QGIS is up; give up after ``watchdog_ms``.
    ``shots``: the path prefix of the screenshots (``<shots>_<name>.png``)."""
    _run.update(result_path=result_path, shots=shots)
    QgsApplication.messageLog().messageReceived.connect(_on_message)
    QTimer.singleShot(watchdog_ms, _watchdog)
    later(START_MS, first_step)


def later(ms, step, *args):
    """Run ``step(*args)`` once QGIS has had ``ms`` to draw; any error ends the run."""

    def run():
        # a trail of the steps reached, for a crash of QGIS itself
        with open(_run["result_path"] + ".steps", "a", encoding="utf-8") as fh:
            fh.write(getattr(step, "__name__", "step") + "\n")
        try:
            step(*args)
        except Exception:  # noqa: BLE001 - report everything, then quit
            result["python_errors"].append(traceback.format_exc())
            finish()

    QTimer.singleShot(ms, run)


def shot(name, widget=None):
    """The whole screen (the QGIS window and what is over it), or one widget."""
    QgsApplication.processEvents()
    path = f"{_run['shots']}_{name}.png"
    image = widget.grab() if widget is not None else QgsApplication.primaryScreen().grabWindow(0)
    result["shots"][name] = path if image.save(path, "PNG") else None


def action(action_id):
    return iface.mainWindow().findChild(QAction, "covidmaps_" + action_id)


def toolbar_button(action_id):
    """The plugin's visible toolbar button for ``action_id``, to click on."""
    window = iface.mainWindow()
    wanted = action(action_id)
    for toolbar in window.findChildren(QToolBar):
        button = toolbar.widgetForAction(wanted)
        if button is not None and button.isVisible():
            return button
    raise AssertionError(f"no visible toolbar button for {action_id}")


def modal():
    return QApplication.activeModalWidget()


def open_workspace_full_screen(path):
    """The officer's window: QGIS fills the screen (no window manager under
    Xvfb does it), the Browser panel is out of the way, the workspace open."""
    from covidmaps_plugin.core.workspace import open_workspace

    window = iface.mainWindow()
    window.setGeometry(QgsApplication.primaryScreen().availableGeometry())
    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()
    open_workspace(path, project=QgsProject.instance())


def finish():
    """Write the result once, then quit QGIS without a question."""
    if result.get("done"):
        return
    result["done"] = True
    with open(_run["result_path"], "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    for layer in QgsProject.instance().mapLayers().values():
        if layer.isEditable():
            layer.rollBack()
    QgsProject.instance().clear()
    QTimer.singleShot(0, iface.actionExit().trigger)


def _watchdog():
    result["python_errors"].append("watchdog: the script did not finish in time")
    shot("stuck")  # the dialog or error that blocked it
    finish()
