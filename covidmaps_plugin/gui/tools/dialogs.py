"""Small dialogs of the editing tools.

Each dialog only collects input. Its ``apply`` callback does the work through
``core.editing``; a refusal (:class:`EditRefusedError`) is shown inside the
dialog, which stays open with nothing changed, so the officer can correct it.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional, Sequence, Tuple

from qgis.gui import QgsDateEdit, QgsDateTimeEdit
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.editing import EditRefusedError
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
