"""Warnings the officer already confirmed at a publish of this workspace.

A warning confirmed once (same check, same feature, same sentence) is not
asked about again at the next publish: the Publish dialog still lists it,
marked as confirmed before, and asks only about the new ones. Kept in the
QGIS settings per workspace file (no secret in it); a changed feature whose
warning now reads differently is asked about again.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, FrozenSet, Iterable

from qgis.core import QgsSettings

SETTINGS_KEY = "covidmaps/publish/confirmed_warnings"
MAX_WORKSPACES = 20  # the settings stay small whatever the officer opens


def warning_key(finding: Any) -> str:
    """What makes a warning "the same one": its check, layer, feature and
    wording (the English sentence: the same whatever the interface language)."""
    feature = finding.uid or ("" if finding.fid is None else f"#{finding.fid}")
    return "|".join((finding.code.value, finding.layer, feature, finding.message_en))


def _all(settings: QgsSettings) -> Dict[str, list]:
    try:
        data = json.loads(settings.value(SETTINGS_KEY, "{}") or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _workspace(gpkg_path: Any) -> str:
    return os.path.normcase(os.path.abspath(str(gpkg_path)))


def confirmed_warnings(gpkg_path: Any) -> FrozenSet[str]:
    """Keys of the warnings confirmed at the last publish of this workspace."""
    keys = _all(QgsSettings()).get(_workspace(gpkg_path), [])
    return frozenset(k for k in keys if isinstance(k, str))


def remember_confirmed(gpkg_path: Any, findings: Iterable[Any]) -> None:
    """After a publish: the warnings it went out with (and only those)."""
    settings = QgsSettings()
    data = _all(settings)
    workspace = _workspace(gpkg_path)
    data.pop(workspace, None)
    data[workspace] = sorted({warning_key(f) for f in findings})
    while len(data) > MAX_WORKSPACES:  # the oldest entries first
        data.pop(next(iter(data)))
    settings.setValue(SETTINGS_KEY, json.dumps(data, ensure_ascii=False))
