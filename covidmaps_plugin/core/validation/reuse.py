"""Findings of rows unchanged since the last check, kept for the session.

A republish after one edit checks 100,000 rows again for one changed row.
The findings of a row-local rule (``registry.Rule.row_local``: what it
says of a row depends on that row alone, and on the profile, the options
and the reference shapes, never on "now" or on other rows) are kept by
the row's version (``core.rows``) and reused while the row and those
inputs are the same; the rule runs only on the rows read again. A rule
about "now" that compares a row's times with instants derived from it
(``Rule.moments``: what is expired, what should be closed) keeps them the
same way, and runs on the rows read again and on those whose times lie
between the instants of the last check and of this one. The other
rules (uids, references, timelines) run on every row each time, from the
columns in memory, except two whose findings are local to a part of the
layer: likely duplicates work name by name (a name whose rows are the
same rows at the same versions keeps its findings:
:class:`GroupFindings`) and overlaps zone by zone among the zones its box
meets (:class:`OverlapFindings`). And a finding that any rule makes again
for an unchanged row is the one made before (``context._kept_findings``),
not rendered and located again.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

import numpy as np

from .context import ValidationContext
from .findings import Finding
from .registry import Rule
from .table import LayerTable

# re-checking more than this share of a layer's rows one by one costs more than a full check
_MAX_CHANGED_SHARE = 0.25

# (path, table, rule) -> (inputs key, fids, versions, the findings of each
# row, the rule's instants by field: ``Rule.moments``); the rules of one
# table keep the same fids and versions lists
Kept = Tuple[str, List[int], List[int], List[Tuple[Finding, ...]], Dict[str, float]]
_KEPT: Dict[Tuple[str, str, str], Kept] = {}
_LOCK = threading.Lock()


def inputs_key(ctx: ValidationContext) -> str:
    """What row-local findings depend on besides the row: the profile, the
    options, the province outline and the district polygons."""
    digest = hashlib.sha256(json.dumps(ctx.profile.to_dict(), sort_keys=True,
                                       default=str).encode("utf-8"))
    options = ctx.options
    digest.update(repr((options.min_zone_area_m2, options.duplicate_distance_m,
                        options.earliest_date, options.max_future_days,
                        options.outline_tolerance_m, options.max_vertices,
                        options.min_overlap_m2, options.allow_arrow,
                        options.require_all_layers)).encode("utf-8"))
    province = ctx.province_geometry()
    digest.update(bytes(province.asWkb()) if province is not None else b"-")
    for code, polygon in sorted((options.district_geometries or {}).items()):
        digest.update(code.encode("utf-8") + b"\0" + bytes(polygon.asWkb()))
    return digest.hexdigest()


class RowFindings:
    """One validation's use of the kept findings (one context, one key)."""

    def __init__(self, ctx: ValidationContext) -> None:
        self.ctx = ctx
        self.key = context_key(ctx)
        self._subsets: Dict[str, Tuple[ValidationContext, LayerTable, List[int]]] = {}
        self._rows: Dict[str, Dict[int, int]] = {}
        self._memo: Dict[Tuple[str, int, int], Tuple[Optional[List[int]], List[int]]] = {}
        self._times: Dict[Tuple[str, str], np.ndarray] = {}
        self.rows_checked = 0  # tests read this

    rows_checked_total = 0  # rows checked again (not kept) in this session: tests read it

    def check(self, registered: Rule, table: LayerTable) -> List[Finding]:
        """``registered.check(ctx, table)``, from the kept findings where they hold."""
        moments = registered.moments(self.ctx, table) if registered.moments else {}
        if (not (registered.row_local or registered.moments) or table.source is None
                or table.versions is None):
            return list(registered.check(self.ctx, table))
        slot = (table.source[0], table.source[1], registered.name)
        with _LOCK:
            kept = _KEPT.get(slot)
        per_row: List[Tuple[Finding, ...]]
        changed: Optional[List[int]] = None
        if kept is not None and kept[0] == self.key and kept[4].keys() == moments.keys():
            old, changed = self._changed(table, kept[1], kept[2])
            crossed = self._crossed(table, kept[4], moments)
            if registered.quotes_moments and kept[4] != moments:
                crossed.extend(row for row, at in enumerate(old or range(len(table)))
                               if at >= 0 and kept[3][at])
            if crossed:
                changed = sorted(set(changed).union(crossed))
            if len(changed) > _MAX_CHANGED_SHARE * len(table):
                changed = None
        if changed is None or kept is None:
            found = list(registered.check(self.ctx, table))
            rows = list(range(len(table)))
            per_row = [()] * len(table)
        else:
            sub_ctx, sub, rows = self._subset(table, changed)
            found = list(registered.check(sub_ctx, sub))
            kept_rows = kept[3]
            per_row = (list(kept_rows) if old is None
                       else [kept_rows[i] if i >= 0 else () for i in old])
        self.rows_checked += len(rows)
        RowFindings.rows_checked_total += len(rows)
        if changed is not None:
            for row in rows:
                per_row[row] = ()
        row_of = self._row_of(table)
        grouped: Dict[int, List[Finding]] = {}
        for finding in found:  # row-local rules name a row in each finding
            grouped.setdefault(row_of[finding.fid], []).append(finding)  # type: ignore[index]
        for row, findings in grouped.items():
            per_row[row] = tuple(findings)
        with _LOCK:
            _KEPT[slot] = (self.key, table.fids, table.versions, per_row, moments)
        return [finding for findings in per_row if findings for finding in findings]

    def _row_of(self, table: LayerTable) -> Dict[int, int]:
        if table.name not in self._rows:
            self._rows[table.name] = {fid: row for row, fid in enumerate(table.fids)}
        return self._rows[table.name]

    def _changed(self, table: LayerTable, fids: List[int], versions: List[int]
                 ) -> Tuple[Optional[List[int]], List[int]]:
        """(for each row of ``table``, its row in the kept lists or -1; None
        when the rows are the same), and the rows whose version differs.
        Worked out once per table and kept lists (every rule shares them)."""
        memo = (table.name, id(fids), id(versions))
        if memo not in self._memo:
            now = np.asarray(table.versions, dtype=np.int64)
            if fids == table.fids:
                old = None
                differ = np.asarray(versions, dtype=np.int64) != now
            else:
                position = {fid: i for i, fid in enumerate(fids)}
                old = [position.get(fid, -1) for fid in table.fids]
                index = np.asarray(old, dtype=np.int64)
                before = np.asarray(versions, dtype=np.int64)[np.maximum(index, 0)] if len(
                    versions) else np.zeros(len(index), dtype=np.int64)
                differ = (index < 0) | (before != now)
            self._memo[memo] = (old, np.flatnonzero(differ).tolist())
        return self._memo[memo]

    def _crossed(self, table: LayerTable, then: Dict[str, float], now: Dict[str, float]
                 ) -> List[int]:
        """The rows with a time (of a field in ``now``) that lies between the
        instant of then and the instant of now, both included: the rows
        whose comparison with the instant can have turned."""
        crossed: List[int] = []
        for name, instant in now.items():
            low, high = sorted((then[name], instant))
            if low == high:
                continue
            times = self._times.get((table.name, name))
            if times is None:
                # NaN for no time or an unreadable one: never between
                times = self._times[(table.name, name)] = np.array(
                    [v if isinstance(v, float) else np.nan for v in table.column(name)],
                    dtype=np.float64)
            crossed.extend(np.flatnonzero((times >= low) & (times <= high)).tolist())
        return crossed

    def _subset(self, table: LayerTable, rows: List[int]
                ) -> Tuple[ValidationContext, LayerTable, List[int]]:
        """A context whose ``table`` holds only ``rows`` (one per table and
        set of rows, shared by the rules)."""
        known = self._subsets.get(table.name)
        if known is None or known[2] != rows:
            sub = table.subset(rows)
            known = (self.ctx.with_table(sub), sub, rows)
            self._subsets[table.name] = known
        return known


