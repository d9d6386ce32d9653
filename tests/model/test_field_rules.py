"""The model's per-field rules and their interpreter (model/field_rules.py):
one code set, pure Python, the same verdict on a record wherever it runs."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from covidmaps_plugin.model import MODEL, FieldType, default_profile
from covidmaps_plugin.model.field_rules import (
    MESSAGES,
    FieldCode,
    FieldRuleKind,
    check_record,
    field_rules,
    layer_rules,
)

PROFILE = default_profile()
RISK = MODEL.layer("risk_points")
UID = str(uuid.uuid5(uuid.NAMESPACE_URL, "covidmaps/field-rules"))
GOOD = {"uid": UID, "name": "Chợ Phủ Thông", "place_type": "market",
        "exposure_start": "2021-06-10T07:00:00+07:00",
        "exposure_end": "2021-06-10T11:00:00+07:00", "announced_on": "2021-06-12",
        "visible_until": "2099-06-24T11:00:00+07:00", "related_cases": 2,
        "disinfected": False, "district_code": "058", "status": "active",
        "updated_at": "2021-06-12T08:00:00+07:00", "approved": True}

# (field, wire value, the code the interpreter gives; None: accepted)
CASES = [
    ("name", "", FieldCode.REQUIRED),
    ("name", "  \t", FieldCode.REQUIRED),
    ("name", "x" * 201, FieldCode.TOO_LONG),
    ("name", "x" * 200, None),
    ("name", 12, FieldCode.BAD_VALUE),
    ("name", "Ch\ud800", FieldCode.BAD_VALUE),
    ("place_type", "nightclub", FieldCode.NOT_IN_LIST),
    ("place_type", "Market", FieldCode.NOT_IN_LIST),
    ("district_code", "999", FieldCode.NOT_IN_PROFILE),
    ("commune_code", "01999", None),  # the profile lists no communes: well-formed goes
    ("commune_code", "0199x", FieldCode.NOT_IN_PROFILE),
    ("related_cases", -1, FieldCode.OUT_OF_RANGE),
    ("related_cases", 100001, FieldCode.OUT_OF_RANGE),
    ("related_cases", "two", FieldCode.BAD_VALUE),
    ("related_cases", True, FieldCode.BAD_VALUE),
    ("related_cases", 2.0, FieldCode.BAD_VALUE),
    ("related_cases", 2 ** 53, FieldCode.BAD_VALUE),
    ("related_cases", 10 ** 4000, FieldCode.BAD_VALUE),  # str() of it raises
    ("uid", UID.upper(), FieldCode.BAD_UUID),
    ("uid", UID + "\n", FieldCode.BAD_UUID),
    ("exposure_start", "2021-06-10T07:00:00", FieldCode.BAD_VALUE),  # no offset
    ("exposure_start", "2021-06-31T07:00:00+07:00", FieldCode.BAD_VALUE),
    ("exposure_start", "2021-06-10T00:00:00Z", None),
    ("announced_on", "12/06/2021", FieldCode.BAD_VALUE),
    ("disinfected", "yes", FieldCode.BAD_VALUE),
    ("exposure_end", "2021-06-09T11:00:00+07:00", FieldCode.DATE_ORDER),
]


@pytest.mark.parametrize("name, value, code", CASES)
def test_one_record_one_verdict(name, value, code):
    found = check_record(RISK, {**GOOD, name: value}, PROFILE)
    field = "exposure_start" if code is FieldCode.DATE_ORDER else name
    assert [(v.code, v.field) for v in found] == ([] if code is None else [(code, field)])
    for violation in found:
        # located on the uid the record carries (as sent, even a malformed one)
        assert (violation.layer, violation.uid) == ("risk_points", {**GOOD, name: value}["uid"])
        label = RISK.field(violation.field).label_en
        assert "?" not in violation.message(label) or code is FieldCode.DATE_ORDER


def test_every_code_has_both_messages_and_every_kind_a_code():
    assert set(MESSAGES) == set(FieldCode)
    assert all(vi and en and vi != en for vi, en in MESSAGES.values())
    codes = {r.code for layer in MODEL.layers for rules in layer_rules(layer, PROFILE).values()
             for r in rules.rules}
    assert codes == set(FieldCode) - {FieldCode.DATE_ORDER, FieldCode.NUMBER_ORDER,
                                      FieldCode.REQUIRED_IF}


def test_rules_follow_the_definition():
    kinds = [r.kind for r in field_rules(RISK.field("name"), PROFILE)]
    assert kinds == [FieldRuleKind.REQUIRED, FieldRuleKind.TYPE, FieldRuleKind.MAX_LENGTH]
    cases = field_rules(RISK.field("related_cases"), PROFILE)
    assert [(r.kind, r.minimum, r.maximum) for r in cases][-1] == (
        FieldRuleKind.RANGE, 0, 100000)
    district = field_rules(RISK.field("district_code"), PROFILE)[-1]
    assert district.kind is FieldRuleKind.PROFILE_CODE
    assert district.values == PROFILE.district_codes
    for layer in MODEL.layers:
        for fld in layer.fields:
            kinds = [r.kind for r in field_rules(fld, PROFILE)]
            assert (FieldRuleKind.MAX_LENGTH in kinds) == bool(
                fld.max_length and fld.type is FieldType.STRING)
            assert (FieldRuleKind.REQUIRED in kinds) == fld.required


def test_the_rows_of_a_column_are_the_values_broken_one_by_one():
    """The validator's bulk form and the per-value form are one rule."""
    # blanks longer than any length limit: empty, so only REQUIRED sees them
    values = ["", " ", " " * 5000, "\t\n" * 3000, "x" * 201, "market", "nightclub", None, 7,
              -1, 100001, 2.5, float("nan"), True, "01999", "999", "058"]
    for layer in MODEL.layers:
        for rule in (r for rules in layer_rules(layer, PROFILE).values() for r in rules.rules):
            one_by_one = [row for row, v in enumerate(values) if rule.broken_by(v)]
            assert rule.rows(values) == one_by_one, (rule.kind, rule.name)


def test_the_model_imports_no_qgis_and_no_numpy():
    code = ("import sys; import covidmaps_plugin.model.field_rules; "
            "bad = [m for m in ('qgis', 'numpy', 'PyQt5') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
