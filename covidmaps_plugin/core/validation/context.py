"""What every rule gets: the layers read once, the province, "now", the
options, and geometry facts computed once and shared between rules."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np
from qgis.core import (
    Qgis,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeedback,
    QgsGeometry,
    QgsWkbTypes,
)

from ...model import (
    PROVINCE_TZ,
    FieldDef,
    GeometryType,
    LayerDef,
    ProvinceProfile,
    hidden_reasons,
)
from .findings import Bilingual, Finding, FindingCode, geos_reason_vi, make_finding
from .spatial import (
    POINT_OK,
    WGS84,
    Region,
    bbox_polygon,
    geometry_from_wkb,
    lonlat,
    point_arrays,
    transform,
    transformed,
)
from .table import LayerTable


class ValidationCancelledError(Exception):
    """The officer cancelled the validation; there is no report."""


@dataclass(frozen=True)
class ValidationOptions:
    min_zone_area_m2: float = 100.0
    duplicate_distance_m: float = 50.0
    earliest_date: dt.date = dt.date(2020, 1, 1)  # before the epidemic: a typo
    max_future_days: int = 366
    # slack around the province outline (digitizing against another base map)
    outline_tolerance_m: float = 200.0
    # same per-feature limit as the publishing server (checked before GEOS)
    max_vertices: int = 200_000
    min_overlap_m2: float = 1.0
    # district polygons by GSO code, in WGS 84; None skips the district check
    district_geometries: Optional[Mapping[str, QgsGeometry]] = None
    # False forces the feature-by-feature reader (tests compare both)
    allow_arrow: bool = True
    # False: a model layer absent from the input is skipped, not an error
    # (Processing with single layers instead of a workspace)
    require_all_layers: bool = True


@dataclass
class PointData:
    xs: np.ndarray
    ys: np.ndarray
    state: np.ndarray  # POINT_OK / POINT_MISSING / POINT_WRONG_TYPE
    finite: np.ndarray  # bool
    plausible: np.ndarray  # bool: coordinates fit the layer's CRS kind


@dataclass
class ZoneState:
    """The first geometry problem of a zone, or None when it is sound."""

    code: Optional[FindingCode]
    params: Dict[str, Any]
    geometry: Optional[QgsGeometry]
    anchor: Optional[Tuple[float, float]] = None  # layer CRS, for the location


# The findings made for each row of a table read through the session's rows
# (core.rows), by (path, table, CRS) -> fid -> (row version, {(code, field,
# parameters): finding}). A finding is a function of its row (its values,
# geometry, fid: one version), the layer's CRS (its location), the code,
# field and parameters: a rule about "now" or about other rows that says
# the same of an unchanged row again gets the finding it made before
# instead of rendering its messages and locating it again.
_FINDINGS: Dict[Tuple[str, str, str], Dict[int, Tuple[int, Dict[Any, Finding]]]] = {}
_FINDINGS_LOCK = threading.Lock()


def _kept_findings(table: LayerTable, row: int) -> Optional[Dict[Any, Finding]]:
    """The findings made before for this version of the row (a dict to add
    to), None for a table without row versions."""
    if table.source is None or table.versions is None:
        return None
    slot = (table.source[0], table.source[1], table.crs.authid() or table.crs.toWkt())
    fid, version = table.fids[row], table.versions[row]
    with _FINDINGS_LOCK:
        rows = _FINDINGS.setdefault(slot, {})
        entry = rows.get(fid)
        if entry is None or entry[0] != version:
            entry = rows[fid] = (version, {})
    return entry[1]


def field_label(fld: FieldDef) -> Bilingual:
    return Bilingual(fld.label_vi, fld.label_en)


def layer_title(layer_def: LayerDef) -> Bilingual:
    return Bilingual(layer_def.title_vi, layer_def.title_en)


class ValidationContext:
    def __init__(
        self,
        tables: Mapping[str, LayerTable],
        profile: ProvinceProfile,
        now: dt.datetime,
        options: ValidationOptions,
        province_geometry: Optional[QgsGeometry] = None,
        feedback: Optional[QgsFeedback] = None,
    ) -> None:
        self.tables = dict(tables)
        self.profile = profile
        self.now = now
        self.now_s = now.timestamp()
        self.options = options
        self.feedback = feedback
        self.metric_crs = QgsCoordinateReferenceSystem(profile.crs)
        self.province_name = Bilingual(profile.name, profile.name_en)
        self._province = province_geometry if province_geometry and not (
            province_geometry.isNull() or province_geometry.isEmpty()) else None
        self._points: Dict[str, PointData] = {}
        self._zones: Dict[str, List[Optional[ZoneState]]] = {}
        self._metric: Dict[str, List[Optional[QgsGeometry]]] = {}
        # single rows worked out before (or instead of) whole layers
        self._zone_rows: Dict[str, Dict[int, Optional[ZoneState]]] = {}
        self._metric_rows: Dict[str, Dict[int, Optional[QgsGeometry]]] = {}
        self._to_metric_xform: Dict[str, QgsCoordinateTransform] = {}
        self._regions: Dict[str, Region] = {}
        self._districts: Dict[str, List[Tuple[str, Region]]] = {}
        self._to_wgs84: Dict[str, Any] = {}
        self._published: Dict[str, List[bool]] = {}
        self._reasons: Dict[str, List[Optional[str]]] = {}

    def province_geometry(self) -> Optional[QgsGeometry]:
        """The province outline given (WGS 84), if any."""
        return self._province

    def with_table(self, table: LayerTable) -> ValidationContext:
        """The same context with ``table`` in place of the table of its name
        (a subset of its rows); the province and district shapes are shared."""
        other = ValidationContext({**self.tables, table.name: table}, self.profile, self.now,
                                  self.options, self._province, self.feedback)
        other._regions, other._districts, other._to_wgs84 = (
            self._regions, self._districts, self._to_wgs84)
        return other

    # ----------------------------------------------------------- plumbing

    def check_cancel(self) -> None:
        if self.feedback is not None and self.feedback.isCanceled():
            raise ValidationCancelledError()

    def finding(
        self,
        table: LayerTable,
        row: Optional[int],
        code: FindingCode,
        field_name: Optional[str] = None,
        **params: Any,
    ) -> Finding:
        if field_name is not None and "field" not in params:
            params["field"] = field_label(table.layer_def.field(field_name))
        params.setdefault("layer_title", layer_title(table.layer_def))
        if row is None:
            return make_finding(code, table.name, field_name=field_name, **params)
        kept = _kept_findings(table, row)
        key = None
        if kept is not None:
            try:
                key = (code, field_name, tuple(sorted(params.items())))
                hit = kept.get(key)
            except TypeError:  # a parameter that cannot be a key: made every time
                key = hit = None
            if hit is not None:
                return hit
        name = table.column("name")[row]
        made = make_finding(
            code, table.name, fid=table.fids[row], uid=table.uid(row),
            field_name=field_name, location=self.location(table, row),
            feature_name=name if isinstance(name, str) and name.strip() else None, **params,
        )
        if kept is not None and key is not None:
            kept[key] = made
        return made

    def location(self, table: LayerTable, row: int) -> Optional[Tuple[float, float]]:
        if table.layer_def.geometry_type is GeometryType.POINT:
            points = self.points(table)
            if not (points.finite[row] and points.plausible[row]):
                return None
            return self._lonlat(table, float(points.xs[row]), float(points.ys[row]))
        state = self.zone_state(table, row)
        if state is None or state.anchor is None:
            return None
        return self._lonlat(table, *state.anchor)

    def _lonlat(self, table: LayerTable, x: float, y: float) -> Optional[Tuple[float, float]]:
        key = table.crs.authid() or table.crs.toWkt()
        if key not in self._to_wgs84:
            self._to_wgs84[key] = transform(table.crs, WGS84)
        return lonlat(self._to_wgs84[key], x, y)

    # ------------------------------------------------------------- points

    def points(self, table: LayerTable) -> PointData:
        if table.name not in self._points:
            xs, ys, state = point_arrays(table.wkb)
            finite = np.isfinite(xs) & np.isfinite(ys)
            degrees_like = (np.abs(xs) <= 180) & (np.abs(ys) <= 90)
            plausible = degrees_like if table.crs.isGeographic() else ~degrees_like
            self._points[table.name] = PointData(xs, ys, state, finite,
                                                 plausible & finite & (state == POINT_OK))
        return self._points[table.name]

    # -------------------------------------------------------------- zones

    def zone_states(self, table: LayerTable) -> List[Optional[ZoneState]]:
        if table.name not in self._zones:
            states: List[Optional[ZoneState]] = []
            for i, wkb in enumerate(table.wkb):
                if i % 200 == 0:
                    self.check_cancel()
                states.append(self._zone_state(table, wkb))
            self._zones[table.name] = states
        return self._zones[table.name]

    def zone_state(self, table: LayerTable, row: int) -> Optional[ZoneState]:
        """``zone_states(table)[row]``, without the other rows' unless they
        are worked out already (a republish's rules look at a few zones)."""
        states = self._zones.get(table.name)
        if states is not None:
            return states[row]
        memo = self._zone_rows.setdefault(table.name, {})
        if row not in memo:
            memo[row] = self._zone_state(table, table.wkb[row])
        return memo[row]

    def metric_shape(self, table: LayerTable, row: int) -> Optional[QgsGeometry]:
        """``metric_shapes(table)[row]``, likewise one row at a time."""
        shapes = self._metric.get(table.name)
        if shapes is not None:
            return shapes[row]
        memo = self._metric_rows.setdefault(table.name, {})
        if row not in memo:
            state = self.zone_state(table, row)
            memo[row] = (None if state is None or state.geometry is None
                         else transformed(state.geometry, self._to_metric(table)))
        return memo[row]

    def _to_metric(self, table: LayerTable) -> QgsCoordinateTransform:
        key = table.crs.authid() or table.crs.toWkt()
        if key not in self._to_metric_xform:
            self._to_metric_xform[key] = transform(table.crs, self.metric_crs)
        return self._to_metric_xform[key]

    def _zone_state(self, table: LayerTable, wkb: Optional[bytes]) -> Optional[ZoneState]:
        geometry = geometry_from_wkb(wkb)
        if geometry.isNull() or geometry.isEmpty():
            return ZoneState(FindingCode.GEOM_MISSING, {}, None)
        flat = QgsWkbTypes.flatType(geometry.wkbType())
        if flat not in (QgsWkbTypes.Type.Polygon, QgsWkbTypes.Type.MultiPolygon):
            return ZoneState(FindingCode.GEOM_WRONG_TYPE, {
                "actual": QgsWkbTypes.displayString(geometry.wkbType()),
                "expected": table.layer_def.geometry_type.value}, None)
        vertices = geometry.constGet().nCoordinates()
        if vertices > self.options.max_vertices:
            return ZoneState(FindingCode.GEOM_TOO_COMPLEX, {
                "vertices": vertices, "limit": self.options.max_vertices}, None)
        wkt = geometry.asWkt(3).lower()
        if "nan" in wkt or "inf" in wkt:
            return ZoneState(FindingCode.GEOM_NON_FINITE, {}, None)
        box = geometry.boundingBox()
        anchor = (box.center().x(), box.center().y())
        if not _rings_closed(geometry):
            return ZoneState(FindingCode.GEOM_RING_NOT_CLOSED, {}, None, anchor)
        errors = geometry.validateGeometry(Qgis.GeometryValidationEngine.Geos)
        if errors:
            where = errors[0].where()
            reason = errors[0].what()
            return ZoneState(FindingCode.GEOM_INVALID, {
                "reason": reason, "reason_vi": geos_reason_vi(reason),
                "x": round(where.x(), 6), "y": round(where.y(), 6)}, None,
                (where.x(), where.y()))
        degrees_like = (max(abs(box.xMinimum()), abs(box.xMaximum())) <= 180
                        and max(abs(box.yMinimum()), abs(box.yMaximum())) <= 90)
        if table.crs.isGeographic() and not degrees_like:
            return ZoneState(FindingCode.GEOM_METRES_AS_DEGREES, {
                "x": round(anchor[0]), "y": round(anchor[1])}, None)
        if not table.crs.isGeographic() and degrees_like:
            return ZoneState(FindingCode.GEOM_DEGREES_AS_METRES, {
                "x": round(anchor[0], 6), "y": round(anchor[1], 6)}, None)
        surface = geometry.pointOnSurface()
        if not surface.isNull():
            anchor = (surface.asPoint().x(), surface.asPoint().y())
        return ZoneState(None, {}, geometry, anchor)

    def metric_shapes(self, table: LayerTable) -> List[Optional[QgsGeometry]]:
        """Sound zones in the province's metric CRS (None for the others)."""
        if table.name not in self._metric:
            xform = transform(table.crs, self.metric_crs)
            self._metric[table.name] = [
                None if s is None or s.geometry is None else transformed(s.geometry, xform)
                for s in self.zone_states(table)
            ]
        return self._metric[table.name]

    # ---------------------------------------------------------- publishing

    def hidden_reason(self, table: LayerTable, row: int) -> Optional[str]:
        """``model.visibility.hidden_reason`` for one row (None: published)."""
        return self.hidden_reasons(table)[row]

    def hidden_reasons(self, table: LayerTable) -> List[Optional[str]]:
        """``model.visibility.hidden_reason`` of every row, decided once per
        distinct (approved, status, time)."""
        if table.name not in self._reasons:
            layer_def = table.layer_def
            ends = None
            if layer_def.hide_after_field:
                instants: Dict[Any, Optional[dt.datetime]] = {}
                ends = []
                for until in table.column(layer_def.hide_after_field):
                    if not (isinstance(until, float) and until == until):
                        ends.append(None)
                    elif until in instants:
                        ends.append(instants[until])
                    else:
                        ends.append(instants.setdefault(
                            until, dt.datetime.fromtimestamp(until, PROVINCE_TZ)))
            self._reasons[table.name] = hidden_reasons(
                layer_def, table.column("approved"), table.column("status"), ends, self.now)
        return self._reasons[table.name]

    def published(self, table: LayerTable) -> List[bool]:
        if table.name not in self._published:
            self._published[table.name] = [reason is None for reason in
                                           self.hidden_reasons(table)]
        return self._published[table.name]

    # ------------------------------------------------------------ province

    def province_region(self, crs: QgsCoordinateReferenceSystem) -> Optional[Region]:
        """The province (outline + tolerance, else bbox + tolerance) in ``crs``."""
        key = crs.authid() or crs.toWkt()
        if key not in self._regions:
            region_geometry = None
            if self._province is not None:
                metric = transformed(self._province, transform(WGS84, self.metric_crs))
                if metric is not None:
                    buffered = metric.buffer(self.options.outline_tolerance_m, 8)
                    region_geometry = transformed(buffered, transform(self.metric_crs, crs))
            if region_geometry is None:
                box = bbox_polygon(self.profile.bbox, self.profile.bbox_tolerance_deg)
                region_geometry = transformed(box, transform(WGS84, crs))
            if region_geometry is None or region_geometry.isEmpty():
                return None
            self._regions[key] = Region(region_geometry)
        return self._regions[key]

    def province_area_m2(self) -> float:
        outline = self._province or bbox_polygon(self.profile.bbox, 0.0)
        metric = transformed(outline, transform(WGS84, self.metric_crs))
        return metric.area() if metric is not None else float("inf")

    def district_regions(self, crs: QgsCoordinateReferenceSystem) -> List[Tuple[str, Region]]:
        polygons = self.options.district_geometries or {}
        key = crs.authid() or crs.toWkt()
        if key not in self._districts:
            xform = transform(WGS84, crs)
            regions = []
            for code, polygon in polygons.items():
                local = transformed(polygon, xform)
                if local is not None and not local.isEmpty():
                    regions.append((code, Region(local)))
            self._districts[key] = regions
        return self._districts[key]


def _rings_closed(geometry: QgsGeometry) -> bool:
    shape = geometry.constGet()
    polygons = ([shape.geometryN(i) for i in range(shape.numGeometries())]
                if geometry.isMultipart() else [shape])
    for polygon in polygons:
        rings = [polygon.exteriorRing()] + [
            polygon.interiorRing(j) for j in range(polygon.numInteriorRings())]
        if any(ring is not None and not ring.isClosed() for ring in rings):
            return False
    return True
