"""Epidemic-level rules: once levels are in use, every unit of the profile
(of the kind in use: districts, communes) has exactly one announced level
at every moment up to today — no overlap, no gap, none missing, none ended
without a successor; each record's level is in its scheme and its unit is
known to the profile. The decision number is a required field of the model
(``ATTR_REQUIRED``). The timeline logic is ``model.levels``."""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterator, List, Optional

from ...model import PROVINCE_TZ
from ...model import levels as lv
from .context import ValidationContext
from .findings import Bilingual, Finding, FindingCode
from .registry import rule
from .table import LayerTable

C = FindingCode
KIND_LABEL = {lv.UNIT_DISTRICT: Bilingual("huyện", "district"),
              lv.UNIT_COMMUNE: Bilingual("xã", "commune")}


def _day(value: object) -> Optional[dt.date]:
    if isinstance(value, float) and value == value:
        return dt.datetime.fromtimestamp(value, PROVINCE_TZ).date()
    return None


def _text_day(day: Optional[dt.date]) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _profile_units(ctx: ValidationContext, kind: str) -> Dict[str, str]:
    units = ctx.profile.districts if kind == lv.UNIT_DISTRICT else ctx.profile.communes
    return {u.code: u.name for u in units}


def _counted(ctx: ValidationContext, table: LayerTable) -> List[int]:
    """Rows that take part in the timeline: what the public map will show."""
    published = ctx.published(table)
    return [row for row in range(len(table)) if published[row]]


@rule("levels", C.LEVEL_UNIT_UNKNOWN, C.LEVEL_OUT_OF_SCHEME, layers=(lv.LAYER_NAME,),
      row_local=True)
def level_values(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    kinds, codes = table.column("unit_kind"), table.column("unit_code")
    levels, schemes = table.column("level"), table.column("scheme")
    for row in range(len(table)):
        kind = kinds[row] if kinds[row] in KIND_LABEL else lv.UNIT_DISTRICT
        code = codes[row]
        if isinstance(code, str) and code and code not in _profile_units(ctx, kind):
            yield ctx.finding(table, row, C.LEVEL_UNIT_UNKNOWN, "unit_code", value=code,
                              kind=KIND_LABEL[kind])
        sch = lv.scheme(schemes[row] if isinstance(schemes[row], str) else None)
        level = levels[row]
        if sch is not None and level is not None and sch.level(int(level)) is None:
            yield ctx.finding(table, row, C.LEVEL_OUT_OF_SCHEME, "level", value=int(level),
                              scheme=Bilingual(sch.title_vi, sch.title_en),
                              allowed=", ".join(map(str, sch.numbers)))


@rule("levels", C.LEVEL_OVERLAP, C.LEVEL_GAP, C.LEVEL_UNIT_MISSING, C.LEVEL_NONE_NOW,
      layers=(lv.LAYER_NAME,))
def level_timeline(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    kinds, codes, levels = (table.column(n) for n in ("unit_kind", "unit_code", "level"))
    starts, ends = table.column("effective_from"), table.column("effective_until")
    today = ctx.now.astimezone(PROVINCE_TZ).date()
    for kind in (lv.UNIT_DISTRICT, lv.UNIT_COMMUNE):
        units = _profile_units(ctx, kind)
        periods = [lv.Period(row, codes[row], levels[row], _day(starts[row]), _day(ends[row]))
                   for row in _counted(ctx, table)
                   if kinds[row] == kind and codes[row] in units]
        for problem in lv.timeline_problems(periods, tuple(units), today):
            name = units.get(problem.unit_code, problem.unit_code)
            params = {"unit": name, "day": _text_day(problem.day)}
            if problem.kind == "missing":
                yield ctx.finding(table, None, C.LEVEL_UNIT_MISSING, **params)
                continue
            code = {"overlap": C.LEVEL_OVERLAP, "gap": C.LEVEL_GAP,
                    "none_now": C.LEVEL_NONE_NOW}[problem.kind]
            field = "effective_until" if problem.kind == "none_now" else "effective_from"
            yield ctx.finding(table, problem.key, code, field, **params)
