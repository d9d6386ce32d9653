"""Attribute checks derived from the model: known public fields only
(internal fields are dropped, unknown fields rejected), types, lengths,
ranges, value lists, required fields and the cross-field rules. Values come
out normalised exactly as the plugin's exporter writes them, so the
canonical bytes (and their SHA-256) match what the plugin predicts."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any, Dict, Optional, Set

from covidmaps_plugin.model import (
    PROVINCE_TZ,
    FieldDef,
    FieldType,
    LayerDef,
    ProvinceProfile,
    ValueSource,
    parse_instant,
)
from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model.rules import violated_rules

from .errors import ErrorSink

_MISSING = object()


def canonical_uuid(value: Any) -> Optional[str]:
    """The value if it is a canonical lower-case UUID string, else None."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return value if str(uuid.UUID(value)) == value else None
    except ValueError:
        return None


def _value(fld: FieldDef, value: Any, sink: ErrorSink, profile: ProvinceProfile) -> Any:
    """The normalised value, or _MISSING after adding an error."""
    name, kind = fld.name, fld.type

    def bad(code: str, message: str) -> Any:
        sink.add(code, f"{fld.label_en} ({name}): {message}", name)
        return _MISSING

    if kind is FieldType.UUID:
        if canonical_uuid(value) is None:
            return bad("bad-uuid", f"{value!r} is not a lower-case UUID "
                       "(e.g. 3f2b8c1e-0d4a-4b6e-9c1a-2f5e8d7c6b5a).")
        return value
    if kind is FieldType.STRING:
        if not isinstance(value, str):
            return bad("bad-type", "must be text.")
        if not is_utf8_text(value):
            return bad("bad-text", "contains invalid Unicode (a lone surrogate); retype it.")
        if fld.max_length is not None and len(value) > fld.max_length:
            return bad("too-long", f"at most {fld.max_length} characters (has {len(value)}).")
        if fld.value_list is not None and value not in fld.value_list.values:
            allowed = ", ".join(fld.value_list.values)
            return bad("not-in-list", f"{value[:60]!r} is not one of: {allowed}.")
        if fld.value_source is ValueSource.DISTRICTS and value not in profile.district_codes:
            return bad("unknown-district", f"{value[:20]!r} is not a district code of "
                       f"{profile.name} ({', '.join(profile.district_codes)}).")
        if fld.value_source is ValueSource.COMMUNES and profile.communes and (
                value not in profile.commune_codes):
            return bad("unknown-commune", f"{value[:20]!r} is not a commune code of "
                       f"{profile.name}.")
        return value
    if kind is FieldType.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return bad("bad-type", "must be a whole number.")
        return _range(fld, value, bad)
    if kind is FieldType.REAL:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            return bad("bad-type", "must be a number.")
        return _range(fld, float(value), bad)
    if kind is FieldType.BOOLEAN:
        if not isinstance(value, bool):
            return bad("bad-type", "must be true or false.")
        return value
    if kind is FieldType.DATE:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return bad("bad-date", f"{str(value)[:40]!r} is not a date YYYY-MM-DD.")
    if kind is FieldType.DATETIME:
        text = province_time(value)
        if text is None:
            return bad("bad-datetime", f"{str(value)[:40]!r} is not an ISO 8601 date and time "
                       "(e.g. 2021-06-12T08:00:00+07:00).")
        return text
    return bad("bad-type", f"unsupported field type {kind.value}.")


def is_utf8_text(value: str) -> bool:
    """False for strings JSON allows but UTF-8 cannot encode (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def province_time(value: Any) -> Optional[str]:
    """An ISO 8601 instant as province time (+07:00, seconds), or None if it
    is not one (including instants that overflow when converted)."""
    if not isinstance(value, str):
        return None
    try:
        instant = parse_instant(value)
        return instant.astimezone(PROVINCE_TZ).isoformat(timespec="seconds") if instant else None
    except (ValueError, OverflowError):
        return None


def _range(fld: FieldDef, value: float, bad: Any) -> Any:
    if fld.min_value is not None and value < fld.min_value:
        return bad("out-of-range", f"must be at least {fld.min_value:g}.")
    if fld.max_value is not None and value > fld.max_value:
        return bad("out-of-range", f"must be at most {fld.max_value:g}.")
    return value


def check_properties(layer: LayerDef, props: Any, sink: ErrorSink, profile: ProvinceProfile,
                     dropped: Set[str]) -> Optional[Dict[str, Any]]:
    """The public properties in model order, or None after adding errors.
    Names of internal fields that were present are added to ``dropped``."""
    if not isinstance(props, dict):
        sink.add("bad-properties", "Every feature needs a properties object.", "properties")
        return None
    before = len(sink.errors)
    values: Dict[str, Any] = {}
    for name, raw in props.items():
        if not layer.has_field(name):
            sink.add("unknown-field", f"{name[:60]!r} is not a field of {layer.name}; known "
                     f"public fields: {', '.join(f.name for f in layer.public_fields)}.",
                     name[:60])
            continue
        fld = layer.field(name)
        if not fld.public:
            dropped.add(name)
            if name == "approved" and raw is False:
                sink.add("not-approved", "This feature is not approved for publication; "
                         "leave it out of the upload.", name)
            continue
        if raw is None or raw == "":
            continue
        value = _value(fld, raw, sink, profile)
        if value is not _MISSING:
            values[name] = value
    for fld in layer.public_fields:
        if fld.required and fld.name not in values and fld.name in props and (
                props[fld.name] not in (None, "")):
            continue  # already reported as a bad value
        if fld.required and fld.name not in values:
            sink.add("required", f"{fld.label_en} ({fld.name}) is required.", fld.name)
    status = values.get("status")
    if status is not None and status not in layer.published_statuses:
        sink.add("status-not-published",
                 f"Status {status!r} is not shown on the public map; leave the feature out "
                 f"(published statuses: {', '.join(layer.published_statuses)}).", "status")
    if len(sink.errors) > before:
        return None
    for rule in violated_rules(layer, values):
        sink.add(rule.code, rule.message_en, rule.lower)
    if len(sink.errors) > before:
        return None
    return cgj.public_properties(layer, values)
