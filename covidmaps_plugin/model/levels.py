"""Epidemic levels by administrative unit (pure Python, no QGIS).

Resolution 128/NQ-CP (11 October 2021; guidance in the Ministry of Health's
Decision 4800/QĐ-BYT) assesses COVID-19 risk per commune and district in
four levels, each with an official colour: 1 green, 2 yellow, 3 orange,
4 red. Decision 2686/QĐ-BCĐQG (31 May 2021) used four levels before it;
it stays selectable for historical records.

A record says: this unit is at this level from ``effective_from`` until
``effective_until`` (calendar days in the province, both included; no end =
until further notice), by this decision. A change never overwrites a
record: it adds a new one and ends the one in force the day before
(:func:`plan_change`). :func:`timeline_problems` finds what the validator
reports (overlaps, gaps, units without a level).

Everything the plugin, validator, server and web map need to know about
levels (colours, meanings, the unit kinds) is here, so it is written once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

LAYER_NAME = "epidemic_levels"
DEFAULT_SCHEME = "nq128"
UNIT_DISTRICT = "district"
UNIT_COMMUNE = "commune"
# the daily action lists levels that end within this many days
ENDING_SOON_DAYS = 3


@dataclass(frozen=True)
class Level:
    number: int
    color: str  # "#rrggbb", the fill on the map and in QGIS
    text_color: str  # the level number drawn on the fill (contrast >= 4.5:1)
    colour_vi: str  # "xanh", "vàng"...: the colour's name, as announcements say it
    colour_en: str
    meaning_vi: str
    meaning_en: str
    # the meaning in a word or two, for the phone legend's single row
    short_vi: str = ""
    short_en: str = ""

    def label(self, lang: str = "vi") -> str:
        """"Cấp 3 — nguy cơ cao" / "Level 3 — high risk"."""
        if lang == "vi":
            return f"Cấp {self.number} — {self.meaning_vi}"
        return f"Level {self.number} — {self.meaning_en}"


@dataclass(frozen=True)
class Scheme:
    id: str
    title_vi: str
    title_en: str
    levels: Tuple[Level, ...]

    def level(self, number: Any) -> Optional[Level]:
        return next((lv for lv in self.levels if lv.number == number), None)

    @property
    def numbers(self) -> Tuple[int, ...]:
        return tuple(lv.number for lv in self.levels)


# The four colours of Resolution 128 (xanh, vàng, cam, đỏ). Text on yellow
# and green is dark, on orange and red white-on-dark-outline would fail
# contrast, so the number is dark on the three light fills and white on red.
GREEN = "#2FA84F"
YELLOW = "#FFD60A"
ORANGE = "#FF8C1A"
RED = "#D7261E"

NQ128 = Scheme(
    "nq128", "Nghị quyết 128/NQ-CP (từ 11/10/2021)", "Resolution 128/NQ-CP (from 11 Oct 2021)",
    (
        Level(1, GREEN, "#111111", "xanh", "green",
              "nguy cơ thấp (bình thường mới)", "low risk (new normal)", "thấp", "low"),
        Level(2, YELLOW, "#111111", "vàng", "yellow", "nguy cơ trung bình", "medium risk",
              "trung bình", "medium"),
        Level(3, ORANGE, "#111111", "cam", "orange", "nguy cơ cao", "high risk", "cao", "high"),
        Level(4, RED, "#FFFFFF", "đỏ", "red", "nguy cơ rất cao", "very high risk",
              "rất cao", "very high"),
    ),
)

# Decision 2686/QĐ-BCĐQG named its four levels "bình thường mới", "nguy cơ",
# "nguy cơ cao", "nguy cơ rất cao"; provinces coloured them the same way.
QD2686 = Scheme(
    "qd2686", "Quyết định 2686/QĐ-BCĐQG (31/5/2021)", "Decision 2686/QĐ-BCĐQG (31 May 2021)",
    (
        Level(1, GREEN, "#111111", "xanh", "green", "bình thường mới", "new normal",
              "bình thường", "normal"),
        Level(2, YELLOW, "#111111", "vàng", "yellow", "nguy cơ", "at risk", "nguy cơ", "risk"),
        Level(3, ORANGE, "#111111", "cam", "orange", "nguy cơ cao", "high risk", "cao", "high"),
        Level(4, RED, "#FFFFFF", "đỏ", "red", "nguy cơ rất cao", "very high risk",
              "rất cao", "very high"),
    ),
)

SCHEMES: Tuple[Scheme, ...] = (NQ128, QD2686)


def scheme(scheme_id: Optional[str]) -> Optional[Scheme]:
    return next((s for s in SCHEMES if s.id == (scheme_id or DEFAULT_SCHEME)), None)


def scheme_choices() -> Tuple[Tuple[str, str, str], ...]:
    """(value, label vi, label en) for the model's value list."""
    return tuple((s.id, s.title_vi, s.title_en) for s in SCHEMES)


