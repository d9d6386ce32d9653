"""The plugin's GUI pieces offscreen: action registry, dialog, task and messages."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from qgis.core import Qgis, QgsApplication, QgsProject
from qgis.PyQt.QtCore import QEvent
from qgis.PyQt.QtWidgets import QAction, QMenu

from covidmaps_plugin import i18n
from covidmaps_plugin.gui import actions as actions_module
from covidmaps_plugin.gui.actions import ACTIONS, MENU_NAME, ActionSpec, build_ui
from covidmaps_plugin.gui.context import PluginContext
from covidmaps_plugin.gui.workspace_dialogs import (
    NewWorkspaceDialog,
    NewWorkspaceRequest,
    start_create_workspace,
)
from covidmaps_plugin.model import MODEL

from . import gui_handlers
from .installed_plugin import vi_translations

TASK_GUARD_S = 60  # a hung task fails the test instead of blocking the run


@pytest.fixture()
def ctx(qgis_iface, monkeypatch):
    help_menu = QMenu("Help")
    qgis_iface.mainWindow().menuBar().addMenu(help_menu)
    monkeypatch.setattr(qgis_iface, "helpMenu", lambda: help_menu, raising=False)
    for level in qgis_iface.messageBar().messages.values():
        level.clear()
    context = PluginContext(qgis_iface)
    yield context
    context.unload()




def messages(ctx, level):
    return ctx.iface.messageBar().get_messages(level)


def wait_for(task_done):
    deadline = time.monotonic() + TASK_GUARD_S
    while not task_done() and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.01)
    assert task_done(), "task did not finish"


def test_toolbar_is_built_from_the_registry_and_extends_in_one_line(ctx):
    extra = ActionSpec("count", "Count", "covidmaps.svg",
                       f"{gui_handlers.__name__}:record_clicks", checkable=True, group="data")
    broken = ActionSpec("broken", "Broken", "covidmaps.svg", "no.such.module:handler")
    ui = build_ui(ctx, [*ACTIONS, broken, extra])
    toolbar_items = [a.objectName() or ("|" if a.isSeparator() else "") for a in
                     ui.toolbar.actions()]
    expected, group = [], ACTIONS[0].group
    for spec in [*ACTIONS, extra]:  # the broken one is left out, the others still come
        expected += ["|"] if spec.group != group else []
        expected.append(f"covidmaps_{spec.id}")
        group = spec.group
    assert toolbar_items == expected
    assert [a.text() for a in ui.menu.actions() if not a.isSeparator()] == [
        *(s.text for s in ACTIONS), "Count"]
    ui.actions["count"].trigger()
    assert gui_handlers.clicks[-1] is True  # checkable: the handler gets the state
    menu_bar = ctx.main_window.menuBar()
    titles = [a.text() for a in menu_bar.actions()]
    assert titles.index("CovidMaps") == titles.index("Help") - 1  # just before Help

    ui.remove()
    QgsApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # run deleteLater()
    assert "CovidMaps" not in [a.text() for a in menu_bar.actions()]
    assert [a for a in ctx.main_window.findChildren(QAction)
            if a.objectName().startswith(actions_module.ACTION_NAME_PREFIX)] == []
    assert [m for m in ctx.main_window.findChildren(QMenu) if m.objectName() == MENU_NAME] == []


def test_default_actions_are_resolvable():
    for spec in ACTIONS:
        module, _, name = spec.handler.partition(":")
        assert callable(getattr(__import__(module, fromlist=[name]), name))


def test_dialog_refuses_missing_and_existing_files(qgis_app, tmp_path: Path):
    dialog = NewWorkspaceDialog()
    assert dialog.profile_combo.currentData() == "bac_kan_2020"
    dialog.accept()
    assert dialog.result() == 0 and not dialog.problem_label.isHidden()

    existing = tmp_path / "old.gpkg"
    existing.write_bytes(b"officer data")
    dialog.file_widget.setFilePath(str(existing))
    dialog.accept()
    assert dialog.result() == 0 and "already exists" in dialog.problem_label.text()

    dialog.file_widget.setFilePath(str(tmp_path / "new"))
    dialog.sample_check.setChecked(True)
    assert dialog.request() == NewWorkspaceRequest(str(tmp_path / "new.gpkg"), "bac_kan_2020",
                                                   True)
    dialog.accept()
    assert dialog.result() == 1
    assert existing.read_bytes() == b"officer data"


def test_create_task_opens_the_workspace_and_reports(ctx, provider, tmp_path: Path):
    QgsProject.instance().clear()
    outcome = []
    task = start_create_workspace(ctx, NewWorkspaceRequest(str(tmp_path / "ws.gpkg")),
                                  lambda ok, message: outcome.append((ok, message)))
    assert task is not None
    wait_for(lambda: outcome)
    assert outcome[0][0], outcome
    loaded = {lyr.customProperty("covidmaps/layer")
              for lyr in QgsProject.instance().mapLayers().values()}
    assert set(MODEL.layer_names) <= loaded
    assert any("ws.gpkg" in m for m in messages(ctx, Qgis.Success))
    QgsProject.instance().clear()


def test_errors_reach_the_message_bar_in_vietnamese(ctx, provider, tmp_path, monkeypatch):
    qm = tmp_path / "covidmaps_vi.qm"
    subprocess.run(["lrelease", "-silent", str(i18n.I18N_DIR / "covidmaps_vi.ts"), "-qm",
                    str(qm)], check=True)
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    monkeypatch.setattr(i18n, "current_language", lambda override=None: "vi")
    translator = i18n.install_translator("vi")
    existing = tmp_path / "taken.gpkg"
    existing.write_bytes(b"officer data")
    try:
        outcome = []
        task = start_create_workspace(ctx, NewWorkspaceRequest(str(existing)),
                                      lambda ok, message: outcome.append((ok, message)))
    finally:
        i18n.remove_translator(translator)
    assert task is None and outcome and not outcome[0][0]
    [error] = messages(ctx, Qgis.Critical)
    could_not = vi_translations()["Could not create the workspace: {0}"].format("")
    assert could_not in error and "đã tồn tại" in error  # core's Vietnamese message
    assert existing.read_bytes() == b"officer data"


def test_open_workspace_loads_layers_or_reports_why_not(ctx, tmp_path: Path):
    from covidmaps_plugin.core.workspace import create_workspace
    from covidmaps_plugin.gui.workspace_dialogs import open_workspace_file

    path = tmp_path / "existing.gpkg"
    create_workspace(path, project=QgsProject())
    QgsProject.instance().clear()
    assert open_workspace_file(ctx, str(path))
    loaded = {lyr.customProperty("covidmaps/layer")
              for lyr in QgsProject.instance().mapLayers().values()}
    assert set(MODEL.layer_names) <= loaded
    QgsProject.instance().clear()

    not_a_workspace = tmp_path / "holiday_photos.gpkg"
    not_a_workspace.write_bytes(b"not a geopackage")
    assert not open_workspace_file(ctx, str(not_a_workspace))
    [error] = messages(ctx, Qgis.Critical)
    assert "Could not open the workspace" in error and "holiday_photos.gpkg" in error
    assert QgsProject.instance().mapLayers() == {}


def test_cancelled_task_leaves_nothing_behind(ctx, provider, tmp_path: Path):
    QgsProject.instance().clear()
    target = tmp_path / "cancelled.gpkg"
    outcome = []
    task = start_create_workspace(ctx, NewWorkspaceRequest(str(target), with_sample=True),
                                  lambda ok, message: outcome.append((ok, message)))
    task.cancel()  # what the task manager's cancel button does
    wait_for(lambda: outcome)
    assert outcome[0][0] is False
    assert "Cancelled." in outcome[0][1]
    assert list(tmp_path.iterdir()) == []
    assert QgsProject.instance().mapLayers() == {}
