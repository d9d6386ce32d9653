"""The boilerplate every CovidMaps Processing algorithm shares.

Subclasses set the class attributes (texts in English, marked with
``tr_later`` so they reach the .ts files) and implement ``initAlgorithm``,
``processAlgorithm`` and ``shortHelpString``.
"""

from __future__ import annotations

import traceback
from typing import Any, Dict, Optional

from qgis.core import QgsProcessingAlgorithm, QgsProcessingContext, QgsProcessingException
from qgis.PyQt.QtGui import QIcon

from ..i18n import error_text, tr
from ..model.profile import DEFAULT_PROFILE_ID, ProvinceProfile, load_profile
from ..resources import icon


def processing_error(exc: BaseException) -> QgsProcessingException:
    """The QgsProcessingException that tells ``exc`` (in the interface
    language), raise it ``from None``.

    QGIS prints an exception an algorithm raises and Python keeps it (as
    ``sys.last_value``) until the next one. Through its traceback and
    chained exceptions it would keep every finished frame's variables:
    the workspace's layers, their GeoPackage still open (on Windows a file
    the officer can then neither replace nor delete), and at exit QGIS
    crashes releasing them after its data providers are gone. The frames
    of ``exc`` and of what it chains are cleared here.
    """
    seen = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
    return QgsProcessingException(error_text(exc))


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

    def parameterAsProfile(  # noqa: N802 - named like QGIS's parameterAs* methods
        self, parameters: Dict[str, Any], name: str, context: QgsProcessingContext
    ) -> ProvinceProfile:
        """The province profile a parameter names (an id or a JSON path;
        empty: the default profile), or a QgsProcessingException saying why
        it cannot be read."""
        value = (self.parameterAsString(parameters, name, context) or "").strip()
        try:
            return load_profile(value or DEFAULT_PROFILE_ID)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise QgsProcessingException(
                tr("Cannot read the province profile \u201c{0}\u201d: {1}").format(value, exc)
            ) from exc
