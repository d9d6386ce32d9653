"""Isolation-zone geometries built for the officer instead of drawn by hand.

* From administrative units: the union of the chosen district/commune
  polygons, as one MultiPolygon in the zone layer's CRS.
* Around a point: a circle of a radius in metres. The buffer is computed in
  the province's local metric CRS (EPSG:9213 for Bắc Kạn) and only then
  transformed, so 500 m is 500 m on the ground, never 500 degrees.
"""

from __future__ import annotations

from typing import Optional, Sequence

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsUnitTypes,
    QgsWkbTypes,
)

from .admin_lookup import AdminUnits
from .errors import EditRefusedError

# Quadrant segments of a circle: 16 per quarter keeps the area within 0.3 %
# of pi*r^2 and the vertex count small enough for the public map.
CIRCLE_SEGMENTS = 16
MAX_RADIUS_M = 50_000.0


def _context(project: Optional[QgsProject]):
    return (project or QgsProject.instance()).transformContext()


def as_multipolygon(geometry: QgsGeometry) -> QgsGeometry:
    """A polygonal geometry as MultiPolygon (the zone layer's geometry type)."""
    result = QgsGeometry(geometry)
    if not result.isMultipart():
        result.convertToMultiType()
    return result


def zone_from_admin_units(
    units: AdminUnits,
    codes: Sequence[str],
    target_crs: QgsCoordinateReferenceSystem,
    project: Optional[QgsProject] = None,
) -> QgsGeometry:
    """The union of the units ``codes`` as a MultiPolygon in ``target_crs``."""
    if not codes:
        raise EditRefusedError(
            "Chưa chọn huyện/xã nào cho vùng cách ly.",
            "Choose at least one district or commune for the zone.",
        )
    parts = units.geometries(codes)
    missing = set(codes) - set(units.codes)
    if missing or not parts:
        raise EditRefusedError(
            f"Không có ranh giới cho mã: {', '.join(sorted(missing))}.",
            f"No boundary for code(s): {', '.join(sorted(missing))}.",
        )
    union = QgsGeometry.unaryUnion(parts)
    if union.isNull() or union.isEmpty():
        raise EditRefusedError(
            "Không ghép được ranh giới đã chọn.", "Could not merge the boundaries."
        )
    if units.crs != target_crs:
        union.transform(QgsCoordinateTransform(units.crs, target_crs, _context(project)))
    return as_multipolygon(union)


def zone_around_point(
    point: QgsPointXY,
    point_crs: QgsCoordinateReferenceSystem,
    radius_m: float,
    metric_crs: QgsCoordinateReferenceSystem,
    target_crs: QgsCoordinateReferenceSystem,
    project: Optional[QgsProject] = None,
    segments: int = CIRCLE_SEGMENTS,
) -> QgsGeometry:
    """A circle of ``radius_m`` metres around ``point`` as a MultiPolygon in
    ``target_crs``; the buffer is made in ``metric_crs``."""
    if not radius_m or radius_m <= 0 or radius_m > MAX_RADIUS_M:
        raise EditRefusedError(
            f"Bán kính phải lớn hơn 0 và không quá {MAX_RADIUS_M:,.0f} m.",
            f"The radius must be above 0 and at most {MAX_RADIUS_M:,.0f} m.",
        )
    metres = QgsUnitTypes.DistanceUnit.DistanceMeters
    if not metric_crs.isValid() or metric_crs.mapUnits() != metres:
        raise EditRefusedError(
            "Hệ tọa độ của tỉnh không tính bằng mét; không tạo được vùng đệm.",
            "The province CRS is not in metres; cannot make a buffer.",
        )
    context = _context(project)
    centre = QgsGeometry.fromPointXY(QgsPointXY(point))
    centre.transform(QgsCoordinateTransform(point_crs, metric_crs, context))
    circle = centre.buffer(float(radius_m), segments)
    circle.transform(QgsCoordinateTransform(metric_crs, target_crs, context))
    if QgsWkbTypes.geometryType(circle.wkbType()) != QgsWkbTypes.GeometryType.PolygonGeometry:
        raise EditRefusedError("Không tạo được vùng đệm.", "Could not make the buffer.")
    return as_multipolygon(circle)
