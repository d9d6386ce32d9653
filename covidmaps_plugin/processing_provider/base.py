"""The boilerplate every CovidMaps Processing algorithm shares.

Subclasses set the class attributes (texts in English, marked with
``tr_later`` so they reach the .ts files) and implement ``initAlgorithm``,
``processAlgorithm`` and ``shortHelpString``.
"""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm
from qgis.PyQt.QtGui import QIcon

from ..i18n import tr
from ..resources import icon


class CovidMapsAlgorithm(QgsProcessingAlgorithm):
    algorithm_name = ""  # the part after "covidmaps:", never changes
    display_name = ""
    group_name = ""
    group_key = ""
    icon_file = "covidmaps.svg"

    def name(self) -> str:
        return self.algorithm_name

    def displayName(self) -> str:  # noqa: N802 - Qt API
        return tr(self.display_name)

    def group(self) -> str:
        return tr(self.group_name)

    def groupId(self) -> str:  # noqa: N802 - Qt API
        return self.group_key

    def icon(self) -> QIcon:
        return icon(self.icon_file)

    def createInstance(self) -> QgsProcessingAlgorithm:  # noqa: N802 - Qt API
        return type(self)()
