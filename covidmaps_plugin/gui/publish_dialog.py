"""The Publish dialog: endpoint and token, validation, what will change on
the public map, then publish; history and rollback for administrators.

Thin on purpose: every step is a Processing algorithm run as a task
(``processing_tasks``): ``covidmaps:previewpublish`` (check and compare,
sends nothing), ``covidmaps:publish`` (only what the preview showed, on top
of the previewed release), ``covidmaps:history`` and ``covidmaps:rollback``.
QGIS never freezes, the task manager shows progress and a cancel button,
and each step runs headless with ``qgis_process`` too.

Findings name their layer and feature (as the validation dock does) and a
double-click shows the feature on the map; the dialog is not modal and
steps aside so the officer sees it.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from qgis.core import QgsApplication
from qgis.gui import QgsAuthConfigSelect, QgsMapCanvas, QgsPasswordLineEdit
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.editing import EditRefusedError
from ..core.editing.new_feature import now_in_province
from ..core.editing.session import EditingSession
from ..core.errors import WorkspaceError
from ..core.i18n import current_language
from ..core.publishing import auth
from ..core.publishing.changes import ChangeSummary, release_changes_text
from ..core.publishing.client import new_idempotency_key, normalized_endpoint
from ..core.publishing.confirmed import confirmed_warnings, remember_confirmed, warning_key
from ..core.publishing.errors import PublishError
from ..core.publishing.preview_report import PreviewReport
from ..core.publishing.rejected import read_rejected
from ..core.publishing.source import project_workspace_path, save_edits, unsaved_edits
from ..core.validation import Finding, FindingCode, Severity
from ..core.validation.table import instant_text
from ..i18n import tr, tr_later
from .ask import ask
from .context import PluginContext
from .findings_view import (
    FINDING_ROLE,
    finding_list_item,
    keep_clear_of,
    show_finding_on_canvas,
)
from .processing_tasks import TaskOutcome, run_algorithm_task


def _ready_text() -> str:
    return tr("Click “Check” to preview the changes.")


class PublishDialog(QDialog):
    def __init__(self, ctx: Optional[PluginContext] = None, parent: Optional[QWidget] = None,
                 gpkg_path: Optional[str] = None, canvas: Optional[QgsMapCanvas] = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("CovidMapsPublishDialog")
        self.ctx = ctx
        # where a double-clicked finding is shown (the QGIS map, if any)
        self.canvas = canvas or (ctx.iface.mapCanvas() if ctx is not None else None)
        self.lang = current_language()
        # None: the workspace open in the project, looked up at each check
        self._given_path = gpkg_path
        self.gpkg_path = gpkg_path or (str(project_workspace_path() or ""))
        self.prepared: Optional[PreviewReport] = None
        # warnings of the preview not confirmed at an earlier publish
        self.new_warnings: List[Finding] = []
        self.tasks: List[Any] = []  # the running algorithm tasks
        self.setWindowTitle(tr("Publish the epidemic map"))
        self.resize(680, 760)

        self.endpoint = QLineEdit(auth.saved_endpoint())
        self.endpoint.setPlaceholderText("https://covidmaps.example.gov.vn/")
        self.authcfg = QgsAuthConfigSelect(self)
        # its own policy grows it, leaving a blank band under the combo box
        self.authcfg.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.authcfg.setConfigId(auth.saved_authcfg())
        form = QFormLayout()
        form.addRow(tr("Publishing endpoint"), self.endpoint)
        form.addRow(tr("Access token"), self.authcfg)
        # first-time set-up: paste the token, the plugin makes the QGIS
        # authentication configuration itself (Basic, password = token)
        self.token_paste = QgsPasswordLineEdit()
        self.token_paste.setObjectName("CovidMapsTokenPaste")
        self.token_paste.setPlaceholderText(tr("Paste the token from the ICT staff"))
        self.token_save = QPushButton(tr("Save token"))
        self.token_save.setObjectName("covidmaps_save_token")
        self.token_save.clicked.connect(self.save_token)
        self.token_paste.returnPressed.connect(self.save_token)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.token_paste, 1)
        paste_row.addWidget(self.token_save)
        form.addRow(tr("New access token"), paste_row)
        self.token_help = QLabel(tr("First time: paste the access token the ICT staff gave you "
                                    "and click «Save token». It is stored encrypted in QGIS's "
                                    "authentication database (never in the settings) and chosen "
                                    "for you next time."))
        self.token_help.setWordWrap(True)
        self.token_help.setStyleSheet("color: #555555;")
        self.message = QLineEdit(default_message())
        self.message.setObjectName("CovidMapsReleaseMessage")
        self.message.setMaxLength(MESSAGE_MAX)
        self.message.setPlaceholderText(tr("e.g. 25/11 update: 3 new risk points"))
        self.message.setToolTip(tr("Goes into the publishing history (readable by anyone in the "
                                   "release)."))
        form.addRow(tr("Release message"), self.message)
        self.auth_warning = QLabel()
        self.auth_warning.setWordWrap(True)
        self.refresh_auth_warning()
        # the warning goes once the officer sets the master password
        QgsApplication.authManager().masterPasswordVerified.connect(self._master_verified)

        self.status = QLabel(_ready_text())
        self.status.setWordWrap(True)
        # two lines kept free: layouts do not grow a window for wrapped text,
        # and the second line (the data time) is the one that matters
        self.status.setMinimumHeight(2 * self.status.fontMetrics().lineSpacing() + 4)
        self.findings = QListWidget()
        self.findings.setObjectName("CovidMapsPublishFindings")
        self.findings.itemDoubleClicked.connect(self._finding_double_clicked)
        self.changes = QListWidget()
        self.changes.setObjectName("CovidMapsPublishChanges")
        for listing in (self.findings, self.changes):
            listing.setWordWrap(True)
            listing.setMinimumHeight(120)
            listing.setSpacing(2)  # wrapped lines of two items do not run together
        self.findings_hint = QLabel(tr("Double-click a line to see the feature on the map."))
        self.findings_hint.setStyleSheet("color: #555555;")
        self.findings_hint.setVisible(False)
        self.confirm = QCheckBox(tr("I have read the warnings and want to publish"))
        self.confirm.setVisible(False)
        self.confirm.toggled.connect(self._update_buttons)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setOpenExternalLinks(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.check_button = QPushButton(tr("Check"))
        self.check_button.clicked.connect(self.start_preview)
        self.save_check_button = QPushButton(tr("Save edits and check"))
        self.save_check_button.setObjectName("covidmaps_save_and_check")
        self.save_check_button.clicked.connect(self.save_and_check)
        self.save_check_button.setVisible(False)
        self.publish_button = QPushButton(tr("Publish"))
        self.publish_button.setObjectName("covidmaps_publish_button")
        self.publish_button.clicked.connect(self.start_publish)
        self.publish_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_check_button)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.publish_button)

        publish_tab = QWidget()
        layout = QVBoxLayout(publish_tab)
        layout.addLayout(form)
        layout.addWidget(self.token_help)
        layout.addWidget(self.auth_warning)
        layout.addWidget(QLabel(tr("Validation")))
        layout.addWidget(self.findings, 1)
        layout.addWidget(self.findings_hint)
        layout.addWidget(QLabel(tr("Changes on the public map")))
        layout.addWidget(self.changes, 1)
        layout.addWidget(self.confirm)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

        self.history = QListWidget()
        self.history.setWordWrap(True)
        self.history.setSpacing(2)
        history_buttons = QHBoxLayout()
        self.history_button = refresh = QPushButton(tr("Reload history"))
        refresh.clicked.connect(self.load_history)
        self.rollback_button = QPushButton(tr("Roll back to selected"))
        self.rollback_button.clicked.connect(self.confirm_rollback)
        history_buttons.addWidget(refresh)
        history_buttons.addStretch(1)
        history_buttons.addWidget(self.rollback_button)
        history_tab = QWidget()
        history_layout = QVBoxLayout(history_tab)
        history_help = QLabel(tr("The top release is on the public map. To bring back an "
                                 "earlier one, select it and click “Roll back to selected” (no "
                                 "release is deleted)."))
        history_help.setWordWrap(True)
        history_layout.addWidget(history_help)
        history_layout.addWidget(self.history)
        history_layout.addLayout(history_buttons)

        self.tabs = tabs = QTabWidget()
        tabs.addTab(publish_tab, tr("Publish"))
        tabs.addTab(history_tab, tr("History (administrators)"))
        self.history_tab = history_tab
        self._history_stale = True
        tabs.currentChanged.connect(self._tab_changed)
        outer = QVBoxLayout(self)
        outer.addWidget(tabs)
        outer.addWidget(self.status)  # below the tabs: history calls report here too

    # ------------------------------------------------------------ requests
    def _connection(self) -> Dict[str, Any]:
        """ENDPOINT and AUTHCFG of the algorithms, remembered for next time.
        The token is read here, in the main thread, first: QGIS may need to
        ask for its master password, which a task cannot do."""
        endpoint = normalized_endpoint(self.endpoint.text())
        authcfg = self.authcfg.configId()
        auth.save_connection(endpoint, authcfg)
        auth.auth_headers(authcfg=authcfg, interactive=True)  # raises PublishError
        return {"ENDPOINT": endpoint, "AUTHCFG": authcfg}

    def refresh_auth_warning(self) -> None:
        chosen = bool(self.authcfg.configId())
        if not chosen and auth.environment_token_set():
            # a token from the environment is used as it is (nothing is
            # stored): no master password needed, no first-time paste; say
            # where the token comes from, as the picker shows none
            self.auth_warning.setText(tr("The access token comes from the {0} environment "
                                         "variable.").format(auth.TOKEN_ENV))
            self.auth_warning.setVisible(True)
            self.token_help.setVisible(False)
            return
        warning = auth.master_password_warning()
        self.auth_warning.setText(warning.message(self.lang) if warning else "")
        self.auth_warning.setVisible(warning is not None)
        # once a token is chosen, the first-time help has done its job
        self.token_help.setVisible(not chosen)

    def _master_verified(self, _ok: bool) -> None:
        if not sip.isdeleted(self):
            self.refresh_auth_warning()

    def save_token(self) -> None:
        """Store the pasted token in the auth DB and choose it."""
        endpoint = self.endpoint.text().strip()
        try:
            authcfg = auth.save_pasted_token(self.token_paste.text(), endpoint)
        except PublishError as exc:
            self.refresh_auth_warning()
            self.status.setText(exc.message(self.lang))
            return
        self.token_paste.clear()
        self.authcfg.setConfigId(authcfg)
        auth.save_connection(endpoint, authcfg)
        self.refresh_auth_warning()
        self.status.setText(tr("The access token is stored in QGIS's authentication database "
                               "and chosen for next time."))

    def _run(self, algorithm_id: str, parameters: Dict[str, Any], description: str,
             done: Callable[[TaskOutcome], None]) -> bool:
        """Start a covidmaps algorithm as a task; ``done`` gets its outcome
        once the dialog is back to idle (never after the dialog is gone)."""
        holder: List[Any] = []

        def finished(outcome: TaskOutcome) -> None:
            if sip.isdeleted(self):  # closed with the plugin while the task ran
                return
            if holder and holder[0] in self.tasks:
                self.tasks.remove(holder[0])
            self.check_button.setEnabled(True)
            done(outcome)
            self._update_buttons()

        try:
            task = run_algorithm_task(self.ctx, algorithm_id, parameters, finished, description)
        except ValueError as exc:
            self.status.setText(str(exc))
            return False
        holder.append(task)
        self.tasks.append(task)
        self.check_button.setEnabled(False)
        self.publish_button.setEnabled(False)
        return True

    def show_error(self, error: WorkspaceError) -> None:
        self.status.setText(error.message(self.lang))
        self._update_buttons()

    def show_failure(self, outcome: TaskOutcome) -> None:
        """A step that did not go through: its message; after a failed
        publish the preview is stale (someone else may have published)."""
        text = "\n".join(outcome.errors) or tr("Cancelled.")
        self.status.setText(text)

    def cancel_tasks(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    def restart(self) -> None:
        """Forget the last preview: the workspace may have been edited or
        another one opened since (a publish sends what the preview showed)."""
        if self.tasks:
            return
        self._clear_preview()
        self.status.setText(_ready_text())
        self.refresh_auth_warning()
        self._show_pending()
        self._update_buttons()

    def _show_pending(self) -> List[str]:
        """Titles of the layers with unsaved edits, offered for saving."""
        pending = unsaved_edits() if not self._given_path else []
        self.save_check_button.setVisible(bool(pending))
        if pending:
            self.status.setText(tr("Unsaved edits: ")
                                + ", ".join(pending) + ". " + tr("Click “Save edits and check” "
                                                                 "to save them and check."))
        return pending

    def check_on_open(self) -> bool:
        """Opened to publish: once the endpoint and a token are known
        (yesterday's), save the edits (opening Publish is asking for it: only
        saved data can be published) and check at once. The first time, the
        officer fills them in; "Save edits and check" is then the default
        button. True if a check started."""
        if self.tasks:
            return False
        gpkg = self.gpkg_path if self._given_path else str(project_workspace_path() or "")
        token_known = bool(self.authcfg.configId()) or auth.environment_token_set()
        if not (gpkg and self.endpoint.text().strip() and token_known):
            if self.save_check_button.isVisible():
                self.save_check_button.setDefault(True)
                self.save_check_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        if self.save_check_button.isVisible():
            self.save_and_check()
        else:
            self.start_preview()
        return bool(self.tasks)

    def _commit_typed(self) -> None:
        """What the officer typed in an open panel (a figure still in its
        cell) goes into the layers before they are saved or read."""
        if self.ctx is not None:
            self.ctx.commit_pending_edits()

    def save_and_check(self) -> None:
        """Save every workspace layer's edits (they stay editable), then check."""
        self._commit_typed()
        pending = unsaved_edits()
        failed = save_edits()
        if failed:  # nothing is published from a half-saved workspace
            self.status.setText(tr("Could not save: ") + "; ".join(failed))
            return
        self.save_check_button.setVisible(False)
        self.start_preview()
        if pending and self.tasks:
            self.status.setText(tr("Saved your edits ({0}); checking…").format(
                ", ".join(pending)))

    def _clear_preview(self) -> None:
        self.prepared = None
        self.new_warnings = []
        for widget in (self.findings, self.changes, self.result):
            widget.clear()
        self.findings_hint.setVisible(False)
        self.confirm.setVisible(False)
        self.check_button.setText(tr("Check"))

    # ------------------------------------------------------------ preview
    def start_preview(self) -> None:
        self._commit_typed()
        self._clear_preview()
        if not self._given_path:  # a workspace may have been opened meanwhile
            self.gpkg_path = str(project_workspace_path() or "")
        if not self.gpkg_path:
            self.status.setText(tr("No CovidMaps workspace is open."))
            return
        pending = unsaved_edits()
        if pending:
            self.save_check_button.setVisible(True)
            self.status.setText(tr("Save your edits before publishing: ") + ", ".join(pending)
                                + ". " + tr("Click “Save edits and check”."))
            return
        try:
            parameters = self._connection()
        except PublishError as exc:
            self.show_error(exc)
            return
        folder = Path(tempfile.mkdtemp(prefix="covidmaps-preview-"))
        parameters.update(WORKSPACE=self.gpkg_path, REPORT=str(folder / "preview.json"))

        def done(outcome: TaskOutcome) -> None:
            try:
                if not outcome.ok:
                    self.show_failure(outcome)
                    return
                with open(folder / "preview.json", encoding="utf-8") as fh:
                    report = PreviewReport.from_dict(json.load(fh), self.lang)
                self.show_preview(report)
            except (OSError, ValueError, KeyError) as exc:
                self.status.setText(tr("Could not read the check's result: {0}").format(exc))
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        self.status.setText(tr("Checking…"))
        if not self._run("covidmaps:previewpublish", parameters,
                         tr("CovidMaps: checking before publishing"), done):
            shutil.rmtree(folder, ignore_errors=True)

    def show_preview(self, prepared: Any) -> None:
        """A ``PreviewReport`` (or a ``pipeline.Prepared``: the same attributes)."""
        self.prepared = prepared
        validation = prepared.validation
        texts = list(validation.errors) + list(validation.warnings)
        confirmed = confirmed_warnings(self.gpkg_path)
        self.new_warnings = [f for f in validation.findings if f.severity is Severity.WARNING
                             and warning_key(f) not in confirmed]
        # one finding per text, in the same order (pipeline.validate_source);
        # what needs reading today first: errors, new warnings, then the
        # warnings confirmed at an earlier publish
        rows = sorted(zip(texts, validation.findings),
                      key=lambda row: warning_key(row[1]) in confirmed)
        for text, finding in rows:
            if finding.severity is Severity.WARNING and warning_key(finding) in confirmed:
                text += "  " + tr("(confirmed at an earlier publish)")
            self._add_finding(text, finding.severity, finding)
        if not texts:
            QListWidgetItem(tr("No errors or warnings."),
                            self.findings)
        self.findings_hint.setVisible(
            self.canvas is not None and any(f.fid is not None for f in validation.findings))
        # first: what the officer may expect on the map and will not find
        # (unless confirmed at an earlier publish: then after today's changes)
        self._add_not_published(validation.findings, prepared.changes, confirmed, False)
        if prepared.changes is not None:
            for sentence in prepared.changes.listed(self.lang):
                QListWidgetItem(sentence, self.changes)
        self._add_not_published(validation.findings, prepared.changes, confirmed, True)
        self.confirm.setChecked(False)
        # only warnings not confirmed at an earlier publish need a new "yes"
        self.confirm.setVisible(bool(self.new_warnings))
        self.confirm.setText(
            tr("I have read the warnings and want to publish")
            if len(self.new_warnings) == len(validation.warnings) else
            tr("I have read the {0} new warnings and want to publish").format(
                len(self.new_warnings)))
        if validation.errors:
            count = len(validation.errors)
            self.status.setText(tr("1 error must be fixed first.") if count == 1 else
                                tr("{0} errors must be fixed first.").format(count))
        else:
            self.status.setText(self._preview_status(prepared))
        self._update_buttons()

    def _add_not_published(self, findings, changes: Optional[ChangeSummary],
                           confirmed: Any = frozenset(), known: bool = False) -> None:
        """Features kept off the map only by a missing approval, by name,
        where the officer reads what the publish will change (those taken
        off the public map for it are in the change list already).
        ``known``: only the layers whose every such warning was confirmed
        at an earlier publish, else only the others."""
        leaving = set()
        for lc in (changes.layers if changes is not None else ()):
            leaving.update(lc.removed.get("not_approved", ()))
        by_layer: Dict[str, List[Finding]] = {}
        for finding in findings:
            if finding.code is FindingCode.PUBLISH_NOT_APPROVED and finding.uid not in leaving:
                by_layer.setdefault(finding.layer, []).append(finding)
        for found in by_layer.values():
            if all(warning_key(f) in confirmed for f in found) != known:
                continue
            names = ", ".join(f"«{f.feature_label()}»" for f in found)
            text = tr("Will NOT be published, not approved ({0} × {1}): {2}").format(
                len(found), found[0].layer_title(self.lang).lower(), names)
            item = finding_list_item(self.changes, text, Severity.WARNING, found[0], self.lang)
            item.setToolTip(text)

    def _add_finding(self, text: str, severity: Severity, finding: Optional[Finding]) -> None:
        finding_list_item(self.findings, text, severity, finding, self.lang)

    def _preview_status(self, prepared: Any) -> str:
        """What the public map shows now and how current the new data is."""
        base = prepared.base_manifest
        updated = instant_text(prepared.data_updated_at)
        if base.get("kind") == "init" or not base.get("created_at"):
            now_shown = tr("The public map has no data yet.")
        else:
            now_shown = tr("The public map shows release {0} (published {1}).").format(
                prepared.base_release, instant_text(base.get("created_at")))
        fresh = tr("Once published, the map will say “Updated {0}”.").format(updated)
        return f"{now_shown} {fresh}" if updated else now_shown

    def _finding_double_clicked(self, item: QListWidgetItem) -> None:
        finding = item.data(FINDING_ROLE)
        if finding is not None:
            self.show_finding(finding)

    def show_finding(self, finding: Finding) -> bool:
        """Select the finding's feature and zoom the map to it, as the
        validation dock does (False when no workspace or map is open)."""
        if self.canvas is None:
            return False
        try:
            session = EditingSession.from_project()
        except EditRefusedError:
            return False
        shown = show_finding_on_canvas(self.canvas, session.layers.get(finding.layer), finding,
                                       session.project)
        if shown:  # the feature is now at the map's centre
            keep_clear_of(self, self.canvas.mapToGlobal(self.canvas.rect().center()))
        return shown

    def _warnings_confirmed(self) -> bool:
        """Every warning of the preview is confirmed: now, or at an earlier
        publish of the same workspace (the same warning on the same feature)."""
        return not self.new_warnings or self.confirm.isChecked()

    def _update_buttons(self) -> None:
        prepared = self.prepared
        ok = (prepared is not None and not prepared.validation.errors
              and self._warnings_confirmed())
        ready = bool(ok) and not self.tasks
        self.publish_button.setEnabled(ready)
        if ready:  # Enter publishes what the officer sees
            self.publish_button.setDefault(True)
            self.publish_button.setFocus(Qt.FocusReason.OtherFocusReason)

    # ------------------------------------------------------------ publish
    def start_publish(self) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        self._commit_typed()
        if not self._given_path and unsaved_edits():
            # edited since the check (a figure typed with the dialog open):
            # what is published is what was checked, so save and check again
            self.save_and_check()
            return
        try:
            parameters = self._connection()
        except PublishError as exc:
            self.show_error(exc)
            return
        parameters.update(
            WORKSPACE=self.gpkg_path, CONFIRM_WARNINGS=self._warnings_confirmed(),
            MESSAGE=self.message.text().strip(),
            # what the officer saw, or nothing: on top of the previewed
            # release (If-Match), and only if the export is the same
            BASE_RELEASE=prepared.base_release or "",
            EXPECTED_BLOBS=json.dumps(getattr(prepared, "blobs", {}) or {}))
        # the endpoint's refusal, if it refuses, as findings (read_rejected)
        folder = Path(tempfile.mkdtemp(prefix="covidmaps-publish-"))
        parameters["REJECTED"] = str(folder / "rejected.json")

        def done(outcome: TaskOutcome) -> None:
            try:
                if outcome.ok:
                    self.publish_done(outcome.results)
                else:
                    self._clear_preview()
                    self.check_button.setText(tr("Refresh and check again"))
                    self.show_failure(outcome)
                    self.show_rejected(read_rejected(parameters["REJECTED"]))
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        self.status.setText(tr("Publishing…"))
        if not self._run("covidmaps:publish", parameters, tr("CovidMaps: publishing the map"),
                         done):
            shutil.rmtree(folder, ignore_errors=True)

    def show_rejected(self, findings: List[Finding]) -> None:
        """What the endpoint refused, listed like the check's findings (the
        same codes and messages as the validator; a double-click shows the
        feature): the officer fixes them and checks again."""
        if not findings:
            return
        self.findings.clear()
        for finding in findings:
            self._add_finding(tr("Refused by the endpoint: ") + finding.described(self.lang),
                              finding.severity, finding)
        self.findings_hint.setVisible(
            self.canvas is not None and any(f.fid is not None for f in findings))
        # the list says what; the status line (two lines) only what happened
        self.status.setText(tr("The endpoint refused the data: see the {0} problem(s) under "
                               "Validation. The public map did not change. Fix them, then "
                               "check again.").format(len(findings)))

    def publish_done(self, results: Dict[str, Any]) -> None:
        release_id = str(results.get("RELEASE_ID") or "")
        map_url = str(results.get("MAP_URL") or "")
        if self.prepared is not None:  # asked again only about new warnings
            remember_confirmed(self.gpkg_path, [
                f for f in self.prepared.validation.findings if f.severity is Severity.WARNING])
        self.prepared = None
        self.new_warnings = []
        url = html.escape(map_url, quote=True)
        self.status.setText(tr("Published."))
        self.result.setText(
            tr("Release") + f" <b>{html.escape(release_id)}</b> — "
            + f'<a href="{url}">{url}</a>')
        self._history_stale = True
        self.message.setText(default_message())
        self._update_buttons()
        if self.ctx is not None:
            self.ctx.push_success(tr("Published release {0}").format(release_id))

    # ------------------------------------------------------------ history
    def _tab_changed(self, index: int) -> None:
        """The history loads by itself the first time it is shown and after
        each publish or rollback."""
        if self.tabs.widget(index) is self.history_tab and self._history_stale \
                and not self.tasks:
            self.load_history()

    def load_history(self, _checked: bool = False, status: str = "") -> None:
        """Fetch the history; ``status``: what to say once it is shown."""
        try:
            parameters = self._connection()
        except PublishError as exc:
            self.show_error(exc)
            return
        folder = Path(tempfile.mkdtemp(prefix="covidmaps-history-"))
        parameters["REPORT"] = str(folder / "history.json")

        def done(outcome: TaskOutcome) -> None:
            try:
                if not outcome.ok:
                    self.show_failure(outcome)
                    return
                with open(folder / "history.json", encoding="utf-8") as fh:
                    releases = json.load(fh).get("releases", [])
                self.show_history([r for r in releases if isinstance(r, dict)], status)
            except (OSError, ValueError, AttributeError) as exc:
                self.status.setText(tr("Could not read the history: {0}").format(exc))
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        if not self._run("covidmaps:history", parameters, tr("CovidMaps: history"), done):
            shutil.rmtree(folder, ignore_errors=True)

    def show_history(self, releases: List[dict], status: str = "") -> None:
        self._history_stale = False
        self.history.clear()
        for index, entry in enumerate(releases):
            text = history_line(entry)
            item = QListWidgetItem(text, self.history)
            item.setData(Qt.ItemDataRole.UserRole, entry.get("release_id"))
            if index == 0:  # the release citizens see now
                head, _newline, rest = text.partition("\n")
                marked = head + tr("  (on the public map)")
                item.setText(marked + ("\n" + rest if rest else ""))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
        self.status.setText(status or tr(
            "{0} releases; the top one is on the public map.").format(len(releases)))

    def confirm_rollback(self) -> None:
        """The button: the public map changes for every citizen, so ask first."""
        item = self.history.currentItem()
        if item is None or self.history.count() < 2 or item is self.history.item(0):
            self.start_rollback()  # explains why nothing happens
            return
        target = item.data(Qt.ItemDataRole.UserRole)
        if ask(self, tr("Roll back"),
               tr("Bring the public map back to the data of release {0}? Citizens see it at "
                  "once; the other releases stay in the history.").format(target),
               tr("Roll back"), tr("Cancel")):
            self.start_rollback()

    def start_rollback(self) -> None:
        item = self.history.currentItem()
        if item is None or self.history.count() == 0:
            self.status.setText(tr("Load the history, then select a release."))
            return
        target = item.data(Qt.ItemDataRole.UserRole)
        current = self.history.item(0).data(Qt.ItemDataRole.UserRole)
        if target == current:
            self.status.setText(tr("The selected release is already on the public map."))
            return
        try:
            parameters = self._connection()
        except PublishError as exc:
            self.show_error(exc)
            return
        parameters.update(CURRENT=current, TARGET=target,
                          IDEMPOTENCY_KEY=new_idempotency_key())

        def done(outcome: TaskOutcome) -> None:
            if outcome.ok:
                self.rollback_done(target, str(outcome.results.get("RELEASE_ID") or ""))
            else:
                self.show_failure(outcome)

        self.status.setText(tr("Rolling back to {0}…").format(target))
        self._run("covidmaps:rollback", parameters, tr("CovidMaps: rollback"), done)

    def rollback_done(self, target: str, release: str) -> None:
        self._history_stale = True
        self.load_history(status=tr("Rolled back to {0}: the public map shows the new release "
                                    "{1} holding the data of {0}.").format(target, release))


