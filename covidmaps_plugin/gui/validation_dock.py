"""The validation dock: what is wrong with the map, and one click to fix it.

Findings come from the Processing algorithm ``covidmaps:validate`` (the
one the toolbox and ``qgis_process`` run), given the project's layers with
their unsaved edits, the boundaries and the workspace file; its JSON report
is read back into ``Finding`` objects, shown grouped by severity (errors
block publishing, warnings need a look) with their counts. Clicking a
finding zooms to the feature and selects it; double-clicking (or "Open
form") opens its attribute form. The check runs on demand and again shortly
after each edit (debounced); on large layers it runs as a task
(``processing_tasks``) so QGIS stays responsive.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from qgis.core import (
    QgsApplication,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext, QgsDockWidget, QgsMapCanvas
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QModelIndex, QSize, Qt, QTimer, pyqtSignal
from qgis.PyQt.QtGui import QFont, QTextLayout, QTextOption
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.editing import EditRefusedError
from ..core.editing.session import EditingSession
from ..core.i18n import current_language
from ..core.project_setup import source_path
from ..core.validation import Finding, Severity, ValidationReport
from ..i18n import error_text, tr
from ..model import PROVINCE_TZ
from ..processing_provider.validate_algorithm import layer_parameter
from .context import PluginContext
from .findings_view import (
    FINDING_ROLE,
    finding_tree_item,
    keep_clear_of,
    severity_group_item,
    show_finding_on_canvas,
    summary_chips,
)
from .processing_tasks import TaskOutcome, run_algorithm, run_algorithm_task
from .tools.feature_form import bind_to_layer, start_editing
from .tools.form_polish import polish_form

SessionProvider = Callable[[], EditingSession]
VALIDATE_ALGORITHM_ID = "covidmaps:validate"

RECHECK_DELAY_MS = 1200  # after the last edit, so typing in a form does not re-run it
TASK_THRESHOLD = 5000  # features: above this the check runs as a QgsTask
FEATURE_COLUMN_PX = 230

def validation_parameters(session: EditingSession, report_path: Path) -> Dict[str, Any]:
    """``covidmaps:validate``'s parameters for the open workspace: its layers
    as edited (unsaved edits included), its boundaries, the workspace file
    (the province profile) and now; the JSON report goes to ``report_path``."""
    parameters: Dict[str, Any] = {
        layer_parameter(name): layer for name, layer in session.layers.items()}
    for name in ("province", "districts"):
        if name in session.references:
            parameters[layer_parameter(name)] = session.references[name]
    workspace = source_path(next(iter(session.layers.values())))
    if workspace and workspace.lower().endswith(".gpkg") and Path(workspace).is_file():
        parameters["WORKSPACE"] = workspace
    else:  # layers of no workspace file (e.g. a test's memory layers)
        parameters["PROFILE"] = session.profile.id
    parameters["NOW"] = dt.datetime.now(PROVINCE_TZ).isoformat(timespec="seconds")
    parameters["REPORT"] = str(report_path)
    return parameters


def read_report(outcome: TaskOutcome, report_path: Path) -> ValidationReport:
    """The findings of a finished ``covidmaps:validate`` run, from its JSON
    report; ValueError (the algorithm's own message) when it failed."""
    if not outcome.ok:
        raise ValueError("\n".join(outcome.errors) or tr("The check failed."))
    with open(report_path, encoding="utf-8") as fh:
        return ValidationReport.from_dict(json.load(fh))


class WrappedRowDelegate(QStyledItemDelegate):
    """Row heights that fit wrapped text in the width the view really paints.

    QTreeView measures a wrapped cell with the whole section width and then
    paints it indented, so the last line of a long message gets cut off.
    """

    PADDING_PX = 6

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            return hint
        width = self.tree.header().sectionSize(index.column())
        if index.column() == 0:
            depth = 1 if index.parent().isValid() else 0
            width -= self.tree.indentation() * (depth + 1)
        # the style paints the text inside these margins (QCommonStyle)
        margin = self.tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                               None, self.tree) + 1
        width = max(width - 2 * margin - self.PADDING_PX, 40)
        font = index.data(Qt.ItemDataRole.FontRole) or self.tree.font()
        height = wrapped_height(str(text), font, width)
        return QSize(hint.width(), max(hint.height(), height + self.PADDING_PX))


