"""Per-field value rules of the model, their finding codes, and the one
interpreter that checks them.

Every condition the model puts on a single field's value (required, type,
value list, province code, range, length) is derived here from
``definition.py`` as a :class:`FieldRule`, and checked here. The consumers
are thin adapters over these objects, so they cannot disagree:

* the validator (``core/validation/rules_attributes.py``) runs the rules on
  the columns it read and turns each :class:`Violation` into a finding;
* the QGIS form constraints (``core/expressions.py``) translate each rule
  object into an expression (one expression per rule kind);
* the endpoint's checks (``covidmaps_publish/checks/attributes.py``) convert
  and check every uploaded value with :func:`FieldRuleSet.convert`, and put
  the same codes (and :attr:`Violation.params`) in its 422 problem details,
  which the plugin turns back into the dock's findings.

Codes are the validator's finding codes (``FieldCode`` values are
``FindingCode`` values): a code never changes meaning once released. The
model's cross-field rules (``rules.py``) report with ``DATE_ORDER``,
``NUMBER_ORDER`` and ``REQUIRED_IF``.

Pure Python: no QGIS, no numpy (the endpoint installs the model alone).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from .profile import ProvinceProfile
from .schema import CrossFieldRule, FieldDef, FieldType, LayerDef, RuleKind, ValueSource
from .visibility import PROVINCE_TZ, parse_instant
from .wire import is_uuid

# I-JSON's exact integer range (RFC 7493): every reader of the data
# (JavaScript, the GeoPackage, float64 maths) holds these exactly
MAX_EXACT_INT = 2 ** 53 - 1

# a GSO commune code, accepted as it is when the profile lists no communes
COMMUNE_CODE_PATTERN = "[0-9]{5}"
# an instant as the exporter writes it (and the form asks for): date, time
# to the second (a fraction allowed) and an offset or Z
DATETIME_PATTERN = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])")
DATETIME = re.compile(DATETIME_PATTERN, re.ASCII)
COMMUNE_CODE = re.compile(COMMUNE_CODE_PATTERN, re.ASCII)


class FieldCode(enum.Enum):
    """What is wrong with one field of one feature: the same code in the
    validator's findings, the form's checks and the endpoint's 422."""

    REQUIRED = "ATTR_REQUIRED"
    BAD_VALUE = "ATTR_BAD_VALUE"  # not a value of the field's type
    BAD_UUID = "UID_MALFORMED"  # not a lower-case UUID
    NOT_IN_LIST = "ATTR_NOT_IN_LIST"  # not one of the model's value list
    NOT_IN_PROFILE = "ATTR_NOT_IN_PROFILE"  # not a code of the province profile
    OUT_OF_RANGE = "ATTR_OUT_OF_RANGE"
    TOO_LONG = "ATTR_TOO_LONG"
    # the model's cross-field rules (rules.py)
    DATE_ORDER = "ATTR_DATE_ORDER"
    NUMBER_ORDER = "ATTR_NUMBER_ORDER"
    REQUIRED_IF = "ATTR_REQUIRED_IF"


# Message templates (Vietnamese, English): {field} is the field's label, the
# other placeholders are a violation's params. Each says what to do.
MESSAGES: Dict[FieldCode, Tuple[str, str]] = {
    FieldCode.REQUIRED: ("Chưa nhập «{field}». Hãy điền thông tin này.",
                         "«{field}» is empty. Fill it in."),
    FieldCode.BAD_VALUE: ("Không đọc được giá trị «{value}» của «{field}». Hãy nhập lại.",
                          "The value «{value}» of «{field}» cannot be read. Enter it again."),
    FieldCode.BAD_UUID: ("Mã định danh «{value}» không phải UUID chữ thường. Hãy tạo mã mới.",
                         "Identifier «{value}» is not a lower-case UUID. Generate a new one."),
    FieldCode.NOT_IN_LIST: (
        "«{field}» có giá trị «{value}» không thuộc danh mục. Hãy chọn từ danh sách.",
        "«{field}» holds «{value}», which is not in its list. Pick a listed value."),
    FieldCode.NOT_IN_PROFILE: (
        "«{field}» có mã «{value}» không có trong hồ sơ tỉnh. Hãy chọn lại mã.",
        "«{field}» holds the code «{value}», which is not in the province profile. "
        "Pick the code again."),
    FieldCode.OUT_OF_RANGE: ("«{field}» = {value} nằm ngoài khoảng {min} – {max}. Hãy sửa lại.",
                             "«{field}» = {value} is outside {min} – {max}. Correct it."),
    FieldCode.TOO_LONG: ("«{field}» dài {length} ký tự, tối đa {limit}. Hãy rút gọn.",
                         "«{field}» has {length} characters, at most {limit}. Shorten it."),
    FieldCode.DATE_ORDER: (
        "{rule} («{field}» {value} > «{other}» {other_value}). Hãy sửa ngày.",
        "{rule} («{field}» {value} > «{other}» {other_value}). Fix the dates."),
    FieldCode.NUMBER_ORDER: (
        "{rule} («{field}» {value} > «{other}» {other_value}). Hãy sửa số liệu.",
        "{rule} («{field}» {value} > «{other}» {other_value}). Fix the figures."),
    FieldCode.REQUIRED_IF: ("Chưa nhập «{field}»: {rule}", "«{field}» is empty: {rule}"),
}

