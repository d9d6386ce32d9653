"""Attribute rules: every check derived from the model, positive and negative."""

from __future__ import annotations

import pytest
from validation_helpers import (
    CITY,
    codes,
    make_layer,
    new_uid,
    point,
    run,
    sound_attributes,
    sound_layers,
)

from covidmaps_plugin.core.validation import FindingCode
from covidmaps_plugin.model import MODEL

AREAS = ("isolation_zones", "epidemic_levels")


def _one(layer_name, geometry=None, **overrides):
    geometry = geometry or (point() if layer_name not in AREAS else None)
    if layer_name in AREAS:
        from validation_helpers import ZONE_WKT

        geometry = ZONE_WKT
    layer = make_layer(layer_name, [(geometry, sound_attributes(layer_name, **overrides))])
    return run({layer_name: layer})


def test_the_sound_fixture_is_clean():
    """Every test below changes one thing of this clean state."""
    layers = sound_layers()
    report = run(layers)
    assert report.findings == []
    assert report.checked == {name: layers[name].featureCount() for name in MODEL.layer_names}
    assert report.checked["risk_points"] == 1


@pytest.mark.parametrize("layer_name", MODEL.layer_names)
def test_every_required_field_is_checked(layer_name):
    layer_def = MODEL.layer(layer_name)
    required = [f.name for f in layer_def.fields if f.required and f.name not in ("uid",)]
    assert required
    for name in required:
        report = _one(layer_name, **{name: None})
        found = [f for f in report.findings if f.code is FindingCode.ATTR_REQUIRED]
        assert [f.field for f in found] == [name], (name, [f.code for f in report.findings])
        assert layer_def.field(name).label_vi in found[0].message_vi
        assert layer_def.field(name).label_en in found[0].message_en


def test_whitespace_is_empty():
    assert "ATTR_REQUIRED" in codes(_one("risk_points", name="   "))


@pytest.mark.parametrize("layer_name, overrides, field", [
    ("quarantine_facilities", {"status": "closed"}, "closed_on"),
    ("checkpoints", {"status": "disbanded"}, "closed_on"),
    ("isolation_zones", {"status": "lifted"}, "lifted_on"),
    ("risk_points", {"disinfected": True, "disinfected_on": None}, "disinfected_on"),
])
def test_required_if_rules_from_the_model(layer_name, overrides, field):
    report = _one(layer_name, **overrides)
    found = [f for f in report.findings if f.code is FindingCode.ATTR_REQUIRED_IF]
    assert [f.field for f in found] == [field]
    rule = next(r for r in MODEL.layer(layer_name).rules if r.lower == field)
    assert rule.message_vi in found[0].message_vi
    assert rule.message_en in found[0].message_en


def test_required_if_satisfied():
    assert codes(_one("risk_points", disinfected=False, disinfected_on=None)) == []
    assert codes(_one("quarantine_facilities", status="closed", closed_on="2021-06-09")) == []


@pytest.mark.parametrize("field, value, code", [
    ("place_type", "nightclub", FindingCode.ATTR_NOT_IN_LIST),
    ("status", "active ", FindingCode.ATTR_NOT_IN_LIST),
    ("district_code", "999", FindingCode.ATTR_NOT_IN_PROFILE),
    ("status", "Active", FindingCode.ATTR_NOT_IN_LIST),
])
def test_values_outside_their_list(field, value, code):
    report = _one("risk_points", **{field: value})
    found = [f for f in report.findings if f.code is code]
    assert [f.field for f in found] == [field]
    assert value in found[0].message_en


def test_numeric_ranges_and_order():
    assert codes(_one("risk_points", related_cases=-1)) == ["ATTR_OUT_OF_RANGE"]
    assert codes(_one("risk_points", related_cases=0)) == []
    report = _one("quarantine_facilities", capacity=100, occupancy=101)
    assert codes(report) == ["ATTR_NUMBER_ORDER"]
    assert "101" in report.findings[0].message_en and "100" in report.findings[0].message_en
    assert codes(_one("quarantine_facilities", capacity=100, occupancy=100)) == []


def test_max_length():
    limit = MODEL.layer("risk_points").field("name").max_length
    assert codes(_one("risk_points", name="x" * (limit + 1))) == ["ATTR_TOO_LONG"]
    assert codes(_one("risk_points", name="x" * limit)) == []


@pytest.mark.parametrize("layer_name, overrides", [
    ("risk_points", {"exposure_start": "2021-06-05T12:00:00+07:00"}),
    ("isolation_zones", {"effective_until": "2021-06-01T00:00:00+07:00"}),
    ("quarantine_facilities", {"closed_on": "2021-05-01", "status": "closed"}),
])
def test_date_order_rules_from_the_model(layer_name, overrides):
    report = _one(layer_name, **overrides)
    assert "ATTR_DATE_ORDER" in codes(report)


def test_date_order_compares_instants_not_text():
    """09:00+07:00 is before 03:00Z (10:00+07:00) although its text is larger."""
    ok = _one("risk_points", exposure_start="2021-06-05T09:00:00+07:00",
              exposure_end="2021-06-05T03:00:00Z")
    assert codes(ok) == []
    bad = _one("risk_points", exposure_start="2021-06-05T11:00:00+07:00",
               exposure_end="2021-06-05T03:00:00Z")
    assert codes(bad) == ["ATTR_DATE_ORDER"]


