"""Display hints: what the public web map does with a layer's fields, so that
its JavaScript names no field of the model (the manifest's ``display``
member of each layer, docs/release-format.md).

A hint names fields by role (the title, what search reads, which phone
fields become ``tel:`` links, which two dates are one window, which figure
is derived from two others). Where the model already says it (a duty line is
``institutional_phone``, ``occupancy <= capacity`` is a rule, the district
field has ``value_source`` districts), the hint is derived from that; the
rest is stated here, next to the model, once. ``tests/model`` checks that
every field a hint names is a public field of its layer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from . import levels as lv
from .schema import LayerDef, RuleKind, ValueSource

# the version of the ``display`` member; a reader ignores hints of a
# version it does not know and falls back as for a release without them
DISPLAY_VERSION = 1

# exposure that ended more than this long ago is drawn lighter on the map
AGE_DAYS = 7

_Label = Mapping[str, Any]


def _label(vi: str, en: Any) -> Dict[str, Any]:
    return {"vi": vi, "en": en}


# Per layer, what the model does not say by itself. Keys are layer names;
# every field named must be a public field of that layer (tested).
_STATED: Dict[str, Dict[str, Any]] = {
    "risk_points": {
        "title_field": "name",
        "search_fields": ("name", "address"),
        "detail_fields": ("address",),
        "near_me": True,
        # one line "Thời gian nguy cơ: from – to" instead of two rows
        "ranges": (("exposure_start", "exposure_end",
                    _label("Thời gian nguy cơ", "Exposure window")),),
        # older points are drawn lighter (a two-step age scale in the legend)
        "age_field": "exposure_end",
        "noun": _label("điểm nguy cơ", ["risk point", "risk points"]),
    },
    "quarantine_facilities": {
        "title_field": "name",
        "search_fields": ("name", "address"),
        "detail_fields": ("address",),
        "noun": _label("điểm cách ly tập trung",
                       ["quarantine facility", "quarantine facilities"]),
        # a closed facility is not published: its removal is worded so
        "removed_word": _label("đã đóng", "closed"),
    },
    "isolation_zones": {
        "title_field": "name",
        "search_fields": ("name",),
        "detail_fields": ("measure",),
        "near_me": True,
        "noun": _label("vùng cách ly", ["isolation zone", "isolation zones"]),
        "removed_word": _label("được dỡ bỏ", "lifted"),
    },
    "checkpoints": {
        "title_field": "name",
        "search_fields": ("name", "road"),
        "detail_fields": ("road",),
        "noun": _label("chốt kiểm soát", ["checkpoint", "checkpoints"]),
    },
    lv.LAYER_NAME: {
        "title_field": "name",
        "search_fields": ("name",),
    },
}

# Derived figures, per cross-field rule of kind NOT_GREATER (lower <= upper):
# the difference upper - lower, shown beside them (free places).
_DIFFERENCE_LABELS: Dict[str, Dict[str, Any]] = {
    "occupancy_le_capacity": _label("Còn trống", "Free places"),
}


def _field_of(layer: LayerDef, source: ValueSource) -> Optional[str]:
    for fld in layer.public_fields:
        if fld.value_source is source:
            return fld.name
    return None


def _derived(layer: LayerDef) -> List[Dict[str, Any]]:
    out = []
    for rule in layer.rules:
        if rule.kind is RuleKind.NOT_GREATER and rule.code in _DIFFERENCE_LABELS:
            out.append({"kind": "difference", "total": rule.upper, "used": rule.lower,
                        "label": _DIFFERENCE_LABELS[rule.code]})
    return out


def display_hints(layer: LayerDef) -> Dict[str, Any]:
    """The ``display`` member of the layer's manifest entry."""
    stated = _STATED.get(layer.name, {})
    title = stated.get("title_field")
    hints: Dict[str, Any] = {
        "version": DISPLAY_VERSION,
        "id_field": "uid" if layer.has_field("uid") else None,
        "title_field": title,
        "district_field": _field_of(layer, ValueSource.DISTRICTS),
        "search_fields": list(stated.get("search_fields", (title,) if title else ())),
        "detail_fields": list(stated.get("detail_fields", ())),
        "phone_fields": [f.name for f in layer.public_fields if f.institutional_phone],
        "near_me": bool(stated.get("near_me", False)),
        "ranges": [{"from": a, "to": b, "label": label}
                   for a, b, label in stated.get("ranges", ())],
        "derived": _derived(layer),
    }
    if stated.get("age_field"):
        hints["age"] = {"field": stated["age_field"], "days": AGE_DAYS}
    for key in ("noun", "removed_word"):
        if key in stated:
            hints[key] = stated[key]
    return hints


def level_fields() -> Dict[str, str]:
    """The epidemic-levels layer's fields by role (the manifest's
    ``levels.fields``): the web map picks each unit's record in force."""
    return {
        "level": "level", "scheme": "scheme", "unit": "unit_code", "kind": "unit_kind",
        "from": "effective_from", "until": "effective_until", "decision": "decision_no",
        "authority": "issuing_authority", "actions": "measures", "name": "name",
    }


def named_fields(hints: Mapping[str, Any]) -> Tuple[str, ...]:
    """Every field a layer's hints name (for the consistency test)."""
    names: List[str] = []
    for key in ("id_field", "title_field", "district_field"):
        if hints.get(key):
            names.append(hints[key])
    for key in ("search_fields", "detail_fields", "phone_fields"):
        names.extend(hints.get(key, ()))
    for rng in hints.get("ranges", ()):
        names.extend((rng["from"], rng["to"]))
    for der in hints.get("derived", ()):
        names.extend((der["total"], der["used"]))
    if "age" in hints:
        names.append(hints["age"]["field"])
    return tuple(names)



