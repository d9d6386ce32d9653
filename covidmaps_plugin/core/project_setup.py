"""Putting a workspace's layers into a QGIS project: forms, styles, CRS,
datum transformation, initial extent and layer order, all from the model
and the profile. Run at creation and at every open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDataProvider,
    QgsDatumTransform,
    QgsMapLayer,
    QgsProject,
    QgsProviderRegistry,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsVectorLayer,
)

from ..model import MODEL, GeometryType, ProvinceProfile, ValueSource, approves_new
from .errors import WorkspaceError
from .fields import STORAGE_CRS
from .forms import apply_form
from .gpkg import read_meta
from .profile_data import REFERENCE_LAYERS
from .styles import apply_reference_style, apply_style

LAYER_PROPERTY = "covidmaps/layer"
REFERENCE_PROPERTY = "covidmaps/reference"

REFERENCE_TITLES = {
    "province": {"vi": "Ranh giới tỉnh", "en": "Province boundary"},
    "districts": {"vi": "Ranh giới huyện/thành phố", "en": "District boundaries"},
    "communes": {"vi": "Ranh giới xã/phường/thị trấn", "en": "Commune boundaries"},
}


def layer_uri(gpkg_path: Path, table: str) -> str:
    return f"{gpkg_path}|layername={table}"


def source_path(layer: QgsMapLayer) -> str:
    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType() or "ogr",
                                                     layer.source())
    return str(parts.get("path", ""))


def find_layer(project: QgsProject, prop: str, name: str) -> Optional[QgsVectorLayer]:
    for layer in project.mapLayers().values():
        if layer.customProperty(prop) == name and isinstance(layer, QgsVectorLayer):
            return layer
    return None


def drawing_order() -> List[str]:
    """Layer tree order, top first: points, zones, then communes, districts, province."""
    points = [lyr.name for lyr in MODEL.layers if lyr.geometry_type is GeometryType.POINT]
    areas = [lyr.name for lyr in MODEL.layers if lyr.geometry_type is not GeometryType.POINT]
    return points + areas + list(reversed(REFERENCE_LAYERS))


def _attach(project: QgsProject, gpkg_path: Path, prop: str, table: str,
            title: str) -> tuple[QgsVectorLayer, bool]:
    """The project's layer for ``table``, added or repointed at ``gpkg_path``."""
    uri = layer_uri(gpkg_path, table)
    layer = find_layer(project, prop, table)
    changed = False
    if layer is None:
        layer = QgsVectorLayer(uri, title, "ogr")
        layer.setCustomProperty(prop, table)
        project.addMapLayer(layer, False)
        changed = True
    elif Path(source_path(layer)) != gpkg_path or not layer.isValid():
        # the file was moved or renamed (creation builds it under a temp name)
        layer.setDataSource(uri, title, "ogr", QgsDataProvider.ProviderOptions())
        changed = True
    if not layer.isValid():
        raise WorkspaceError(f"Không mở được lớp {table} trong {gpkg_path.name}.",
                             f"Cannot open layer {table} of {gpkg_path.name}.")
    layer.setName(title)
    return layer, changed


def _set_layer_order(project: QgsProject, layers: Dict[str, QgsVectorLayer]) -> None:
    root = project.layerTreeRoot()
    root.setHasCustomLayerOrder(False)
    for index, table in enumerate(drawing_order()):
        layer = layers[table]
        node = root.findLayer(layer.id())
        if node is not None:
            parent = node.parent()
            clone = node.clone()
            root.insertChildNode(index, clone)
            parent.removeChildNode(node)
        else:
            root.insertLayer(index, layer)


def set_transformation(project: QgsProject, profile: ProvinceProfile) -> bool:
    """Use the profile's datum transformation (e.g. EPSG:6960) between the local
    CRS and WGS 84, when this PROJ database has it. Returns whether it was set."""
    code = profile.transformation.split(":")[-1]
    if not code:
        return False
    local = QgsCoordinateReferenceSystem(profile.crs)
    wgs84 = QgsCoordinateReferenceSystem(STORAGE_CRS)
    context = project.transformContext()
    found = False
    for source, destination in ((local, wgs84), (wgs84, local)):
        for operation in QgsDatumTransform.operations(source, destination):
            codes = {detail.code for detail in operation.operationDetails}
            if code in codes and operation.isAvailable:
                context.addCoordinateOperation(source, destination, operation.proj)
                found = True
                break
    project.setTransformContext(context)
    return found


def assemble_project(project: QgsProject, gpkg_path: Path, profile: ProvinceProfile,
                     lang: str) -> bool:
    """Make ``project`` show the workspace. Returns True when layers had to be
    added or repointed (the stored project should then be saved again)."""
    changed = False
    layers: Dict[str, QgsVectorLayer] = {}
    for table in REFERENCE_LAYERS:
        layers[table], added = _attach(project, gpkg_path, REFERENCE_PROPERTY, table,
                                       REFERENCE_TITLES[table][lang])
        changed |= added
    for layer_def in MODEL.layers:
        layers[layer_def.name], added = _attach(project, gpkg_path, LAYER_PROPERTY,
                                                layer_def.name, layer_def.title(lang))
        changed |= added
    targets = {ValueSource.DISTRICTS: layers["districts"],
               ValueSource.COMMUNES: layers["communes"],
               ValueSource.ISOLATION_ZONES: layers["isolation_zones"]}
    approve_new = approves_new(read_meta(gpkg_path))
    for layer_def in MODEL.layers:
        apply_form(layers[layer_def.name], layer_def, lang, targets, profile, approve_new)
        apply_style(layers[layer_def.name], layer_def, lang)
    for table in REFERENCE_LAYERS:
        apply_reference_style(layers[table], table)
        layers[table].setReadOnly(True)  # changed only by import_boundaries
    _set_layer_order(project, layers)
    crs = QgsCoordinateReferenceSystem(profile.crs)
    if not crs.isValid():
        raise WorkspaceError(f"Hệ tọa độ {profile.crs} không có trong QGIS này.",
                             f"CRS {profile.crs} is not known to this QGIS.")
    project.setCrs(crs)
    set_transformation(project, profile)
    x0, y0, x1, y1 = profile.bbox
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(
        QgsRectangle(x0, y0, x1, y1), QgsCoordinateReferenceSystem(STORAGE_CRS)))
    project.setTitle(f"CovidMaps — {profile.name if lang == 'vi' else profile.name_en}")
    return changed