def wrapped_height(text: str, font: QFont, width: int) -> int:
    """The height of ``text`` laid out in ``width`` pixels the way a view
    paints an item (word boundaries, else anywhere): the whole sentence
    gets room, never "…" on its last line."""
    total = 0.0
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            total += line.height()
        layout.endLayout()
    return math.ceil(total)


class ValidationDock(QgsDockWidget):
    """Lists the findings of the last check of the open workspace."""

    # the report now shown (after every check)
    reportShown = pyqtSignal(object)  # noqa: N815 - Qt signal naming

    def __init__(
        self,
        canvas: QgsMapCanvas,
        session_provider: SessionProvider,
        parent: Optional[QWidget] = None,
        *,
        iface: Any = None,
        task_threshold: int = TASK_THRESHOLD,
    ) -> None:
        super().__init__(tr("CovidMaps – map check"), parent)
        self.setObjectName("CovidMapsValidationDock")
        self.canvas = canvas
        self.iface = iface
        self.session_provider = session_provider
        self.task_threshold = task_threshold
        self.session: Optional[EditingSession] = None
        self.report: Optional[ValidationReport] = None
        self.task: Optional[Any] = None  # the running covidmaps:validate task
        self._pending = False
        self._watched: List[QgsVectorLayer] = []
        self.forms: List[QgsAttributeDialog] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self._build()

    # ---------------------------------------------------------------- widgets
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        self.summary = QLabel(body)
        self.summary.setObjectName("CovidMapsValidationSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)

        self.recheck_button = QPushButton(
            QgsApplication.getThemeIcon("/mActionRefresh.svg"), tr("Check again"), body
        )
        self.recheck_button.setObjectName("CovidMapsRecheckButton")
        self.recheck_button.setToolTip(tr("Check every layer of the map now"))
        self.recheck_button.clicked.connect(self.check)
        self.form_button = QPushButton(
            QgsApplication.getThemeIcon("/mActionFormView.svg"), tr("Open form"), body
        )
        self.form_button.setToolTip(tr("Open the attribute form of the selected feature"))
        self.form_button.setEnabled(False)
        self.form_button.clicked.connect(self.open_current_form)
        self.auto_check = QCheckBox(tr("Check after each edit"), body)
        self.auto_check.setChecked(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recheck_button)
        buttons.addWidget(self.form_button)
        buttons.addStretch(1)
        buttons.addWidget(self.auto_check)

        self.tree = QTreeWidget(body)
        self.tree.setObjectName("CovidMapsFindings")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([tr("Problem"), tr("Feature")])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, FEATURE_COLUMN_PX)
        self.tree.setItemDelegate(WrappedRowDelegate(self.tree))
        # wrapped rows need new heights when the dock gets wider or narrower
        header.sectionResized.connect(lambda *_: self.tree.doItemsLayout())
        self.tree.itemClicked.connect(self._item_clicked)
        self.tree.itemDoubleClicked.connect(self._item_double_clicked)
        self.tree.currentItemChanged.connect(self._current_changed)

        self.progress = QProgressBar(body)
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.status = QLabel(body)
        self.status.setObjectName("CovidMapsValidationStatus")
        self.status.setStyleSheet("color: #555555;")

        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.setWidget(body)
        self._show_summary(None)

    # ------------------------------------------------------------- checking
    def check(self) -> None:
        """Run the check now (or right after the one in progress)."""
        self._timer.stop()
        if self.task is not None:
            self._pending = True
            return
        try:
            session = self.session_provider()
        except EditRefusedError as exc:
            self._show_problem(error_text(exc))
            return
        self._use_session(session)
        size = sum(max(layer.featureCount(), 0) for layer in session.layers.values())
        folder = Path(tempfile.mkdtemp(prefix="covidmaps-check-"))
        report_path = folder / "report.json"
        try:
            parameters = validation_parameters(session, report_path)
            if size > self.task_threshold:
                self._start_task(parameters, report_path)
                return
            self._set_busy(True)
            try:
                outcome = run_algorithm(VALIDATE_ALGORITHM_ID, parameters)
                self._show_outcome(outcome, report_path)
            finally:
                self._set_busy(False)
        except (ValueError, OSError) as exc:
            self._show_problem(error_text(exc))
        finally:
            if self.task is None:
                shutil.rmtree(folder, ignore_errors=True)

    def _start_task(self, parameters: Dict[str, Any], report_path: Path) -> None:
        def done(outcome: TaskOutcome) -> None:
            self.task = None
            if sip.isdeleted(self):
                shutil.rmtree(report_path.parent, ignore_errors=True)
                return
            self._set_busy(False)
            try:
                if outcome.cancelled:
                    self.status.setText(tr("Check cancelled."))
                else:
                    self._show_outcome(outcome, report_path)
            finally:
                shutil.rmtree(report_path.parent, ignore_errors=True)
            if self._pending:
                self._pending = False
                self.check()

        self._set_busy(True)
        self.task = run_algorithm_task(None, VALIDATE_ALGORITHM_ID, parameters, done,
                                       tr("CovidMaps: checking the map"))
        self.task.progressChanged.connect(
            lambda value: None if sip.isdeleted(self) else self.progress.setValue(int(value)))

    def _show_outcome(self, outcome: TaskOutcome, report_path: Path) -> None:
        try:
            report = read_report(outcome, report_path)
        except (ValueError, OSError, KeyError) as exc:
            self._show_problem(error_text(exc))
            return
        self.show_report(report)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def schedule_check(self) -> None:
        """Check again shortly, once edits have paused (debounced)."""
        if self.auto_check.isChecked() and self.isVisible():
            self._timer.start()

    def _use_session(self, session: EditingSession) -> None:
        self.session = session
        wanted = list(session.layers.values())
        if [lyr.id() for lyr in wanted] == [lyr.id() for lyr in self._watched]:
            return
        self.unwatch()
        for layer in wanted:
            for signal in self._edit_signals(layer):
                signal.connect(self.schedule_check)
            self._watched.append(layer)

    @staticmethod
    def _edit_signals(layer: QgsVectorLayer) -> list:
        """Signals after which the map may have new problems: edits in the
        buffer (the validator reads unsaved edits too), commits, rollbacks."""
        return [layer.featureAdded, layer.featuresDeleted, layer.attributeValueChanged,
                layer.geometryChanged, layer.afterCommitChanges, layer.afterRollBack]

    def unwatch(self) -> None:
        for layer in self._watched:
            if sip.isdeleted(layer):
                continue
            for signal in self._edit_signals(layer):
                try:
                    signal.disconnect(self.schedule_check)
                except TypeError:  # not connected
                    pass
        self._watched = []

    def _set_busy(self, busy: bool) -> None:
        self.recheck_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        if busy:
            self.status.setText(tr("Checking the map…"))

    # --------------------------------------------------------------- report
    def show_report(self, report: ValidationReport) -> None:
        self.report = report
        lang = current_language()
        self.tree.clear()
        by_severity: Dict[Severity, List[Finding]] = {}
        for finding in report.findings:
            by_severity.setdefault(finding.severity, []).append(finding)
        for severity in Severity:
            findings = by_severity.get(severity, [])
            if not findings:
                continue
            group = severity_group_item(severity, len(findings), self.tree.font())
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for finding in findings:
                group.addChild(finding_tree_item(finding, lang))
            group.setExpanded(True)
        self._show_summary(report)
        checked = sum(report.checked.values())
        self.status.setText(
            tr("Checked at {0} · {1} features").format(
                dt.datetime.now(PROVINCE_TZ).strftime("%H:%M:%S"), checked
            )
        )
        self.reportShown.emit(report)

    def _show_summary(self, report: Optional[ValidationReport]) -> None:
        if report is None:
            self.summary.setText(tr("Press “Check again” to check the map."))
            return
        if not report.findings:
            self.summary.setText(
                "<span style='color:#1B7F3B; font-weight:600'>✔ "
                + tr("No problems found: the map can be published.") + "</span>"
            )
            return
        verdict = (
            tr("Errors must be fixed before publishing.") if report.blocking
            else tr("No errors: check the warnings, then publish.")
        )
        self.summary.setText(summary_chips(report.counts) + f"<br><span>{verdict}</span>")

    def _show_problem(self, text: str) -> None:
        self.tree.clear()
        self.summary.setText(f"<span style='color:#B00020'>{_escape(text)}</span>")
        self.status.setText("")

    # ------------------------------------------------------------ navigation
    def current_finding(self) -> Optional[Finding]:
        item = self.tree.currentItem()
        return item.data(0, FINDING_ROLE) if item is not None else None

    def _current_changed(self, item: Optional[QTreeWidgetItem], _previous: Any) -> None:
        finding = item.data(0, FINDING_ROLE) if item is not None else None
        self.form_button.setEnabled(finding is not None and finding.fid is not None)

    def _item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        finding = item.data(0, FINDING_ROLE)
        if finding is not None:
            self.show_finding(finding)

    def _item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        finding = item.data(0, FINDING_ROLE)
        if finding is not None:
            self.open_form(finding)

    def _layer_of(self, finding: Finding) -> Optional[QgsVectorLayer]:
        return self.session.layers.get(finding.layer) if self.session else None

    def show_finding(self, finding: Finding) -> bool:
        """Zoom to and select the finding's feature (or its location)."""
        project = self.session.project if self.session else QgsProject.instance()
        return show_finding_on_canvas(self.canvas, self._layer_of(finding), finding, project)

    def open_current_form(self) -> None:
        finding = self.current_finding()
        if finding is not None:
            self.open_form(finding)

    def open_form(self, finding: Finding) -> Optional[QgsAttributeDialog]:
        """The feature's attribute form, editable so the officer can fix it."""
        layer = self._layer_of(finding)
        if layer is None or finding.fid is None:
            return None
        feature = layer.getFeature(finding.fid)
        if not feature.isValid():
            return None
        try:
            start_editing(layer)
        except EditRefusedError as exc:
            self._show_problem(error_text(exc))
            return None
        dialog = QgsAttributeDialog(layer, feature, False, self, True)
        dialog.setMode(QgsAttributeEditorContext.Mode.SingleEditMode)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        bind_to_layer(dialog, layer)
        polish_form(dialog, current_language())  # dates, calendar, empty lists
        dialog.destroyed.connect(lambda *_: self.forms.remove(dialog) if dialog in self.forms
                                 else None)
        self.forms.append(dialog)
        dialog.show()
        # the feature is at the map's centre: the form must not hide it
        keep_clear_of(dialog, self.canvas.mapToGlobal(self.canvas.rect().center()))
        return dialog

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        super().closeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ----------------------------------------------------------------- toolbar

def validation_dock_handler(ctx: PluginContext) -> Callable[[bool], None]:
    """Toolbar action: show the dock (created once) and check the map."""
    holder: Dict[str, ValidationDock] = {}

    def remove() -> None:
        dock = holder.pop("dock", None)
        if dock is not None:
            dock.cancel()
            dock.unwatch()
            ctx.iface.removeDockWidget(dock)
            dock.deleteLater()

    def show(_checked: bool = False) -> None:
        dock = holder.get("dock")
        if dock is None:
            dock = ValidationDock(
                ctx.iface.mapCanvas(), EditingSession.from_project, ctx.main_window,
                iface=ctx.iface,
            )
            ctx.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            holder["dock"] = dock
        ctx.commit_pending_edits()  # a figure still in its cell is checked too
        dock.show()
        dock.raise_()
        dock.check()

    ctx.on_unload(remove)
    return show


__all__ = ["ValidationDock", "read_report", "validation_dock_handler", "validation_parameters"]
