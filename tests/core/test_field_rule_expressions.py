"""The QGIS form constraints are translations of the model's field rules
(model/field_rules.py): for a table of values per rule kind, the expression
QGIS evaluates (real QgsExpression on a feature of the layer's real fields)
and the interpreter give the same verdict, on every rule of every layer."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, List

import pytest
from qgis.core import QgsExpression, QgsExpressionContext, QgsFeature

from covidmaps_plugin.core.expressions import rule_check
from covidmaps_plugin.core.fields import qgs_fields
from covidmaps_plugin.model import MODEL, FieldType, default_profile
from covidmaps_plugin.model.field_rules import FieldRule, FieldRuleKind, iter_rules
from covidmaps_plugin.model.profile import AdminUnit

PROFILE = default_profile()
UID = str(uuid.uuid5(uuid.NAMESPACE_URL, "covidmaps/field-rules"))
# a profile that lists communes (the default one lists none: any well-formed
# commune code is accepted)
WITH_COMMUNES = dataclasses.replace(PROFILE, communes=(
    AdminUnit("01915", "Phường Phùng Chí Kiên", "058"),))


def _candidates(rule: FieldRule) -> List[Any]:
    """Values on both sides of the rule, as the workspace stores them."""
    kind, fld = rule.kind, rule.field
    if kind is FieldRuleKind.REQUIRED:
        return ["x", "", " ", "  \t", "a b"]
    if kind is FieldRuleKind.TYPE and fld.type is FieldType.UUID:
        return [UID, UID.upper(), "{" + UID + "}", UID.replace("-", ""), UID + "\n", "x"]
    if kind is FieldRuleKind.TYPE and fld.type is FieldType.DATETIME:
        return ["2021-06-01T08:00:00+07:00", "2021-06-01T01:00:00Z",
                "2021-06-01T08:00:00-05:30", "2021-06-01T08:00:00.5+07:00",
                "2021-06-01T08:00:00", "2021-06-01", "01/06/2021 08:00",
                "2021-06-31T08:00:00+07:00", "2021-02-29T08:00:00+07:00",
                "2021-06-01T24:00:00+07:00", "2021-06-01T08:00:00+24:00", "yesterday"]
    if kind in (FieldRuleKind.VALUE_LIST, FieldRuleKind.PROFILE_CODE):
        listed = list(rule.values[:2])
        return listed + [v.upper() for v in listed] + [v + " " for v in listed] + [
            "nightclub", "999", "01915", "99999", "0191", "019155"]
    if kind is FieldRuleKind.RANGE:
        low = rule.minimum if rule.minimum is not None else -10
        high = rule.maximum if rule.maximum is not None else 10
        values = [low, high, low - 1, high + 1, (low + high) / 2]
        if fld.type is FieldType.REAL:
            values += [low - 0.5, high + 0.001]
        return [int(v) if fld.type is FieldType.INTEGER else float(v) for v in values]
    if kind is FieldRuleKind.MAX_LENGTH:
        limit = rule.limit or 0
        return ["", "a" * limit, "a" * (limit + 1), "ệ" * limit, "ệ" * (limit + 1)]
    return []


def _qgis_verdict(expression: str, layer_name: str, name: str, value: Any) -> bool:
    fields = qgs_fields(MODEL.layer(layer_name))
    feature = QgsFeature(fields)
    feature.setAttribute(name, value)
    context = QgsExpressionContext()
    context.setFeature(feature)
    parsed = QgsExpression(expression)
    assert not parsed.hasParserError(), (expression, parsed.parserErrorString())
    result = parsed.evaluate(context)
    # an evaluation error fails the constraint, as it does in the form
    return bool(result) and not parsed.hasEvalError()


@pytest.mark.parametrize("profile", [PROFILE, WITH_COMMUNES], ids=["no-communes", "communes"])
@pytest.mark.parametrize("layer_name", MODEL.layer_names)
def test_form_constraints_and_interpreter_agree(layer_name, profile):
    layer = MODEL.layer(layer_name)
    compared = 0
    for rule in iter_rules(layer, profile):
        check = rule_check(rule)
        if check is None:  # enforced by QGIS itself (not-null, storage type)
            continue
        for value in _candidates(rule):
            expected = not rule.broken_by(value)
            verdict = _qgis_verdict(check.expression, layer_name, rule.name, value)
            assert verdict == expected, (rule.kind, rule.name, value, check.expression)
            compared += 1
        # NULL passes every expression (the rule is about a value that is there)
        assert _qgis_verdict(check.expression, layer_name, rule.name, None)
    assert compared > 20


def test_every_rule_kind_has_an_expression_somewhere():
    kinds = {r.kind for name in MODEL.layer_names
             for r in iter_rules(MODEL.layer(name), WITH_COMMUNES) if rule_check(r) is not None}
    assert kinds == set(FieldRuleKind)
