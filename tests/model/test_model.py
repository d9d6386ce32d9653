"""The data model against the table in DESIGN.md (pure Python, no QGIS)."""

import re

import pytest

from covidmaps_plugin.model import (
    MODEL,
    FieldType,
    GeometryType,
    RuleKind,
    ValueSource,
    default_profile,
    palette,
)

COMMON = ("uid", "district_code", "commune_code", "status", "source_doc", "updated_at",
          "updated_by", "approved", "internal_note")
COMMON_INTERNAL = {"updated_by", "approved", "internal_note"}
# DESIGN.md: layer -> (geometry, status values, extra internal fields)
DESIGN = {
    "risk_points": (GeometryType.POINT, ("active", "expired", "withdrawn"),
                    {"case_refs", "location_precision"}),
    "quarantine_facilities": (GeometryType.POINT,
                              ("operating", "standby", "suspended", "closed"), set()),
    "isolation_zones": (GeometryType.MULTIPOLYGON,
                        ("upcoming", "in_force", "extended", "lifted"), {"geometry_source"}),
    "checkpoints": (GeometryType.POINT, ("operating", "suspended", "disbanded"), {"commander"}),
    # the fifth layer (issue 17): polygons joined from the profile's units
    "epidemic_levels": (GeometryType.MULTIPOLYGON, ("announced", "withdrawn"), set()),
}
HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def test_layers_are_the_five_of_the_design():
    assert MODEL.layer_names == tuple(DESIGN)


@pytest.mark.parametrize("name", list(DESIGN))
def test_geometry_status_and_internal_fields(name):
    layer = MODEL.layer(name)
    geometry, statuses, internal = DESIGN[name]
    assert layer.geometry_type is geometry
    assert layer.status_list.values == statuses
    assert {f.name for f in layer.internal_fields} == COMMON_INTERNAL | internal
    assert set(layer.published_statuses) < set(statuses)


@pytest.mark.parametrize("name", list(DESIGN))
def test_common_fields_and_unique_names(name):
    layer = MODEL.layer(name)
    assert set(COMMON) <= set(layer.field_names)
    assert len(layer.field_names) == len(set(layer.field_names))
    assert layer.field("uid").type is FieldType.UUID
    assert layer.field("updated_at").type is FieldType.DATETIME
    assert layer.field("approved").type is FieldType.BOOLEAN
    assert layer.field("district_code").value_source is ValueSource.DISTRICTS


def test_every_field_and_value_has_both_labels():
    for layer in MODEL.layers:
        assert layer.title_vi and layer.title_en
        for fld in layer.fields:
            assert fld.label_vi.strip() and fld.label_en.strip(), fld.name
            if fld.value_list:
                values = fld.value_list.values
                assert len(values) == len(set(values))
                for choice in fld.value_list:
                    assert choice.label_vi.strip() and choice.label_en.strip(), choice.value


def test_design_value_lists():
    rp = MODEL.layer("risk_points")
    assert rp.field("place_type").value_list.values == (
        "market", "shop", "restaurant", "health_facility", "school", "office",
        "religious_site", "transport", "event", "other")
    zones = MODEL.layer("isolation_zones")
    assert zones.field("measure").value_list.values == (
        "lockdown", "area_isolation", "social_distancing")
    assert zones.field("scale").value_list.values == (
        "building", "cluster", "hamlet", "commune", "district")
    cp = MODEL.layer("checkpoints")
    assert cp.field("forces").value_list.values == (
        "police", "military", "health", "militia", "joint")
    assert cp.field("zone_uid").value_source is ValueSource.ISOLATION_ZONES
    assert rp.field("related_cases").type is FieldType.INTEGER  # a count, never identities


def test_rules_refer_to_existing_fields_and_statuses():
    for layer in MODEL.layers:
        for rule in layer.rules:
            for name in rule.fields:
                assert layer.has_field(name), (layer.name, rule.code, name)
            assert rule.message_vi and rule.message_en
            if rule.kind is RuleKind.REQUIRED_IF_STATUS:
                assert set(rule.statuses) <= set(layer.status_list.values)
            if rule.kind is RuleKind.REQUIRED_IF_TRUE:
                assert layer.field(rule.upper).type is FieldType.BOOLEAN
        if layer.hide_after_field:
            assert layer.has_field(layer.hide_after_field)
        for name in layer.summary_fields:
            assert layer.field(name).public


def test_palette_covers_every_status():
    assert HEX.match(palette.PROVINCE_OUTLINE) and HEX.match(palette.DISTRICT_OUTLINE)
    for layer in MODEL.layers:
        colors = dict(layer.style.status_colors)
        assert set(colors) == set(layer.status_list.values)
        assert all(HEX.match(c) for c in colors.values())
        assert HEX.match(layer.style.stroke_color)
        assert set(dict(layer.style.status_strokes)) <= set(layer.status_list.values)


def test_default_profile_is_bac_kan_2020():
    profile = default_profile()
    assert profile.crs == "EPSG:9213" and profile.transformation == "EPSG:6960"
    assert profile.district_codes == ("058", "060", "061", "062", "063", "064", "065", "066")
    seeds = profile.extra["approximate_district_seeds"]
    assert set(seeds) == set(profile.district_codes)
    for lon, lat in seeds.values():
        assert profile.contains_lonlat(lon, lat, 0)