CROSS_FIELD_CODES: Dict[RuleKind, FieldCode] = {
    RuleKind.NOT_AFTER: FieldCode.DATE_ORDER,
    RuleKind.NOT_GREATER: FieldCode.NUMBER_ORDER,
    RuleKind.REQUIRED_IF_STATUS: FieldCode.REQUIRED_IF,
    RuleKind.REQUIRED_IF_TRUE: FieldCode.REQUIRED_IF,
}


class FieldRuleKind(enum.Enum):
    """One kind of condition on a field's value (one QGIS expression each)."""

    REQUIRED = "required"
    TYPE = "type"
    VALUE_LIST = "value_list"
    PROFILE_CODE = "profile_code"
    RANGE = "range"
    MAX_LENGTH = "max_length"


# ------------------------------------------------------------ value tests

def is_empty(value: Any) -> bool:
    """Missing, or text of nothing but blanks: what "required" refuses."""
    return value is None or (type(value) is str and (not value or value.isspace()))


def is_number(value: Any) -> bool:
    """A finite float or an int within +-MAX_EXACT_INT (never a bool).
    ``math.isfinite`` is never called on an int: one of hundreds of digits
    makes it raise OverflowError."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    if kind is int:
        return -MAX_EXACT_INT <= value <= MAX_EXACT_INT
    return False


def is_whole_number(value: Any) -> bool:
    """An int (not a bool) within +-MAX_EXACT_INT."""
    return type(value) is int and -MAX_EXACT_INT <= value <= MAX_EXACT_INT


def is_commune_code(value: Any) -> bool:
    return type(value) is str and COMMUNE_CODE.fullmatch(value) is not None


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


def iso_date(value: Any) -> Optional[str]:
    """A calendar date written YYYY-MM-DD, or None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _shown(value: Any, limit: int = 60) -> str:
    """A value for a message: numbers without a needless .0, text cut short."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if type(value) is int and not is_whole_number(value):
        return "±2^53+"  # str() of a huge int is slow, and refused past 4300 digits
    return str(value)[:limit]


# ------------------------------------------------------------ rule objects

@dataclass(frozen=True)
class Violation:
    """One field rule broken by one value (of one feature, once located)."""

    code: FieldCode
    field: str
    params: Mapping[str, str] = field(default_factory=dict)
    layer: str = ""
    uid: Optional[str] = None

    def located(self, layer: str, uid: Optional[str]) -> Violation:
        return Violation(self.code, self.field, self.params, layer, uid)

    def message(self, field_label: str, lang: str = "en") -> str:
        """The message in ``lang`` with ``field_label`` for {field}."""
        template = MESSAGES[self.code][0 if lang == "vi" else 1]
        return template.format_map(_Params({**self.params, "field": field_label}))


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a param another side did not send
        return "?"


_WIRE_TYPES = {FieldType.UUID: "uuid", FieldType.STRING: "text", FieldType.INTEGER: "integer",
               FieldType.REAL: "number", FieldType.BOOLEAN: "boolean",
               FieldType.DATE: "date", FieldType.DATETIME: "datetime"}


@dataclass(frozen=True)
class FieldRule:
    """One condition on one field, derived from the model (and the profile
    for province codes). ``values``: the allowed values (value list, profile
    codes); ``open_codes``: the profile lists no communes, so a well-formed
    commune code is accepted."""

    kind: FieldRuleKind
    field: FieldDef
    values: Tuple[str, ...] = ()
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    limit: Optional[int] = None
    open_codes: bool = False

    @property
    def code(self) -> FieldCode:
        if self.kind is FieldRuleKind.TYPE:
            return FieldCode.BAD_UUID if self.field.type is FieldType.UUID else FieldCode.BAD_VALUE
        return _CODES[self.kind]

    @property
    def name(self) -> str:
        return self.field.name

    # -------------------------------------------------------------- checking
    def broken_by(self, value: Any) -> bool:
        """True if ``value`` breaks the rule. ``value`` is typed as the model
        stores it (text, int/float, bool; dates as the reader keeps them).
        Only REQUIRED looks at empty values; TYPE takes wire values (what
        :func:`convert_type` reads)."""
        if self.kind is FieldRuleKind.REQUIRED:
            return is_empty(value)
        if is_empty(value):
            return False
        return self.predicate()(value)

    def predicate(self) -> Callable[[Any], bool]:
        """A function telling whether a present (non-empty) value breaks the
        rule: what the endpoint runs on every uploaded value, so it is built
        once per rule and does nothing but the test."""
        kind = self.kind
        if kind is FieldRuleKind.REQUIRED:
            return is_empty
        if kind is FieldRuleKind.TYPE:
            convert = CONVERTERS[self.field.type]
            return lambda v: convert(v) is INVALID
        if kind is FieldRuleKind.MAX_LENGTH:
            limit = self.limit or 0
            return lambda v: type(v) is str and len(v) > limit
        if kind is FieldRuleKind.RANGE:
            low = -math.inf if self.minimum is None else self.minimum
            high = math.inf if self.maximum is None else self.maximum
            # nan is unreadable: reported as a bad value, not out of range
            return lambda v: (type(v) is int or type(v) is float) and not low <= v <= high \
                and v == v
        if kind in (FieldRuleKind.VALUE_LIST, FieldRuleKind.PROFILE_CODE):
            allowed = frozenset(self.values)
            if self.open_codes:
                return lambda v: v not in allowed and not is_commune_code(v)
            return lambda v: v not in allowed
        raise ValueError(f"unknown field rule kind {kind!r}")

    def rows(self, values: Sequence[Any]) -> List[int]:
        """The rows of a column whose value breaks the rule (the validator's
        bulk form of :meth:`broken_by`; one comprehension per kind, because
        it runs on every row of every layer)."""
        kind = self.kind
        if kind is FieldRuleKind.REQUIRED:
            return [r for r, v in enumerate(values)
                    if v is None or (type(v) is str and (not v or v.isspace()))]
        if kind is FieldRuleKind.MAX_LENGTH:
            limit = self.limit or 0
            # blanks are empty, however many: only REQUIRED speaks of them
            return [r for r, v in enumerate(values)
                    if type(v) is str and len(v) > limit and not v.isspace()]
        if kind is FieldRuleKind.RANGE:
            low = -math.inf if self.minimum is None else self.minimum
            high = math.inf if self.maximum is None else self.maximum
            return [r for r, v in enumerate(values)
                    if (type(v) is int or type(v) is float) and not low <= v <= high
                    and v == v]  # nan: unreadable, reported as a bad value
        if kind in (FieldRuleKind.VALUE_LIST, FieldRuleKind.PROFILE_CODE):
            allowed = frozenset(self.values)
            rows = [r for r, v in enumerate(values)
                    if v is not None and v not in allowed and not is_empty(v)]
            if self.open_codes:
                rows = [r for r in rows if not is_commune_code(values[r])]
            return rows
        broken = self.predicate()
        return [r for r, v in enumerate(values) if not is_empty(v) and broken(v)]

    def violation(self, value: Any) -> Violation:
        """The violation ``value`` makes of this rule (call when broken)."""
        kind, params = self.kind, {}
        if kind is FieldRuleKind.MAX_LENGTH:
            params = {"length": str(len(value)), "limit": str(self.limit)}
        elif kind is FieldRuleKind.RANGE:
            params = {"value": _shown(value), "min": bound_text(self.minimum, -math.inf),
                      "max": bound_text(self.maximum, math.inf)}
        elif kind is FieldRuleKind.TYPE:
            params = {"value": _shown(value), "expected": _WIRE_TYPES[self.field.type]}
        elif kind is not FieldRuleKind.REQUIRED:
            params = {"value": _shown(value)}
        return Violation(self.code, self.field.name, params)


def bound_text(bound: Optional[float], default: float) -> str:
    return f"{default if bound is None else bound:g}"


_CODES = {
    FieldRuleKind.REQUIRED: FieldCode.REQUIRED,
    FieldRuleKind.VALUE_LIST: FieldCode.NOT_IN_LIST,
    FieldRuleKind.PROFILE_CODE: FieldCode.NOT_IN_PROFILE,
    FieldRuleKind.RANGE: FieldCode.OUT_OF_RANGE,
    FieldRuleKind.MAX_LENGTH: FieldCode.TOO_LONG,
}


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()  # what convert_type returns for a value of the wrong type


def _text(value: Any) -> Any:
    return value if type(value) is str and is_utf8_text(value) else INVALID


def _uuid(value: Any) -> Any:
    return value if is_uuid(value) else INVALID


def _integer(value: Any) -> Any:
    return value if type(value) is int and -MAX_EXACT_INT <= value <= MAX_EXACT_INT else INVALID


def _real(value: Any) -> Any:
    return float(value) if is_number(value) else INVALID


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else INVALID


def _date(value: Any) -> Any:
    text = iso_date(value)
    return INVALID if text is None else text


def _datetime(value: Any) -> Any:
    if type(value) is not str or DATETIME.fullmatch(value) is None:
        return INVALID
    text = province_time(value)
    return INVALID if text is None else text


# the TYPE rule of each field type: a non-empty wire value (JSON: text,
# numbers, booleans, ISO dates) as the release stores it, or INVALID.
# Datetimes come out in province time (+07:00, seconds), dates as
# YYYY-MM-DD, reals as floats, so canonical bytes do not depend on how the
# client wrote them.
CONVERTERS: Dict[FieldType, Callable[[Any], Any]] = {
    FieldType.STRING: _text, FieldType.UUID: _uuid, FieldType.INTEGER: _integer,
    FieldType.REAL: _real, FieldType.BOOLEAN: _boolean, FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
}


def convert_type(fld: FieldDef, value: Any) -> Any:
    """``value`` converted by ``fld``'s TYPE rule, or :data:`INVALID`."""
    return CONVERTERS[fld.type](value)


