"""Small repairs of QGIS's attribute form widgets, applied to the forms the
plugin opens (a new feature's form):

- typing a date into an empty date field works (QGIS 3.22 shows today's
  date in an empty field that gets the focus but ignores what is typed);
- a date typed whole (every digit of its format, e.g. 12 for
  dd/MM/yyyy HH:mm) moves the cursor on to the next field when that is a
  date too (exposure from -> exposure until), as in a paper form's boxes;
- the calendar of a date field speaks the interface language and stays
  readable when the field is marked as required (QGIS colours the field,
  and the colour used to reach the calendar's header: white on pale orange);
- the cursor starts in the first field the officer types in;
- an empty list field says "(choose)", not "(NULL)".
"""

from __future__ import annotations

from typing import List

from qgis.core import QgsApplication
from qgis.gui import QgsAttributeDialog, QgsDateTimeEdit
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QDate, QDateTime, QEvent, QLocale, QObject, Qt, QTime, QTimer
from qgis.PyQt.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QWidget,
)

from ...core.editing.new_feature import now_in_province
from ...i18n import tr

# an explicit style on the calendar wins over the one its field inherits
CALENDAR_STYLE = (
    "QCalendarWidget QWidget { background-color: #FFFFFF; color: #1A1A1A; }"
    "QCalendarWidget QWidget#qt_calendar_navigationbar { background-color: #2F5D8A; }"
    "QCalendarWidget QWidget#qt_calendar_navigationbar QToolButton "
    "{ color: #FFFFFF; background-color: transparent; font-weight: bold; }"
    "QCalendarWidget QAbstractItemView:enabled { color: #1A1A1A; "
    "selection-background-color: #2F5D8A; selection-color: #FFFFFF; }"
    "QCalendarWidget QAbstractItemView:disabled { color: #8A8A8A; }"
)

_DIGITS = {getattr(Qt.Key, f"Key_{d}") for d in range(10)}


def format_digits(display_format: str) -> int:
    """How many digits a whole date of ``display_format`` takes."""
    return sum(1 for char in display_format if char in "dMyHhms")


class TypeIntoEmptyDate(QObject):
    """The first digit typed into an empty date field starts a date there
    (today's, shown already), day section first, so "25112021" gives
    25/11/2021. Once every digit of the field is typed in a row, the cursor
    moves on to the next field if that is a date too."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._typed: dict = {}  # C++ address of the edit -> digits typed in a row

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.FocusIn):
            return False
        edit = watched if watched.inherits("QgsDateTimeEdit") else watched.parent()
        if edit is None or not edit.inherits("QgsDateTimeEdit"):
            return False
        edit = sip.cast(edit, QgsDateTimeEdit)
        if kind == QEvent.Type.FocusIn or event.key() not in _DIGITS:
            self._typed[sip.unwrapinstance(edit)] = 0  # a Tab, Backspace, arrow... starts over
            return False
        key = sip.unwrapinstance(edit)  # the C++ widget: wrappers come and go
        if edit.isNull():
            # the province's wall clock, which need not be the machine's
            now = now_in_province()
            edit.setDateTime(QDateTime(QDate(now.year, now.month, now.day),
                                       QTime(now.hour, now.minute)))
            edit.setCurrentSection(edit.sectionAt(0))
            edit.setSelectedSection(edit.sectionAt(0))
            self._typed[key] = 0
        if not watched.inherits("QgsDateTimeEdit"):
            return False  # counted where the spin box gets it, never twice
        typed = self._typed.get(key, 0) + 1
        self._typed[key] = typed
        if typed >= format_digits(edit.displayFormat()):
            self._typed[key] = 0
            # after the edit has taken this last digit
            QTimer.singleShot(0, lambda: _next_date_field(edit))
        return False


def _next_date_field(edit: QgsDateTimeEdit) -> None:
    if sip.isdeleted(edit) or not edit.hasFocus() and not edit.lineEdit().hasFocus():
        return
    window = edit.window()
    fields = typing_widgets(window)
    mine = {sip.unwrapinstance(edit), sip.unwrapinstance(edit.lineEdit())}
    here = [i for i, w in enumerate(fields) if sip.unwrapinstance(w) in mine]
    if not here or here[-1] + 1 >= len(fields):
        return
    after = fields[here[-1] + 1]
    target = after if after.inherits("QDateTimeEdit") else after.parent()
    if target is not None and target.inherits("QgsDateTimeEdit"):
        after.setFocus(Qt.FocusReason.TabFocusReason)


def polish_date_edit(edit: QgsDateTimeEdit, lang: str, typing: TypeIntoEmptyDate) -> None:
    if edit.calendarPopup():
        calendar = edit.calendarWidget()
        calendar.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
                           if lang == "vi" else QLocale(QLocale.Language.English,
                                                        QLocale.Country.UnitedKingdom))
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        calendar.setStyleSheet(CALENDAR_STYLE)
    edit.installEventFilter(typing)
    edit.lineEdit().installEventFilter(typing)


def typing_widgets(dialog: QWidget) -> List[QWidget]:
    """Widgets that accept typing, in tab order (no tab bar, no button,
    nothing read-only)."""
    found = []
    widget = dialog.nextInFocusChain()
    # C++ addresses: Python wrappers are made afresh and their id() reused
    start = sip.unwrapinstance(dialog)
    seen = set()
    while widget is not None and sip.unwrapinstance(widget) not in seen \
            and sip.unwrapinstance(widget) != start:
        seen.add(sip.unwrapinstance(widget))
        if (widget.isEnabled() and widget.isVisibleTo(dialog)
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not isinstance(widget, (QTabBar, QAbstractButton, QTabWidget, QScrollArea))
                # a spin box's own line edit: the spin box is the field
                and not isinstance(widget.parent(), QAbstractSpinBox)
                and not getattr(widget, "isReadOnly", lambda: False)()):
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


def date_edits(parent: QWidget) -> List[QgsDateTimeEdit]:
    """The QGIS date/time fields under ``parent`` (PyQt sees them as plain
    QDateTimeEdits: findChildren(QgsDateTimeEdit) finds none)."""
    return [sip.cast(edit, QgsDateTimeEdit) for edit in parent.findChildren(QDateTimeEdit)
            if edit.inherits("QgsDateTimeEdit")]


def name_empty_choices(dialog: QWidget) -> None:
    """A list field still empty shows "(choose)" rather than QGIS's
    "(NULL)" (or "()" while the form shows empty fields blank)."""
    empty = {"()", "(NULL)", "(" + QgsApplication.nullRepresentation() + ")"}
    for combo in dialog.findChildren(QComboBox):
        for index in range(combo.count()):
            if combo.itemText(index) in empty:
                combo.setItemText(index, tr("(choose)"))


def polish_form(dialog: QgsAttributeDialog, lang: str) -> None:
    typing = TypeIntoEmptyDate(dialog)
    dialog.covidmaps_typing = typing  # lives as long as the form
    for edit in date_edits(dialog):
        polish_date_edit(edit, lang, typing)
    name_empty_choices(dialog)


def focus_first_field(dialog: QWidget) -> None:
    """Put the cursor in the first field to type (never the read-only id)."""
    candidates = typing_widgets(dialog)
    if candidates:
        candidates[0].setFocus(Qt.FocusReason.OtherFocusReason)
