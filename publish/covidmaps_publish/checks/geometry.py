"""Geometry checks on the RAW parsed JSON (before shapely, which silently
closes rings and can spend seconds on a huge polygon): structure, numbers,
ranges, VN-2000 metres passed as degrees, the province's box, ring closure,
vertex limits; then GEOS validity on the canonical geometry (reject, never
repair)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import shapely
from shapely.geometry import shape

from covidmaps_plugin.model import GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj

from .errors import ErrorSink
from .numbers import is_number

# Projected metres (VN-2000 / TM-3 is about 400 000-800 000 E, 2 400 000 N in
# the north) are far outside any degree range: name the likely cause.
_METRES_HINT = 1000.0
GEOMETRY_MEMBERS = frozenset(("type", "coordinates", "bbox"))


class VertexBudget:
    """Counts positions across a layer; a limit stops the walk early."""

    def __init__(self, per_feature: int, total: int) -> None:
        self.per_feature = per_feature
        self.total = total
        self.used = 0
        self.feature = 0


_number = is_number


def _position(pos: Any, sink: ErrorSink, profile: ProvinceProfile) -> bool:
    if not isinstance(pos, list) or len(pos) not in (2, 3) or not all(_number(v) for v in pos):
        sink.add("bad-position", "A position must be [longitude, latitude] with finite numbers.",
                 "geometry")
        return False
    x, y = pos[0], pos[1]
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        if abs(x) > _METRES_HINT or abs(y) > _METRES_HINT:
            sink.add("projected-coordinates",
                     f"Coordinates ({x}, {y}) look like metres of a projected CRS such as "
                     "VN-2000 (EPSG:9213). Export in WGS 84 longitude/latitude (EPSG:4326).",
                     "geometry")
        else:
            sink.add("coordinate-range",
                     f"Coordinates ({x}, {y}) are outside longitude -180..180 / latitude -90..90;"
                     " are longitude and latitude swapped?", "geometry")
        return False
    if not profile.contains_lonlat(x, y):
        x0, y0, x1, y1 = profile.bbox
        sink.add("outside-province",
                 f"Position ({x}, {y}) is outside {profile.name} "
                 f"({x0}..{x1} E, {y0}..{y1} N). Check the location or the province profile.",
                 "geometry")
        return False
    return True


def _count(budget: VertexBudget, n: int, sink: ErrorSink) -> bool:
    budget.feature += n
    budget.used += n
    if budget.feature > budget.per_feature:
        sink.add("too-many-vertices",
                 f"The geometry has more than {budget.per_feature} vertices; simplify it.",
                 "geometry")
        return False
    if budget.used > budget.total:
        sink.add("too-many-vertices",
                 f"The layer has more than {budget.total} vertices in total; simplify it.",
                 "geometry")
        return False
    return True


def _polygon_rings(rings: Any, sink: ErrorSink, profile: ProvinceProfile,
                   budget: VertexBudget) -> Optional[List[List[Any]]]:
    if not isinstance(rings, list) or not rings:
        sink.add("bad-polygon", "A polygon must be a non-empty list of rings.", "geometry")
        return None
    for i, ring in enumerate(rings):
        if not isinstance(ring, list):
            sink.add("bad-polygon", "A ring must be a list of positions.", "geometry")
            return None
        if not _count(budget, len(ring), sink):
            return None
        if len(ring) < 4:
            sink.add("short-ring", f"Ring {i} has {len(ring)} positions; a closed ring needs "
                     "at least 4 (the last repeats the first).", "geometry")
            return None
        if not all(_position(p, sink, profile) for p in ring):
            return None
        if ring[0] != ring[-1]:
            sink.add("unclosed-ring",
                     f"Ring {i} is not closed: its last position {ring[-1]} differs from its "
                     f"first {ring[0]}. Close it (RFC 7946 3.1.6).", "geometry")
            return None
    return rings


def canonical_points(geometries: List[Any], profile: ProvinceProfile, budget: VertexBudget
                     ) -> Optional[List[Dict[str, Any]]]:
    """The canonical geometries of a point layer whose every geometry is a
    plain ``{"type":"Point","coordinates":[lon,lat]}`` of finite floats in
    the province (what the plugin uploads), without a call per check; None
    as soon as one is anything else (``check_geometry`` then says what)."""
    if budget.per_feature < 1 or budget.used + len(geometries) > budget.total:
        return None
    out = []
    inside = profile.contains_lonlat
    for geom in geometries:
        if type(geom) is not dict or len(geom) != 2 or geom.get("type") != "Point":
            return None
        pos = geom.get("coordinates")
        if type(pos) is not list or len(pos) != 2:
            return None
        x, y = pos
        # float() of a JSON number is never NaN, but 1e400 is infinite
        if type(x) is not float or type(y) is not float or not (
                -180 <= x <= 180 and -90 <= y <= 90 and inside(x, y)):
            return None
        out.append(cgj.canonical_point(x, y))
    budget.used += len(geometries)
    return out


def check_geometry(geom: Any, expected: GeometryType, sink: ErrorSink, profile: ProvinceProfile,
                   budget: VertexBudget, validity: bool = True) -> Optional[Dict[str, Any]]:
    """The canonical geometry, or None after adding errors to ``sink``.
    ``validity=False``: GEOS validity is left to the caller (``all_valid``
    over the whole layer at once); the rest is checked here."""
    budget.feature = 0
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str):
        sink.add("missing-geometry", "Every feature needs a geometry object.", "geometry")
        return None
    unknown = geom.keys() - GEOMETRY_MEMBERS
    if unknown:  # the same rule as for features and the collection: refused
        if "crs" in unknown:
            sink.add("crs-member", "RFC 7946 geometries have no 'crs' member: export in WGS 84 "
                     "(EPSG:4326) without it.", "geometry")
        else:
            sink.add("unknown-member", "A geometry has only type, coordinates and bbox; got "
                     f"{', '.join(repr(str(n)[:40]) for n in sorted(unknown)[:5])}.",
                     "geometry")
        return None
    kind, coords = geom["type"], geom.get("coordinates")
    if expected is GeometryType.POINT:
        if kind != "Point":
            sink.add("geometry-type", f"This layer holds points; got {kind!r}.", "geometry")
            return None
        if not _count(budget, 1, sink) or not _position(coords, sink, profile):
            return None
        return cgj.canonical_point(coords[0], coords[1])
    if kind == "Polygon":
        polygons: Any = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        sink.add("geometry-type", f"This layer holds (multi)polygons; got {kind!r}.", "geometry")
        return None
    if not isinstance(polygons, list) or not polygons:
        sink.add("bad-polygon", "A MultiPolygon needs at least one polygon.", "geometry")
        return None
    checked = []
    for rings in polygons:
        ok = _polygon_rings(rings, sink, profile, budget)
        if ok is None:
            return None
        checked.append(ok)
    canonical = cgj.canonical_multipolygon(
        [[(p[0], p[1]) for p in ring] for ring in rings] for rings in checked)
    if not validity:
        return canonical if _rings_kept(canonical, sink) else None
    return canonical if _valid(canonical, sink) else None


def all_valid(geometries: List[Dict[str, Any]]) -> bool:
    """Whether GEOS finds every canonical MultiPolygon valid, asked once
    for the layer (geometries built from flat arrays, the same coordinates
    ``shape`` would give them, without a Python object per polygon)."""
    coords: List[Any] = []
    rings, polygons, parts = [0], [0], [0]
    for geometry in geometries:
        for polygon in geometry["coordinates"]:
            for ring in polygon:
                coords.extend(ring)
                rings.append(len(coords))
            polygons.append(len(rings) - 1)
        parts.append(len(polygons) - 1)
    if not coords:
        return True
    built = shapely.from_ragged_array(
        shapely.GeometryType.MULTIPOLYGON, np.array(coords, dtype=np.float64),
        (np.array(rings), np.array(polygons), np.array(parts)))
    return bool(shapely.is_valid(built).all())


def _rings_kept(geometry: Dict[str, Any], sink: ErrorSink) -> bool:
    for polygon in geometry["coordinates"]:
        for ring in polygon:
            if len(ring) < 4:
                sink.add("degenerate-ring", "A ring collapses to fewer than 4 positions at 6 "
                         "decimals (about 10 cm); remove it or enlarge it.", "geometry")
                return False
    return True


def _valid(geometry: Dict[str, Any], sink: ErrorSink) -> bool:
    if not _rings_kept(geometry, sink):
        return False
    geom = shape(geometry)
    if geom.is_valid:
        return True
    reason = shapely.is_valid_reason(geom)
    sink.add("invalid-geometry",
             f"The polygon is not valid ({reason}). Fix it in QGIS (Vector > Geometry Tools > "
             "Check Validity); the server never repairs geometries.", "geometry")
    return False
