"""Evaluate the model's cross-field rules on one feature's attributes
(pure Python: the validator, the QGIS form constraints and the server all
call this, so a rule is written once in ``definition.py`` and checked the
same way everywhere)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .schema import CrossFieldRule, LayerDef, RuleKind
from .visibility import is_truthy, parse_instant


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rule_violated(rule: CrossFieldRule, attributes: Mapping[str, Any]) -> bool:
    """True if ``attributes`` break ``rule``. Missing or unparsable values
    never violate an ordering rule (required-field checks report them)."""
    lower = attributes.get(rule.lower)
    upper = attributes.get(rule.upper) if rule.upper else None
    if rule.kind is RuleKind.NOT_AFTER:
        a, b = parse_instant(lower), parse_instant(upper)
        return a is not None and b is not None and a > b
    if rule.kind is RuleKind.NOT_GREATER:
        a, b = _number(lower), _number(upper)
        return a is not None and b is not None and a > b
    if rule.kind is RuleKind.REQUIRED_IF_STATUS:
        return attributes.get("status") in rule.statuses and _empty(lower)
    if rule.kind is RuleKind.REQUIRED_IF_TRUE:
        return is_truthy(upper) and _empty(lower)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def violated_rules(layer: LayerDef, attributes: Mapping[str, Any]) -> Iterator[CrossFieldRule]:
    """The layer's rules that ``attributes`` break, in model order."""
    for rule in layer.rules:
        if rule_violated(rule, attributes):
            yield rule
