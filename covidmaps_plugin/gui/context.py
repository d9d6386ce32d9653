"""What action handlers get from the running plugin (``PluginContext``).

Handlers reach QGIS through this object rather than globals, and register
whatever they create (docks, map tools, running tasks) so that unloading the
plugin removes it all.
"""

from __future__ import annotations

from typing import Any, Callable, List, Set

from qgis.core import Qgis, QgsTask
from qgis.PyQt.QtWidgets import QWidget

MESSAGE_TITLE = "CovidMaps"
TASK_STOP_TIMEOUT_MS = 10_000


class PluginContext:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self._cleanups: List[Callable[[], None]] = []
        self._alive: Set[Any] = set()
        self._pending: List[Callable[[], None]] = []
        self.unloading = False

    @property
    def main_window(self) -> QWidget:
        return self.iface.mainWindow()

    # ------------------------------------------------------------ messages
    def push_message(self, text: str, level: Qgis.MessageLevel, duration: int = 0) -> None:
        """Show ``text`` in the QGIS message bar (duration 0 = until closed)."""
        if self.unloading:
            return
        self.iface.messageBar().pushMessage(MESSAGE_TITLE, text, level, duration)

    def push_success(self, text: str) -> None:
        self.push_message(text, Qgis.MessageLevel.Success, 8)

    def push_warning(self, text: str) -> None:
        self.push_message(text, Qgis.MessageLevel.Warning, 0)

    def push_error(self, text: str) -> None:
        self.push_message(text, Qgis.MessageLevel.Critical, 0)

    # ------------------------------------------------------------ pending edits
    def on_pending_edits(self, commit: Callable[[], None]) -> None:
        """``commit`` applies what an open panel holds but has not written
        to its layer yet (a number still in a cell editor)."""
        if commit not in self._pending:
            self._pending.append(commit)

    def drop_pending_edits(self, commit: Callable[[], None]) -> None:
        if commit in self._pending:
            self._pending.remove(commit)

    def commit_pending_edits(self) -> None:
        """Before anything reads the layers (Publish, Check the map): what
        the officer typed goes into the layers first, so none of it is left
        out or lost."""
        for commit in list(self._pending):
            commit()

    # ------------------------------------------------------------ lifetime
    def on_unload(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` when the plugin unloads (last registered, first run)."""
        self._cleanups.append(cleanup)

    def keep_alive(self, *objects: Any) -> None:
        """Hold Python references (tasks, their feedback) until :meth:`release`."""
        self._alive.add(objects)

    def release(self, *objects: Any) -> None:
        self._alive.discard(objects)

    def unload(self) -> None:
        self.unloading = True
        while self._cleanups:
            self._cleanups.pop()()
        # tasks still running use objects we hold: stop them before letting go
        for objects in list(self._alive):
            for obj in objects:
                if isinstance(obj, QgsTask):
                    obj.cancel()
                    obj.waitForFinished(TASK_STOP_TIMEOUT_MS)
        self._alive.clear()
