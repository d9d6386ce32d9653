"""Findings of rows unchanged since the last check, kept for the session.

A republish after one edit checks 100,000 rows again for one changed row.
The findings of a row-local rule (``registry.Rule.row_local``: what it
says of a row depends on that row alone, and on the profile, the options
and the reference shapes, never on "now" or on other rows) are kept by
the row's version (``core.rows``) and reused while the row and those
inputs are the same; the rule runs only on the rows read again. The other
rules (uids, references, duplicates, overlaps, timelines, anything about
"now") run on every row each time, from the columns in memory.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Dict, List, Optional, Tuple

from .context import ValidationContext
from .findings import Finding
from .registry import Rule
from .table import LayerTable

# re-checking more than this share of a layer's rows one by one costs more than a full check
_MAX_CHANGED_SHARE = 0.25

# (path, table, rule) -> (inputs key, {fid: (version, findings of the row)})
Kept = Dict[int, Tuple[int, Tuple[Finding, ...]]]
_KEPT: Dict[Tuple[str, str, str], Tuple[str, Kept]] = {}
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
        self.key = inputs_key(ctx)
        self._subsets: Dict[str, Tuple[ValidationContext, LayerTable, List[int]]] = {}
        self.rows_checked = 0  # tests read this

    def check(self, registered: Rule, table: LayerTable) -> List[Finding]:
        """``registered.check(ctx, table)``, from the kept findings where they hold."""
        if not registered.row_local or table.source is None or table.versions is None:
            return list(registered.check(self.ctx, table))
        slot = (table.source[0], table.source[1], registered.name)
        with _LOCK:
            kept_key, kept = _KEPT.get(slot, ("", {}))
        if kept_key != self.key:
            kept = {}
        changed = [row for row, (fid, version) in enumerate(zip(table.fids, table.versions))
                   if kept.get(fid, (None,))[0] != version]
        if len(changed) > _MAX_CHANGED_SHARE * len(table):
            found = list(registered.check(self.ctx, table))
            rows = list(range(len(table)))
        else:
            sub_ctx, sub, rows = self._subset(table, changed)
            found = list(registered.check(sub_ctx, sub))
        self.rows_checked += len(rows)
        by_fid: Dict[Optional[int], List[Finding]] = {table.fids[row]: [] for row in rows}
        for finding in found:  # row-local rules name a row in each finding
            by_fid[finding.fid].append(finding)
        fresh = {table.fids[row]: (table.versions[row], tuple(by_fid[table.fids[row]]))
                 for row in rows}
        result: List[Finding] = []
        new_kept: Kept = {}
        for fid in table.fids:
            entry = fresh.get(fid) or kept[fid]
            new_kept[fid] = entry
            result.extend(entry[1])
        with _LOCK:
            _KEPT[slot] = (self.key, new_kept)
        return result

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