def profile_codes(fld: FieldDef, profile: Optional[ProvinceProfile]
                  ) -> Optional[Tuple[Tuple[str, ...], bool]]:
    """The codes a profile-sourced field may hold and whether any
    well-formed commune code goes (the profile lists no communes); None
    when the field is not checked against the profile."""
    source = fld.value_source
    if profile is None or source is None:
        return None
    communes = tuple(profile.commune_codes)
    if source is ValueSource.DISTRICTS:
        return tuple(profile.district_codes), False
    if source is ValueSource.COMMUNES:
        return communes, not communes
    if source is ValueSource.ADMIN_UNITS:
        return tuple(profile.district_codes) + communes, not communes
    return None  # zone references: checked against the other layer


def field_rules(fld: FieldDef, profile: Optional[ProvinceProfile] = None
                ) -> Tuple[FieldRule, ...]:
    """Every per-field rule of ``fld``, in the order they are checked (the
    type first: the other rules read a value of the right type)."""
    rules: List[FieldRule] = []
    if fld.required:
        rules.append(FieldRule(FieldRuleKind.REQUIRED, fld))
    rules.append(FieldRule(FieldRuleKind.TYPE, fld))
    if fld.max_length and fld.type is FieldType.STRING:
        rules.append(FieldRule(FieldRuleKind.MAX_LENGTH, fld, limit=fld.max_length))
    if fld.value_list is not None:
        rules.append(FieldRule(FieldRuleKind.VALUE_LIST, fld, values=fld.value_list.values))
    codes = profile_codes(fld, profile)
    if codes is not None:
        rules.append(FieldRule(FieldRuleKind.PROFILE_CODE, fld, values=codes[0],
                               open_codes=codes[1]))
    if (fld.min_value is not None or fld.max_value is not None) and fld.type in (
            FieldType.INTEGER, FieldType.REAL):
        rules.append(FieldRule(FieldRuleKind.RANGE, fld, minimum=fld.min_value,
                               maximum=fld.max_value))
    return tuple(rules)


