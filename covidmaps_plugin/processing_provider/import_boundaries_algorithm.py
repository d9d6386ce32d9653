"""``covidmaps:importboundaries``: the province's official district or
commune polygons (a shapefile or GeoPackage from the land department, any
CRS) replace the approximate ones of a workspace.

The default Bắc Kạn districts are Voronoi cells of one seed per district
(``core/profile_data.py``); the public map says "approximate boundaries"
until this step has run. Codes are checked against the profile, geometry is
checked (never repaired), and the workspace keeps its old boundaries when
anything is wrong (``core/profile_import.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProject,
)

from ..i18n import error_text, tr, tr_later
from .base import CovidMapsAlgorithm

WORKSPACE, SOURCE, LEVEL = "WORKSPACE", "SOURCE", "LEVEL"
CODE_FIELD, NAME_FIELD, PARENT_FIELD, COUNT = "CODE_FIELD", "NAME_FIELD", "PARENT_FIELD", "COUNT"
LEVELS = ("districts", "communes", "province")


class ImportBoundariesAlgorithm(CovidMapsAlgorithm):
    algorithm_name = "importboundaries"
    display_name = tr_later("Import official boundaries")
    group_name = tr_later("Workspace")
    group_key = "workspace"

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr(
            "Replaces the district (or commune, or province) polygons of a workspace with the "
            "province's official boundaries: a shapefile or GeoPackage layer in any "
            "coordinate reference system, with one polygon per unit.\n\n"
            "Code field: the GSO code (3 digits for districts, 5 for communes; numbers are "
            "padded). Every code of the profile must be present once; nothing is written "
            "when a code is unknown, missing or repeated, or a polygon is invalid.\n"
            "Until this step has run, the public map says that its district boundaries "
            "are approximate."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            WORKSPACE, tr("Workspace file"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterVectorLayer(
            SOURCE, tr("Official boundaries (polygons)")))
        self.addParameter(QgsProcessingParameterEnum(
            LEVEL, tr("Level"), options=[tr("Districts"), tr("Communes"), tr("Province")],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterString(CODE_FIELD, tr("Code field")))
        self.addParameter(QgsProcessingParameterString(NAME_FIELD, tr("Name field")))
        self.addParameter(QgsProcessingParameterString(
            PARENT_FIELD, tr("District code field (communes only)"), optional=True))
        self.addOutput(QgsProcessingOutputNumber(COUNT, tr("Boundaries imported")))

    def processAlgorithm(  # noqa: N802 - Qt API
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        count, failure = self._import(parameters, context)
        # Raised here, not inside _import: the exception's traceback would keep
        # the layers and the scratch project alive past QGIS's shutdown.
        if failure:
            raise QgsProcessingException(failure)
        path = Path(self.parameterAsFile(parameters, WORKSPACE, context))
        feedback.pushInfo(tr("{0} boundaries imported into {1}.").format(count, path.name))
        return {COUNT: count}

    def _import(self, parameters: Dict[str, Any], context: QgsProcessingContext
                ) -> Tuple[int, str]:
        from ..core.errors import WorkspaceError
        from ..core.profile_import import import_boundaries
        from ..core.workspace import open_workspace

        path = Path(self.parameterAsFile(parameters, WORKSPACE, context))
        source = self.parameterAsVectorLayer(parameters, SOURCE, context)
        if source is None:
            return 0, tr("Give the layer of official boundaries.")
        source_uri = source.source()
        del source
        level = LEVELS[self.parameterAsEnum(parameters, LEVEL, context)]
        code_field = self.parameterAsString(parameters, CODE_FIELD, context).strip()
        name_field = self.parameterAsString(parameters, NAME_FIELD, context).strip()
        parent_field = (self.parameterAsString(parameters, PARENT_FIELD, context) or "").strip()
        # a scratch project: this may run in a worker thread, where the
        # user's project must not be touched (reopen the workspace to see it)
        project = QgsProject()
        failure = ""
        count = 0
        try:
            workspace = open_workspace(path, project=project)
            count = import_boundaries(workspace, source_uri, level, code_field, name_field,
                                      parent_field or None)
            del workspace
        except WorkspaceError as exc:
            failure = error_text(exc)
        finally:
            project.clear()
        return count, failure
