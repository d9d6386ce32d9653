"""Attribute checks derived from the model: known public fields only
(internal fields are dropped, unknown fields rejected), types, lengths,
ranges, value lists, required fields and the cross-field rules. Values come
out normalised exactly as the plugin's exporter writes them, so the
canonical bytes (and their SHA-256) match what the plugin predicts."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from covidmaps_plugin.model import FieldDef, FieldType, LayerDef, ProvinceProfile
from covidmaps_plugin.model.field_rules import (
    INVALID,
    FieldRule,
    FieldRuleSet,
    Violation,
    cross_field_violation,
    is_utf8_text,
    layer_rules,
    province_time,
)
from covidmaps_plugin.model.rules import rule_violated
from covidmaps_plugin.model.schema import CrossFieldRule, RuleKind
from covidmaps_plugin.model.wire import is_uuid

from .errors import ErrorCapError, ErrorSink

_MISSING = INVALID

__all__ = ["PropertyChecker", "canonical_uuid", "is_utf8_text", "province_time"]


def canonical_uuid(value: Any) -> Optional[str]:
    """The value if it is a canonical lower-case UUID string, else None."""
    if is_uuid(value):
        return value
    return None


def _value(rules: FieldRuleSet, value: Any, sink: ErrorSink) -> Any:
    """The normalised value, or _MISSING after adding the model's violation
    (``model.field_rules``: the same code the officer's validator gives)."""
    converted, violation = rules.convert(value)
    if violation is not None:
        _report(sink, rules.field, violation)
    return converted


def _report(sink: ErrorSink, fld: FieldDef, violation: Violation) -> None:
    sink.add(violation.code.value, violation.message(fld.label_en), fld.name,
             params=violation.params)


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
        # the model's field rules (model.field_rules), derived once per upload
        self.rules: Dict[str, FieldRuleSet] = layer_rules(layer, profile, public_only=True)
        self.required: List[Tuple[FieldDef, FieldRule]] = [
            (rules.field, rules.required_rule) for rules in self.rules.values()
            if rules.required_rule is not None]
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
                    value = _value(self.rules[name], raw, sink)
                    if value is not _MISSING:
                        known[raw] = value
            else:
                value = _value(self.rules[name], raw, sink)
            if value is not _MISSING:
                values[name] = value
        for fld, rule in self.required:
            value = values.get(fld.name)
            if value is not None and not rule.broken_by(value):
                continue
            if value is None and props.get(fld.name) not in (None, ""):
                continue  # already reported as a bad value
            _report(sink, fld, rule.violation(value))  # missing, empty or blank
        status = values.get("status")
        if status is not None and status not in self.published_statuses:
            sink.add("status-not-published",
                     f"Status {status!r} is not shown on the public map; leave the feature out "
                     f"(published statuses: {', '.join(layer.published_statuses)}).", "status")
        if len(sink.errors) > before:
            return None
        for rule in self._violated_rules(values):
            violation = cross_field_violation(layer, rule, values)
            sink.add(violation.code.value, rule.message_en, rule.lower,
                     params=violation.params)
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
        columns = self.checked_columns({name: [p[name] for p in props] for name in names})
        if columns is None:
            return None
        return [dict(zip(names, row)) for row in zip(*(columns[name] for name in names))]

    def checked_columns(self, raw: Dict[str, List[Any]]) -> Optional[Dict[str, List[Any]]]:
        """The normalised values of every public field (``raw``: each
        field's wire values, one per feature, all fields present), or None
        at the first problem (the feature-by-feature check then says which)."""
        scratch = ErrorSink(self.layer.name, 1)  # the first problem ends the fast path
        columns: Dict[str, List[Any]] = {}
        try:
            for name in self.public_names:
                column = self._column(self.fields[name], raw[name], scratch)
                if column is None:
                    return None
                columns[name] = column
        except ErrorCapError:
            return None
        for fld, rule in self.required:
            column = columns[fld.name]
            if None in column or rule.rows(column):
                return None
        if "status" in columns and not self.published_statuses.issuperset(columns["status"]):
            return None
        for rule in self.layer.rules:
            read = [name for name in (rule.lower, rule.upper, "status") if name in columns]
            # each column holds one type (normalised), so equal tuples mean equal inputs
            for combo in set(zip(*(columns[name] for name in read))):
                if rule_violated(rule, dict(zip(read, combo))):
                    return None
        return columns

    def _column(self, fld: FieldDef, raw: List[Any], sink: ErrorSink) -> Optional[List[Any]]:
        """``_value`` of every value of one field (None for null or empty),
        each distinct (type, value) once; None at the first bad value."""
        rules = self.rules[fld.name]
        if fld.type in (FieldType.UUID, FieldType.REAL):  # unique, or -0.0 == 0.0: no memo
            out = [None if v is None or v == "" else _value(rules, v, sink)
                   for v in raw]
            return None if any(v is _MISSING for v in out) else out
        kinds = set(map(type, raw))
        kinds.discard(type(None))
        if len(kinds) == 1 and kinds <= {str, int, bool}:
            # one type (so True and 1 never meet): each distinct value once, in C loops
            distinct = set(raw)
            known: Dict[Any, Any] = {None: None, "": None}
            for v in distinct.difference(known):
                value = known[v] = _value(rules, v, sink)
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
                value = memo[key] = _value(rules, v, sink)
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
