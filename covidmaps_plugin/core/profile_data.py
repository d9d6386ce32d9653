"""The province's reference layers: outline, districts and communes.

The default profile's outline is Natural Earth's admin-1 polygon that QGIS
ships in ``resources/data/world_map.gpkg``. No public district polygons
exist here, so approximate ones are built deterministically: Voronoi cells
(in the local metric CRS) of one seed point per district, clipped to the
outline, each flagged in its ``source`` attribute until the province
imports its official boundaries (``profile_import.import_boundaries``).
"""

from __future__ import annotations

import os
import unicodedata
from typing import Dict, List, Tuple

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..compat import FieldKind, new_field
from ..model import ProvinceProfile
from .errors import WorkspaceError
from .fields import STORAGE_CRS

REFERENCE_LAYERS = ("province", "districts", "communes")
APPROXIMATE_SOURCE = (
    "APPROXIMATE: Voronoi cell of a district seed point clipped to the Natural Earth "
    "outline; replace with official boundaries (import_boundaries)"
)
NATURAL_EARTH_SOURCE = "Natural Earth admin-1 (public domain), QGIS world_map.gpkg"

# A feature = (code, name, parent_code, source, geometry in EPSG:4326)
RefFeature = Tuple[str, str, str, str, QgsGeometry]


def reference_fields() -> QgsFields:
    fields = QgsFields()
    fields.append(new_field("code", FieldKind.STRING, "String", 10))
    fields.append(new_field("name", FieldKind.STRING, "String", 120))
    fields.append(new_field("parent_code", FieldKind.STRING, "String", 10))
    fields.append(new_field("source", FieldKind.STRING, "String", 300))
    return fields


def _ascii_key(text: str) -> str:
    """Name without diacritics or case, for matching "Bắc Kạn" to "Bac Kan"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _bbox_close(bbox: QgsRectangle, expected: Tuple[float, float, float, float],
                tolerance: float) -> bool:
    x0, y0, x1, y1 = expected
    return (bbox.xMinimum() >= x0 - tolerance and bbox.yMinimum() >= y0 - tolerance
            and bbox.xMaximum() <= x1 + tolerance and bbox.yMaximum() <= y1 + tolerance)


def natural_earth_outline(profile: ProvinceProfile) -> QgsGeometry:
    """The province polygon from QGIS's world map, matched by name, checked by extent."""
    match = dict(profile.extra.get("outline_match", {}))
    layer_name = match.pop("layer", "states_provinces")
    path = os.path.join(QgsApplication.pkgDataPath(), "resources", "data", "world_map.gpkg")
    world = QgsVectorLayer(f"{path}|layername={layer_name}", "world", "ogr")
    if not world.isValid():
        raise WorkspaceError(
            f"Không đọc được bản đồ thế giới của QGIS ({path}).",
            f"Cannot read QGIS's world map ({path}).")
    x0, y0, x1, y1 = profile.bbox
    request = QgsFeatureRequest().setFilterRect(QgsRectangle(x0, y0, x1, y1))
    wanted = {k: _ascii_key(str(v)) for k, v in match.items()}
    names = ("name", "gn_name", "woe_label", "woe_name")
    for feature in world.getFeatures(request):
        attrs = {name: _ascii_key(str(feature[name] or "")) for name in world.fields().names()}
        if wanted:
            matched = all(attrs.get(k) == v for k, v in wanted.items())
        else:
            key = _ascii_key(profile.name)
            matched = any(key in attrs.get(n, "") for n in names)
        geometry = feature.geometry()
        if matched and _bbox_close(geometry.boundingBox(), profile.bbox,
                                   profile.bbox_tolerance_deg):
            geometry.convertToMultiType()
            return geometry
    raise WorkspaceError(
        f"Không tìm thấy ranh giới tỉnh {profile.name} trong bản đồ thế giới của QGIS; "
        "hãy nhập ranh giới chính thức.",
        f"No outline of {profile.name_en} in QGIS's world map; import official boundaries.")


def approximate_districts(profile: ProvinceProfile, outline: QgsGeometry) -> List[RefFeature]:
    """Voronoi cells of the profile's district seeds, clipped to the outline."""
    seeds: Dict[str, List[float]] = profile.extra.get("approximate_district_seeds", {})
    if not seeds:
        return []
    local = QgsCoordinateReferenceSystem(profile.crs)
    to_local = QgsCoordinateTransform(QgsCoordinateReferenceSystem(STORAGE_CRS), local,
                                      QgsCoordinateTransformContext())
    local_outline = QgsGeometry(outline)
    local_outline.transform(to_local)
    names = {d.code: d.name for d in profile.districts}
    codes = [code for code in names if code in seeds]
    points = {code: to_local.transform(QgsPointXY(*seeds[code])) for code in codes}
    extent = QgsGeometry.fromRect(local_outline.boundingBox().buffered(10000))
    cells = QgsGeometry.fromMultiPointXY([points[c] for c in codes]).voronoiDiagram(extent)
    features: List[RefFeature] = []
    for code in codes:
        seed = QgsGeometry.fromPointXY(points[code])
        cell = next(part for part in cells.asGeometryCollection() if part.contains(seed))
        clipped = cell.intersection(local_outline)
        clipped.transform(to_local, Qgis.TransformDirection.Reverse)
        clipped.convertToMultiType()
        features.append((code, names[code], "", APPROXIMATE_SOURCE, clipped))
    return features


def default_reference_features(profile: ProvinceProfile) -> Dict[str, List[RefFeature]]:
    """Reference features of a profile that has no imported boundaries yet."""
    outline = natural_earth_outline(profile)
    return {
        "province": [(profile.gso_code, profile.name, "", NATURAL_EARTH_SOURCE, outline)],
        "districts": approximate_districts(profile, outline),
        "communes": [],
    }


def is_polygonal(geometry: QgsGeometry) -> bool:
    return QgsWkbTypes.geometryType(geometry.wkbType()) == QgsWkbTypes.GeometryType.PolygonGeometry
