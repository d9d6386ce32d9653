"""Toolbar handlers of the epidemic-level tools (see ``gui/actions.py``):
announce a level for several units, and the daily list of levels that end
soon (with a button to announce the next ones)."""

from __future__ import annotations

from typing import Callable, Optional

from qgis.core import QgsProject
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QListWidget

from ...core.editing import EditRefusedError
from ...core.editing import levels as el
from ...core.editing.session import EditingSession
from ...i18n import error_text, tr
from ...model import levels as lv
from ..context import PluginContext
from .dialogs import ToolDialog
from .levels_tool import LevelsDialog, ending_soon_text, levels_dialog

Handler = Callable[[bool], None]


def _session(ctx: PluginContext) -> Optional[EditingSession]:
    try:
        session = EditingSession.from_project(QgsProject.instance())
    except EditRefusedError as exc:
        ctx.push_error(error_text(exc))
        return None
    if lv.LAYER_NAME not in session.layers:
        ctx.push_error(tr("This workspace has no epidemic levels layer; reopen it to upgrade."))
        return None
    return session


def _done(ctx: PluginContext) -> Callable[[str, bool], None]:
    def done(message: str, success: bool) -> None:  # noqa: FBT001 - a callback's flag
        (ctx.push_success if success else ctx.push_error)(message)

    return done


def _keep(ctx: PluginContext) -> Callable[[object], None]:
    def keep(task: object) -> None:
        ctx.keep_alive(task)

    return keep


def open_levels_dialog(ctx: PluginContext, session: EditingSession,
                       codes: Optional[list] = None) -> LevelsDialog:
    dialog = levels_dialog(session, _done(ctx), ctx.main_window, _keep(ctx))
    dialog.setObjectName("covidmaps_levels_dialog")
    if codes:
        dialog.set_checked(codes)
    dialog.show()
    ctx.keep_alive(dialog)
    dialog.finished.connect(lambda _result: ctx.release(dialog))
    return dialog


def epidemic_level_handler(ctx: PluginContext) -> Handler:
    def run(_checked: bool = False) -> None:
        session = _session(ctx)
        if session is not None:
            open_levels_dialog(ctx, session)

    return run


class EndingSoonDialog(ToolDialog):
    """The units whose level ends within the next days, to decide on."""

    def __init__(self, lines: list, apply: Callable[[ToolDialog], None], parent=None) -> None:
        super().__init__(
            tr("Epidemic levels ending soon"),
            tr("The level of these units ends within {0} days and no next level is "
               "announced yet.").format(lv.ENDING_SOON_DAYS),
            tr("Announce the next levels…"), apply, parent)
        self.setMinimumWidth(560)
        self.items = QListWidget()
        self.items.setObjectName("ending_soon")
        # a long decision number wraps instead of hiding behind a scroll bar
        self.items.setWordWrap(True)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items.addItems(lines)
        self.items.setMaximumHeight(40 + 24 * min(len(lines), 10))
        self.form.addRow(self.items)


def levels_ending_handler(ctx: PluginContext) -> Handler:
    def run(_checked: bool = False) -> None:
        session = _session(ctx)
        if session is None:
            return
        layer = session.layers[lv.LAYER_NAME]
        soon = el.ending_soon(layer)
        if not soon:
            ctx.push_success(tr("No unit's epidemic level ends in the next {0} days.").format(
                lv.ENDING_SOON_DAYS))
            return

        def announce_next(_dialog: ToolDialog) -> None:
            open_levels_dialog(ctx, session, [item.unit_code for item in soon])

        dialog = EndingSoonDialog(ending_soon_text(layer), announce_next, ctx.main_window)
        dialog.setObjectName("covidmaps_levels_ending_dialog")
        dialog.show()
        ctx.keep_alive(dialog)
        dialog.finished.connect(lambda _result: ctx.release(dialog))

    return run
