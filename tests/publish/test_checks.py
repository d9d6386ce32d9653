"""Unit tests of the check building blocks (the HTTP corpus covers the rest)."""

from __future__ import annotations

import pytest
from covidmaps_publish.checks.jsonparse import max_depth, parse_json
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Limits
from covidmaps_publish.problems import ProblemError
from publish_samples import collection, risk_point, zone

from covidmaps_plugin.model import MODEL, RuleKind, default_profile
from covidmaps_plugin.model.rules import rule_violated, violated_rules

PROFILE = default_profile()


@pytest.mark.parametrize("text,depth", [
    (b"1", 0), (b"[]", 1), (b'{"a":[{"b":[]}]}', 4), (b'["[[[[", "\\"]]"]', 1),
    (b'"[[[["', 0), (b"[" * 5000 + b"]" * 5000, 5000),
])
def test_depth_is_measured_without_recursion(text, depth):
    assert max_depth(text) == depth


def test_strict_parser_rejects_what_python_json_accepts():
    for bad in (b"[NaN]", b"[-Infinity]", b'{"a":1,"a":2}', b"\xef\xbb\xbf[]"):
        with pytest.raises(ProblemError) as err:
            parse_json(bad, 10)
        assert err.value.status == 400
    assert parse_json(b'{"a": [1.5, "x"]}', 10) == {"a": [1.5, "x"]}


def test_every_rule_kind_is_evaluated():
    kinds = {rule.kind for layer in MODEL.layers for rule in layer.rules}
    assert kinds == set(RuleKind)
    facilities = MODEL.layer("quarantine_facilities")
    rule = next(r for r in facilities.rules if r.kind is RuleKind.NOT_GREATER)
    assert rule_violated(rule, {"occupancy": 11, "capacity": 10})
    assert not rule_violated(rule, {"occupancy": 10, "capacity": 10})
    assert not rule_violated(rule, {"occupancy": None, "capacity": 10})
    closed = {"status": "closed", "closed_on": None}
    assert [r.code for r in violated_rules(facilities, closed)] == ["facility_closed_on"]
    risk = MODEL.layer("risk_points")
    assert [r.code for r in violated_rules(risk, {"disinfected": True})] == ["disinfected_date"]


def test_exposure_order_compares_instants_across_offsets():
    risk = MODEL.layer("risk_points")
    # 02:00 UTC is 09:00 in Vietnam: before a 10:00 start, so the rule is broken
    codes = [r.code for r in violated_rules(risk, {
        "exposure_start": "2021-06-10T10:00:00+07:00",
        "exposure_end": "2021-06-10T02:00:00+00:00"})]
    assert codes == ["exposure_order"]


def test_unclosed_ring_is_caught_before_shapely_closes_it():
    ring = [[105.8, 22.1], [105.81, 22.1], [105.81, 22.11], [105.8, 22.11]]
    with pytest.raises(ProblemError) as err:
        check_blob("isolation_zones", collection([zone(1, ring=ring + [[105.8, 22.1001]])]),
                   PROFILE, Limits())
    assert [e.code for e in err.value.errors] == ["unclosed-ring"]


def test_canonical_form_normalises_what_it_accepts():
    checked = check_blob("risk_points", collection([
        risk_point(2, lon=105.8234567891, lat=22.1, exposure_start="2021-06-10T00:00:00Z"),
        risk_point(1)]), default_profile(), Limits())
    assert checked.feature_count == 2
    text = checked.data.decode()
    assert "105.823457" in text and "2021-06-10T07:00:00+07:00" in text
    ids = sorted(checked.feature_hashes)
    assert checked.data.index(ids[0].encode()) < checked.data.index(ids[1].encode())


def test_vertex_limit_stops_before_geos():
    ring = [[105.8 + i * 1e-6, 22.1] for i in range(1000)] + [[105.8, 22.2], [105.8, 22.1]]
    with pytest.raises(ProblemError) as err:
        check_blob("isolation_zones", collection([zone(1, ring=ring)]), PROFILE,
                   Limits(max_vertices_per_feature=500))
    assert err.value.errors[0].code == "too-many-vertices"


def test_error_list_is_capped():
    features = [risk_point(i, place_type="nowhere") for i in range(500)]
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", collection(features), PROFILE, Limits(max_errors=20))
    assert len(err.value.errors) == 20 and "stopped counting" in err.value.detail
