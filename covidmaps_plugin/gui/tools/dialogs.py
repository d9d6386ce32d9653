"""Small dialogs of the editing tools.

Each dialog only collects input. Its ``apply`` callback does the work through
``core.editing``; a refusal (:class:`EditRefusedError`) is shown inside the
dialog, which stays open with nothing changed, so the officer can correct it.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional, Sequence, Tuple

from qgis.gui import QgsDateEdit, QgsDateTimeEdit
from qgis.PyQt.QtCore import QDate, QDateTime, QModelIndex, Qt, QTime
from qgis.PyQt.QtGui import QKeyEvent, QShowEvent
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.editing import EditRefusedError
from ...core.validation.table import instant_text
from ...i18n import error_text, tr
from ...model import PROVINCE_TZ

Apply = Callable[["ToolDialog"], None]


def to_qdatetime(instant: dt.datetime) -> QDateTime:
    local = instant.astimezone(PROVINCE_TZ)
    return QDateTime(QDate(local.year, local.month, local.day),
                     QTime(local.hour, local.minute, local.second))


def from_qdatetime(value: QDateTime) -> dt.datetime:
    """What the officer typed, read as province time."""
    date, time = value.date(), value.time()
    return dt.datetime(date.year(), date.month(), date.day(), time.hour(), time.minute(),
                       tzinfo=PROVINCE_TZ)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class ToolDialog(QDialog):
    """A form with a short explanation, fields, a problem line and OK/Cancel."""

    def __init__(self, title: str, intro: str, ok_text: str, apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.apply = apply
        # what ``apply`` made, e.g. the attribute form of a new zone
        self.created: Optional[QDialog] = None
        # what ``apply`` did, in words, for the message bar afterwards
        self.done_message = ""
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B00020;")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        try:
            self.apply(self)
        except EditRefusedError as exc:
            self.problem.setText(error_text(exc))
            self.problem.show()
            return
        super().accept()


def datetime_edit(value: dt.datetime) -> QgsDateTimeEdit:
    edit = QgsDateTimeEdit()
    edit.setAllowNull(False)
    edit.setDisplayFormat("dd/MM/yyyy HH:mm")
    edit.setDateTime(to_qdatetime(value))
    return edit


def date_edit(value: dt.date) -> QgsDateEdit:
    edit = QgsDateEdit()
    edit.setAllowNull(False)
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setDate(QDate(value.year, value.month, value.day))
    return edit


def decision_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(tr("e.g. 123/QĐ-UBND"))
    edit.setMaxLength(80)
    return edit


class AdminUnitsDialog(ToolDialog):
    """Pick districts or communes for a zone that follows their boundaries."""

    def __init__(self, units: Sequence[Tuple[str, str]], apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Isolation zone from administrative units"),
            tr("Tick the districts or communes the decision puts under isolation. "
               "The zone is their combined area."),
            tr("Create zone"), apply, parent,
        )
        self.units = QListWidget()
        self.units.setObjectName("units")
        for code, name in units:
            item = QListWidgetItem(f"{name} ({code})")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.units.addItem(item)
        self.form.addRow(self.units)

    def set_checked(self, codes: Sequence[str]) -> None:
        for i in range(self.units.count()):
            item = self.units.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def checked_codes(self) -> List[str]:
        return [
            self.units.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.units.count())
            if self.units.item(i).checkState() == Qt.CheckState.Checked
        ]


class RadiusDialog(ToolDialog):
    """The radius of a zone around a point, in metres."""

    def __init__(self, apply: Apply, parent: Optional[QWidget] = None,
                 radius_m: float = 500.0) -> None:
        super().__init__(
            tr("Isolation zone around a point"),
            tr("The zone is a circle around the chosen place; the radius is measured "
               "on the ground, in metres."),
            tr("Create zone"), apply, parent,
        )
        self.radius = QDoubleSpinBox()
        self.radius.setObjectName("radius")
        self.radius.setRange(0.0, 50_000.0)
        self.radius.setDecimals(0)
        self.radius.setSingleStep(50.0)
        self.radius.setSuffix(" m")
        self.radius.setValue(radius_m)
        self.form.addRow(tr("Radius"), self.radius)


def named(names: Sequence[str], shown: int = 6) -> str:
    """«A», «B», «C» and 2 more."""
    text = ", ".join(f"«{name}»" for name in names[:shown])
    if len(names) > shown:
        text += " " + tr("and {0} more").format(len(names) - shown)
    return text


def one_or_many(names: Sequence[str], one: str, many: str) -> str:
    """``one`` with the single name, or ``many`` with the count and names
    (English has a singular and a plural; Vietnamese nouns do not inflect)."""
    if len(names) == 1:
        return one.format(names[0])
    return many.format(len(names), named(names))


class LiftZoneDialog(ToolDialog):
    def __init__(self, names: Sequence[str], now: dt.datetime, apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Lift isolation zone"),
            one_or_many(names, tr("Lift the zone «{0}»: it leaves the public map."),
                        tr("Lift these {0} zones: {1}. They leave the public map.")),
            tr("Lift"), apply, parent,
        )
        self.decision = decision_edit()
        self.lifted_on = datetime_edit(now)
        self.form.addRow(tr("Lifting decision number"), self.decision)
        self.form.addRow(tr("Lifted at"), self.lifted_on)


class ExtendZoneDialog(ToolDialog):
    def __init__(self, names: Sequence[str], until: dt.datetime, apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Extend isolation zone"),
            one_or_many(names, tr("Extend the zone «{0}» to a later end."),
                        tr("Extend these {0} zones to a later end: {1}.")),
            tr("Extend"), apply, parent,
        )
        self.until = datetime_edit(until)
        self.decision = decision_edit()
        self.form.addRow(tr("New end"), self.until)
        self.form.addRow(tr("Extension decision number"), self.decision)


class CloseDialog(ToolDialog):
    def __init__(self, title: str, intro: str, today: dt.date, apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(title, intro, tr("Confirm"), apply, parent)
        self.closed_on = date_edit(today)
        self.form.addRow(tr("Closed on"), self.closed_on)


class OccupancyDialog(ToolDialog):
    def __init__(self, name: str, occupancy: int, capacity: Optional[int], apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Today's figures"),
            tr("People now in «{0}» (capacity {1}).").format(
                name, "?" if capacity is None else capacity),
            tr("Save"), apply, parent,
        )
        self.occupancy = QSpinBox()
        self.occupancy.setObjectName("occupancy")
        # the spin box allows any count: a number above capacity is refused
        # with an explanation rather than silently clipped
        self.occupancy.setRange(0, 100_000)
        self.occupancy.setValue(occupancy)
        self.form.addRow(tr("People in quarantine"), self.occupancy)


class FiguresTable(QTableWidget):
    """Enter goes down to the next facility's same cell, as in a spreadsheet
    (the number typed is kept); on the last row it is left to the dialog,
    whose default button saves them all."""

    ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in self.ENTER and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            row, column = self.currentRow(), self.currentColumn()
            if 0 <= row < self.rowCount() - 1:
                self.setCurrentCell(row + 1, column)  # moving on keeps the typed number
                event.accept()
                return
            self._keep_typed()
        super().keyPressEvent(event)

    def _keep_typed(self) -> None:
        """Store the number being typed now (the dialog reads the table next):
        the view commits an open editor when its cursor moves."""
        row, column = self.currentRow(), self.currentColumn()
        self.setCurrentIndex(QModelIndex())
        self.setCurrentCell(row, column)


class FiguresDialog(ToolDialog):
    """Today's figures of every facility in one table: the cursor in the
    first facility's people, type a number, Enter to the next facility;
    Enter on the last one saves them all."""

    COLUMNS = 4  # name, capacity, occupancy, as of

    def __init__(self, rows: Sequence, now: dt.datetime, apply: Apply,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Today's figures"),
            tr("Type today's figures of each facility: Enter goes to the next facility, "
               "and on the last one saves them all. Facilities whose figures change get "
               "the time below as their “figures as of”."),
            tr("Save"), apply, parent,
        )
        self.setMinimumWidth(820)  # facility names are long: keep them readable
        self.rows = list(rows)
        self.as_of = datetime_edit(now)
        self.form.addRow(tr("Figures as of"), self.as_of)
        self.table = FiguresTable(len(self.rows), self.COLUMNS)
        self.table.setObjectName("figures")
        self.table.setHorizontalHeaderLabels(
            [tr("Facility"), tr("Capacity"), tr("People in quarantine"), tr("Last figures")])
        self.table.verticalHeader().setVisible(False)
        fixed = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        for index, row in enumerate(self.rows):
            name = QTableWidgetItem(row.name)
            name.setToolTip(row.name)
            name.setFlags(fixed)
            self.table.setItem(index, 0, name)
            for column, value in ((1, row.capacity), (2, row.occupancy)):
                item = QTableWidgetItem()
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
        self.table.setMinimumHeight(min(420, 40 + 30 * max(1, len(self.rows))))
        self.form.addRow(self.table)
        if self.rows:
            self.table.setCurrentCell(0, 2)  # the number that changes every day

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)  # typing goes in the table

    def figures(self) -> dict:
        """fid -> (capacity, occupancy) as typed (None: empty cell)."""
        result = {}
        for index, row in enumerate(self.rows):
            values = []
            for column in (1, 2):
                item = self.table.item(index, column)
                data = item.data(Qt.ItemDataRole.EditRole) if item is not None else None
                try:
                    values.append(None if data in (None, "") else int(data))
                except (TypeError, ValueError):
                    values.append(-1)  # refused with the facility's name
            result[row.fid] = (values[0], values[1])
        return result
