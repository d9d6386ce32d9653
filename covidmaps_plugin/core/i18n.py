"""Which language the QGIS user works in (the one place that decides it)."""

from __future__ import annotations

from typing import Optional

from qgis.core import QgsApplication


def current_language(override: Optional[str] = None) -> str:
    """``"vi"`` when QGIS runs in Vietnamese, else ``"en"``.

    QGIS's own locale (user override or system locale) decides, so labels,
    legends and constraint messages follow the officer's QGIS setting.
    """
    if override:
        return "vi" if override.lower().startswith("vi") else "en"
    return "vi" if QgsApplication.locale().lower().startswith("vi") else "en"
