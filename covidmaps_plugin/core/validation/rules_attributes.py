"""Attribute rules, all derived from the model: required fields, value lists,
ranges, lengths, the model's cross-field rules, implausible dates, uids,
references between layers and likely duplicates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from qgis.core import QgsPointXY

from ...model import MODEL, PROVINCE_TZ, FieldDef, FieldType, RuleKind, ValueSource
from ...model.rules import rule_violated
from .context import ValidationContext, field_label
from .findings import Bilingual, Finding, FindingCode
from .registry import rule
from .spatial import transform
from .table import LayerTable, date_text, date_to_epoch, epoch_text

C = FindingCode
CHECKPOINTS, ZONES = MODEL.layer("checkpoints"), MODEL.layer("isolation_zones")

# rows kept per 50 m cell when looking for duplicates: a pile of identical
# points is still reported, without comparing every pair
MAX_PER_CELL = 32

# canonical form written by the plugin: lower-case, hyphenated, no braces
# matched whole (fullmatch): "$" would also accept a uid ending in a newline
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_empty(value: Any) -> bool:
    return value is None or (type(value) is str and (not value or value.isspace()))


def empty_rows(values: List[Any]) -> List[int]:
    """Rows whose value is missing or blank (inlined: it runs on every row)."""
    return [row for row, v in enumerate(values)
            if v is None or (type(v) is str and (not v or v.isspace()))]


def display(fld: FieldDef, value: Any) -> str:
    """A normalized value as the officer typed it."""
    if isinstance(value, float) and fld.type in (FieldType.DATE, FieldType.DATETIME):
        return epoch_text(value, with_time=fld.type is FieldType.DATETIME)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@rule("attributes", C.LAYER_MISSING, C.LAYER_FIELD_MISSING)
def layer_structure(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    if not table.present:
        if ctx.options.require_all_layers:
            yield ctx.finding(table, None, C.LAYER_MISSING)
        return
    for name in table.missing_fields:
        yield ctx.finding(table, None, C.LAYER_FIELD_MISSING, name)


@rule("attributes", C.ATTR_REQUIRED)
def required(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for fld in table.layer_def.fields:
        if not fld.required or fld.name == "uid" or fld.name in table.missing_fields:
            continue  # uids have their own rule
        for row in empty_rows(table.column(fld.name)):
            if (fld.name, row) not in table.bad_values:
                yield ctx.finding(table, row, C.ATTR_REQUIRED, fld.name)


@rule("attributes", C.ATTR_BAD_VALUE)
def bad_values(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for (name, row), raw in sorted(table.bad_values.items(), key=lambda item: item[0][1]):
        yield ctx.finding(table, row, C.ATTR_BAD_VALUE, name, value=raw)


def _allowed_values(ctx: ValidationContext, fld: FieldDef) -> Optional[Set[str]]:
    if fld.value_list is not None:
        return set(fld.value_list.values)
    if fld.value_source is ValueSource.DISTRICTS:
        return set(ctx.profile.district_codes)
    if fld.value_source is ValueSource.COMMUNES and ctx.profile.commune_codes:
        return set(ctx.profile.commune_codes)
    return None  # zone references: see zone_references


@rule("attributes", C.ATTR_NOT_IN_LIST)
def value_lists(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for fld in table.layer_def.fields:
        allowed = _allowed_values(ctx, fld)
        if allowed is None or fld.name in table.missing_fields:
            continue
        for row, value in enumerate(table.column(fld.name)):
            if value is not None and value not in allowed and not is_empty(value):
                yield ctx.finding(table, row, C.ATTR_NOT_IN_LIST, fld.name, value=value)


@rule("attributes", C.ATTR_OUT_OF_RANGE)
def ranges(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for fld in table.layer_def.fields:
        if fld.min_value is None and fld.max_value is None:
            continue
        low = float("-inf") if fld.min_value is None else fld.min_value
        high = float("inf") if fld.max_value is None else fld.max_value
        for row, value in enumerate(table.column(fld.name)):
            if isinstance(value, (int, float)) and not low <= value <= high and value == value:
                yield ctx.finding(table, row, C.ATTR_OUT_OF_RANGE, fld.name,
                                  value=display(fld, value), min=f"{low:g}", max=f"{high:g}")


@rule("attributes", C.ATTR_TOO_LONG)
def lengths(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    for fld in table.layer_def.fields:
        if not fld.max_length:
            continue
        limit = fld.max_length
        values = table.column(fld.name)
        for row in [r for r, v in enumerate(values) if type(v) is str and len(v) > limit]:
            yield ctx.finding(table, row, C.ATTR_TOO_LONG, fld.name, length=len(values[row]),
                              limit=limit)


def _as_rule_value(fld: FieldDef, value: Any) -> Any:
    """A normalized value in the form ``model.rules`` reads (instants)."""
    if isinstance(value, float) and value == value and fld.type in (
            FieldType.DATE, FieldType.DATETIME):
        return dt.datetime.fromtimestamp(value, PROVINCE_TZ)
    return value


_ORDER_CODES = {RuleKind.NOT_AFTER: C.ATTR_DATE_ORDER, RuleKind.NOT_GREATER: C.ATTR_NUMBER_ORDER}


@rule("attributes", C.ATTR_REQUIRED_IF, C.ATTR_DATE_ORDER, C.ATTR_NUMBER_ORDER)
def cross_field(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    layer_def = table.layer_def
    status = table.column("status")
    for model_rule in layer_def.rules:
        lower_def = layer_def.field(model_rule.lower)
        upper_def = layer_def.field(model_rule.upper) if model_rule.upper else None
        lower = table.column(model_rule.lower)
        upper = table.column(model_rule.upper) if model_rule.upper else [None] * len(table)
        message = Bilingual(model_rule.message_vi, model_rule.message_en)
        ordering = model_rule.kind in _ORDER_CODES
        # cheap necessary condition over the whole column; model.rules decides
        if ordering:
            candidates = [r for r, (a, b) in enumerate(zip(lower, upper))
                          if a is not None and b is not None and a > b]
        else:
            candidates = empty_rows(lower)
        for row in candidates:
            a, b = lower[row], upper[row]
            values: Dict[str, Any] = {"status": status[row],
                                      model_rule.lower: _as_rule_value(lower_def, a)}
            if upper_def is not None:
                values[model_rule.upper] = _as_rule_value(upper_def, b)
            if not rule_violated(model_rule, values):
                continue
            if ordering and upper_def is not None:
                yield ctx.finding(
                    table, row, _ORDER_CODES[model_rule.kind], model_rule.lower, rule=message,
                    value=display(lower_def, a), other=field_label(upper_def),
                    other_value=display(upper_def, b))
            else:
                yield ctx.finding(table, row, C.ATTR_REQUIRED_IF, model_rule.lower, rule=message)


@rule("attributes", C.ATTR_DATE_TOO_OLD, C.ATTR_DATE_TOO_FAR)
def implausible_dates(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    earliest = date_to_epoch(ctx.options.earliest_date)
    latest_day = ctx.now.astimezone(PROVINCE_TZ).date() + dt.timedelta(
        days=ctx.options.max_future_days)
    latest = date_to_epoch(latest_day)
    for fld in table.layer_def.fields:
        if fld.type not in (FieldType.DATE, FieldType.DATETIME):
            continue
        values = table.column(fld.name)
        for row in [r for r, v in enumerate(values)
                    if v is not None and (v < earliest or v > latest)]:
            value = values[row]
            if value < earliest:
                yield ctx.finding(table, row, C.ATTR_DATE_TOO_OLD, fld.name,
                                  value=display(fld, value),
                                  limit=date_text(ctx.options.earliest_date))
            elif value > latest:
                yield ctx.finding(table, row, C.ATTR_DATE_TOO_FAR, fld.name,
                                  value=display(fld, value), limit=date_text(latest_day))


@rule("attributes", C.UID_MISSING, C.UID_MALFORMED, C.UID_DUPLICATE)
def uids(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    if "uid" in table.missing_fields:
        return
    values = table.column("uid")
    counts = Counter(v for v in values if not is_empty(v))
    for row, value in enumerate(values):
        if is_empty(value):
            yield ctx.finding(table, row, C.UID_MISSING, "uid")
        elif not UUID_RE.fullmatch(value):
            yield ctx.finding(table, row, C.UID_MALFORMED, "uid", value=value)
        elif counts[value] > 1:
            yield ctx.finding(table, row, C.UID_DUPLICATE, "uid", value=value,
                              count=counts[value])


@rule("attributes", C.ATTR_ZONE_REF_MISSING, layers=(CHECKPOINTS.name,))
def zone_references(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    zones = ctx.tables.get(ZONES.name)
    known = {v for v in zones.column("uid")} if zones is not None else set()
    for row, value in enumerate(table.column("zone_uid")):
        if not is_empty(value) and value not in known:
            yield ctx.finding(table, row, C.ATTR_ZONE_REF_MISSING, "zone_uid", value=value)


def name_key(name: Any) -> Optional[str]:
    """Names that differ only in case, spacing or Unicode form are the same."""
    if is_empty(name):
        return None
    return " ".join(unicodedata.normalize("NFC", str(name)).casefold().split())


def _metric_positions(ctx: ValidationContext, table: LayerTable, rows: List[int]
                      ) -> Dict[int, Tuple[float, float]]:
    positions: Dict[int, Tuple[float, float]] = {}
    if table.layer_def.geometry_type.value == "Point":
        points = ctx.points(table)
        xform = transform(table.crs, ctx.metric_crs)
        for row in rows:
            if points.plausible[row]:
                point = xform.transform(QgsPointXY(float(points.xs[row]), float(points.ys[row])))
                positions[row] = (point.x(), point.y())
    else:
        shapes = ctx.metric_shapes(table)
        for row in rows:
            if shapes[row] is not None:
                centre = shapes[row].pointOnSurface().asPoint()
                positions[row] = (centre.x(), centre.y())
    return positions


# a unit's level history repeats its name and polygon on purpose
@rule("attributes", C.ATTR_DUPLICATE,
      layers=tuple(n for n in MODEL.layer_names if n != "epidemic_levels"))
def duplicates(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Same name within ``duplicate_distance_m`` in the same layer (zones:
    by their point on surface). Reported once per pair, on the later row."""
    groups: Dict[str, List[int]] = defaultdict(list)
    for row, name in enumerate(table.column("name")):
        key = name_key(name)
        if key is not None:
            groups[key].append(row)
    candidates = [rows for rows in groups.values() if len(rows) > 1]
    if not candidates:
        return
    limit = ctx.options.duplicate_distance_m
    positions = _metric_positions(ctx, table, [r for rows in candidates for r in rows])
    names = table.column("name")
    for rows in candidates:
        # grid of cells the size of the distance: neighbours are in 9 cells
        grid: Dict[Tuple[int, int], List[int]] = defaultdict(list)
        for row in rows:
            if row not in positions:
                continue
            x, y = positions[row]
            cell = (int(x // limit), int(y // limit))
            match = _nearest_within(positions, grid, cell, x, y, limit)
            if match is not None:
                other, distance = match
                yield ctx.finding(table, row, C.ATTR_DUPLICATE, "name", value=names[other],
                                  distance=f"{distance:.0f}",
                                  other=table.uid(other) or f"fid {table.fids[other]}")
            if len(grid[cell]) < MAX_PER_CELL:
                grid[cell].append(row)


def _nearest_within(positions: Dict[int, Tuple[float, float]],
                    grid: Dict[Tuple[int, int], List[int]], cell: Tuple[int, int],
                    x: float, y: float, limit: float) -> Optional[Tuple[int, float]]:
    best: Optional[Tuple[int, float]] = None
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for other in grid.get((cell[0] + dx, cell[1] + dy), ()):
                ox, oy = positions[other]
                distance = ((x - ox) ** 2 + (y - oy) ** 2) ** 0.5
                if distance <= limit and (best is None or distance < best[1]):
                    best = (other, distance)
    return best
