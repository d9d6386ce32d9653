"""New / open workspace: the dialogs and their toolbar handlers.

Creating runs ``covidmaps:createworkspace`` as a task (the same algorithm as
the toolbox and ``qgis_process``); opening loads an existing GeoPackage with
``core.workspace.open_workspace``. Errors go to the message bar in the
interface language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from qgis.core import QgsProcessingAlgRunnerTask, QgsProject, QgsSettings
from qgis.gui import QgsFileWidget
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..i18n import error_text, tr
from ..model.profile import DEFAULT_PROFILE_ID, PROFILE_DIR, load_profile
from ..processing_provider.provider import PROVIDER_ID
from .context import PluginContext
from .processing_tasks import TaskOutcome, run_algorithm_task

CREATE_ALGORITHM_ID = f"{PROVIDER_ID}:createworkspace"
LAST_DIR_KEY = "CovidMaps/lastWorkspaceDir"
GPKG_FILTER = "GeoPackage (*.gpkg *.GPKG)"


@dataclass(frozen=True)
class NewWorkspaceRequest:
    path: str
    profile_id: str = DEFAULT_PROFILE_ID
    with_sample: bool = False

    def parameters(self) -> Dict[str, Any]:
        return {
            "OUTPUT": self.path,
            "PROFILE": self.profile_id,
            "WITH_SAMPLE": self.with_sample,
            "OPEN": True,
        }


def shipped_profiles() -> List[Tuple[str, str]]:
    """(profile id, label) of every profile shipped with the plugin, default first."""
    profiles = []
    for path in sorted(PROFILE_DIR.glob("*.json")):
        profile = load_profile(str(path))
        profiles.append((profile.id, f"{profile.name} ({profile.id})"))
    profiles.sort(key=lambda item: item[0] != DEFAULT_PROFILE_ID)
    return profiles


def problem_with_new_path(path: str) -> Optional[str]:
    """Why a new workspace cannot be written to ``path`` (None when it can)."""
    if not path.strip():
        return tr("Choose where to save the workspace file.")
    from ..core.workspace import WorkspaceError, check_new_path

    try:
        check_new_path(Path(path).absolute())
    except WorkspaceError as exc:
        return error_text(exc)
    return None


def with_gpkg_suffix(path: str) -> str:
    path = path.strip()
    return path if not path or path.lower().endswith(".gpkg") else path + ".gpkg"


def last_dir() -> str:
    return str(QgsSettings().value(LAST_DIR_KEY, str(Path.home())))


def remember_dir(path: str) -> None:
    QgsSettings().setValue(LAST_DIR_KEY, str(Path(path).parent))


class NewWorkspaceDialog(QDialog):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("CovidMapsNewWorkspaceDialog")
        self.setWindowTitle(tr("New CovidMaps workspace"))
        self.setMinimumWidth(640)

        intro = QLabel(
            tr(
                "A workspace is one GeoPackage file holding the five layers of the "
                "epidemic map. Save it where it is backed up."
            )
        )
        intro.setWordWrap(True)

        self.file_widget = QgsFileWidget()
        self.file_widget.setStorageMode(QgsFileWidget.StorageMode.SaveFile)
        self.file_widget.setFilter(GPKG_FILTER)
        self.file_widget.setDialogTitle(tr("Save the workspace as"))
        self.file_widget.setDefaultRoot(last_dir())
        self.file_widget.fileChanged.connect(self._clear_problem)

        self.profile_combo = QComboBox()
        for profile_id, label in shipped_profiles():
            self.profile_combo.addItem(label, profile_id)

        self.sample_check = QCheckBox(tr("Add sample data (for training, not for publishing)"))

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #B00020;")
        self.problem_label.hide()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Create"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(tr("Workspace file"), self.file_widget)
        form.addRow(tr("Province profile"), self.profile_combo)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.sample_check)
        layout.addWidget(self.problem_label)
        layout.addWidget(buttons)

    def request(self) -> NewWorkspaceRequest:
        return NewWorkspaceRequest(
            path=with_gpkg_suffix(self.file_widget.filePath()),
            profile_id=str(self.profile_combo.currentData()),
            with_sample=self.sample_check.isChecked(),
        )

    def accept(self) -> None:
        problem = problem_with_new_path(self.request().path)
        if problem:
            self.problem_label.setText(problem)
            self.problem_label.show()
            return
        super().accept()

    def _clear_problem(self) -> None:
        self.problem_label.hide()


def start_create_workspace(
    ctx: PluginContext,
    request: NewWorkspaceRequest,
    on_done: Optional[Callable[[bool, str], None]] = None,
) -> Optional[QgsProcessingAlgRunnerTask]:
    """Create (and open) a workspace in a background task; None if it cannot start.

    ``on_done(ok, message)`` runs after the message bar reports the outcome.
    """

    def done(outcome: TaskOutcome) -> None:
        if outcome.ok:
            remember_dir(request.path)
            created = outcome.results.get("OUTPUT", request.path)
            message = " ".join([tr("Workspace created: {0}").format(created), *outcome.warnings])
            if outcome.warnings:
                ctx.push_warning(message)
            else:
                ctx.push_success(message)
        else:
            message = tr("Could not create the workspace: {0}").format(" ".join(outcome.errors))
            ctx.push_error(message)
        if on_done is not None:
            on_done(outcome.ok, message)

    try:
        return run_algorithm_task(ctx, CREATE_ALGORITHM_ID, request.parameters(), done)
    except ValueError as exc:
        message = tr("Could not create the workspace: {0}").format(exc)
        ctx.push_error(message)
        if on_done is not None:
            on_done(False, message)
        return None


def open_workspace_file(ctx: PluginContext, path: str) -> bool:
    """Load the workspace at ``path`` into the current project; False on error."""
    from ..core.workspace import WorkspaceError, open_workspace

    try:
        open_workspace(path, project=QgsProject.instance())
    except WorkspaceError as exc:
        ctx.push_error(tr("Could not open the workspace: {0}").format(error_text(exc)))
        return False
    remember_dir(path)
    ctx.push_success(tr("Workspace opened: {0}").format(path))
    return True


def may_replace_project(ctx: PluginContext) -> bool:
    """Opening a workspace replaces the project: let QGIS ask to save it first.

    False when the user cancels that question.
    """
    return bool(ctx.iface.newProject(True))


def new_workspace_handler(ctx: PluginContext) -> Callable[[bool], None]:
    def run(_checked: bool = False) -> None:
        dialog = NewWorkspaceDialog(ctx.main_window)
        if dialog.exec() and may_replace_project(ctx):
            start_create_workspace(ctx, dialog.request())

    return run


def open_workspace_handler(ctx: PluginContext) -> Callable[[bool], None]:
    def run(_checked: bool = False) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            ctx.main_window, tr("Open CovidMaps workspace"), last_dir(), GPKG_FILTER
        )
        if path and may_replace_project(ctx):
            open_workspace_file(ctx, path)

    return run
