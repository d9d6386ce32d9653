"""The officer's epidemic-level tool and the daily "levels ending soon" list.

Thin GUI over ``core.editing.levels``: the dialog collects the units (ticked
in a list, or taken from the features selected on the map), the level, the
decision and the dates; the units' polygons are read from the workspace file
in a ``QgsTask`` (official commune polygons can be large), then the change is
written in the main thread as one undo step. Nothing is overwritten: the
level in force ends the day before the new one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from qgis.core import QgsApplication, QgsTask, QgsVectorLayer
from qgis.gui import QgsDateEdit
from qgis.PyQt.QtCore import QDate, Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from ...core.editing import EditRefusedError, now_in_province
from ...core.editing import levels as el
from ...core.editing.session import EditingSession
from ...core.i18n import current_language
from ...core.project_setup import source_path
from ...i18n import error_text, tr
from ...model import levels as lv
from .dialogs import ToolDialog, from_qdate

Done = Callable[[str, bool], None]  # message, success


def _units(session: EditingSession, kind: str) -> List[tuple]:
    """(code, name, parent) of the profile's units of ``kind``."""
    if kind == lv.UNIT_COMMUNE:
        return [(c.code, c.name, c.parent_code) for c in session.profile.communes]
    return [(d.code, d.name, "") for d in session.profile.districts]


def unit_kinds(session: EditingSession) -> List[str]:
    """Districts always; communes once the profile has commune polygons."""
    kinds = [lv.UNIT_DISTRICT]
    communes = session.references.get("communes")
    if session.profile.communes and communes is not None and communes.featureCount() > 0:
        kinds.append(lv.UNIT_COMMUNE)
    return kinds


class LoadUnitsTask(QgsTask):
    """Reads the chosen units' reference polygons from the workspace file in
    a background thread; ``on_done(units, error)`` runs in the main thread."""

    def __init__(self, gpkg: Path, kind: str, codes: Sequence[str],
                 on_done: Callable[[Optional[Dict[str, el.UnitRef]], Optional[BaseException]],
                                   None]) -> None:
        super().__init__(tr("CovidMaps: reading the units' boundaries"), QgsTask.Flag.CanCancel)
        self.gpkg, self.kind, self.codes = gpkg, kind, list(codes)
        self.on_done = on_done
        self.units: Optional[Dict[str, el.UnitRef]] = None
        self.error: Optional[BaseException] = None

    def run(self) -> bool:
        try:
            self.units = el.load_units(self.gpkg, self.kind, self.codes)
        except Exception as exc:  # noqa: BLE001 - shown to the officer in the message bar
            self.error = exc
            return False
        return not self.isCanceled()

    def finished(self, result: bool) -> None:  # noqa: FBT001 - QgsTask API
        self.on_done(self.units if result else None, self.error)