def schemes_meta() -> Dict[str, Any]:
    """What the release manifest carries so the web map draws the levels
    with no copy of these colours and meanings of its own."""
    return {
        s.id: {
            "title": {"vi": s.title_vi, "en": s.title_en},
            "levels": {
                str(lv.number): {
                    "color": lv.color, "text_color": lv.text_color,
                    "colour_name": {"vi": lv.colour_vi, "en": lv.colour_en},
                    "meaning": {"vi": lv.meaning_vi, "en": lv.meaning_en},
                    "short": {"vi": lv.short_vi, "en": lv.short_en},
                } for lv in s.levels
            },
        } for s in SCHEMES
    }


# ------------------------------------------------------------- the timeline

@dataclass(frozen=True)
class Period:
    """One record of a unit's level, as the timeline logic sees it."""

    key: Any  # the record's id in its store (fid, uid...)
    unit_code: str
    level: Any
    start: Optional[dt.date]
    end: Optional[dt.date]  # None: until further notice

    def covers(self, day: dt.date) -> bool:
        return self.start is not None and self.start <= day and (
            self.end is None or day <= self.end)


@dataclass(frozen=True)
class Change:
    """What the officer decided: these units are at this level from this day."""

    unit_codes: Tuple[str, ...]
    level: int
    effective_from: dt.date
    decision_no: str
    issuing_authority: str = ""
    scheme: str = DEFAULT_SCHEME
    effective_until: Optional[dt.date] = None
    measures: str = ""


@dataclass
class ChangePlan:
    """The edits a change makes: end these records (key -> new end date),
    withdraw these (they would start on or after the new level's first day:
    replaced, kept in the history but no longer announced), add these units."""

    end: Dict[Any, dt.date] = field(default_factory=dict)
    withdraw: List[Any] = field(default_factory=list)
    add: List[str] = field(default_factory=list)


