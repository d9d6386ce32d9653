"""Upgrading workspaces made by older plugin versions, one step per model
version, without losing or changing a feature.

Version history of the stored layout:

* **0** — the first field deployments: the four layers without
  ``commune_code`` (all layers), ``disinfected_on`` and
  ``location_precision`` (risk points); reference layers ``province`` and
  ``districts`` only; no ``covidmaps_meta`` table (the profile was always
  Bắc Kạn 2020) and no project stored in the file.
* **1** — commune codes everywhere, the metadata table and the project.
* **2** — the current model (``MODEL_VERSION``): the fifth layer
  ``epidemic_levels`` (empty after an upgrade).

An upgrade works on a copy next to the file and replaces the file only
when every step succeeded; the original is kept as ``<name>.backup-v<N>.gpkg``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from qgis.core import QgsFeedback, QgsWkbTypes

from ..model import MODEL, MODEL_VERSION, default_profile
from .errors import WorkspaceError
from .gpkg import add_columns, read_meta, table_names, write_meta
from .profile_data import REFERENCE_LAYERS

# What version 0 did not have yet (the history above, as data for the step).
V0_MISSING_FIELDS: Dict[str, Tuple[str, ...]] = {
    "risk_points": ("commune_code", "disinfected_on", "location_precision"),
    "quarantine_facilities": ("commune_code",),
    "isolation_zones": ("commune_code",),
    "checkpoints": ("commune_code",),
}
V0_REFERENCE_LAYERS = ("province", "districts")
V0_LAYERS = tuple(V0_MISSING_FIELDS)


@dataclass(frozen=True)
class UpgradeStep:
    from_version: int
    description: str
    run: Callable[[Path], None]


def detect_version(path: Path) -> int:
    """The model version of a GeoPackage, or WorkspaceError if it is not a workspace."""
    try:
        meta = read_meta(path)
        tables = set(table_names(path))
    except Exception as exc:  # a damaged SQLite file
        raise WorkspaceError(f"Không đọc được {path.name}: {exc}",
                             f"Cannot read {path.name}: {exc}") from exc
    if meta is not None and "model_version" in meta:
        return int(meta["model_version"])
    if set(V0_LAYERS) <= tables:
        return 0
    raise WorkspaceError(
        f"{path.name} không phải vùng làm việc CovidMaps (thiếu các lớp "
        f"{', '.join(sorted(set(MODEL.layer_names) - tables))}).",
        f"{path.name} is not a CovidMaps workspace (missing layers "
        f"{', '.join(sorted(set(MODEL.layer_names) - tables))}).")


def add_missing_fields(path: Path, layer_name: str, field_names: Tuple[str, ...]) -> None:
    """Add model fields (empty) to a stored layer; existing values stay as they are.

    Plain SQL in one transaction (what GDAL itself does for a GeoPackage), so
    no QGIS data provider keeps the file open while it is being replaced.
    """
    layer_def = MODEL.layer(layer_name)
    add_columns(path, layer_name, [f for f in layer_def.fields if f.name in field_names])


def _v0_to_v1(path: Path) -> None:
    from .workspace import write_reference_layer

    for layer_name, fields in V0_MISSING_FIELDS.items():
        add_missing_fields(path, layer_name, fields)
    present = set(table_names(path))
    for table in REFERENCE_LAYERS:
        if table not in present:
            write_reference_layer(path, table, [])
    write_meta(path, {"profile": json.dumps(default_profile().to_dict(), ensure_ascii=False)})


def _v1_to_v2(path: Path) -> None:
    from .fields import STORAGE_CRS, qgs_fields
    from .gpkg import write_layer

    layer_def = MODEL.layer("epidemic_levels")
    if layer_def.name not in set(table_names(path)):
        write_layer(path, layer_def.name, qgs_fields(layer_def), QgsWkbTypes.Type.MultiPolygon,
                    STORAGE_CRS, (), title=layer_def.title_en,
                    description=layer_def.description_en)


STEPS: List[UpgradeStep] = [
    UpgradeStep(0, "commune codes, disinfection date, location precision; metadata table",
                _v0_to_v1),
    UpgradeStep(1, "the epidemic levels layer", _v1_to_v2),
]


def upgrade_workspace(path: Path, from_version: int,
                      feedback: Optional[QgsFeedback] = None) -> Path:
    """Run every step from ``from_version`` to ``MODEL_VERSION``; re-apply forms
    and styles; record the version. Returns the backup of the original."""
    from .workspace import remove_gpkg_files, temp_sibling

    steps = [s for s in STEPS if s.from_version >= from_version]
    if [s.from_version for s in steps] != list(range(from_version, MODEL_VERSION)):
        raise WorkspaceError(f"Không có cách nâng cấp từ phiên bản {from_version}.",
                             f"No upgrade path from model version {from_version}.")
    work = temp_sibling(path, f"upgrade-v{from_version}")
    backup = path.with_name(f"{path.stem}.backup-v{from_version}.gpkg")
    try:
        shutil.copy2(path, work)
        for step in steps:
            if feedback is not None and feedback.isCanceled():
                raise WorkspaceError("Đã hủy.", "Cancelled.")
            step.run(work)
        write_meta(work, {"model_version": str(MODEL_VERSION)})
        shutil.copy2(path, backup)
        os.replace(work, path)
    except WorkspaceError:
        remove_gpkg_files(work)
        raise
    except Exception as exc:
        remove_gpkg_files(work)
        raise WorkspaceError(f"Nâng cấp {path.name} thất bại, tệp gốc không đổi: {exc}",
                             f"Upgrading {path.name} failed; the file is unchanged: {exc}"
                             ) from exc
    return backup
