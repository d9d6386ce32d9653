"""QGIS expressions derived from the model: default values and constraints.

Kept apart from the form code so the validator can reuse the very same
constraint expressions (one rule, written once in the model).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

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
from ..model.visibility import PROVINCE_TZ
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


_ISO_DATETIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)$"
_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def _in_list(field_expr: str, values: Sequence[str]) -> str:
    return f"{field_expr} IN ({', '.join(quote_text(v) for v in values)})"


def _comparable(fld: FieldDef) -> str:
    """An expression ordering the field's values (instants as epoch ms)."""
    name = quote_field(fld.name)
    if fld.type is FieldType.DATETIME:
        # comparing QDateTimes of different offsets is unreliable in 3.22
        return f"epoch(to_datetime({name}))"
    return name


def _value_checks(fld: FieldDef, profile: Optional[ProvinceProfile]) -> List[Check]:
    name = quote_field(fld.name)
    checks: List[Check] = []
    if fld.required and fld.type in (FieldType.STRING, FieldType.UUID):
        checks.append(Check(f"{name} IS NULL OR trim({name}) <> ''",
                            f"{fld.label_vi}: không được để trống.",
                            f"{fld.label_en}: must not be empty."))
    if fld.value_list is not None:
        checks.append(Check(f"{name} IS NULL OR {_in_list(name, fld.value_list.values)}",
                            f"{fld.label_vi}: giá trị không có trong danh mục.",
                            f"{fld.label_en}: value is not in the list."))
    codes: Tuple[str, ...] = ()
    if profile is not None and fld.value_source is not None:
        source = fld.value_source.value
        codes = profile.district_codes if source == "districts" else (
            profile.commune_codes if source == "communes" else ())
    if codes:
        checks.append(Check(f"{name} IS NULL OR {_in_list(name, codes)}",
                            f"{fld.label_vi}: mã không có trong hồ sơ tỉnh.",
                            f"{fld.label_en}: code is not in the province profile."))
    if fld.type is FieldType.UUID:
        checks.append(Check(f"{name} IS NULL OR regexp_match({name}, {quote_text(_UUID)})",
                            f"{fld.label_vi}: không phải mã UUID hợp lệ.",
                            f"{fld.label_en}: not a valid UUID."))
    if fld.type is FieldType.DATETIME:
        checks.append(Check(
            f"{name} IS NULL OR regexp_match({name}, {quote_text(_ISO_DATETIME)})",
            f"{fld.label_vi}: thời gian phải có dạng 2021-06-01T08:00:00+07:00.",
            f"{fld.label_en}: time must look like 2021-06-01T08:00:00+07:00."))
    if fld.min_value is not None or fld.max_value is not None:
        bounds = []
        if fld.min_value is not None:
            bounds.append(f"{name} >= {fld.min_value:g}")
        if fld.max_value is not None:
            bounds.append(f"{name} <= {fld.max_value:g}")
        low = "" if fld.min_value is None else f"{fld.min_value:g}"
        high = "" if fld.max_value is None else f"{fld.max_value:g}"
        checks.append(Check(f"{name} IS NULL OR ({' AND '.join(bounds)})",
                            f"{fld.label_vi}: phải trong khoảng {low}–{high}.",
                            f"{fld.label_en}: must be between {low} and {high}."))
    if fld.max_length and fld.type is FieldType.STRING:
        checks.append(Check(f"{name} IS NULL OR length({name}) <= {fld.max_length}",
                            f"{fld.label_vi}: tối đa {fld.max_length} ký tự.",
                            f"{fld.label_en}: at most {fld.max_length} characters."))
    return checks


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