class ChangeError(ValueError):
    """A change that cannot be applied; the message says why (vi, en)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en

    def message(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


def check_change(change: Change, known_units: Iterable[str]) -> None:
    """Raise :class:`ChangeError` for a change that must not be written."""
    sch = scheme(change.scheme)
    if sch is None:
        raise ChangeError(f"Không có thang cấp độ «{change.scheme}».",
                          f"There is no level scheme {change.scheme!r}.")
    if sch.level(change.level) is None:
        raise ChangeError(
            f"Cấp {change.level} không có trong {sch.title_vi} (cấp {_numbers(sch)}).",
            f"Level {change.level} is not in {sch.title_en} (levels {_numbers(sch)}).")
    if not change.unit_codes:
        raise ChangeError("Hãy chọn ít nhất một đơn vị hành chính.",
                          "Select at least one administrative unit.")
    if not change.decision_no.strip():
        raise ChangeError("Hãy nhập số quyết định công bố cấp độ.",
                          "Enter the number of the decision that announces the level.")
    unknown = sorted(set(change.unit_codes) - set(known_units))
    if unknown:
        raise ChangeError(f"Mã đơn vị không có trong hồ sơ tỉnh: {', '.join(unknown)}.",
                          f"Unit codes not in the province profile: {', '.join(unknown)}.")
    if change.effective_until is not None and change.effective_until < change.effective_from:
        raise ChangeError("Ngày hết hiệu lực trước ngày có hiệu lực.",
                          "The level ends before it takes effect.")


def _numbers(sch: Scheme) -> str:
    return ", ".join(str(n) for n in sch.numbers)


def plan_change(change: Change, current: Sequence[Period]) -> ChangePlan:
    """The edits that put ``change`` into the history ``current`` (the
    announced records of the affected units) without overwriting anything:
    a record in force on the new first day ends the day before; a record
    that starts on or after it is withdrawn (replaced by the new decision)."""
    plan = ChangePlan()
    day = change.effective_from
    for period in current:
        if period.unit_code not in change.unit_codes or period.start is None:
            continue
        if period.start >= day:
            plan.withdraw.append(period.key)
        elif period.end is None or period.end >= day:
            plan.end[period.key] = day - dt.timedelta(days=1)
    plan.add = list(dict.fromkeys(change.unit_codes))
    return plan


@dataclass(frozen=True)
class TimelineProblem:
    kind: str  # "overlap", "gap", "missing", "none_now"
    unit_code: str
    key: Any = None  # the record the problem is reported on (None: the unit)
    other: Any = None
    day: Optional[dt.date] = None  # first day of the overlap / gap


def timeline_problems(periods: Sequence[Period], unit_codes: Sequence[str],
                      today: dt.date) -> List[TimelineProblem]:
    """Once a unit kind has levels, every unit of that kind must have exactly
    one level in force at every moment from the first record until today:
    no overlap, no gap, none missing, none ended without a successor."""
    problems: List[TimelineProblem] = []
    by_unit: Dict[str, List[Period]] = {}
    for p in periods:
        if p.start is not None:
            by_unit.setdefault(p.unit_code, []).append(p)
    if not by_unit:
        return problems  # levels not in use: nothing is required
    for code in unit_codes:
        items = sorted(by_unit.get(code, ()), key=lambda p: (p.start, str(p.key)))
        if not items:
            problems.append(TimelineProblem("missing", code))
            continue
        for prev, nxt in zip(items, items[1:]):
            if prev.end is None or prev.end >= nxt.start:
                problems.append(TimelineProblem("overlap", code, nxt.key, prev.key, nxt.start))
            elif (nxt.start - prev.end).days > 1:
                problems.append(TimelineProblem("gap", code, nxt.key, prev.key,
                                                prev.end + dt.timedelta(days=1)))
        last_end = max((p.end for p in items if p.end is not None), default=None)
        if (all(p.end is not None for p in items) and last_end is not None
                and last_end < today):
            last = max(items, key=lambda p: p.end or dt.date.max)
            problems.append(TimelineProblem("none_now", code, last.key,
                                            day=last_end + dt.timedelta(days=1)))
    return problems


def in_force(periods: Iterable[Period], day: dt.date) -> Dict[str, Period]:
    """The record in force on ``day`` per unit (the latest start if several)."""
    out: Dict[str, Period] = {}
    for p in periods:
        if p.covers(day) and (p.unit_code not in out or p.start > out[p.unit_code].start):
            out[p.unit_code] = p
    return out


def ending_soon(periods: Iterable[Period], today: dt.date,
                days: int = ENDING_SOON_DAYS) -> List[Period]:
    """Records in force that end within ``days`` days and that no later
    record follows: the units the committee must decide on again."""
    items = list(periods)
    starts = {(p.unit_code, p.start) for p in items if p.start is not None}
    out = []
    for p in items:
        if p.end is None or not p.covers(today) or (p.end - today).days > days:
            continue
        if (p.unit_code, p.end + dt.timedelta(days=1)) in starts:
            continue
        out.append(p)
    return sorted(out, key=lambda p: (p.end, p.unit_code))
