"""The CovidMaps toolbar and menu, built from a list of action specs.

To add a button, append one ``ActionSpec`` to ``ACTIONS``, e.g.::

    ActionSpec("validate", tr_later("Validate"), "validate.svg",
               "covidmaps_plugin.gui.validation_dock:validate_handler", group="data"),

``handler`` names a function ``handler(ctx: PluginContext) -> Callable[[bool], None]``
(a callback factory): it is called once when the toolbar is built and returns
what runs on each click (it receives the checked state). Modules are imported
by name so this file needs no imports of the features it lists.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from qgis.core import Qgis, QgsMessageLog
from qgis.PyQt.QtWidgets import QMenu, QToolBar

from ..compat import QAction
from ..i18n import tr, tr_later
from ..resources import icon
from .context import PluginContext

TOOLBAR_NAME = "CovidMapsToolbar"
MENU_NAME = "CovidMapsMenu"
ACTION_NAME_PREFIX = "covidmaps_"

Handler = Callable[[bool], None]
HandlerFactory = Callable[[PluginContext], Handler]


@dataclass(frozen=True)
class ActionSpec:
    id: str  # stable; the QAction's objectName is "covidmaps_<id>"
    text: str  # English, marked with tr_later() so it reaches the .ts files
    icon: str  # file name in resources/icons/
    handler: str  # "package.module:factory", see the module docstring
    tooltip: str = ""  # English, marked with tr_later()
    checkable: bool = False
    group: str = "workspace"  # a separator goes between groups


_WORKSPACE = "covidmaps_plugin.gui.workspace_dialogs"
_TOOLS = "covidmaps_plugin.gui.tools.handlers"
_LEVELS = "covidmaps_plugin.gui.tools.levels_handlers"

# the officer's editing tools and the map check (gui/tools, gui/validation_dock.py)
EDITING_ACTIONS: List[ActionSpec] = [
    ActionSpec("place_risk_point", tr_later("Place a high-risk point"), "place_risk_point.svg",
               f"{_TOOLS}:place_risk_point_handler",
               tr_later("Click the map to add a high-risk point there"), group="place"),
    ActionSpec("place_facility", tr_later("Place a quarantine facility"), "place_facility.svg",
               f"{_TOOLS}:place_facility_handler",
               tr_later("Click the map to add a quarantine facility there"), group="place"),
    ActionSpec("place_checkpoint", tr_later("Place a checkpoint"), "place_checkpoint.svg",
               f"{_TOOLS}:place_checkpoint_handler",
               tr_later("Click the map to add a disease-control checkpoint there"),
               group="place"),
    ActionSpec("draw_zone", tr_later("Draw an isolation zone"), "draw_zone.svg",
               f"{_TOOLS}:draw_zone_handler",
               tr_later("Draw a zone by hand; corners snap to administrative boundaries"),
               group="zones"),
    ActionSpec("zone_from_units", tr_later("Zone from districts or communes…"),
               "zone_from_units.svg", f"{_TOOLS}:zone_from_units_handler",
               tr_later("Make a zone from whole districts or communes"), group="zones"),
    ActionSpec("zone_around_point", tr_later("Zone around a point…"), "zone_around_point.svg",
               f"{_TOOLS}:zone_around_point_handler",
               tr_later("Make a circular zone of a radius in metres around a place"),
               group="zones"),
    ActionSpec("extend_zone", tr_later("Extend isolation zone"), "extend_zone.svg",
               f"{_TOOLS}:extend_zone_handler",
               tr_later("Click a zone on the map to extend it"), group="daily"),
    ActionSpec("close_facility", tr_later("Close quarantine facility"),
               "close_facility.svg", f"{_TOOLS}:close_facility_handler",
               tr_later("Click a facility on the map to close it"), group="daily"),
    ActionSpec("update_figures", tr_later("Update quarantine figures…"),
               "update_figures.svg", f"{_TOOLS}:figures_handler",
               tr_later("Today's capacity and occupancy of every facility in one table"),
               group="daily"),
    ActionSpec("daily_updates", tr_later("Daily updates"), "daily_updates.svg",
               f"{_TOOLS}:daily_updates_handler",
               tr_later("Lift or extend zones, close facilities, update figures"),
               group="daily"),
    # epidemic levels by area (gui/tools/levels_handlers.py)
    ActionSpec("epidemic_level", tr_later("Epidemic level by area…"), "epidemic_level.svg",
               f"{_LEVELS}:epidemic_level_handler",
               tr_later("Announce a level for several districts or communes at once"),
               group="levels"),
    ActionSpec("levels_ending", tr_later("Levels ending soon…"), "levels_ending.svg",
               f"{_LEVELS}:levels_ending_handler",
               tr_later("Units whose epidemic level ends within the next days"),
               group="levels"),
    ActionSpec("validate", tr_later("Check the map"), "validate.svg",
               "covidmaps_plugin.gui.validation_dock:validation_dock_handler",
               tr_later("List what must be fixed before publishing"), group="daily"),
]

ACTIONS: List[ActionSpec] = [
    ActionSpec(
        "new_workspace", tr_later("New workspace…"), "new_workspace.svg",
        f"{_WORKSPACE}:new_workspace_handler",
        tr_later("Create a CovidMaps workspace: a GeoPackage with the five map layers"),
    ),
    ActionSpec(
        "open_workspace", tr_later("Open workspace…"), "open_workspace.svg",
        f"{_WORKSPACE}:open_workspace_handler",
        tr_later("Open an existing CovidMaps workspace in the current project"),
    ),
    *EDITING_ACTIONS,
    ActionSpec(
        "publish", tr_later("Publish…"), "publish.svg",
        "covidmaps_plugin.gui.publish_dialog:publish_handler",
        tr_later("Validate, preview the changes and publish the public map"), group="publish",
    ),
]


class PluginUi:
    """The toolbar, the menu and their actions; :meth:`remove` takes them all away."""

    def __init__(self, ctx: PluginContext) -> None:
        self.ctx = ctx
        window = ctx.main_window
        self.toolbar: QToolBar = ctx.iface.addToolBar("CovidMaps")
        self.toolbar.setObjectName(TOOLBAR_NAME)
        self.toolbar.setToolTip(tr("CovidMaps epidemic map tools"))
        self.menu = QMenu("CovidMaps", window)
        self.menu.setObjectName(MENU_NAME)
        menu_bar = window.menuBar()
        menu_bar.insertMenu(ctx.iface.helpMenu().menuAction(), self.menu)
        self.actions: Dict[str, QAction] = {}

    def add(self, spec: ActionSpec, handler: Handler, separator: bool) -> QAction:
        action = QAction(icon(spec.icon), tr(spec.text), self.ctx.main_window)
        action.setObjectName(ACTION_NAME_PREFIX + spec.id)
        action.setCheckable(spec.checkable)
        if spec.tooltip:
            action.setToolTip(tr(spec.tooltip))
            action.setStatusTip(tr(spec.tooltip))
        action.triggered.connect(handler)
        if separator:
            self.toolbar.addSeparator()
            self.menu.addSeparator()
        self.toolbar.addAction(action)
        self.menu.addAction(action)
        self.actions[spec.id] = action
        return action

    def remove(self) -> None:
        for action in self.actions.values():
            action.triggered.disconnect()
            action.deleteLater()
        self.actions.clear()
        window = self.ctx.main_window
        window.menuBar().removeAction(self.menu.menuAction())
        self.menu.deleteLater()
        window.removeToolBar(self.toolbar)
        self.toolbar.deleteLater()


def resolve_handler(spec: ActionSpec, ctx: PluginContext) -> Optional[Handler]:
    """The click handler of ``spec``; None (and a logged error) if it cannot be made."""
    try:
        factory: HandlerFactory = pkgutil.resolve_name(spec.handler)
        return factory(ctx)
    except Exception as exc:  # noqa: BLE001 - one broken feature must not hide the others
        QgsMessageLog.logMessage(
            f"CovidMaps action {spec.id!r} ({spec.handler}): {exc!r}",
            "CovidMaps",
            Qgis.MessageLevel.Critical,
        )
        return None


def build_ui(ctx: PluginContext, specs: Optional[List[ActionSpec]] = None) -> PluginUi:
    ui = PluginUi(ctx)
    previous_group = None
    for spec in ACTIONS if specs is None else specs:
        handler = resolve_handler(spec, ctx)
        if handler is None:
            continue
        ui.add(spec, handler, separator=previous_group not in (None, spec.group))
        previous_group = spec.group
    return ui
