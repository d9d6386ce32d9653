"""Geometry helpers of the validator: bulk point coordinates, CRS transforms
and point-in-polygon tests.

shapely 2 (when importable) makes the point-in-polygon test over 100,000
points one vectorized call; QGIS's prepared GEOS engine is the fallback, so
the validator also runs in a QGIS whose Python has no shapely.
"""

from __future__ import annotations

import struct
from typing import List, Optional, Sequence, Tuple

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsGeometry,
    QgsPoint,
    QgsProject,
    QgsRectangle,
    QgsWkbTypes,
)

try:  # optional accelerator
    import shapely

    HAVE_SHAPELY = hasattr(shapely, "contains_xy")
except ImportError:  # pragma: no cover - depends on the QGIS installation
    shapely = None
    HAVE_SHAPELY = False

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")

# Per-row state of a point geometry
POINT_OK, POINT_MISSING, POINT_WRONG_TYPE = 0, 1, 2

_POINT_WKB = struct.Struct("<BIdd")  # little-endian 2D point: 21 bytes


def transform(src: QgsCoordinateReferenceSystem, dst: QgsCoordinateReferenceSystem
              ) -> QgsCoordinateTransform:
    return QgsCoordinateTransform(src, dst, QgsProject.instance().transformContext())


def geometry_from_wkb(wkb: Optional[bytes]) -> QgsGeometry:
    geometry = QgsGeometry()
    if wkb:
        geometry.fromWkb(wkb)
    return geometry


def point_arrays(wkbs: Sequence[Optional[bytes]]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and state (POINT_OK / POINT_MISSING / POINT_WRONG_TYPE) per row."""
    count = len(wkbs)
    xs = np.full(count, np.nan)
    ys = np.full(count, np.nan)
    state = np.full(count, POINT_MISSING, dtype=np.int8)
    simple = [i for i, w in enumerate(wkbs) if w is not None and len(w) == 21
              and w[0] == 1 and w[1:5] == b"\x01\x00\x00\x00"]
    if simple:
        # the common case: plain little-endian 2D points, decoded in one go
        rows = np.array(simple)
        raw = np.frombuffer(b"".join(wkbs[i] for i in simple), dtype=np.uint8)  # type: ignore
        coords = raw.reshape(-1, 21)[:, 5:].copy().view("<f8").reshape(-1, 2)
        xs[rows], ys[rows] = coords[:, 0], coords[:, 1]
        state[rows] = POINT_OK
    done = set(simple)
    for i, wkb in enumerate(wkbs):
        if i in done or wkb is None:
            continue
        geometry = geometry_from_wkb(wkb)
        if geometry.isNull() or geometry.isEmpty():
            continue
        if QgsWkbTypes.flatType(geometry.wkbType()) != QgsWkbTypes.Type.Point:
            state[i] = POINT_WRONG_TYPE
            continue
        point = geometry.constGet()
        xs[i], ys[i], state[i] = point.x(), point.y(), POINT_OK
    # WKB has no empty point: writers use NaN NaN for POINT EMPTY
    state[(state == POINT_OK) & np.isnan(xs) & np.isnan(ys)] = POINT_MISSING
    return xs, ys, state


def bbox_polygon(bbox: Tuple[float, float, float, float], margin: float) -> QgsGeometry:
    x0, y0, x1, y1 = bbox
    polygon = QgsGeometry.fromRect(QgsRectangle(x0 - margin, y0 - margin, x1 + margin,
                                                y1 + margin))
    # densify so the outline stays faithful once transformed to another CRS
    return polygon.densifyByCount(50)


class Region:
    """A polygon (e.g. the province) tested against many points or shapes."""

    def __init__(self, geometry: QgsGeometry) -> None:
        self.geometry = geometry
        self._engine = QgsGeometry.createGeometryEngine(geometry.constGet())
        self._engine.prepareGeometry()
        self._shape = shapely.from_wkb(bytes(geometry.asWkb())) if HAVE_SHAPELY else None
        if self._shape is not None:
            shapely.prepare(self._shape)

    def contains_points(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        if len(xs) == 0:
            return np.zeros(0, dtype=bool)
        if self._shape is not None:
            return np.asarray(shapely.contains_xy(self._shape, xs, ys), dtype=bool)
        box = self.geometry.boundingBox()
        inside = ((xs >= box.xMinimum()) & (xs <= box.xMaximum())
                  & (ys >= box.yMinimum()) & (ys <= box.yMaximum()))
        for i in np.flatnonzero(inside):
            inside[i] = self._engine.contains(QgsPoint(float(xs[i]), float(ys[i])))
        return inside

    def relation(self, geometry: QgsGeometry) -> str:
        """``inside``, ``partly`` or ``outside`` for a shape in the same CRS."""
        if self._engine.contains(geometry.constGet()):
            return "inside"
        if self._engine.intersects(geometry.constGet()):
            return "partly"
        return "outside"


def transformed(geometry: QgsGeometry, xform: QgsCoordinateTransform) -> Optional[QgsGeometry]:
    """A transformed copy, or None when the transform fails."""
    copy = QgsGeometry(geometry)
    try:
        copy.transform(xform)
    except QgsCsException:
        return None
    return copy


def lonlat(xform: QgsCoordinateTransform, x: float, y: float) -> Optional[Tuple[float, float]]:
    try:
        point = xform.transform(x, y)
    except QgsCsException:  # no location rather than no finding
        return None
    return (round(point.x(), 7), round(point.y(), 7))


def rows_where(mask: np.ndarray) -> List[int]:
    return np.flatnonzero(mask).tolist()