class LevelsDialog(ToolDialog):
    """Announce a level for several units at once."""

    def __init__(self, session: EditingSession, apply: Callable[[ToolDialog], None],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(
            tr("Epidemic level by area"),
            tr("Tick the units the decision covers (or select them on the map), then the "
               "level, the decision and the day it applies from. The level in force ends "
               "the day before; the history is kept."),
            tr("Announce level"), apply, parent,
        )
        self.session = session
        self.setMinimumWidth(520)
        self.kind = QComboBox()
        self.kind.setObjectName("unit_kind")
        for kind in unit_kinds(session):
            self.kind.addItem(tr("Districts") if kind == lv.UNIT_DISTRICT else tr("Communes"),
                              kind)
        self.kind.currentIndexChanged.connect(self._fill_units)
        self.form.addRow(tr("Units"), self.kind)
        self.units = QListWidget()
        self.units.setObjectName("units")
        self.units.setMinimumHeight(180)
        self.form.addRow(self.units)
        pick = QPushButton(tr("Tick the units selected on the map"))
        pick.setObjectName("from_selection")
        pick.clicked.connect(self.tick_selected)
        tick_all = QPushButton(tr("Tick all"))
        tick_all.setObjectName("tick_all")
        tick_all.clicked.connect(lambda: self.set_checked([c for c, _n, _p in self._unit_rows()]))
        row = QHBoxLayout()
        row.addWidget(pick)
        row.addWidget(tick_all)
        self.form.addRow(row)
        self.scheme = QComboBox()
        self.scheme.setObjectName("scheme")
        for scheme in lv.SCHEMES:
            self.scheme.addItem(scheme.title_vi if _vi() else scheme.title_en, scheme.id)
        self.scheme.currentIndexChanged.connect(self._fill_levels)
        self.form.addRow(tr("Scheme"), self.scheme)
        self.level = QComboBox()
        self.level.setObjectName("level")
        self.form.addRow(tr("Level"), self.level)
        today = now_in_province().date()
        self.effective_from = QgsDateEdit()
        self.effective_from.setObjectName("effective_from")
        self.effective_from.setAllowNull(False)
        self.effective_from.setDisplayFormat("dd/MM/yyyy")
        self.effective_from.setDate(QDate(today.year, today.month, today.day))
        self.form.addRow(tr("Applies from"), self.effective_from)
        self.has_until = QCheckBox(tr("Until"))
        self.has_until.setObjectName("has_until")
        self.effective_until = QgsDateEdit()
        self.effective_until.setObjectName("effective_until")
        self.effective_until.setAllowNull(False)
        self.effective_until.setDisplayFormat("dd/MM/yyyy")
        later = today + dt.timedelta(days=14)
        self.effective_until.setDate(QDate(later.year, later.month, later.day))
        self.effective_until.setEnabled(False)
        self.has_until.toggled.connect(self.effective_until.setEnabled)
        until_row = QHBoxLayout()
        until_row.addWidget(self.has_until)
        until_row.addWidget(self.effective_until)
        self.form.addRow(tr("Ends"), until_row)
        self.decision = QLineEdit()
        self.decision.setObjectName("decision_no")
        self.decision.setPlaceholderText(tr("e.g. 1877/QĐ-BCĐ"))
        self.form.addRow(tr("Decision number"), self.decision)
        self.authority = QLineEdit()
        self.authority.setObjectName("issuing_authority")
        self.form.addRow(tr("Issuing authority"), self.authority)
        self.measures = QPlainTextEdit()
        self.measures.setObjectName("measures")
        self.measures.setFixedHeight(60)
        self.form.addRow(tr("Measures in force"), self.measures)
        self._fill_levels()
        self._fill_units()

    # ---------------------------------------------------------------- lists
    def current_kind(self) -> str:
        return self.kind.currentData() or lv.UNIT_DISTRICT

    def _unit_rows(self) -> List[tuple]:
        return _units(self.session, self.current_kind())

    def _fill_units(self) -> None:
        current = self._current_levels()
        self.units.clear()
        for code, name, _parent in self._unit_rows():
            now = current.get(code)
            text = f"{name} ({code})"
            if now is not None:
                text += " — " + tr("level {0} since {1}").format(
                    now.level, now.start.strftime("%d/%m/%Y"))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.units.addItem(item)

    def _current_levels(self) -> Dict[str, lv.Period]:
        layer = self.session.layers.get(lv.LAYER_NAME)
        if layer is None:
            return {}
        return lv.in_force(el.read_periods(layer), now_in_province().date())

    def _fill_levels(self) -> None:
        scheme = lv.scheme(self.scheme.currentData())
        chosen = self.level.currentData()
        self.level.clear()
        for level in scheme.levels if scheme else ():
            self.level.addItem(level.label("vi" if _vi() else "en"), level.number)
        if chosen is not None:
            self.level.setCurrentIndex(max(self.level.findData(chosen), 0))

    def set_checked(self, codes: Sequence[str]) -> None:
        for i in range(self.units.count()):
            item = self.units.item(i)
            checked = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def checked_codes(self) -> List[str]:
        return [self.units.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.units.count())
                if self.units.item(i).checkState() == Qt.CheckState.Checked]

    def tick_selected(self) -> None:
        """Tick the units selected on the map: features selected on the
        districts/communes reference layer or on the levels layer."""
        codes = set(self.checked_codes())
        table = el.REFERENCE_TABLE[self.current_kind()]
        reference = self.session.references.get(table)
        if reference is not None:
            codes |= {str(f["code"]) for f in reference.selectedFeatures()}
        levels = self.session.layers.get(lv.LAYER_NAME)
        if levels is not None:
            codes |= {str(f["unit_code"]) for f in levels.selectedFeatures()
                      if f["unit_kind"] == self.current_kind()}
        self.set_checked(sorted(codes))

    # --------------------------------------------------------------- reading
    def change(self) -> lv.Change:
        until = from_qdate(self.effective_until.date()) if self.has_until.isChecked() else None
        return lv.Change(
            unit_codes=tuple(self.checked_codes()), level=int(self.level.currentData() or 0),
            effective_from=from_qdate(self.effective_from.date()),
            decision_no=self.decision.text(), issuing_authority=self.authority.text(),
            scheme=self.scheme.currentData() or lv.DEFAULT_SCHEME, effective_until=until,
            measures=self.measures.toPlainText())


def _vi() -> bool:
    return current_language() == "vi"


def announce(session: EditingSession, change: lv.Change, kind: str, done: Done,
             keep: Callable[[QgsTask], None] = lambda task: None) -> QgsTask:
    """Check ``change``, read its units' polygons in a task, then write it.
    ``done(message, success)`` reports the outcome in the main thread."""
    try:
        lv.check_change(change, [c for c, _n, _p in _units(session, kind)])
    except lv.ChangeError as exc:
        raise EditRefusedError(exc.vi, exc.en) from exc
    layer = session.layers[lv.LAYER_NAME]
    gpkg = Path(source_path(layer))

    def write(units: Optional[Dict[str, el.UnitRef]], error: Optional[BaseException]) -> None:
        if units is None:
            done(error_text(error) if error else tr("Cancelled."), False)
            return
        try:
            result = el.apply_level_change(layer, change, units)
        except EditRefusedError as exc:
            done(error_text(exc), False)
            return
        done(tr("Level {0} announced for {1} unit(s); {2} previous level(s) end the day "
                "before. Save the layer's edits to keep them.").format(
                    change.level, result.added, result.ended + result.withdrawn), True)

    task = LoadUnitsTask(gpkg, kind, change.unit_codes, write)
    keep(task)
    QgsApplication.taskManager().addTask(task)
    return task


def levels_dialog(session: EditingSession, done: Done, parent: Optional[QWidget] = None,
                  keep: Callable[[QgsTask], None] = lambda task: None) -> LevelsDialog:
    def apply(dialog: ToolDialog) -> None:
        if not isinstance(dialog, LevelsDialog):  # only this dialog calls it
            return
        dialog.task = announce(session, dialog.change(), dialog.current_kind(), done, keep)

    return LevelsDialog(session, apply, parent)


# ------------------------------------------------------------ ending soon

def ending_soon_text(layer: QgsVectorLayer, today: Optional[dt.date] = None) -> List[str]:
    """One line per unit whose level ends within the next days."""
    return [tr("{0}: level {1} ends on {2} ({3})").format(
        item.name, item.level, item.ends_on.strftime("%d/%m/%Y"), item.decision_no or "—")
        for item in el.ending_soon(layer, today)]
