"""QGIS expressions derived from the model: default values and constraints.

Kept apart from the form code so the validator can reuse the very same
constraint expressions (one rule, written once in the model).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence

from ..model import (
    RISK_POINT_VISIBLE_DAYS,
    CrossFieldRule,
    Default,
    FieldDef,
    FieldType,
    LayerDef,
    ProvinceProfile,
    RuleKind,
)
from ..model.field_rules import (
    COMMUNE_CODE_PATTERN,
    DATETIME_PATTERN,
    FieldRule,
    FieldRuleKind,
    field_rules,
)
from ..model.visibility import PROVINCE_TZ
from ..model.wire import UUID_TEXT
from .fields import offset_text

# Defaults re-evaluated whenever a feature changes (who/when of the last edit).
ON_UPDATE_FIELDS = ("updated_at", "updated_by")

_EXPOSURE_END = "exposure_end"  # the field Default.EXPOSURE_END_PLUS_DAYS counts from


def quote_field(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _offset_ms(tz: dt.tzinfo) -> int:
    offset = dt.datetime(2021, 1, 1, tzinfo=tz).utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() * 1000)


def province_wall_time(instant_expr: str, tz: dt.tzinfo = PROVINCE_TZ) -> str:
    """An expression whose value shows ``instant_expr``'s wall-clock time in
    the province (as a local QDateTime, ready for ``format_date``).

    QGIS 3.22 expressions cannot convert time zones and ``now()`` is the
    machine's local time, which need not be UTC+7: the machine's offset is
    measured by reading now()'s wall clock as UTC, then the instant is moved
    by (province offset - machine offset).
    """
    machine_offset = (
        "(epoch(to_datetime(format_date(now(),'yyyy-MM-dd') || 'T' || "
        "format_date(now(),'HH:mm:ss') || 'Z')) - epoch(now()))"
    )
    return (
        f"datetime_from_epoch(epoch({instant_expr}) + {_offset_ms(tz)} - {machine_offset})"
    )


def stored_datetime_text(instant_expr: str, tz: dt.tzinfo = PROVINCE_TZ) -> str:
    """``instant_expr`` as stored datetime text ``YYYY-MM-DDTHH:MM:SS+07:00``."""
    wall = province_wall_time(instant_expr, tz)
    return (
        f"with_variable('cm_wall', {wall}, format_date(@cm_wall, 'yyyy-MM-dd') || 'T' || "
        f"format_date(@cm_wall, 'HH:mm:ss') || {quote_text(offset_text(tz))})"
    )


def _computed_default(kind: Default, tz: dt.tzinfo, approve_new: bool) -> str:
    if kind is Default.NEW_UUID:
        return "uuid('WithoutBraces')"
    if kind is Default.NOW:
        return stored_datetime_text("now()", tz)
    if kind is Default.TODAY:
        return f"to_date(format_date({province_wall_time('now()', tz)}, 'yyyy-MM-dd'))"
    if kind is Default.CURRENT_USER:
        return "@user_account_name"
    if kind is Default.FALSE:
        return "false"
    if kind is Default.APPROVAL_POLICY:
        return "true" if approve_new else "false"
    if kind is Default.EXPOSURE_END_PLUS_DAYS:
        end = quote_field(_EXPOSURE_END)
        later = f"(to_datetime({end}) + to_interval('{RISK_POINT_VISIBLE_DAYS} days'))"
        return f"if({end} IS NULL, NULL, {stored_datetime_text(later, tz)})"
    raise ValueError(f"no expression for default {kind!r}")


def default_expression(fld: FieldDef, tz: dt.tzinfo = PROVINCE_TZ,
                       approve_new: bool = True) -> Optional[str]:
    """The QGIS default-value expression of a model default (None if none).

    A default fills an empty field and never replaces a value: QGIS's form
    re-evaluates default expressions whenever a field they may depend on
    changes (for some functions: any field), which used to throw away a
    "visible until" the officer had set by hand. So every default except
    the who/when of the last edit (``ON_UPDATE_FIELDS``, read-only in the
    form) keeps the field's own value when it has one. ``approve_new`` is
    the workspace's approval policy (``model.approves_new``).
    """
    kind = fld.default
    if kind is None:
        return None
    computed = _computed_default(kind, tz, approve_new)
    if applies_on_update(fld) or kind is Default.NEW_UUID:  # uuid(): reads no field
        return computed
    return f"coalesce({quote_field(fld.name)}, {computed})"


def applies_on_update(fld: FieldDef) -> bool:
    return fld.name in ON_UPDATE_FIELDS


# ---------------------------------------------------------------- constraints

@dataclass(frozen=True)
class Check:
    """One condition on a field, with its bilingual message."""

    expression: str
    message_vi: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_vi if lang == "vi" else self.message_en


def _in_list(field_expr: str, values: Sequence[str]) -> str:
    return f"{field_expr} IN ({', '.join(quote_text(v) for v in values)})"


def _comparable(fld: FieldDef) -> str:
    """An expression ordering the field's values (instants as epoch ms)."""
    name = quote_field(fld.name)
    if fld.type is FieldType.DATETIME:
        # comparing QDateTimes of different offsets is unreliable in 3.22
        return f"epoch(to_datetime({name}))"
    return name


def _matches(name: str, pattern: str) -> str:
    """``name`` matches ``pattern`` whole: \\A..\\z, because PCRE's ``$`` also
    matches before a final newline (which the model's fullmatch refuses)."""
    whole = quote_text(r"\A(" + pattern + r")\z")
    return f"regexp_match({name}, {whole})"


