"""``covidmaps:createworkspace``: a new CovidMaps workspace (GeoPackage).

The workspace logic lives in ``core/workspace.py``; this algorithm only
exposes it to the toolbox, the model builder, ``qgis_process`` and the
plugin's own "New workspace" dialog (which runs it as a task). The file is
written in the worker thread; the user's project is changed only afterwards,
in the main thread (``postProcessAlgorithm``), as Qt requires. Opening a
workspace replaces the current project with the one stored in the GeoPackage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProject,
)

from ..i18n import error_text, tr, tr_later
from ..model.profile import DEFAULT_PROFILE_ID
from .base import CovidMapsAlgorithm, processing_error


class CreateWorkspaceAlgorithm(CovidMapsAlgorithm):
    algorithm_name = "createworkspace"
    display_name = tr_later("Create workspace")
    group_name = tr_later("Workspace")
    group_key = "workspace"
    icon_file = "new_workspace.svg"

    OUTPUT = "OUTPUT"
    PROFILE = "PROFILE"
    WITH_SAMPLE = "WITH_SAMPLE"
    OPEN = "OPEN"

    def __init__(self) -> None:
        super().__init__()
        self._created_path: Optional[str] = None
        self._open_after = False

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr(
            "Creates a CovidMaps workspace: one GeoPackage holding the five layers "
            "(high-risk points, quarantine facilities, medical isolation zones, "
            "checkpoints, epidemic levels by area) with their forms and styles, for one "
            "province.\n\n"
            "Province profile: the id of a profile shipped with the plugin "
            "(for example bac_kan_2020) or the path of a profile JSON file.\n"
            "An existing file is never overwritten."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Workspace file"), fileFilter="GeoPackage (*.gpkg)"
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.PROFILE, tr("Province profile"), defaultValue=DEFAULT_PROFILE_ID
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.WITH_SAMPLE, tr("Add sample data"), defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.OPEN, tr("Open the workspace in the current project"), defaultValue=True
            )
        )
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT, tr("Workspace file")))

    def checkParameterValues(  # noqa: N802 - Qt API
        self, parameters: Dict[str, Any], context: QgsProcessingContext
    ):
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        from ..core.workspace import WorkspaceError, check_new_path

        try:
            self.parameterAsProfile(parameters, self.PROFILE, context)
            check_new_path(Path(self._output_path(parameters, context)).absolute())
        except QgsProcessingException as exc:
            return False, str(exc)
        except WorkspaceError as exc:
            return False, error_text(exc)
        return True, ""

    def _output_path(self, parameters: Dict[str, Any], context: QgsProcessingContext) -> str:
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        return path if path.lower().endswith(".gpkg") else path + ".gpkg"


    def processAlgorithm(  # noqa: N802 - Qt API
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        from ..core.workspace import WorkspaceError, create_workspace

        path = self._output_path(parameters, context)
        profile = self.parameterAsProfile(parameters, self.PROFILE, context)
        with_sample = self.parameterAsBoolean(parameters, self.WITH_SAMPLE, context)
        feedback.pushInfo(tr("Creating workspace {0} for {1}").format(path, profile.name))
        try:
            # a scratch project: this runs in a worker thread, where the
            # user's project must not be touched (it is opened in postProcess)
            create_workspace(
                path, profile, with_sample=with_sample, project=QgsProject(), feedback=feedback
            )
        except WorkspaceError as exc:
            raise processing_error(exc) from None
        if feedback.isCanceled():
            return {}
        self._created_path = path
        self._open_after = self.parameterAsBoolean(parameters, self.OPEN, context)
        return {self.OUTPUT: path}

    def postProcessAlgorithm(  # noqa: N802 - Qt API
        self, context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> Dict[str, Any]:
        if not self._created_path:
            return {}
        project = context.project()
        if self._open_after and project is not None and project.isDirty():
            # opening replaces the project: never throw away the user's unsaved work
            feedback.pushWarning(
                tr(
                    "The current project has unsaved changes, so the new workspace was "
                    "not opened. Save the project, then use \u201cOpen workspace\u2026\u201d."
                )
            )
        elif self._open_after and project is not None:
            from ..core.workspace import WorkspaceError, open_workspace

            try:
                open_workspace(self._created_path, project=project, feedback=feedback)
            except WorkspaceError as exc:
                raise processing_error(exc) from None
        return {self.OUTPUT: self._created_path}
