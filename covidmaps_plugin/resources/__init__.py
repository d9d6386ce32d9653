"""Icons of the plugin (SVG files drawn for CovidMaps, in ``icons/``).

Icons are read from the files so the same code works from a source checkout
and under Qt6 (where pyrcc no longer exists). The packaged plugin also carries
``resources_rc.py`` compiled from ``resources.qrc`` for ``.ui`` files that
refer to ``:/plugins/covidmaps_plugin/icons/...``.
"""

from __future__ import annotations

from pathlib import Path

from qgis.PyQt.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent / "icons"


def icon_path(name: str) -> str:
    """Absolute path of ``icons/<name>``; raises FileNotFoundError if it is missing."""
    path = ICON_DIR / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return str(path)


def icon(name: str) -> QIcon:
    return QIcon(icon_path(name))
