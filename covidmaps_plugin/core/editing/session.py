"""What the editing tools need from an open workspace, found in a project.

The tools run on whatever workspace the officer opened: its layers are the
project's layers tagged by ``project_setup`` and its profile is the one
stored in the GeoPackage. A :class:`~covidmaps_plugin.core.workspace.Workspace`
gives the same through :meth:`EditingSession.from_workspace`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsMapLayer,
    QgsProject,
    QgsSnappingConfig,
    QgsTolerance,
    QgsVectorLayer,
)

from ...model import MODEL, LayerDef, ProvinceProfile, default_profile
from ..gpkg import read_meta
from ..profile_data import REFERENCE_LAYERS
from ..project_setup import LAYER_PROPERTY, REFERENCE_PROPERTY, find_layer, source_path
from .admin_lookup import AdminLookup, AdminUnits
from .errors import EditRefusedError

SNAP_TOLERANCE_PX = 12.0


@dataclass
class EditingSession:
    project: QgsProject
    profile: ProvinceProfile
    layers: Dict[str, QgsVectorLayer]
    references: Dict[str, QgsVectorLayer]
    _lookup: Optional[AdminLookup] = field(default=None, repr=False)

    # ------------------------------------------------------------ creation
    @classmethod
    def from_workspace(cls, workspace) -> EditingSession:
        """From a ``core.workspace.Workspace`` (or anything with the same API)."""
        layers = {d.name: workspace.layer(d.name) for d in MODEL.layers}
        refs = {}
        for name in REFERENCE_LAYERS:
            try:
                refs[name] = workspace.reference_layer(name)
            except KeyError:
                continue
        return cls(workspace.project, workspace.profile, layers, refs)

    @classmethod
    def from_project(cls, project: Optional[QgsProject] = None) -> EditingSession:
        """From the workspace open in ``project``; refuses when there is none."""
        project = project or QgsProject.instance()
        layers = {}
        for layer_def in MODEL.layers:
            layer = find_layer(project, LAYER_PROPERTY, layer_def.name)
            if layer is not None:
                layers[layer_def.name] = layer
        if not layers:
            raise EditRefusedError(
                "Chưa mở vùng làm việc CovidMaps. Hãy mở hoặc tạo vùng làm việc trước.",
                "No CovidMaps workspace is open. Open or create one first.",
            )
        refs = {}
        for name in REFERENCE_LAYERS:
            layer = find_layer(project, REFERENCE_PROPERTY, name)
            if layer is not None:
                refs[name] = layer
        return cls(project, _stored_profile(next(iter(layers.values()))), layers, refs)

    # ------------------------------------------- the Workspace-like queries
    def layer(self, name: str) -> QgsVectorLayer:
        return self.layers[name]

    def reference_layer(self, name: str) -> QgsVectorLayer:
        return self.references[name]

    # ------------------------------------------------------------- queries
    @property
    def metric_crs(self) -> QgsCoordinateReferenceSystem:
        return QgsCoordinateReferenceSystem(self.profile.crs)

    def layer_def_of(self, layer: Optional[QgsMapLayer]) -> Optional[LayerDef]:
        """The model layer ``layer`` holds, if it is one of this workspace's."""
        for name, candidate in self.layers.items():
            if layer is not None and candidate.id() == layer.id():
                return MODEL.layer(name)
        return None

    def lookup(self) -> AdminLookup:
        if self._lookup is None:
            districts = self.references.get("districts")
            if districts is None or districts.featureCount() == 0:
                raise EditRefusedError(
                    "Vùng làm việc chưa có ranh giới huyện; hãy nhập ranh giới hành chính.",
                    "The workspace has no district boundaries; import the boundaries.",
                )
            self._lookup = AdminLookup(districts, self.references.get("communes"), self.project)
        return self._lookup

    def admin_units(self, level: str) -> Optional[AdminUnits]:
        """``districts`` or ``communes`` (None when the profile has no polygons)."""
        lookup = self.lookup()
        return lookup.districts if level == "districts" else lookup.communes

    def snapping_config(self) -> QgsSnappingConfig:
        """The project's snapping for drawing zones: on for the province's
        admin boundaries and the other zones (vertices and segments, so a
        zone can follow a boundary or touch its neighbour), off for the
        point layers (a zone corner never belongs on a risk point)."""
        config = QgsSnappingConfig(self.project.snappingConfig())
        config.setEnabled(True)
        config.setMode(QgsSnappingConfig.SnappingMode.AdvancedConfiguration)
        vertex_and_segment = (
            QgsSnappingConfig.SnappingTypes.VertexFlag | QgsSnappingConfig.SnappingTypes.SegmentFlag
        )
        targets = [*self.references.values(), self.layers.get("isolation_zones")]
        for layer in [*targets, *self.layers.values()]:
            if layer is None:
                continue
            config.setIndividualLayerSettings(
                layer,
                QgsSnappingConfig.IndividualLayerSettings(
                    layer in targets, vertex_and_segment, SNAP_TOLERANCE_PX,
                    QgsTolerance.UnitType.Pixels, 0.0, 0.0,
                ),
            )
        return config


def _stored_profile(layer: QgsVectorLayer) -> ProvinceProfile:
    """The profile stored in the layer's GeoPackage (the default one if absent)."""
    path = Path(source_path(layer))
    meta = read_meta(path) if path.suffix.lower() == ".gpkg" and path.is_file() else None
    if meta and meta.get("profile"):
        return ProvinceProfile.from_dict(json.loads(meta["profile"]))
    return default_profile()
