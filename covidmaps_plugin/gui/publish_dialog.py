"""The Publish dialog: endpoint and token, validation, what will change on
the public map, then publish; history and rollback for administrators.

Thin on purpose: the work is in ``core/publishing`` and runs as QGIS tasks
(``PreviewTask``, ``PublishTask``, ``CallTask``), so QGIS never freezes and
the task manager shows progress and a cancel button.
"""

from __future__ import annotations

import html
from typing import Any, Callable, List, Optional

from qgis.core import QgsApplication
from qgis.gui import QgsAuthConfigSelect
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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import WorkspaceError
from ..core.i18n import current_language
from ..core.publishing import auth
from ..core.publishing.client import new_idempotency_key, normalized_endpoint
from ..core.publishing.errors import PublishError, StaleReleaseError
from ..core.publishing.network import network_settings
from ..core.publishing.pipeline import Prepared, PublishRequest
from ..core.publishing.source import project_workspace_path, unsaved_edits
from ..core.publishing.task import CallTask, PipelineTask, PreviewTask, PublishTask
from .context import PluginContext


def _t(vi: str, en: str) -> str:
    """The text in the interface language (texts of this dialog come in pairs,
    like the model's labels)."""
    return vi if current_language() == "vi" else en


class PublishDialog(QDialog):
    def __init__(self, ctx: Optional[PluginContext] = None, parent: Optional[QWidget] = None,
                 gpkg_path: Optional[str] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lang = current_language()
        self.gpkg_path = gpkg_path or (str(project_workspace_path() or ""))
        self.prepared: Optional[Prepared] = None
        self.tasks: List[PipelineTask] = []  # Python references while they run
        self.setWindowTitle(_t("Công bố bản đồ dịch tễ", "Publish the epidemic map"))
        self.resize(680, 700)

        self.endpoint = QLineEdit(auth.saved_endpoint())
        self.endpoint.setPlaceholderText("https://covidmaps.example.gov.vn/")
        self.authcfg = QgsAuthConfigSelect(self)
        self.authcfg.setConfigId(auth.saved_authcfg())
        form = QFormLayout()
        form.addRow(_t("Máy chủ công bố", "Publishing endpoint"), self.endpoint)
        form.addRow(_t("Mã truy cập", "Access token"), self.authcfg)
        self.auth_warning = QLabel()
        self.auth_warning.setWordWrap(True)
        warning = auth.master_password_warning()
        self.auth_warning.setText(warning.message(self.lang) if warning else "")
        self.auth_warning.setVisible(warning is not None)

        self.status = QLabel(_t("Bấm “Kiểm tra” để xem trước các thay đổi.",
                                "Click “Check” to preview the changes."))
        self.status.setWordWrap(True)
        self.findings = QListWidget()
        self.changes = QListWidget()
        for listing in (self.findings, self.changes):
            listing.setWordWrap(True)
            listing.setMinimumHeight(120)
        self.confirm = QCheckBox(_t("Tôi đã xem các cảnh báo và vẫn muốn công bố",
                                    "I have read the warnings and want to publish"))
        self.confirm.setVisible(False)
        self.confirm.toggled.connect(self._update_buttons)
        self.result = QLabel()
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setOpenExternalLinks(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.check_button = QPushButton(_t("Kiểm tra", "Check"))
        self.check_button.clicked.connect(self.start_preview)
        self.publish_button = QPushButton(_t("Công bố", "Publish"))
        self.publish_button.setObjectName("covidmaps_publish_button")
        self.publish_button.clicked.connect(self.start_publish)
        self.publish_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.publish_button)

        publish_tab = QWidget()
        layout = QVBoxLayout(publish_tab)
        layout.addLayout(form)
        layout.addWidget(self.auth_warning)
        layout.addWidget(QLabel(_t("Kết quả kiểm tra dữ liệu", "Validation")))
        layout.addWidget(self.findings)
        layout.addWidget(QLabel(_t("Thay đổi trên bản đồ công khai",
                                   "Changes on the public map")))
        layout.addWidget(self.changes)
        layout.addWidget(self.confirm)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

        self.history = QListWidget()
        history_buttons = QHBoxLayout()
        refresh = QPushButton(_t("Tải lịch sử", "Load history"))
        refresh.clicked.connect(self.load_history)
        self.rollback_button = QPushButton(_t("Quay lại bản đã chọn", "Roll back to selected"))
        self.rollback_button.clicked.connect(self.start_rollback)
        history_buttons.addWidget(refresh)
        history_buttons.addStretch(1)
        history_buttons.addWidget(self.rollback_button)
        history_tab = QWidget()
        history_layout = QVBoxLayout(history_tab)
        history_layout.addWidget(self.history)
        history_layout.addLayout(history_buttons)

        tabs = QTabWidget()
        tabs.addTab(publish_tab, _t("Công bố", "Publish"))
        tabs.addTab(history_tab, _t("Lịch sử (quản trị)", "History (administrators)"))
        outer = QVBoxLayout(self)
        outer.addWidget(tabs)

    # ------------------------------------------------------------ requests
    def _request(self, base_release: Optional[str] = None) -> PublishRequest:
        endpoint = normalized_endpoint(self.endpoint.text())
        authcfg = self.authcfg.configId()
        auth.save_connection(endpoint, authcfg)
        return PublishRequest(
            gpkg_path=self.gpkg_path, endpoint=endpoint,
            auth_headers=auth.auth_headers(authcfg=authcfg), network=network_settings(),
            base_release=base_release, confirm_warnings=self.confirm.isChecked(),
            idempotency_key=new_idempotency_key(),
        )

    def _start(self, task: PipelineTask) -> None:
        self.tasks.append(task)
        self.check_button.setEnabled(False)
        self.publish_button.setEnabled(False)
        QgsApplication.taskManager().addTask(task)

    def _finish(self, task: PipelineTask) -> bool:
        if task in self.tasks:
            self.tasks.remove(task)
        self.check_button.setEnabled(True)
        if task.error is not None:
            self.show_error(task.error)
            return False
        return True

    def show_error(self, error: WorkspaceError) -> None:
        text = error.message(self.lang)
        if isinstance(error, StaleReleaseError):  # offer to refresh and check again
            self.prepared = None
            self.check_button.setText(_t("Làm mới và kiểm tra lại", "Refresh and check again"))
        self.status.setText(text)
        self._update_buttons()

    # ------------------------------------------------------------ preview
    def start_preview(self) -> None:
        self.check_button.setText(_t("Kiểm tra", "Check"))
        self.prepared = None
        self.result.clear()
        self.findings.clear()
        self.changes.clear()
        if not self.gpkg_path:
            self.status.setText(_t("Chưa mở vùng làm việc CovidMaps nào.",
                                   "No CovidMaps workspace is open."))
            return
        pending = unsaved_edits()
        if pending:
            self.status.setText(_t("Hãy lưu các chỉnh sửa trước khi công bố: ",
                                   "Save your edits before publishing: ") + ", ".join(pending))
            return
        try:
            request = self._request()
        except PublishError as exc:
            self.show_error(exc)
            return
        self.status.setText(_t("Đang kiểm tra…", "Checking…"))
        self._start(PreviewTask(request, self.lang, self.preview_done))

    def preview_done(self, task: PipelineTask) -> None:
        if not self._finish(task):
            return
        prepared: Prepared = task.prepared  # type: ignore[attr-defined]
        self.show_preview(prepared)

    def show_preview(self, prepared: Prepared) -> None:
        self.prepared = prepared
        validation = prepared.validation
        for text in validation.errors:
            QListWidgetItem("✗ " + text, self.findings)
        for text in validation.warnings:
            QListWidgetItem("! " + text, self.findings)
        if not validation.errors and not validation.warnings:
            QListWidgetItem(_t("Không có lỗi hay cảnh báo.", "No errors or warnings."),
                            self.findings)
        if prepared.changes is not None:
            for sentence in prepared.changes.sentences(self.lang):
                QListWidgetItem(sentence, self.changes)
        self.confirm.setChecked(False)
        self.confirm.setVisible(bool(validation.warnings))
        if validation.errors:
            self.status.setText(_t(f"Có {len(validation.errors)} lỗi phải sửa trước khi công bố.",
                                   f"{len(validation.errors)} error(s) must be fixed first."))
        else:
            self.status.setText(_t(f"Sẽ thay thế bản {prepared.base_release}.",
                                   f"Will replace release {prepared.base_release}."))
        self._update_buttons()

    def _update_buttons(self) -> None:
        prepared = self.prepared
        ok = (prepared is not None and not prepared.validation.errors
              and (not prepared.validation.warnings or self.confirm.isChecked()))
        self.publish_button.setEnabled(bool(ok) and not self.tasks)

    # ------------------------------------------------------------ publish
    def start_publish(self) -> None:
        if self.prepared is None:
            return
        try:
            request = self._request(self.prepared.base_release)
        except PublishError as exc:
            self.show_error(exc)
            return
        self.status.setText(_t("Đang công bố…", "Publishing…"))
        self._start(PublishTask(request, self.prepared, self.lang, self.publish_done))

    def publish_done(self, task: PipelineTask) -> None:
        if not self._finish(task):
            return
        result = task.result  # type: ignore[attr-defined]
        self.prepared = None
        url = html.escape(result.map_url, quote=True)
        self.status.setText(_t("Đã công bố.", "Published."))
        self.result.setText(
            _t("Bản phát hành", "Release") + f" <b>{html.escape(result.release_id)}</b> — "
            + f'<a href="{url}">{url}</a>')
        self._update_buttons()
        if self.ctx is not None:
            self.ctx.push_success(_t(f"Đã công bố bản {result.release_id}",
                                     f"Published release {result.release_id}"))

    # ------------------------------------------------------------ history
    def _call(self, description: str, call: Callable[[Any], Any],
              done: Callable[[Any], None], base_release: Optional[str] = None) -> None:
        try:
            request = self._request(base_release)
        except PublishError as exc:
            self.show_error(exc)
            return

        def finished(task: PipelineTask) -> None:
            if self._finish(task):
                done(task.value)  # type: ignore[attr-defined]

        self._start(CallTask(description, request, call, finished))

    def load_history(self) -> None:
        self._call("CovidMaps: history", lambda client: client.history(), self.show_history)

    def show_history(self, releases: List[dict]) -> None:
        self.history.clear()
        for entry in releases:
            item = QListWidgetItem(
                f"{entry.get('release_id')}  {entry.get('created_at')}  "
                f"{entry.get('publisher')}  {entry.get('kind')}  {entry.get('message') or ''}",
                self.history)
            item.setData(Qt.ItemDataRole.UserRole, entry.get("release_id"))

    def start_rollback(self) -> None:
        item = self.history.currentItem()
        if item is None or self.history.count() == 0:
            return
        target = item.data(Qt.ItemDataRole.UserRole)
        current = self.history.item(0).data(Qt.ItemDataRole.UserRole)
        key = new_idempotency_key()
        self._call("CovidMaps: rollback",
                   lambda client: client.rollback(current, target, key),
                   lambda _summary: self.load_history(), base_release=current)


def publish_handler(ctx: PluginContext) -> Callable[[bool], None]:
    def run(_checked: bool = False) -> None:
        dialog = PublishDialog(ctx, ctx.main_window)
        dialog.exec()

    return run
