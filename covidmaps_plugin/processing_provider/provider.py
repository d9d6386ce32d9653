"""Processing provider ``covidmaps``: every CovidMaps algorithm.

The GUI runs these algorithms too (as tasks), so whatever an officer does
from the toolbar also runs headless with ``qgis_process``. To add an
algorithm, append its ``"module:Class"`` path to ``ALGORITHMS``; classes are
imported when the provider loads, so one broken algorithm is logged and
cannot take the others (or the plugin) down with it. ``base.CovidMapsAlgorithm``
holds the boilerplate (name, translated titles, group, icon, createInstance).
"""

from __future__ import annotations

import pkgutil
from typing import List

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon

PROVIDER_ID = "covidmaps"

ALGORITHMS: List[str] = [
    "covidmaps_plugin.processing_provider.create_workspace_algorithm:CreateWorkspaceAlgorithm",
    "covidmaps_plugin.processing_provider.validate_algorithm:ValidateAlgorithm",
    "covidmaps_plugin.processing_provider.publish_algorithm:PublishAlgorithm",
    "covidmaps_plugin.processing_provider.import_boundaries_algorithm:ImportBoundariesAlgorithm",
    "covidmaps_plugin.processing_provider.set_notice_algorithm:SetNoticeAlgorithm",
    "covidmaps_plugin.processing_provider.release_algorithms:PreviewPublishAlgorithm",
    "covidmaps_plugin.processing_provider.release_algorithms:HistoryAlgorithm",
    "covidmaps_plugin.processing_provider.release_algorithms:RollbackAlgorithm",
]


class CovidMapsProvider(QgsProcessingProvider):
    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "CovidMaps"

    def longName(self) -> str:  # noqa: N802 - Qt API
        return tr("CovidMaps epidemic map tools")

    def icon(self) -> QIcon:
        return icon("covidmaps.svg")

    def loadAlgorithms(self) -> None:  # noqa: N802 - Qt API
        for path in ALGORITHMS:
            try:
                algorithm_class = pkgutil.resolve_name(path)
            except (ImportError, AttributeError) as exc:
                QgsMessageLog.logMessage(f"{path}: {exc}", "CovidMaps", Qgis.MessageLevel.Critical)
                continue
            self.addAlgorithm(algorithm_class())
