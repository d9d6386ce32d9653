"""``covidmaps:publish``: publish a workspace to a CovidMaps endpoint.

The same pipeline as the toolbar's Publish button (``core/publishing``),
headless: ``qgis_process.bin run covidmaps:publish -- WORKSPACE=... ENDPOINT=...``.
The token comes from an authentication configuration (AUTHCFG) or, for
scripts and CI where no auth DB is unlocked, from the environment variable
``COVIDMAPS_TOKEN``. Validation errors stop the publish; warnings stop it
unless CONFIRM_WARNINGS is true.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..core.i18n import current_language
from ..i18n import tr, tr_later
from .base import CovidMapsAlgorithm, processing_error


class PublishAlgorithm(CovidMapsAlgorithm):
    algorithm_name = "publish"
    display_name = tr_later("Publish the map")
    group_name = tr_later("Publishing")
    group_key = "publishing"

    WORKSPACE = "WORKSPACE"
    ENDPOINT = "ENDPOINT"
    AUTHCFG = "AUTHCFG"
    CONFIRM_WARNINGS = "CONFIRM_WARNINGS"
    MESSAGE = "MESSAGE"
    RELEASE_ID = "RELEASE_ID"
    # the Publish dialog: publish what covidmaps:previewpublish showed or nothing
    BASE_RELEASE = "BASE_RELEASE"
    EXPECTED_BLOBS = "EXPECTED_BLOBS"
    MAP_URL = "MAP_URL"
    # where the endpoint's refusal goes as findings (JSON, the validator's
    # report format), for the Publish dialog to list them like its own
    REJECTED = "REJECTED"

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr(
            "Validates the workspace, exports the approved and currently visible features "
            "(public fields only) and publishes them as a new release of the public map. "
            "Layers the endpoint already has are not uploaded again.\n\n"
            "Token: an authentication configuration (Basic: password = token), or the "
            "COVIDMAPS_TOKEN environment variable when none is given.\n"
            "If someone else published meanwhile, nothing is overwritten: run it again."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            self.WORKSPACE, tr("Workspace file"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(
            self.ENDPOINT, tr("Publishing endpoint URL")))
        self.addParameter(QgsProcessingParameterAuthConfig(
            self.AUTHCFG, tr("Authentication configuration (token)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.CONFIRM_WARNINGS, tr("Publish despite validation warnings"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterString(
            self.MESSAGE, tr("Release note"), defaultValue="", optional=True))
        self._add_previewed()
        rejected = QgsProcessingParameterFileDestination(
            self.REJECTED, tr("Findings of the endpoint if it refuses the data"),
            fileFilter="JSON (*.json)", optional=True, createByDefault=False)
        rejected.setFlags(rejected.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(rejected)
        self.addOutput(QgsProcessingOutputString(self.RELEASE_ID, tr("Release id")))
        self.addOutput(QgsProcessingOutputString(self.MAP_URL, tr("Public map URL")))

    def _add_previewed(self) -> None:
        for name, title in (
                (self.BASE_RELEASE, tr("Previewed release (publish only on top of it)")),
                (self.EXPECTED_BLOBS, tr("Previewed blobs (JSON layer -> sha256; publish only "
                                         "if the export is the same)"))):
            parameter = QgsProcessingParameterString(name, title, optional=True)
            parameter.setFlags(parameter.flags()
                               | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
            self.addParameter(parameter)

    def processAlgorithm(  # noqa: N802 - Qt API
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        from ..core.errors import WorkspaceError
        from ..core.publishing.auth import auth_headers
        from ..core.publishing.errors import RejectedError
        from ..core.publishing.network import network_settings
        from ..core.publishing.pipeline import PublishRequest, publish
        from ..core.publishing.preview_report import publish_as_previewed
        from ..core.publishing.rejected import write_rejected

        lang = current_language()
        try:
            request = PublishRequest(
                gpkg_path=self.parameterAsFile(parameters, self.WORKSPACE, context),
                endpoint=self.parameterAsString(parameters, self.ENDPOINT, context),
                auth_headers=auth_headers(
                    authcfg=self.parameterAsString(parameters, self.AUTHCFG, context) or ""),
                network=network_settings(),
                confirm_warnings=self.parameterAsBoolean(
                    parameters, self.CONFIRM_WARNINGS, context),
                message=self.parameterAsString(parameters, self.MESSAGE, context) or "",
                base_release=self.parameterAsString(
                    parameters, self.BASE_RELEASE, context).strip() or None,
            )
            expected = _blobs(self.parameterAsString(parameters, self.EXPECTED_BLOBS, context))
            if request.base_release or expected:
                result = publish_as_previewed(request, expected, feedback, feedback.pushInfo,
                                              lang)
            else:
                result = publish(request, feedback, feedback.pushInfo, lang)
        except RejectedError as exc:
            path = self.parameterAsFileOutput(parameters, self.REJECTED, context)
            if path and exc.problems:
                write_rejected(path, exc, request.gpkg_path)
            raise processing_error(exc) from None
        except WorkspaceError as exc:  # PublishError included
            raise processing_error(exc) from None
        feedback.pushInfo(tr("Published release {0}: {1}").format(
            result.release_id, result.map_url))
        return {self.RELEASE_ID: result.release_id, self.MAP_URL: result.map_url}


def _blobs(text: str) -> Dict[str, str]:
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise QgsProcessingException(tr("Previewed blobs must be a JSON object."))
    return {str(k): str(v) for k, v in value.items()}