class FieldRuleSet:
    """The rules of one field, and the interpreter's two entry points.
    Built once per layer and upload: each rule's predicate is made here."""

    def __init__(self, fld: FieldDef, rules: Tuple[FieldRule, ...]) -> None:
        self.field = fld
        self.rules = rules
        self.type_rule = next(r for r in rules if r.kind is FieldRuleKind.TYPE)
        self.required_rule = next((r for r in rules if r.kind is FieldRuleKind.REQUIRED), None)
        # the rules on a present value of the right type (not REQUIRED or TYPE)
        self.value_rules = tuple(r for r in rules if r.kind not in (
            FieldRuleKind.REQUIRED, FieldRuleKind.TYPE))
        self._checks = tuple((r, r.predicate()) for r in self.value_rules)
        self._convert = CONVERTERS[fld.type]

    def check(self, value: Any) -> Optional[Violation]:
        """The first rule a typed value breaks (REQUIRED for an empty one)."""
        if is_empty(value):
            rule = self.required_rule
            return None if rule is None else rule.violation(value)
        for rule, broken in self._checks:
            if broken(value):
                return rule.violation(value)
        return None

    def convert(self, raw: Any) -> Tuple[Any, Optional[Violation]]:
        """A non-empty wire value converted by the TYPE rule and checked by
        the others: ``(value, None)``, or ``(INVALID, violation)``."""
        value = self._convert(raw)
        if value is INVALID:
            return INVALID, self.type_rule.violation(raw)
        for rule, broken in self._checks:
            if broken(value):
                return INVALID, rule.violation(value)
        return value, None