_KINDS = {
    "init": tr_later("created empty"),
    "publish": tr_later("published"),
    "rollback": tr_later("rollback"),
}


def history_line(entry: dict) -> str:
    """One release of the history as officers read it: id, date dd/mm/yyyy
    HH:MM, who, what kind (in the interface language) and the message."""
    kind = str(entry.get("kind") or "")
    what = tr(_KINDS[kind]) if kind in _KINDS else kind
    message = str(entry.get("message") or "")
    target = entry.get("rolled_back_to")
    if kind == "rollback" and target:
        what += f" → {target}"
        if target in message:  # the server's own "rolled back to ..." says it again
            message = ""
    if kind == "init":  # the server's word for it, in its language
        message = ""
    parts = [str(entry.get("release_id") or ""), instant_text(entry.get("created_at")),
             str(entry.get("publisher") or ""), what, message]
    line = "  ·  ".join(part for part in parts if part)
    changed = release_changes_text(entry.get("changes"), current_language())
    return f"{line}\n    {changed}" if changed and kind == "publish" else line


MESSAGE_MAX = 500  # the endpoint's limit on a release message


def default_message() -> str:
    """The message a release gets unless the officer writes one."""
    today = now_in_province().strftime("%d/%m/%Y")
    return tr("Update of {0}").format(today)


def publish_handler(ctx: PluginContext) -> Callable[[bool], None]:
    """Toolbar action: the dialog (one, not modal, so the officer can look
    at a feature on the map and come back); closed when the plugin unloads."""
    holder: Dict[str, PublishDialog] = {}

    def remove() -> None:
        dialog = holder.pop("dialog", None)
        if dialog is not None and not sip.isdeleted(dialog):
            dialog.cancel_tasks()
            dialog.close()
            dialog.deleteLater()

    def run(_checked: bool = False) -> None:
        dialog = holder.get("dialog")
        if dialog is None or sip.isdeleted(dialog):
            dialog = PublishDialog(ctx, ctx.main_window)
            holder["dialog"] = dialog
        # what is still being typed in a panel goes in first; the workspace
        # may have changed since the dialog was last shown
        ctx.commit_pending_edits()
        dialog.restart()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.check_on_open()

    ctx.on_unload(remove)
    return run