def test_dates_far_in_the_past_or_future():
    assert codes(_one("risk_points", announced_on="2019-12-31")) == ["ATTR_DATE_TOO_OLD"]
    assert codes(_one("risk_points", announced_on="2020-01-01")) == []
    report = _one("quarantine_facilities", opened_on="2031-05-21")
    assert "ATTR_DATE_TOO_FAR" in codes(report)


def test_unreadable_dates():
    from validation_helpers import Raw

    report = _one("risk_points", exposure_end=Raw("tuần sau"))
    found = [f for f in report.findings if f.code is FindingCode.ATTR_BAD_VALUE]
    assert [f.field for f in found] == ["exposure_end"]
    assert "tuần sau" in found[0].message_vi


def test_uids():
    layer = make_layer("risk_points", [
        (point(), sound_attributes("risk_points", uid=None, name="A")),
        (point(), sound_attributes("risk_points", uid="ABC", name="B")),
        (point(), sound_attributes("risk_points", uid=new_uid().upper(), name="C")),
        (point(), sound_attributes("risk_points", uid="11111111-2222-3333-4444-555555555555",
                                   name="D")),
        (point(), sound_attributes("risk_points", uid="11111111-2222-3333-4444-555555555555",
                                   name="E")),
        # a pasted id with its line break: the endpoint refuses it, so must we
        (point(), sound_attributes("risk_points", uid=new_uid() + "\n", name="F")),
    ])
    report = run({"risk_points": layer})
    assert codes(report) == ["UID_DUPLICATE", "UID_DUPLICATE", "UID_MALFORMED",
                             "UID_MALFORMED", "UID_MALFORMED", "UID_MISSING"]


def test_checkpoint_pointing_to_no_zone():
    layers = sound_layers(checkpoints=[(point(), sound_attributes(
        "checkpoints", zone_uid=new_uid(), name="Chốt lạc"))])
    report = run(layers)
    assert codes(report) == ["ATTR_ZONE_REF_MISSING"]
    assert report.findings[0].field == "zone_uid"


def _near(metres_east: float):
    # one degree of longitude at 22.15° N is about 103 km
    return point(CITY[0] + metres_east / 103_000.0, CITY[1])


def test_duplicates_within_50_m_in_the_same_layer():
    layers = sound_layers(risk_points=[
        (_near(30), sound_attributes("risk_points", name="chợ  đức xuân")),  # same name
        (_near(120), sound_attributes("risk_points")),  # same name, too far
        (_near(10), sound_attributes("risk_points", name="Chợ Phùng Chí Kiên")),  # other name
    ])
    report = run(layers)
    assert codes(report) == ["ATTR_DUPLICATE"]
    assert report.findings[0].fid == 2
    assert not report.blocking


def test_duplicate_zones():
    from validation_helpers import ZONE_WKT

    layer = make_layer("isolation_zones", [
        (ZONE_WKT, sound_attributes("isolation_zones", measure="social_distancing")),
        (ZONE_WKT, sound_attributes("isolation_zones")),
    ])
    assert codes(run({"isolation_zones": layer})) == ["ATTR_DUPLICATE"]


def test_missing_layer_and_missing_field():
    layers = sound_layers()
    layers["risk_points"] = make_layer("risk_points", [], fields=[
        f.name for f in MODEL.layer("risk_points").fields if f.name != "advice"])
    del layers["checkpoints"]
    from validation_helpers import NOW

    from covidmaps_plugin.core.validation import validate
    from covidmaps_plugin.model import default_profile

    report = validate(layers, default_profile(), NOW)
    assert codes(report) == ["LAYER_FIELD_MISSING", "LAYER_MISSING"]
    assert report.blocking


def test_a_pile_of_identical_points_is_reported_without_comparing_every_pair():
    rows = [(point(), sound_attributes("risk_points")) for _ in range(300)]
    report = run({"risk_points": make_layer("risk_points", rows)})
    assert codes(report) == ["ATTR_DUPLICATE"] * 299


@pytest.mark.parametrize("field, value", [
    ("name", "   "), ("name", "x" * 201), ("place_type", "nightclub"),
    ("district_code", "999"), ("commune_code", "0199x"), ("commune_code", "01999"),
    ("related_cases", -1), ("related_cases", 100001), ("related_cases", 7),
    ("address", "y" * 301),
])
def test_the_validator_gives_the_interpreters_verdict(field, value):
    """The validator runs the model's field rules (model/field_rules.py): on
    a feature with one changed value its field-rule findings are exactly the
    interpreter's violations (code, field), as the endpoint's 422 are."""
    from covidmaps_plugin.model import default_profile
    from covidmaps_plugin.model.field_rules import FieldCode, check_record

    attributes = sound_attributes("risk_points", **{field: value})
    expected = [(v.code.value, v.field) for v in check_record(
        MODEL.layer("risk_points"), attributes, default_profile())]
    field_codes = {c.value for c in FieldCode}
    report = _one("risk_points", **{field: value})
    assert [(f.code.value, f.field) for f in report.findings
            if f.code.value in field_codes] == expected
