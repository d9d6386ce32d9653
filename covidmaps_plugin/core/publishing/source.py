"""What a publish reads: a workspace GeoPackage opened read-only.

Publishing works from the saved file, never from the layers in the
officer's project: the worker thread gets layers of its own (QGIS layers
belong to the thread that made them), nothing in the project is touched,
and edits that are not saved yet are refused up front rather than silently
left out (:func:`unsaved_edits`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Union

from qgis.core import QgsProject, QgsVectorLayer

from ...model import MODEL, ProvinceProfile
from ..errors import WorkspaceError
from ..gpkg import read_meta
from ..project_setup import LAYER_PROPERTY, REFERENCE_PROPERTY, find_layer, layer_uri, source_path

# the reference layers a release carries (communes stay on the officer's side)
PUBLISHED_REFERENCES = ("province", "districts")


@dataclass
class PublishSource:
    """Read-only layers of one workspace file; quacks like core.workspace.Workspace
    for the validator (``layer``, ``reference_layer``, ``profile``)."""

    gpkg_path: Path
    profile: ProvinceProfile
    layers: Dict[str, QgsVectorLayer] = field(default_factory=dict)
    references: Dict[str, QgsVectorLayer] = field(default_factory=dict)

    def layer(self, name: str) -> QgsVectorLayer:
        return self.layers[name]

    def reference_layer(self, name: str) -> QgsVectorLayer:
        return self.references[name]


def _open(path: Path, table: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(layer_uri(path, table), table, "ogr",
                           QgsVectorLayer.LayerOptions(False))
    if not layer.isValid():
        raise WorkspaceError(f"Không mở được lớp {table} trong {path.name}.",
                             f"Cannot open layer {table} of {path.name}.")
    layer.setReadOnly(True)
    return layer


def open_source(gpkg_path: Union[str, Path]) -> PublishSource:
    """The workspace at ``gpkg_path``, read-only. Call it in the thread that
    reads the layers."""
    path = Path(gpkg_path).resolve()
    if not path.is_file():
        raise WorkspaceError(f"Không tìm thấy vùng làm việc {path}.",
                             f"Workspace {path} not found.")
    meta = read_meta(path)
    if not meta or "profile" not in meta:
        raise WorkspaceError(f"{path.name} không phải là vùng làm việc CovidMaps.",
                             f"{path.name} is not a CovidMaps workspace.")
    profile = ProvinceProfile.from_dict(json.loads(meta["profile"]))
    source = PublishSource(path, profile)
    for layer_def in MODEL.layers:
        source.layers[layer_def.name] = _open(path, layer_def.name)
    for name in PUBLISHED_REFERENCES:
        source.references[name] = _open(path, name)
    return source


def project_workspace_path(project: Optional[QgsProject] = None) -> Optional[Path]:
    """The workspace file whose layers are in ``project`` (default: current)."""
    project = project or QgsProject.instance()
    for layer_def in MODEL.layers:
        layer = find_layer(project, LAYER_PROPERTY, layer_def.name)
        if layer is not None:
            path = source_path(layer)
            if path:
                return Path(path)
    return None


def unsaved_edits(project: Optional[QgsProject] = None) -> List[str]:
    """Titles of the workspace layers in ``project`` with edits not saved yet."""
    project = project or QgsProject.instance()
    out = []
    for prop, names in ((LAYER_PROPERTY, MODEL.layer_names),
                        (REFERENCE_PROPERTY, PUBLISHED_REFERENCES)):
        for name in names:
            layer = find_layer(project, prop, name)
            if layer is not None and layer.isEditable() and layer.isModified():
                out.append(layer.name())
    return out


def save_edits(project: Optional[QgsProject] = None) -> List[str]:
    """Save the pending edits of the workspace layers in ``project`` (they
    stay in editing mode). Returns "layer: why" for each that failed."""
    project = project or QgsProject.instance()
    failed = []
    for name in MODEL.layer_names:
        layer = find_layer(project, LAYER_PROPERTY, name)
        if layer is None or not (layer.isEditable() and layer.isModified()):
            continue
        if not layer.commitChanges(False):
            failed.append(f"{layer.name()}: {' '.join(layer.commitErrors())}")
    return failed
