"""The Publish dialog's other steps as Processing algorithms, so the dialog
runs nothing but ``covidmaps:`` algorithms (and they run headless too):

- ``covidmaps:previewpublish``: validate, export and compare with the public
  map; sends nothing; writes the preview as JSON
  (``core.publishing.preview_report``);
- ``covidmaps:history``: the endpoint's releases as JSON;
- ``covidmaps:rollback``: bring back the data of an earlier release (a new
  release; If-Match on the current one).

The token: an authentication configuration (AUTHCFG), else the
``COVIDMAPS_TOKEN`` environment variable, as for ``covidmaps:publish``.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..i18n import error_text, tr, tr_later
from .base import CovidMapsAlgorithm

WORKSPACE, ENDPOINT, AUTHCFG, REPORT = "WORKSPACE", "ENDPOINT", "AUTHCFG", "REPORT"
CURRENT, TARGET, IDEMPOTENCY_KEY, RELEASE_ID = "CURRENT", "TARGET", "IDEMPOTENCY_KEY", "RELEASE_ID"


def write_json(path: str, data: Any) -> None:
    """Written next to its target and renamed: a reader never sees half."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".covidmaps-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, allow_nan=False)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class EndpointAlgorithm(CovidMapsAlgorithm):
    """ENDPOINT and AUTHCFG, and the request made of them."""

    group_name = tr_later("Publishing")
    group_key = "publishing"

    def add_endpoint(self) -> None:
        self.addParameter(QgsProcessingParameterString(ENDPOINT, tr("Publishing endpoint URL")))
        self.addParameter(QgsProcessingParameterAuthConfig(
            AUTHCFG, tr("Authentication configuration (token)"), optional=True))

    def request(self, parameters: Dict[str, Any], context: QgsProcessingContext,
                gpkg_path: str = "", **extra: Any):
        from ..core.publishing.auth import auth_headers
        from ..core.publishing.client import normalized_endpoint
        from ..core.publishing.network import network_settings
        from ..core.publishing.pipeline import PublishRequest

        return PublishRequest(
            gpkg_path=gpkg_path,
            endpoint=normalized_endpoint(self.parameterAsString(parameters, ENDPOINT, context)),
            auth_headers=auth_headers(
                authcfg=self.parameterAsString(parameters, AUTHCFG, context) or ""),
            network=network_settings(), **extra)

    def processAlgorithm(  # noqa: N802 - Qt API
        self, parameters: Dict[str, Any], context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        from ..core.errors import WorkspaceError

        try:
            return self.work(parameters, context, feedback)
        except WorkspaceError as exc:  # PublishError included: the officer's message
            message = error_text(exc)
        # raised outside the except block: the traceback would keep the
        # request (and its token) alive in the exception's frames
        raise QgsProcessingException(message)

    def work(self, parameters: Dict[str, Any], context: QgsProcessingContext,
             feedback: QgsProcessingFeedback) -> Dict[str, Any]:
        raise NotImplementedError


class PreviewPublishAlgorithm(EndpointAlgorithm):
    algorithm_name = "previewpublish"
    display_name = tr_later("Preview a publish")

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr("Validates and exports the workspace and compares it with the public map, "
                  "without sending anything: the findings, the release on the map now and "
                  "what a publish would change, as a JSON file.")

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            WORKSPACE, tr("Workspace file"), extension="gpkg"))
        self.add_endpoint()
        self.addParameter(QgsProcessingParameterFileDestination(
            REPORT, tr("Preview"), fileFilter="JSON (*.json)"))

    def work(self, parameters, context, feedback):
        from ..core.i18n import current_language
        from ..core.publishing.pipeline import make_client, prepare
        from ..core.publishing.preview_report import preview_to_dict

        request = self.request(parameters, context,
                               self.parameterAsFile(parameters, WORKSPACE, context))
        client = make_client(request, feedback)
        try:
            prepared = prepare(request, client, current_language(), feedback)
        finally:
            client.close()
        path = self.parameterAsFileOutput(parameters, REPORT, context)
        write_json(path, preview_to_dict(prepared))
        return {REPORT: path}


class HistoryAlgorithm(EndpointAlgorithm):
    algorithm_name = "history"
    display_name = tr_later("Release history")

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr("The releases of the public map, newest first (who, when, what changed), "
                  "as a JSON file.")

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.add_endpoint()
        self.addParameter(QgsProcessingParameterFileDestination(
            REPORT, tr("History"), fileFilter="JSON (*.json)"))

    def work(self, parameters, context, feedback):
        from ..core.publishing.pipeline import make_client

        client = make_client(self.request(parameters, context), feedback)
        try:
            releases = client.history()
        finally:
            client.close()
        path = self.parameterAsFileOutput(parameters, REPORT, context)
        write_json(path, {"releases": releases})
        return {REPORT: path}


class RollbackAlgorithm(EndpointAlgorithm):
    algorithm_name = "rollback"
    display_name = tr_later("Roll back the public map")

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr("Brings the public map back to the data of an earlier release, as a new "
                  "release (no release is deleted). Current: the release on the map now (if "
                  "someone published since, nothing changes).")

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.add_endpoint()
        self.addParameter(QgsProcessingParameterString(CURRENT, tr("Release on the map now")))
        self.addParameter(QgsProcessingParameterString(TARGET, tr("Release to bring back")))
        self.addParameter(QgsProcessingParameterString(
            IDEMPOTENCY_KEY, tr("Idempotency key (a retry makes one release)"), optional=True))
        self.addOutput(QgsProcessingOutputString(RELEASE_ID, tr("Release id")))

    def work(self, parameters, context, feedback):
        from ..core.publishing.client import new_idempotency_key
        from ..core.publishing.pipeline import make_client

        current = self.parameterAsString(parameters, CURRENT, context).strip()
        target = self.parameterAsString(parameters, TARGET, context).strip()
        key = (self.parameterAsString(parameters, IDEMPOTENCY_KEY, context) or "").strip()
        client = make_client(self.request(parameters, context), feedback)
        try:
            summary = client.rollback(current, target, key or new_idempotency_key())
        finally:
            client.close()
        release = str((summary or {}).get("release_id", ""))
        feedback.pushInfo(tr("Rolled back to {0}: new release {1}.").format(target, release))
        return {RELEASE_ID: release}
