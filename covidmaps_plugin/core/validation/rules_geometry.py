"""Geometry rules: presence, type, coordinates, GEOS validity, province,
area, overlaps between zones and the district a point falls in."""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

import numpy as np
from qgis.core import QgsGeometry, QgsRectangle, QgsSpatialIndex, QgsWkbTypes

from ...model import MODEL
from .context import ValidationContext
from .findings import Finding, FindingCode
from .registry import rule
from .reuse import OverlapFindings
from .spatial import POINT_MISSING, POINT_WRONG_TYPE, geometry_from_wkb, rows_where
from .table import LayerTable

C = FindingCode
POINT, ZONE = "Point", "MultiPolygon"
ZONES = MODEL.layer("isolation_zones")
MAX_OVERLAPS_PER_ZONE = 3


@rule("geometry", C.GEOM_MISSING, C.GEOM_WRONG_TYPE, C.GEOM_NON_FINITE,
      C.GEOM_METRES_AS_DEGREES, C.GEOM_DEGREES_AS_METRES, geometry=POINT, row_local=True)
def point_geometry(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    points = ctx.points(table)
    for row in rows_where(points.state == POINT_MISSING):
        yield ctx.finding(table, row, C.GEOM_MISSING)
    for row in rows_where(points.state == POINT_WRONG_TYPE):
        actual = QgsWkbTypes.displayString(geometry_from_wkb(table.wkb[row]).wkbType())
        yield ctx.finding(table, row, C.GEOM_WRONG_TYPE, actual=actual, expected=POINT)
    present = points.state == 0
    for row in rows_where(present & ~points.finite):
        yield ctx.finding(table, row, C.GEOM_NON_FINITE)
    misplaced = present & points.finite & ~points.plausible
    code = C.GEOM_METRES_AS_DEGREES if table.crs.isGeographic() else C.GEOM_DEGREES_AS_METRES
    for row in rows_where(misplaced):
        yield ctx.finding(table, row, code, x=_coord(points.xs[row]), y=_coord(points.ys[row]))


def _coord(value: float) -> str:
    return f"{value:.6f}" if abs(value) <= 180 else f"{value:.0f}"


@rule("geometry", C.GEOM_MISSING, C.GEOM_WRONG_TYPE, C.GEOM_TOO_COMPLEX, C.GEOM_NON_FINITE,
      C.GEOM_RING_NOT_CLOSED, C.GEOM_INVALID, C.GEOM_METRES_AS_DEGREES,
      C.GEOM_DEGREES_AS_METRES, geometry=ZONE, row_local=True)
def zone_geometry(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for row, state in enumerate(ctx.zone_states(table)):
        if state is not None and state.code is not None:
            yield ctx.finding(table, row, state.code, **state.params)


@rule("geometry", C.GEOM_OUTSIDE_PROVINCE, C.GEOM_PARTLY_OUTSIDE, row_local=True)
def outside_province(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    region = ctx.province_region(table.crs)
    if region is None or len(table) == 0:
        return
    province = ctx.province_name
    if table.layer_def.geometry_type.value == POINT:
        points = ctx.points(table)
        usable = points.plausible
        inside = np.zeros(len(table), dtype=bool)
        inside[usable] = region.contains_points(points.xs[usable], points.ys[usable])
        for row in rows_where(usable & ~inside):
            yield ctx.finding(table, row, C.GEOM_OUTSIDE_PROVINCE, province=province)
        return
    for row, state in enumerate(ctx.zone_states(table)):
        if state is None or state.geometry is None:
            continue
        relation = region.relation(state.geometry)
        if relation == "outside":
            yield ctx.finding(table, row, C.GEOM_OUTSIDE_PROVINCE, province=province)
        elif relation == "partly":
            yield ctx.finding(table, row, C.GEOM_PARTLY_OUTSIDE, province=province)


# (a level's polygon is a whole reference unit: no area limits)
@rule("geometry", C.GEOM_AREA_TOO_SMALL, C.GEOM_AREA_TOO_LARGE, geometry=ZONE,
      layers=(ZONES.name,), row_local=True)
def zone_area(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    limit_small = ctx.options.min_zone_area_m2
    limit_large = ctx.province_area_m2()
    for row, shape in enumerate(ctx.metric_shapes(table)):
        if shape is None:
            continue
        area = shape.area()
        if area < limit_small:
            yield ctx.finding(table, row, C.GEOM_AREA_TOO_SMALL, area=f"{area:.1f}",
                              limit=f"{limit_small:g}")
        elif area > limit_large:
            yield ctx.finding(table, row, C.GEOM_AREA_TOO_LARGE, area=f"{area / 1e6:.1f}",
                              limit=f"{limit_large / 1e6:.1f}")


def _zone_period(ctx: ValidationContext, table: LayerTable, row: int) -> Tuple[float, float]:
    """When a zone applies: [effective_from, the earlier of until/lifted)."""
    start = table.column("effective_from")[row]
    ends = [v for v in (table.column("effective_until")[row], table.column("lifted_on")[row])
            if isinstance(v, float) and v == v]
    return (start if isinstance(start, float) and start == start else float("-inf"),
            min(ends) if ends else float("inf"))


@rule("geometry", C.GEOM_ZONE_OVERLAP, layers=(ZONES.name,))
def zone_overlap(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Published zones of one measure in force together whose areas overlap.
    What is said of a zone depends on it and on the zones its bounding box
    meets: a zone unchanged since the last check whose neighbours in the
    index are the same rows at the same versions keeps its findings
    (reuse.OverlapFindings), the others are checked again."""
    published = ctx.published(table)
    measures = table.column("measure")
    names = table.column("name")
    kept = OverlapFindings(ctx, table)
    boxes = {}  # each published sound zone's metric box (kept ones not transformed again)
    for row in range(len(table)):
        if published[row]:
            box = kept.box(row, lambda row=row: ctx.metric_shape(table, row))
            if box is not None:
                boxes[row] = box
    rows = list(boxes)
    index = QgsSpatialIndex()
    for row in rows:
        index.addFeature(row, QgsRectangle(*boxes[row]))
    for row in rows:
        ctx.check_cancel()
        others = index.intersects(QgsRectangle(*boxes[row]))
        hit = kept.kept(row, others)
        if hit is not None:
            yield from hit
            continue
        found = []
        shape: QgsGeometry = ctx.metric_shape(table, row)
        engine = QgsGeometry.createGeometryEngine(shape.constGet())
        engine.prepareGeometry()
        start, end = _zone_period(ctx, table, row)
        for other in others:
            if len(found) >= MAX_OVERLAPS_PER_ZONE:
                break  # enough to act on; keeps piles of copies from taking minutes
            if other == row or measures[other] != measures[row]:
                continue
            other_start, other_end = _zone_period(ctx, table, other)
            if other_start >= end or start >= other_end:
                continue  # one follows the other: not in force together
            other_shape = ctx.metric_shape(table, other)
            if not engine.intersects(other_shape.constGet()):
                continue
            overlap = shape.intersection(other_shape).area()
            if overlap >= ctx.options.min_overlap_m2:
                found.append(ctx.finding(table, row, C.GEOM_ZONE_OVERLAP,
                                         overlap=f"{overlap:.0f}",
                                         other=_name_or_uid(names[other], table.uid(other))))
        kept.found(row, others, found)
        yield from found
    kept.save()


def _name_or_uid(name: Optional[str], uid: Optional[str]) -> str:
    return name or uid or "?"


@rule("geometry", C.GEOM_DISTRICT_MISMATCH, geometry=POINT, row_local=True)
def district_mismatch(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    districts = ctx.district_regions(table.crs)
    if not districts or len(table) == 0:
        return
    points = ctx.points(table)
    usable = points.plausible
    codes = table.column("district_code")
    located: List[Optional[str]] = [None] * len(table)
    xs, ys = points.xs[usable], points.ys[usable]
    usable_rows = np.flatnonzero(usable)
    for code, region in districts:
        for row in usable_rows[region.contains_points(xs, ys)].tolist():
            located[row] = code
    for row, actual in enumerate(located):
        if actual is not None and codes[row] and codes[row] != actual:
            yield ctx.finding(table, row, C.GEOM_DISTRICT_MISMATCH, "district_code",
                              value=codes[row], actual=_district_name(ctx, actual))


def _district_name(ctx: ValidationContext, code: str) -> str:
    unit = ctx.profile.district(code)
    return f"{code} {unit.name}" if unit else code

