"""The manifest's display hints (model/display_hints.py): every field they
name is a public field of its layer, and what the model already says
(institutional phones, the occupancy <= capacity rule, the districts value
source) is where they come from."""

from __future__ import annotations

import dataclasses

from covidmaps_plugin.model.definition import MODEL
from covidmaps_plugin.model.display_hints import display_hints, level_fields, named_fields
from covidmaps_plugin.model.manifest_meta import layer_meta
from covidmaps_plugin.model.schema import RuleKind


def test_every_hint_names_a_public_field_of_its_layer():
    for layer in MODEL.layers:
        meta = layer_meta(layer)
        public = {f["name"] for f in meta["fields"]}
        names = named_fields(meta["display"])
        assert names and set(names) <= public, layer.name
        assert meta["display"]["title_field"] in public
    levels = layer_meta(MODEL.layer("epidemic_levels"))
    assert set(levels["levels"]["fields"].values()) <= {f["name"] for f in levels["fields"]}
    assert levels["levels"]["fields"] == level_fields()


def test_hints_follow_what_the_model_says():
    facilities = MODEL.layer("quarantine_facilities")
    hints = display_hints(facilities)
    assert hints["phone_fields"] == [f.name for f in facilities.fields if f.institutional_phone]
    rule = next(r for r in facilities.rules if r.kind is RuleKind.NOT_GREATER)
    assert [(d["total"], d["used"]) for d in hints["derived"]] == [(rule.upper, rule.lower)]
    assert all(display_hints(layer)["district_field"] == "district_code" for layer in MODEL.layers)
    # a duty line that stops being institutional stops being a tel: link
    private = dataclasses.replace(facilities, fields=tuple(
        dataclasses.replace(f, institutional_phone=False) for f in facilities.fields))
    assert display_hints(private)["phone_fields"] == []
    # without the rule there is no derived figure
    assert display_hints(dataclasses.replace(facilities, rules=()))["derived"] == []


def test_near_me_and_age_are_the_risk_points_and_zones():
    near = [layer.name for layer in MODEL.layers if display_hints(layer)["near_me"]]
    assert near == ["risk_points", "isolation_zones"]
    ages = {layer.name: display_hints(layer).get("age") for layer in MODEL.layers}
    assert ages["risk_points"] == {"field": "exposure_end", "days": 7}
    assert [name for name, age in ages.items() if age] == ["risk_points"]