def layer_rules(layer: LayerDef, profile: Optional[ProvinceProfile] = None,
                public_only: bool = False) -> Dict[str, FieldRuleSet]:
    """The rule set of every field of ``layer`` by name, in model order."""
    fields = layer.public_fields if public_only else layer.fields
    return {f.name: FieldRuleSet(f, field_rules(f, profile)) for f in fields}


def check_record(layer: LayerDef, record: Mapping[str, Any],
                 profile: Optional[ProvinceProfile] = None,
                 public_only: bool = False) -> List[Violation]:
    """Every per-field rule ``record`` (wire values by field name) breaks,
    one violation per field at most, then the cross-field rules, each
    located on the record's layer and uid. Fields the record lacks count as
    empty. ``public_only``: what a release carries (internal fields never
    leave the officer's machine)."""
    from .rules import rule_violated

    uid = record.get("uid") if isinstance(record.get("uid"), str) else None
    found: List[Violation] = []
    typed: Dict[str, Any] = {}
    for name, rules in layer_rules(layer, profile, public_only).items():
        raw = record.get(name)
        if is_empty(raw):
            broken = rules.check(raw)  # REQUIRED, if the field is
            if broken is None:
                typed[name] = None
        else:
            value, broken = rules.convert(raw)
            if broken is None:
                typed[name] = value
        if broken is not None:
            found.append(broken.located(layer.name, uid))
    if found:
        return found
    for rule in layer.rules:
        if rule_violated(rule, typed):
            found.append(cross_field_violation(layer, rule, typed).located(layer.name, uid))
    return found


def cross_field_violation(layer: LayerDef, rule: CrossFieldRule,
                          values: Mapping[str, Any]) -> Violation:
    """How a broken cross-field rule is reported: its code, on the field
    ``rule.lower``, with the rule's code (its message is the model's) and,
    for an ordering, both values and the other field."""
    code = CROSS_FIELD_CODES[rule.kind]
    params = {"rule": rule.code}
    if code is not FieldCode.REQUIRED_IF:
        params.update(value=_shown(values.get(rule.lower)), other=rule.upper,
                      other_value=_shown(values.get(rule.upper)))
    return Violation(code, rule.lower, params)


def cross_field_rule(layer: LayerDef, code: str) -> Optional[CrossFieldRule]:
    """The layer's cross-field rule named ``code`` (from a violation's params)."""
    return next((r for r in layer.rules if r.code == code), None)


def iter_rules(layer: LayerDef, profile: Optional[ProvinceProfile] = None
               ) -> Iterator[FieldRule]:
    for rules in layer_rules(layer, profile).values():
        yield from rules.rules
