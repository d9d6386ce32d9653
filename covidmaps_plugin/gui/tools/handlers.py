"""Toolbar handlers of the editing tools (see ``gui/actions.py``).

Each factory takes the plugin context and returns what runs on a click. The
open workspace is looked up at each click, so the tools follow whichever
workspace the officer opened last.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional

from qgis.core import Qgis, QgsPointXY, QgsProject
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QCursor
from qgis.PyQt.QtWidgets import QDialog, QMenu

from ...core.editing import EditRefusedError, expired_risk_point_ids, now_in_province
from ...core.editing.session import EditingSession
from ...i18n import error_text, tr
from ..ask import ask
from ..context import PluginContext
from . import daily
from .figures_panel import FiguresPanel
from .place_tool import PlaceFeatureTool
from .quick_updates import QuickUpdate, close_clicked_facility, extend_clicked_zone
from .zone_tools import (
    PickFeatureTool,
    PickPointTool,
    radius_dialog,
    selected_point,
    start_zone_drawing,
    units_dialog,
)

Handler = Callable[[bool], None]
MESSAGE_SECONDS = 8


def _session(ctx: PluginContext) -> Optional[EditingSession]:
    try:
        return EditingSession.from_project(QgsProject.instance())
    except EditRefusedError as exc:
        ctx.push_error(error_text(exc))
        return None


def _guarded(ctx: PluginContext, action: Callable[[EditingSession], None]) -> Handler:
    """A click handler that finds the workspace, runs ``action`` and shows a
    refusal in the message bar."""

    def run(_checked: bool = False) -> None:
        session = _session(ctx)
        if session is None:
            return
        try:
            action(session)
        except EditRefusedError as exc:
            ctx.push_error(error_text(exc))

    return run


def _map_tool_holder(ctx: PluginContext) -> Dict[str, object]:
    """Keeps the active map tool alive; unsets it when the plugin unloads."""
    holder: Dict[str, object] = {}

    def release() -> None:
        tool = holder.pop("tool", None)
        if tool is not None:
            ctx.iface.mapCanvas().unsetMapTool(tool)

    ctx.on_unload(release)
    return holder


# -------------------------------------------------------------- place tools

def _place_handler(ctx: PluginContext, layer_name: str) -> Handler:
    holder = _map_tool_holder(ctx)

    def activate(session: EditingSession) -> None:
        canvas = ctx.iface.mapCanvas()
        tool = PlaceFeatureTool(canvas, session, layer_name)
        tool.message.connect(
            lambda text, level: ctx.push_message(text, Qgis.MessageLevel(level), MESSAGE_SECONDS)
        )
        tool.featurePlaced.connect(
            lambda _feature: ctx.push_success(tr("Added. Save the layer's edits to keep it."))
        )
        holder["tool"] = tool
        ctx.iface.setActiveLayer(session.layers[layer_name])
        canvas.setMapTool(tool)
        ctx.push_message(tr("Click the place on the map; the form opens there."),
                         Qgis.MessageLevel.Info, MESSAGE_SECONDS)

    return _guarded(ctx, activate)


def place_risk_point_handler(ctx: PluginContext) -> Handler:
    return _place_handler(ctx, "risk_points")


def place_facility_handler(ctx: PluginContext) -> Handler:
    return _place_handler(ctx, "quarantine_facilities")


def place_checkpoint_handler(ctx: PluginContext) -> Handler:
    return _place_handler(ctx, "checkpoints")


# --------------------------------------------------------------- zone tools

def draw_zone_handler(ctx: PluginContext) -> Handler:
    def draw(session: EditingSession) -> None:
        start_zone_drawing(ctx.iface, session)
        ctx.push_message(
            tr("Draw the zone: click its corners, right-click to finish. "
               "Corners snap to the administrative boundaries."),
            Qgis.MessageLevel.Info, MESSAGE_SECONDS,
        )

    return _guarded(ctx, draw)


def zone_from_units_handler(ctx: PluginContext) -> Handler:
    return _guarded(ctx, lambda session: units_dialog(session, ctx.main_window).exec())


def zone_around_point_handler(ctx: PluginContext) -> Handler:
    holder = _map_tool_holder(ctx)

    def start(session: EditingSession) -> None:
        active = ctx.iface.activeLayer()
        centre = selected_point(active) if session.layer_def_of(active) else None
        if centre is not None:
            radius_dialog(session, centre, active.crs(), ctx.main_window).exec()
            return
        canvas = ctx.iface.mapCanvas()
        tool = PickPointTool(canvas)

        def picked(point: QgsPointXY) -> None:
            holder.pop("tool", None)
            try:
                radius_dialog(session, point, canvas.mapSettings().destinationCrs(),
                              ctx.main_window).exec()
            except EditRefusedError as exc:
                ctx.push_error(error_text(exc))

        tool.picked.connect(picked)
        holder["tool"] = tool
        canvas.setMapTool(tool)
        ctx.push_message(tr("Click the centre of the zone on the map (or select a point first)."),
                         Qgis.MessageLevel.Info, MESSAGE_SECONDS)

    return _guarded(ctx, start)


# ------------------------------------------------------------ daily updates

def _expire(ctx: PluginContext, session: EditingSession) -> None:
    count = len(expired_risk_point_ids(session.layers["risk_points"], now_in_province()))
    if count == 0:
        ctx.push_success(tr("No risk point has passed its visible-until date."))
        return
    question = (tr("The active risk point «{0}» has passed its visible-until date. "
                   "Mark it as expired?") if count == 1 else
                tr("{0} active risk points have passed their visible-until date. "
                   "Mark them as expired?"))
    if count == 1:
        layer = session.layers["risk_points"]
        fid = expired_risk_point_ids(layer, now_in_province())[0]
        question = question.format(daily.feature_names(layer, [fid])[0])
    else:
        question = question.format(count)
    if ask(ctx.main_window, tr("Expire risk points"), question):
        expired = daily.expire_now(session)
        ctx.push_success(tr("{0} risk points marked as expired.").format(expired)
                         if expired != 1 else tr("1 risk point marked as expired."))


def run_tool_dialog(ctx: PluginContext, dialog) -> bool:
    """Show a daily dialog; once it did its work, say what it did."""
    accepted = dialog.exec() == int(QDialog.DialogCode.Accepted)
    if accepted and dialog.done_message:
        ctx.push_success(dialog.done_message)
    return accepted


def _on_clicked_feature(ctx: PluginContext, holder: Dict[str, object], layer_name: str,
                        factory: Callable, quick: Optional[QuickUpdate] = None
                        ) -> Callable[[EditingSession], None]:
    """Act on the selection of ``layer_name`` (whatever layer is active); with
    nothing selected there, on the feature the officer clicks next: at once
    with ``quick`` (undoable from the message bar), else through the dialog."""

    def start(session: EditingSession) -> None:
        if daily.selected_ids(session, layer_name):
            run_tool_dialog(ctx, factory(session, ctx.main_window))
            return
        layer = session.layers[layer_name]
        canvas = ctx.iface.mapCanvas()
        tool = PickFeatureTool(canvas, layer)

        def picked(fid: int) -> None:
            canvas.unsetMapTool(tool)
            holder.pop("tool", None)
            try:
                if quick is not None:
                    quick(ctx, layer, fid)
                else:
                    run_tool_dialog(ctx, factory(session, ctx.main_window, ids=[fid]))
            except EditRefusedError as exc:
                ctx.push_error(error_text(exc))

        tool.picked.connect(picked)
        tool.missed.connect(lambda: ctx.push_message(
            tr("Nothing of «{0}» there: click on the feature itself.").format(layer.name()),
            Qgis.MessageLevel.Warning, MESSAGE_SECONDS))
        holder["tool"] = tool
        canvas.setMapTool(tool)
        ctx.push_message(tr("Click the feature on the map: «{0}».").format(layer.name()),
                         Qgis.MessageLevel.Info, MESSAGE_SECONDS)

    return start


# the three updates of nearly every day, one click each on the toolbar (the
# Daily updates menu keeps them too, with the rarer ones, as dialogs): the
# toolbar's extend and close act on the clicked feature at once, with the
# usual values, and the message bar offers Undo

def extend_zone_handler(ctx: PluginContext) -> Handler:
    return _guarded(ctx, _on_clicked_feature(ctx, _map_tool_holder(ctx), "isolation_zones",
                                             daily.extend_dialog, extend_clicked_zone))


def close_facility_handler(ctx: PluginContext) -> Handler:
    return _guarded(ctx, _on_clicked_feature(ctx, _map_tool_holder(ctx),
                                             "quarantine_facilities",
                                             daily.close_facility_dialog,
                                             close_clicked_facility))


def figures_opener(ctx: PluginContext) -> Callable[[EditingSession], None]:
    """Show the figures panel (one at a time, not modal: the officer goes on
    to Publish with it open; the number still being typed is applied first,
    see ``PluginContext.commit_pending_edits``)."""
    holder: Dict[str, FiguresPanel] = {}

    def remove() -> None:
        panel = holder.pop("panel", None)
        if panel is not None and not sip.isdeleted(panel):
            panel.commit_pending()
            ctx.drop_pending_edits(panel.commit_pending)
            panel.close()
            panel.deleteLater()

    def open_panel(session: EditingSession) -> None:
        old = holder.get("panel")
        if old is not None and not sip.isdeleted(old):
            remove()  # today's rows, from the workspace open now
        panel = daily.figures_panel(session, ctx.main_window)
        panel.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        holder["panel"] = panel
        ctx.on_pending_edits(panel.commit_pending)
        panel.finished.connect(panel.commit_pending)  # Close, Esc: the last number too
        panel.destroyed.connect(lambda *_: ctx.drop_pending_edits(panel.commit_pending))
        panel.show()
        panel.raise_()
        panel.activateWindow()

    ctx.on_unload(remove)
    return open_panel


def figures_handler(ctx: PluginContext) -> Handler:
    return _guarded(ctx, figures_opener(ctx))


def daily_updates_handler(ctx: PluginContext) -> Handler:
    """A menu of the daily updates, at the mouse pointer."""
    holder = _map_tool_holder(ctx)

    def picking(layer_name: str, name: str) -> Callable[[EditingSession], None]:
        return _on_clicked_feature(ctx, holder, layer_name, getattr(daily, name))

    entries = [
        (tr("Lift isolation zone…"), picking("isolation_zones", "lift_dialog")),
        (tr("Extend isolation zone…"), picking("isolation_zones", "extend_dialog")),
        (tr("Update quarantine figures…"), figures_opener(ctx)),
        (tr("Close quarantine facility…"),
         picking("quarantine_facilities", "close_facility_dialog")),
        (tr("Disband checkpoint…"), picking("checkpoints", "disband_checkpoint_dialog")),
        (tr("Expire risk points past their date…"), lambda session: _expire(ctx, session)),
    ]
    menu = QMenu(ctx.main_window)
    menu.setObjectName("CovidMapsDailyMenu")
    for text, action in entries:
        menu.addAction(text).triggered.connect(_guarded(ctx, action))
    ctx.on_unload(menu.deleteLater)

    def show(_checked: bool = False) -> None:
        menu.popup(QCursor.pos())

    return show
