"""Attribute rules, all derived from the model: required fields, value lists,
ranges, lengths, the model's cross-field rules, implausible dates, uids,
references between layers and likely duplicates."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from qgis.core import QgsCoordinateTransform, QgsCsException, QgsLineString, QgsPointXY

from ...model import MODEL, PROVINCE_TZ, FieldDef, FieldType, RuleKind, ValueSource
from ...model.field_rules import FieldRule, FieldRuleKind, is_empty, layer_rules
from ...model.rules import rule_violated
from ...model.wire import is_uuid
from .context import ValidationContext, field_label
from .findings import Bilingual, Finding, FindingCode
from .registry import rule
from .reuse import GroupFindings
from .spatial import transform
from .table import LayerTable, date_text, date_to_epoch, epoch_text

C = FindingCode
CHECKPOINTS, ZONES = MODEL.layer("checkpoints"), MODEL.layer("isolation_zones")

# rows kept per 50 m cell when looking for duplicates: a pile of identical
# points is still reported, without comparing every pair
MAX_PER_CELL = 32


def empty_rows(values: List[Any]) -> List[int]:
    """Rows whose value is missing or blank (the model's REQUIRED test)."""
    return [row for row, v in enumerate(values) if is_empty(v)]


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


def _field_rule_findings(ctx: ValidationContext, table: LayerTable,
                         *kinds: FieldRuleKind) -> Iterator[Finding]:
    """The model's per-field rules of ``kinds`` (``model.field_rules``, the
    same objects the form constraints and the endpoint check) on every
    column, each broken rule a finding with the interpreter's code."""
    for name, rules in layer_rules(table.layer_def, ctx.profile).items():
        if name in table.missing_fields or (name == "uid" and kinds[0] is REQUIRED):
            continue  # uids have their own rule
        for field_rule in rules.rules:
            if field_rule.kind not in kinds or _left_to_other_rules(field_rule):
                continue
            values = table.column(name)
            for row in field_rule.rows(values):
                if (name, row) in table.bad_values:
                    continue  # unreadable: reported as a bad value
                violation = field_rule.violation(values[row])
                yield ctx.finding(table, row, FindingCode(violation.code.value), name,
                                  **violation.params)


def _left_to_other_rules(field_rule: FieldRule) -> bool:
    """An epidemic level's unit code is checked against its unit kind by
    ``rules_levels`` (LEVEL_UNIT_UNKNOWN names the kind)."""
    return field_rule.kind is FieldRuleKind.PROFILE_CODE and \
        field_rule.field.value_source is ValueSource.ADMIN_UNITS


REQUIRED = FieldRuleKind.REQUIRED


@rule("attributes", C.ATTR_REQUIRED, row_local=True)
def required(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    yield from _field_rule_findings(ctx, table, REQUIRED)


@rule("attributes", C.ATTR_BAD_VALUE, row_local=True)
def bad_values(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """The TYPE rule, as the reader met it: a stored value it could not read."""
    for (name, row), raw in sorted(table.bad_values.items(), key=lambda item: item[0][1]):
        yield ctx.finding(table, row, C.ATTR_BAD_VALUE, name, value=raw)


@rule("attributes", C.ATTR_NOT_IN_LIST, C.ATTR_NOT_IN_PROFILE, row_local=True)
def value_lists(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    yield from _field_rule_findings(ctx, table, FieldRuleKind.VALUE_LIST,
                                    FieldRuleKind.PROFILE_CODE)


@rule("attributes", C.ATTR_OUT_OF_RANGE, row_local=True)
def ranges(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    yield from _field_rule_findings(ctx, table, FieldRuleKind.RANGE)


@rule("attributes", C.ATTR_TOO_LONG, row_local=True)
def lengths(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    yield from _field_rule_findings(ctx, table, FieldRuleKind.MAX_LENGTH)


def _as_rule_value(fld: FieldDef, value: Any) -> Any:
    """A normalized value in the form ``model.rules`` reads (instants)."""
    if isinstance(value, float) and value == value and fld.type in (
            FieldType.DATE, FieldType.DATETIME):
        return dt.datetime.fromtimestamp(value, PROVINCE_TZ)
    return value


_ORDER_CODES = {RuleKind.NOT_AFTER: C.ATTR_DATE_ORDER, RuleKind.NOT_GREATER: C.ATTR_NUMBER_ORDER}


@rule("attributes", C.ATTR_REQUIRED_IF, C.ATTR_DATE_ORDER, C.ATTR_NUMBER_ORDER, row_local=True)
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


def _date_fields(table: LayerTable) -> List[FieldDef]:
    return [f for f in table.layer_def.fields if f.type in (FieldType.DATE, FieldType.DATETIME)]


@rule("attributes", C.ATTR_DATE_TOO_OLD, row_local=True)
def dates_too_old(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """A date before the earliest plausible one (the options'): what a row
    says of itself, kept for unchanged rows."""
    earliest = date_to_epoch(ctx.options.earliest_date)
    for fld in _date_fields(table):
        values = table.column(fld.name)
        for row in [r for r, v in enumerate(values) if v is not None and v < earliest]:
            yield ctx.finding(table, row, C.ATTR_DATE_TOO_OLD, fld.name,
                              value=display(fld, values[row]),
                              limit=date_text(ctx.options.earliest_date))


def _latest_day(ctx: ValidationContext) -> dt.date:
    return ctx.now.astimezone(PROVINCE_TZ).date() + dt.timedelta(
        days=ctx.options.max_future_days)


def _latest(ctx: ValidationContext, table: LayerTable) -> Dict[str, float]:
    """``Rule.moments`` of :func:`dates_too_far`: each date is compared with
    the end of the latest plausible day."""
    latest = date_to_epoch(_latest_day(ctx))
    return {fld.name: latest for fld in _date_fields(table)}


@rule("attributes", C.ATTR_DATE_TOO_FAR, moments=_latest, quotes_moments=True)
def dates_too_far(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """A date after the latest plausible one (``max_future_days`` from
    today); a date also before the earliest is only too old."""
    earliest = date_to_epoch(ctx.options.earliest_date)
    latest_day = _latest_day(ctx)
    latest = date_to_epoch(latest_day)
    for fld in _date_fields(table):
        values = table.column(fld.name)
        for row in [r for r, v in enumerate(values)
                    if v is not None and v > latest and not v < earliest]:
            yield ctx.finding(table, row, C.ATTR_DATE_TOO_FAR, fld.name,
                              value=display(fld, values[row]), limit=date_text(latest_day))


@rule("attributes", C.UID_MISSING, C.UID_MALFORMED, row_local=True)
def uid_format(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """A uid is there and is a UUID (what a row says of itself: kept for
    unchanged rows; its repetition is the next rule's)."""
    if "uid" in table.missing_fields:
        return
    for row, value in enumerate(table.column("uid")):
        if is_empty(value):
            yield ctx.finding(table, row, C.UID_MISSING, "uid")
        elif not is_uuid(value):
            yield ctx.finding(table, row, C.UID_MALFORMED, "uid", value=value)


@rule("attributes", C.UID_DUPLICATE)
def uids(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Each row of a well-formed uid that several rows share."""
    if "uid" in table.missing_fields:
        return
    values = table.column("uid")
    counts = Counter(values)  # one pass in C; only repeated values are looked at
    repeated = {value for value, count in counts.items()
                if count > 1 and not is_empty(value) and is_uuid(value)}
    for row, value in enumerate(values) if repeated else ():
        if value in repeated:
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
        usable = [row for row in rows if points.plausible[row]]
        xform = transform(table.crs, ctx.metric_crs)
        xs, ys = points.xs[usable].tolist(), points.ys[usable].tolist()
        moved = _transformed_all(xform, xs, ys)
        if moved is None:  # a point the transform refuses: each one alone, as ever
            moved = ([], [])
            for x, y in zip(xs, ys):
                point = xform.transform(QgsPointXY(x, y))
                moved[0].append(point.x())
                moved[1].append(point.y())
        positions = dict(zip(usable, zip(*moved)))
    else:
        for row in rows:  # one row at a time: only the groups checked again
            shape = ctx.metric_shape(table, row)
            if shape is not None:
                centre = shape.pointOnSurface().asPoint()
                positions[row] = (centre.x(), centre.y())
    return positions


def _transformed_all(xform: QgsCoordinateTransform, xs: List[float], ys: List[float]
                     ) -> Optional[Tuple[List[float], List[float]]]:
    """Points transformed in one call (the same arithmetic as one
    ``transform`` per point), or None when the transform refuses one."""
    if not xs:
        return [], []
    line = QgsLineString(xs, ys)
    try:
        line.transform(xform)
    except QgsCsException:
        return None
    coordinates = np.frombuffer(bytes(line.asWkb()), dtype="<f8", offset=9).reshape(-1, 2)
    return coordinates[:, 0].tolist(), coordinates[:, 1].tolist()


# a unit's level history repeats its name and polygon on purpose
@rule("attributes", C.ATTR_DUPLICATE,
      layers=tuple(n for n in MODEL.layer_names if n != "epidemic_levels"))
def duplicates(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Same name within ``duplicate_distance_m`` in the same layer (zones:
    by their point on surface). Reported once per pair, on the later row.
    Each name is a group of its own (no other row changes what is said of
    its rows): a group unchanged since the last check keeps its findings."""
    groups: Dict[str, List[int]] = defaultdict(list)
    names = table.column("name")
    keys = {name: name_key(name) for name in set(names)}  # names repeat: each keyed once
    for row, name in enumerate(names):
        key = keys[name]
        if key is not None:
            groups[key].append(row)
    candidates = [(key, rows) for key, rows in groups.items() if len(rows) > 1]
    kept = GroupFindings(ctx, table, "duplicates")
    found: Dict[str, Sequence[Finding]] = {}
    again = []
    for key, rows in candidates:
        hit = kept.kept(key, rows)
        if hit is None:
            again.append((key, rows))
        else:
            found[key] = hit
    if again:
        positions = _metric_positions(ctx, table, [r for _, rows in again for r in rows])
        for key, rows in again:
            found[key] = list(_duplicates_of(ctx, table, rows, positions))
            kept.found(key, rows, found[key])
    kept.save()
    for key, _rows in candidates:  # in the order of a check from scratch
        yield from found[key]


def _duplicates_of(ctx: ValidationContext, table: LayerTable, rows: List[int],
                   positions: Dict[int, Tuple[float, float]]) -> Iterator[Finding]:
    """The findings of one name's rows (in row order)."""
    limit = ctx.options.duplicate_distance_m
    names = table.column("name")
    # grid of cells the size of the distance: neighbours are in 9 cells
    grid: Dict[Tuple[int, int], List[int]] = defaultdict(list)
    for row in _near_others(positions, rows, limit):
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


def _near_others(positions: Dict[int, Tuple[float, float]], rows: List[int], limit: float
                 ) -> List[int]:
    """The rows (in order) with a position and another such row of ``rows``
    in their cell or a neighbouring one. The others never match nor are
    matched, and take no other row's place in a cell: leaving them out
    changes no finding."""
    placed = [row for row in rows if row in positions]
    if len(placed) < 64:
        return placed  # not worth sorting out
    cx = np.array([int(positions[row][0] // limit) for row in placed], dtype=np.int64)
    cy = np.array([int(positions[row][1] // limit) for row in placed], dtype=np.int64)
    # each cell as one integer (a column of cells per x, with room for the neighbours)
    height = int(cy.max() - cy.min()) + 3
    if (int(cx.max() - cx.min()) + 3) * height >= 2 ** 62:
        return placed
    keys = (cx - cx.min() + 1) * height + (cy - cy.min() + 1)
    cells, counts = np.unique(keys, return_counts=True)
    around = np.zeros(len(keys), dtype=np.int64)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            shifted = keys + dx * height + dy
            at = np.minimum(np.searchsorted(cells, shifted), len(cells) - 1)
            around += np.where(cells[at] == shifted, counts[at], 0)
    return [placed[i] for i in np.flatnonzero(around > 1).tolist()]


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