def rule_check(rule: FieldRule) -> Optional[Check]:
    """The QGIS constraint of one of the model's field rules: an expression
    true when the value satisfies it (one translation per rule kind, so the
    form and the validator cannot disagree), or None when QGIS enforces the
    rule itself (NULL for a required field: the not-null constraint; the
    storage type of numbers, booleans, dates and text). NULL always passes:
    the rule is about a value that is there."""
    fld, kind = rule.field, rule.kind
    name = quote_field(fld.name)
    vi, en = fld.label_vi, fld.label_en
    if kind is FieldRuleKind.REQUIRED:
        if fld.type not in (FieldType.STRING, FieldType.UUID):
            return None
        return Check(f"{name} IS NULL OR trim({name}) <> ''",
                     f"{vi}: không được để trống.", f"{en}: must not be empty.")
    if kind is FieldRuleKind.TYPE:
        if fld.type is FieldType.UUID:
            return Check(f"{name} IS NULL OR {_matches(name, UUID_TEXT)}",
                         f"{vi}: không phải mã UUID hợp lệ.", f"{en}: not a valid UUID.")
        if fld.type is FieldType.DATETIME:
            # the pattern, then a real calendar time (to_datetime of 31 June is NULL)
            return Check(
                f"{name} IS NULL OR ({_matches(name, DATETIME_PATTERN)} AND "
                f"try(to_datetime(left({name}, 19))) IS NOT NULL)",
                f"{vi}: thời gian phải có dạng 2021-06-01T08:00:00+07:00.",
                f"{en}: time must look like 2021-06-01T08:00:00+07:00.")
        return None
    if kind is FieldRuleKind.VALUE_LIST:
        return Check(f"{name} IS NULL OR {_in_list(name, rule.values)}",
                     f"{vi}: giá trị không có trong danh mục.",
                     f"{en}: value is not in the list.")
    if kind is FieldRuleKind.PROFILE_CODE:
        allowed = [_in_list(name, rule.values)] if rule.values else []
        if rule.open_codes:
            allowed.append(_matches(name, COMMUNE_CODE_PATTERN))
        return Check(f"{name} IS NULL OR {' OR '.join(allowed) or 'false'}",
                     f"{vi}: mã không có trong hồ sơ tỉnh.",
                     f"{en}: code is not in the province profile.")
    if kind is FieldRuleKind.RANGE:
        bounds = []
        if rule.minimum is not None:
            bounds.append(f"{name} >= {rule.minimum:g}")
        if rule.maximum is not None:
            bounds.append(f"{name} <= {rule.maximum:g}")
        low = "" if rule.minimum is None else f"{rule.minimum:g}"
        high = "" if rule.maximum is None else f"{rule.maximum:g}"
        return Check(f"{name} IS NULL OR ({' AND '.join(bounds)})",
                     f"{vi}: phải trong khoảng {low}–{high}.",
                     f"{en}: must be between {low} and {high}.")
    if kind is FieldRuleKind.MAX_LENGTH:
        return Check(f"{name} IS NULL OR length({name}) <= {rule.limit}",
                     f"{vi}: tối đa {rule.limit} ký tự.",
                     f"{en}: at most {rule.limit} characters.")
    raise ValueError(f"no expression for field rule {kind!r}")


def _value_checks(fld: FieldDef, profile: Optional[ProvinceProfile]) -> List[Check]:
    checks = (rule_check(r) for r in field_rules(fld, profile))
    return [c for c in checks if c is not None]


def rule_field(rule: CrossFieldRule) -> str:
    """The field whose form widget shows the rule (the one to correct)."""
    return rule.upper if rule.kind is RuleKind.NOT_AFTER else rule.lower


def rule_expression(layer: LayerDef, rule: CrossFieldRule) -> str:
    """True when the feature satisfies the cross-field rule."""
    lower = quote_field(rule.lower)
    if rule.kind in (RuleKind.NOT_AFTER, RuleKind.NOT_GREATER):
        upper = quote_field(rule.upper)
        low = _comparable(layer.field(rule.lower))
        high = _comparable(layer.field(rule.upper))
        return f"{lower} IS NULL OR {upper} IS NULL OR {low} <= {high}"
    if rule.kind is RuleKind.REQUIRED_IF_STATUS:
        return f"NOT coalesce({_in_list(quote_field('status'), rule.statuses)}, false) " \
               f"OR {lower} IS NOT NULL"
    if rule.kind is RuleKind.REQUIRED_IF_TRUE:
        return f"NOT coalesce({quote_field(rule.upper)}, false) OR {lower} IS NOT NULL"
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def field_checks(layer: LayerDef, fld: FieldDef,
                 profile: Optional[ProvinceProfile] = None) -> List[Check]:
    """Every condition the model puts on one field, cross-field rules included."""
    checks = _value_checks(fld, profile)
    for rule in layer.rules:
        if rule_field(rule) == fld.name:
            checks.append(Check(rule_expression(layer, rule), rule.message_vi, rule.message_en))
    return checks


def combined(checks: Sequence[Check]) -> Optional[Check]:
    """One expression for QGIS (a field holds a single expression constraint)."""
    if not checks:
        return None
    return Check(
        " AND ".join(f"({c.expression})" for c in checks),
        " ".join(c.message_vi for c in checks),
        " ".join(c.message_en for c in checks),
    )
