"""Today's figures of every open facility in one table, without a Save click.

The panel is not modal: the officer types a number, Enter goes to the next
facility, and each facility's figures go into the layer's edit buffer as
soon as its cell is left (one undo step per facility changed; Ctrl+Z in
QGIS takes the last one back). Nothing waits for a Save button, so nothing
can be forgotten there; the only figure not yet in the layer is the one
still in the cell editor, and :meth:`FiguresPanel.commit_pending` applies
it. The plugin calls that before anything reads the layers: the Publish
dialog, Check the map, and QGIS closing (see ``PluginContext.
commit_pending_edits``); the panel also applies it when the mouse leaves
the panel or a shortcut (Ctrl+…) is pressed in the cell, since whatever the
officer does next happens elsewhere.

A figure the layer must not take (not a whole number, negative, more people
than the capacity) is refused in place: the cell goes back to the figure the
layer holds, the panel says why in the interface language and the cursor
returns to that cell for the correction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, List, Optional, Sequence, Tuple

from qgis.core import QgsVectorLayer
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from qgis.PyQt.QtGui import QKeyEvent, QShowEvent
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.editing import EditRefusedError, update_figures
from ...core.editing.daily_actions import FacilityFigures
from ...core.editing.values import read_instant, read_int
from ...core.validation.table import instant_text
from ...i18n import error_text, tr
from .dialogs import datetime_edit, from_qdatetime

CAPACITY, OCCUPANCY = 1, 2


def parse_figure(text: Any) -> Any:
    """A cell's text as the layer takes it: None (empty), an int, or the
    text itself when it is no whole number (``update_figures`` refuses it
    with the facility's name)."""
    if text is None:
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    stripped = str(text).strip()
    if not stripped:
        return None
    try:
        return int(stripped)
    except ValueError:
        return stripped


class FigureDelegate(QStyledItemDelegate):
    """A plain text editor for a figure (no spin arrows, so anything typed
    reaches the check and is refused with a reason rather than swallowed);
    it remembers the open editor so that the panel can apply it."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.editor: Optional[QLineEdit] = None
        self.on_shortcut: Callable[[], None] = lambda: None

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex  # noqa: N802
                     ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("figure_editor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.installEventFilter(self)
        self.editor = editor
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setText("" if value is None else str(value))  # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)  # type: ignore[attr-defined]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # a shortcut (Ctrl+Q, Ctrl+N, ...) acts elsewhere: the figure first
        if (event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.on_shortcut()
        return super().eventFilter(watched, event)

    def commit(self) -> None:
        """Apply what the open editor holds (the editor stays open)."""
        editor = self.editor
        # a closed editor is hidden, then deleted later: its text is applied
        if editor is not None and not sip.isdeleted(editor) and editor.isVisible():
            self.commitData.emit(editor)


class FiguresTable(QTableWidget):
    """Enter goes down to the next facility's same cell, as in a spreadsheet
    (leaving the cell applies the number typed); on the last row Enter
    applies it and stays."""

    ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in self.ENTER and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            row, column = self.currentRow(), self.currentColumn()
            if 0 <= row < self.rowCount() - 1:
                self.setCurrentCell(row + 1, column)  # moving on applies the typed number
            elif row >= 0:
                self.setCurrentIndex(QModelIndex())  # the view commits its open editor
                self.setCurrentCell(row, column)
            event.accept()  # never the dialog's default button: there is none to press
            return
        super().keyPressEvent(event)


class FiguresPanel(QDialog):
    """The figures table (not modal). ``rows``: ``facility_figures(layer)``."""

    COLUMNS = 4  # name, capacity, occupancy, as of

    def __init__(self, layer: QgsVectorLayer, rows: Sequence[FacilityFigures],
                 now: dt.datetime, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("CovidMapsFiguresPanel")
        self.setWindowTitle(tr("Today's figures"))
        self.setModal(False)
        self.setMinimumWidth(820)  # facility names are long: keep them readable
        self.layer: Optional[QgsVectorLayer] = layer
        self.rows: List[FacilityFigures] = list(rows)
        self.updated: List[str] = []  # names, in the order they were applied
        self._filling = False
        self._refused: Optional[int] = None  # the row whose figure the message is about
        self.intro = QLabel(tr(
            "Type today's figures of each facility: Enter goes to the next facility. "
            "Each facility's figures go into the layer as soon as you leave its cell "
            "(one undo step each); Publish and Check the map take the number you are "
            "still typing. Facilities whose figures change get the time below as their "
            "“figures as of”."))
        self.intro.setWordWrap(True)
        self.as_of = datetime_edit(now)
        self.as_of.setMaximumWidth(220)  # a date and time, not a line of text
        form = QFormLayout()
        form.addRow(tr("Figures as of"), self.as_of)
        self.table = FiguresTable(len(self.rows), self.COLUMNS)
        self.table.setObjectName("figures")
        self.delegate = FigureDelegate(self.table)
        self.delegate.on_shortcut = self.commit_pending
        for column in (CAPACITY, OCCUPANCY):
            self.table.setItemDelegateForColumn(column, self.delegate)
        # typing a digit opens the cell's editor, as in a spreadsheet
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self._fill()
        self.table.itemChanged.connect(self._cell_changed)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B00020;")
        self.problem.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.table)
        layout.addWidget(self.problem)
        layout.addWidget(self.status)
        layout.addStretch(1)  # a taller panel keeps its rows together at the top
        layout.addWidget(buttons)
        self._fit_rows()
        if parent is not None:  # QGIS closing by its window: the figure first
            parent.installEventFilter(self)
        # the project closed (after QGIS asked about unsaved edits): no rows left
        layer.willBeDeleted.connect(self._layer_gone)
        # saved (Publish saves the edits): the status says so, not "not saved yet"
        layer.afterCommitChanges.connect(self._saved)
        # changed elsewhere (Undo, the attribute form): the table shows the layer
        layer.attributeValueChanged.connect(self._changed_elsewhere)

    # ------------------------------------------------------------ the table
    def _fill(self) -> None:
        self._filling = True
        try:
            self.table.setHorizontalHeaderLabels(
                [tr("Facility"), tr("Capacity"), tr("People in quarantine"),
                 tr("Last figures")])
            self.table.verticalHeader().setVisible(False)
            fixed = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
            for index, row in enumerate(self.rows):
                name = QTableWidgetItem(row.name)
                name.setToolTip(row.name)
                name.setFlags(fixed)
                self.table.setItem(index, 0, name)
                for column, value in ((CAPACITY, row.capacity), (OCCUPANCY, row.occupancy)):
                    item = QTableWidgetItem()
                    item.setTextAlignment(
                        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
                    if value is not None:
                        item.setData(Qt.ItemDataRole.EditRole, int(value))
                    self.table.setItem(index, column, item)
                last = QTableWidgetItem(instant_text(row.figures_as_of) or "—")
                last.setFlags(fixed)
                self.table.setItem(index, 3, last)
            header = self.table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            for column in (1, 2, 3):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            if self.rows:
                self.table.setCurrentCell(0, OCCUPANCY)  # the number that changes every day
        finally:
            self._filling = False

    def _fit_rows(self) -> None:
        """As tall as its rows (no blank band in or around a short list),
        scrolling past 420 pixels."""
        table = self.table
        height = (table.horizontalHeader().sizeHint().height()
                  + table.verticalHeader().length() + 2 * table.frameWidth())
        table.setMinimumHeight(min(height, 420))
        table.setMaximumHeight(height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)  # typing goes in the table

    def _stored(self, fid: int) -> Tuple[Optional[int], Optional[int]]:
        feature = self.layer.getFeature(fid)
        return read_int(feature["capacity"]), read_int(feature["occupancy"])

    def _set_cells(self, index: int, values: Tuple[Optional[int], Optional[int]]) -> None:
        self._filling = True
        try:
            for column, value in zip((CAPACITY, OCCUPANCY), values):
                self.table.item(index, column).setData(
                    Qt.ItemDataRole.EditRole, None if value is None else int(value))
        finally:
            self._filling = False

    def typed(self, index: int) -> Tuple[Any, Any]:
        """(capacity, occupancy) of row ``index`` as typed."""
        values = []
        for column in (CAPACITY, OCCUPANCY):
            item = self.table.item(index, column)
            values.append(parse_figure(item.data(Qt.ItemDataRole.EditRole)))
        return values[0], values[1]

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or self.layer is None or item.column() not in (CAPACITY, OCCUPANCY):
            return
        self.apply_row(item.row(), item.column())

    def apply_row(self, index: int, column: int = OCCUPANCY) -> bool:
        """Write row ``index``'s figures into the layer's edit buffer (one
        undo step), or refuse them in place. True if the layer has them."""
        row = self.rows[index]
        figures = self.typed(index)
        try:
            changed = update_figures(self.layer, {row.fid: figures},
                                     from_qdatetime(self.as_of.dateTime()))
        except EditRefusedError as exc:
            self._set_cells(index, self._stored(row.fid))  # what the layer holds
            self.problem.setText(error_text(exc))
            self.problem.show()
            self._refused = index
            # back to the refused cell, once the view has finished moving on
            QTimer.singleShot(0, lambda: self._back_to(index, column))
            return False
        self._set_cells(index, figures)  # "12 " shows as 12
        if self._refused == index:  # corrected: the message has done its work
            self._refused = None
            self.problem.hide()
        if changed:
            # the "last figures" column follows: these are now the last ones
            as_of = read_instant(self.layer.getFeature(row.fid)["figures_as_of"])
            self.table.item(index, 3).setText(instant_text(as_of) or "—")
            if row.name in self.updated:
                self.updated.remove(row.name)
            self.updated.append(row.name)
            self.status.setText(
                tr("In the layer, not saved yet: the figures of {0} facilities ({1}).")
                .format(len(self.updated), ", ".join(f"«{n}»" for n in self.updated)))
        return True

    def _changed_elsewhere(self, fid: int, field_index: int, _value: Any) -> None:
        if sip.isdeleted(self) or self.layer is None or self._filling:
            return
        index = next((i for i, row in enumerate(self.rows) if row.fid == fid), None)
        name = self.layer.fields().at(field_index).name()
        if index is None or name not in ("capacity", "occupancy", "figures_as_of"):
            return
        self._set_cells(index, self._stored(fid))
        as_of = read_instant(self.layer.getFeature(fid)["figures_as_of"])
        self.table.item(index, 3).setText(instant_text(as_of) or "—")

    def _saved(self) -> None:
        if self.updated and not sip.isdeleted(self):
            self.status.setText(tr("Saved in the workspace: the figures of {0} facilities ({1}).")
                                .format(len(self.updated),
                                        ", ".join(f"«{n}»" for n in self.updated)))
            self.updated = []

    def _back_to(self, index: int, column: int) -> None:
        if not sip.isdeleted(self.table):  # the panel may have closed meanwhile
            self.table.setCurrentCell(index, column)

    # ------------------------------------------------------------ pending
    def commit_pending(self) -> None:
        """Apply the figure still in the cell editor, if any (before a
        publish, a check or QGIS closing reads the layer)."""
        if self.layer is not None and not sip.isdeleted(self):
            self.delegate.commit()

    def _layer_gone(self) -> None:
        self.layer = None
        self.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.parent() and event.type() == QEvent.Type.Close:
            self.commit_pending()
        return super().eventFilter(watched, event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        # the mouse leaves the panel: whatever the officer clicks next
        # (Publish, a menu, the window's close button) is elsewhere
        self.commit_pending()
        super().leaveEvent(event)


__all__ = ["FigureDelegate", "FiguresPanel", "FiguresTable", "parse_figure"]