_KEYS: weakref.WeakKeyDictionary[ValidationContext, str] = weakref.WeakKeyDictionary()


def context_key(ctx: ValidationContext) -> str:
    """``inputs_key(ctx)``, worked out once per context."""
    key = _KEYS.get(ctx)
    if key is None:
        key = _KEYS[ctx] = inputs_key(ctx)
    return key


def _session_slot(table: LayerTable, *rule: str) -> Optional[Tuple[str, ...]]:
    """Where a table's kept work lives: its (path, table[, rule]); None for a
    table not read through the session's rows (no versions: never kept)."""
    if table.source is None or table.versions is None:
        return None
    return (table.source[0], table.source[1], *rule)


def _table_key(ctx: ValidationContext, table: LayerTable) -> str:
    """What kept work depends on besides the rows: the inputs and the CRS."""
    return context_key(ctx) + "|" + (table.crs.authid() or table.crs.toWkt())


def _recall(store: Dict[Any, Tuple[str, Dict[Any, Any]]], slot: Optional[Tuple[str, ...]],
            key: str) -> Dict[Any, Any]:
    """The work kept in ``store`` at ``slot`` if made with the same ``key``."""
    if slot is None:
        return {}
    with _LOCK:
        kept = store.get(slot)
    return kept[1] if kept is not None and kept[0] == key else {}


# (path, table, rule) -> (inputs key, {group: (its rows' fids and versions, findings)})
Group = Tuple[Tuple[Tuple[int, ...], Tuple[int, ...]], Tuple[Finding, ...]]
_GROUPS: Dict[Tuple[str, str, str], Tuple[str, Dict[Hashable, Group]]] = {}


