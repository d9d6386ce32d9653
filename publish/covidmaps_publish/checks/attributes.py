"""Attribute checks derived from the model: known public fields only
(internal fields are dropped, unknown fields rejected), types, lengths,
ranges, value lists, required fields and the cross-field rules. Values come
out normalised exactly as the plugin's exporter writes them, so the
canonical bytes (and their SHA-256) match what the plugin predicts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Set, Tuple

from covidmaps_plugin.model import (
    PROVINCE_TZ,
    FieldDef,
    FieldType,
    LayerDef,
    ProvinceProfile,
    ValueSource,
    parse_instant,
)
from covidmaps_plugin.model.rules import rule_violated
from covidmaps_plugin.model.schema import CrossFieldRule, RuleKind
from covidmaps_plugin.model.wire import is_uuid

from ..grammar import COMMUNE_CODE
from .errors import ErrorCapError, ErrorSink
from .numbers import MAX_EXACT_INT, is_number, is_whole_number

_MISSING = object()




def canonical_uuid(value: Any) -> Optional[str]:
    """The value if it is a canonical lower-case UUID string, else None."""
    if is_uuid(value):
        return value
    return None


def _known_unit(profile: ProvinceProfile, value: str) -> bool:
    """A district code, a commune code of the profile, or (when the server's
    profile lists no communes) a well-formed commune code."""
    if value in profile.district_codes or value in profile.commune_codes:
        return True
    return not profile.communes and COMMUNE_CODE.fullmatch(value) is not None


def _value(fld: FieldDef, value: Any, sink: ErrorSink, profile: ProvinceProfile) -> Any:
    """The normalised value, or _MISSING after adding an error."""
    kind = fld.type
    if kind is FieldType.UUID:
        if canonical_uuid(value) is None:
            return _bad(fld, sink, "bad-uuid", f"{value!r} is not a lower-case UUID "
                       "(e.g. 3f2b8c1e-0d4a-4b6e-9c1a-2f5e8d7c6b5a).")
        return value
    if kind is FieldType.STRING:
        if not isinstance(value, str):
            return _bad(fld, sink, "bad-type", "must be text.")
        if not is_utf8_text(value):
            return _bad(fld, sink, "bad-text",
                        "contains invalid Unicode (a lone surrogate); retype it.")
        if fld.max_length is not None and len(value) > fld.max_length:
            return _bad(fld, sink, "too-long",
                        f"at most {fld.max_length} characters (has {len(value)}).")
        if fld.value_list is not None and value not in fld.value_list.values:
            allowed = ", ".join(fld.value_list.values)
            return _bad(fld, sink, "not-in-list", f"{value[:60]!r} is not one of: {allowed}.")
        if fld.value_source is ValueSource.DISTRICTS and value not in profile.district_codes:
            return _bad(fld, sink, "unknown-district", f"{value[:20]!r} is not a district code of "
                       f"{profile.name} ({', '.join(profile.district_codes)}).")
        if fld.value_source is ValueSource.ADMIN_UNITS and not _known_unit(profile, value):
            return _bad(fld, sink, "unknown-unit", f"{value[:20]!r} is not a district or commune "
                       f"code of {profile.name}.")
        if fld.value_source is ValueSource.COMMUNES and profile.communes and (
                value not in profile.commune_codes):
            return _bad(fld, sink, "unknown-commune", f"{value[:20]!r} is not a commune code of "
                       f"{profile.name}.")
        return value
    if kind is FieldType.INTEGER:
        if not is_whole_number(value):
            return _bad(fld, sink, "bad-type", "must be a whole number (at most "
                        f"{MAX_EXACT_INT} in size).")
        return _range(fld, value, sink)
    if kind is FieldType.REAL:
        if not is_number(value):
            return _bad(fld, sink, "bad-type", "must be a finite number (a whole number at "
                        f"most {MAX_EXACT_INT} in size).")
        return _range(fld, float(value), sink)
    if kind is FieldType.BOOLEAN:
        if not isinstance(value, bool):
            return _bad(fld, sink, "bad-type", "must be true or false.")
        return value
    if kind is FieldType.DATE:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return _bad(fld, sink, "bad-date", f"{str(value)[:40]!r} is not a date YYYY-MM-DD.")
    if kind is FieldType.DATETIME:
        text = province_time(value)
        if text is None:
            return _bad(fld, sink, "bad-datetime", f"{str(value)[:40]!r} is not an ISO 8601 date "
                        "and time (e.g. 2021-06-12T08:00:00+07:00).")
        return text
    return _bad(fld, sink, "bad-type", f"unsupported field type {kind.value}.")


def _bad(fld: FieldDef, sink: ErrorSink, code: str, message: str) -> Any:
    sink.add(code, f"{fld.label_en} ({fld.name}): {message}", fld.name)
    return _MISSING


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


def _range(fld: FieldDef, value: float, sink: ErrorSink) -> Any:
    if fld.min_value is not None and value < fld.min_value:
        return _bad(fld, sink, "out-of-range", f"must be at least {fld.min_value:g}.")
    if fld.max_value is not None and value > fld.max_value:
        return _bad(fld, sink, "out-of-range", f"must be at most {fld.max_value:g}.")
    return value


class PropertyChecker:
    """The attribute checks of one layer, prepared once per upload: field
    lookups by name, the required and public fields, and memos of what
    repeats across features (dates, value-list texts, rule outcomes), so a
    100,000-feature layer costs a dictionary lookup per repeated value.
    Only successful conversions are memoised: every error is still reported
    on the feature that has it."""

    # field types whose text values repeat across features and are pure to check
    _MEMO_TYPES = (FieldType.DATE, FieldType.DATETIME)

    def __init__(self, layer: LayerDef, profile: ProvinceProfile) -> None:
        self.layer = layer
        self.profile = profile
        self.fields: Dict[str, FieldDef] = {f.name: f for f in layer.fields}
        self.public_names: Tuple[str, ...] = tuple(f.name for f in layer.public_fields)
        self.internal = frozenset(f.name for f in layer.internal_fields)
        self.required: List[FieldDef] = [f for f in layer.public_fields if f.required]
        self.published_statuses = frozenset(layer.published_statuses)
        self.memo: Dict[str, Dict[str, Any]] = {
            f.name: {} for f in layer.public_fields
            if f.type in self._MEMO_TYPES or (f.type is FieldType.STRING and (
                f.value_list is not None or f.value_source is not None))}
        self.rule_memo: Dict[Tuple[Any, ...], bool] = {}

    def check(self, props: Any, sink: ErrorSink, dropped: Set[str]) -> Optional[Dict[str, Any]]:
        """The public properties in model order, or None after adding errors.
        Names of internal fields that were present are added to ``dropped``."""
        if not isinstance(props, dict):
            sink.add("bad-properties", "Every feature needs a properties object.", "properties")
            return None
        layer, fields, memo = self.layer, self.fields, self.memo
        before = len(sink.errors)
        values: Dict[str, Any] = {}
        for name, raw in props.items():
            fld = fields.get(name)
            if fld is None:
                sink.add("unknown-field", f"{name[:60]!r} is not a field of {layer.name}; "
                         f"known public fields: {', '.join(self.public_names)}.", name[:60])
                continue
            if name in self.internal:
                dropped.add(name)
                if name == "approved" and raw is False:
                    sink.add("not-approved", "This feature is not approved for publication; "
                             "leave it out of the upload.", name)
                continue
            if raw is None or raw == "":
                continue
            known = memo.get(name)
            if known is not None and type(raw) is str:
                value = known.get(raw, _MISSING)
                if value is _MISSING:
                    value = _value(fld, raw, sink, self.profile)
                    if value is not _MISSING:
                        known[raw] = value
            else:
                value = _value(fld, raw, sink, self.profile)
            if value is not _MISSING:
                values[name] = value
        for fld in self.required:
            if fld.name in values:
                continue
            if fld.name in props and props[fld.name] not in (None, ""):
                continue  # already reported as a bad value
            sink.add("required", f"{fld.label_en} ({fld.name}) is required.", fld.name)
        status = values.get("status")
        if status is not None and status not in self.published_statuses:
            sink.add("status-not-published",
                     f"Status {status!r} is not shown on the public map; leave the feature out "
                     f"(published statuses: {', '.join(layer.published_statuses)}).", "status")
        if len(sink.errors) > before:
            return None
        for rule in self._violated_rules(values):
            sink.add(rule.code, rule.message_en, rule.lower)
        if len(sink.errors) > before:
            return None
        return {name: values.get(name) for name in self.public_names}  # cgj.public_properties

    def check_columns(self, props: List[Any]) -> Optional[List[Dict[str, Any]]]:
        """All features' public properties at once, column by column (each
        distinct value of a field checked once), or None when the fast path
        does not apply or meets any problem: the caller then checks feature
        by feature, which reports every problem on its feature. Applies to
        what the plugin uploads: every feature has exactly the public fields."""
        names = self.public_names
        keys = set(names)
        if not all(type(p) is dict and p.keys() == keys for p in props):
            return None
        scratch = ErrorSink(self.layer.name, 1)  # the first problem ends the fast path
        columns: Dict[str, List[Any]] = {}
        try:
            for name in names:
                column = self._column(self.fields[name], [p[name] for p in props], scratch)
                if column is None:
                    return None
                columns[name] = column
        except ErrorCapError:
            return None
        for fld in self.required:
            if None in columns[fld.name]:
                return None
        if "status" in columns and not self.published_statuses.issuperset(columns["status"]):
            return None
        for rule in self.layer.rules:
            read = [name for name in (rule.lower, rule.upper, "status") if name in columns]
            # each column holds one type (normalised), so equal tuples mean equal inputs
            for combo in set(zip(*(columns[name] for name in read))):
                if rule_violated(rule, dict(zip(read, combo))):
                    return None
        return [dict(zip(names, row)) for row in zip(*(columns[name] for name in names))]

    def _column(self, fld: FieldDef, raw: List[Any], sink: ErrorSink) -> Optional[List[Any]]:
        """``_value`` of every value of one field (None for null or empty),
        each distinct (type, value) once; None at the first bad value."""
        if fld.type in (FieldType.UUID, FieldType.REAL):  # unique, or -0.0 == 0.0: no memo
            out = [None if v is None or v == "" else _value(fld, v, sink, self.profile)
                   for v in raw]
            return None if any(v is _MISSING for v in out) else out
        kinds = set(map(type, raw))
        kinds.discard(type(None))
        if len(kinds) == 1 and kinds <= {str, int, bool}:
            # one type (so True and 1 never meet): each distinct value once, in C loops
            distinct = set(raw)
            known: Dict[Any, Any] = {None: None, "": None}
            for v in distinct.difference(known):
                value = known[v] = _value(fld, v, sink, self.profile)
                if value is _MISSING:
                    return None
            return [known[v] for v in raw]
        memo: Dict[Any, Any] = {}
        out = []
        for v in raw:
            if v is None or v == "":
                out.append(None)
                continue
            key = v if type(v) is str else (type(v), v)  # True == 1: keep types apart
            try:
                value = memo[key]
            except KeyError:
                value = memo[key] = _value(fld, v, sink, self.profile)
                if value is _MISSING:
                    return None
            except TypeError:  # a list or an object: the feature path says what is wrong
                return None
            out.append(value)
        return out

    def _violated_rules(self, values: Dict[str, Any]) -> List[CrossFieldRule]:
        """``violated_rules``, with the date-order rules (two date parses
        each) memoised on their two values (normalised texts or None)."""
        broken = []
        for index, rule in enumerate(self.layer.rules):
            if rule.kind is RuleKind.NOT_AFTER:
                lower, upper = values.get(rule.lower), values.get(rule.upper)
                key = (index, lower, upper)
                outcome = self.rule_memo.get(key)
                if outcome is None:
                    outcome = self.rule_memo[key] = rule_violated(
                        rule, {rule.lower: lower, rule.upper: upper})
            else:
                outcome = rule_violated(rule, values)
            if outcome:
                broken.append(rule)
        return broken
