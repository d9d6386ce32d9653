"""``covidmaps:setnotice``: the hotline and the one line of advice the public
map shows under its header. They live in the workspace's province profile
and travel with every publish (the manifest's ``notice``), so the officer
changes them without touching the web map."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, Optional

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..i18n import tr, tr_later
from .base import CovidMapsAlgorithm

WORKSPACE, HOTLINE, ADVICE_VI, ADVICE_EN = "WORKSPACE", "HOTLINE", "ADVICE_VI", "ADVICE_EN"
HOTLINE_MAX, ADVICE_MAX = 60, 400  # the endpoint refuses longer ones


class SetNoticeAlgorithm(CovidMapsAlgorithm):
    algorithm_name = "setnotice"
    display_name = tr_later("Set hotline and advice of the public map")
    group_name = tr_later("Workspace")
    group_key = "workspace"

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr(
            "The public map shows the province's hotline and one line of advice under its "
            "header, on the first screen. They are stored in the workspace and sent with "
            "the next publish. Leave a text empty to keep it as it is."
        )

    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            WORKSPACE, tr("Workspace file"), extension="gpkg"))
        self.addParameter(QgsProcessingParameterString(
            HOTLINE, tr("Hotline (e.g. 0209 3870 115)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            ADVICE_VI, tr("Advice in Vietnamese"), multiLine=True, optional=True))
        self.addParameter(QgsProcessingParameterString(
            ADVICE_EN, tr("Advice in English"), multiLine=True, optional=True))

    def processAlgorithm(  # noqa: N802 - Qt API
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        from ..core.gpkg import read_meta, write_meta
        from ..model import ProvinceProfile

        path = Path(self.parameterAsFile(parameters, WORKSPACE, context))
        meta = read_meta(path) if path.is_file() else None
        if not meta or "profile" not in meta:
            raise QgsProcessingException(
                tr("{0} is not a CovidMaps workspace.").format(path.name))
        profile = ProvinceProfile.from_dict(json.loads(meta["profile"]))
        changes: Dict[str, str] = {}
        for key, name, limit in ((HOTLINE, "hotline", HOTLINE_MAX),
                                 (ADVICE_VI, "advice_vi", ADVICE_MAX),
                                 (ADVICE_EN, "advice_en", ADVICE_MAX)):
            text = " ".join((self.parameterAsString(parameters, key, context) or "").split())
            if len(text) > limit:
                raise QgsProcessingException(
                    tr("\u201c{0}\u201d is too long: at most {1} characters.").format(
                        text[:40] + "\u2026", limit))
            if text:
                changes[name] = text
        profile = dataclasses.replace(profile, **changes)
        write_meta(path, {"profile": json.dumps(profile.to_dict(), ensure_ascii=False)})
        feedback.pushInfo(tr("Hotline: {0}").format(profile.hotline))
        return {}