class GroupFindings:
    """The kept findings of a rule that works group by group: what it says
    of the rows of one group depends on those rows alone (their values,
    geometry, fids and order), the profile, the options and the layer's
    CRS. A group made of the same rows (fids) at the same versions, in the
    same order, keeps its findings; any other is checked again. Tables not
    read through the session's rows (no versions) are always checked."""

    def __init__(self, ctx: ValidationContext, table: LayerTable, rule: str) -> None:
        self.table = table
        self.slot = _session_slot(table, rule)
        self.key = _table_key(ctx, table)
        self._kept: Dict[Hashable, Group] = _recall(_GROUPS, self.slot, self.key)
        self._fresh: Dict[Hashable, Group] = {}

    checked_total = 0  # groups checked (not kept) in this session: tests read it

    def _signature(self, rows: Sequence[int]) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
        versions = self.table.versions or ()
        return (tuple(self.table.fids[r] for r in rows), tuple(versions[r] for r in rows))

    def kept(self, group: Hashable, rows: Sequence[int]) -> Optional[Tuple[Finding, ...]]:
        """The group's findings of the last check if its rows are the same."""
        if self.slot is None:
            return None
        hit = self._kept.get(group)
        if hit is None or hit[0] != self._signature(rows):
            return None
        self._fresh[group] = hit
        return hit[1]

    def found(self, group: Hashable, rows: Sequence[int], findings: Sequence[Finding]) -> None:
        """The findings of a group just checked."""
        GroupFindings.checked_total += 1
        if self.slot is not None:
            self._fresh[group] = (self._signature(rows), tuple(findings))

    def save(self) -> None:
        """Keep this check's groups (only these: a group gone is forgotten)."""
        if self.slot is not None:
            with _LOCK:
                _GROUPS[self.slot] = (self.key, self._fresh)


# (path, table) -> (inputs key, {fid: (version, metric bbox or None,
#                                      (neighbours' fids and versions, findings) or None)})
Box = Optional[Tuple[float, float, float, float]]
Zone = Tuple[int, Box, Optional[Tuple[Tuple[Tuple[int, int], ...], Tuple[Finding, ...]]]]
_ZONES: Dict[Tuple[str, str], Tuple[str, Dict[int, Zone]]] = {}


class OverlapFindings:
    """The kept work of the overlap rule, zone by zone: each zone's bounding
    box in the metric CRS (a zone unchanged since the last check is not
    transformed again) and its findings with the neighbours they came from
    (the zones its box met in the index, in the index's order). A zone at
    the same version whose neighbours are the same rows at the same
    versions keeps its findings; the index is built from every published
    zone's box as a check from scratch builds it, so the neighbours and
    their order are those a check from scratch sees."""

    def __init__(self, ctx: ValidationContext, table: LayerTable) -> None:
        self.table = table
        self.slot = _session_slot(table)
        self.key = _table_key(ctx, table)
        self._kept: Dict[int, Zone] = _recall(_ZONES, self.slot, self.key)
        self._fresh: Dict[int, Zone] = {}

    checked_total = 0  # zones checked (not kept) in this session: tests read it

    def _version(self, row: int) -> int:
        return self.table.versions[row] if self.table.versions is not None else -1

    def _kept_zone(self, row: int) -> Optional[Zone]:
        if self.slot is None:
            return None
        hit = self._kept.get(self.table.fids[row])
        return hit if hit is not None and hit[0] == self._version(row) else None

    def box(self, row: int, shape: Any) -> Box:
        """The row's metric bounding box; ``shape()`` gives its metric
        geometry (or None) when the box is not kept."""
        hit = self._kept_zone(row)
        if hit is not None:
            box = hit[1]
        else:
            geometry = shape()
            if geometry is None:
                box = None
            else:
                rect = geometry.boundingBox()
                box = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        self._fresh[self.table.fids[row]] = (self._version(row), box, None)
        return box

    def _neighbours(self, others: Sequence[int]) -> Tuple[Tuple[int, int], ...]:
        return tuple((self.table.fids[o], self._version(o)) for o in others)

    def kept(self, row: int, others: Sequence[int]) -> Optional[Tuple[Finding, ...]]:
        """The zone's findings of the last check if it and its neighbours are the same."""
        hit = self._kept_zone(row)
        if hit is None or hit[2] is None or hit[2][0] != self._neighbours(others):
            return None
        fid = self.table.fids[row]
        self._fresh[fid] = hit
        return hit[2][1]

    def found(self, row: int, others: Sequence[int], findings: Sequence[Finding]) -> None:
        OverlapFindings.checked_total += 1
        fid = self.table.fids[row]
        version, box, _ = self._fresh[fid]
        self._fresh[fid] = (version, box, (self._neighbours(others), tuple(findings)))

    def save(self) -> None:
        if self.slot is not None:
            with _LOCK:
                _ZONES[self.slot] = (self.key, self._fresh)
