"""Epidemic-level rules: one level in force per unit at every moment once
levels are in use, decision present, level in scheme, unit known."""

from __future__ import annotations

from validation_helpers import ZONE_WKT, codes, make_layer, run, sound_attributes

from covidmaps_plugin.model import default_profile

DISTRICTS = default_profile().district_codes


def _levels(*rows):
    return {"epidemic_levels": make_layer("epidemic_levels", [
        (ZONE_WKT, sound_attributes("epidemic_levels", **r)) for r in rows])}


def _all_districts(**extra):
    return [dict(unit_code=c, **extra) for c in DISTRICTS]


def test_no_levels_in_use_is_fine_and_a_full_set_passes():
    assert codes(run({}), "epidemic_levels") == []
    assert codes(run(_levels(*_all_districts())), "epidemic_levels") == []


def test_missing_unit_overlap_gap_and_ended_level():
    rows = [r for r in _all_districts() if r["unit_code"] not in ("060", "061", "062", "063")]
    rows += [
        dict(unit_code="061", effective_from="2021-06-01", effective_until="2021-06-05"),
        dict(unit_code="061", effective_from="2021-06-05", level=3),  # overlap on the 5th
        dict(unit_code="062", effective_from="2021-06-01", effective_until="2021-06-03"),
        dict(unit_code="062", effective_from="2021-06-06"),  # gap 4th-5th
        dict(unit_code="063", effective_from="2021-06-01", effective_until="2021-06-08"),
    ]
    report = run(_levels(*rows))
    assert codes(report, "epidemic_levels") == [
        "LEVEL_GAP", "LEVEL_NONE_NOW", "LEVEL_OVERLAP", "LEVEL_UNIT_MISSING"]
    by_code = {f.code.value: f for f in report.findings}
    assert "Pác Nặm" in by_code["LEVEL_UNIT_MISSING"].message_vi
    assert "05/06/2021" in by_code["LEVEL_OVERLAP"].message_vi
    assert "04/06/2021" in by_code["LEVEL_GAP"].message_vi
    assert "09/06/2021" in by_code["LEVEL_NONE_NOW"].message_vi
    assert by_code["LEVEL_OVERLAP"].fid is not None  # the dock can show the record


def test_withdrawn_and_unapproved_records_do_not_count():
    rows = _all_districts() + [dict(unit_code="058", level=4, status="withdrawn"),
                               dict(unit_code="060", level=4, approved=False)]
    assert "LEVEL_OVERLAP" not in codes(run(_levels(*rows)), "epidemic_levels")


def test_decision_scheme_and_unit_code():
    rows = _all_districts() + [
        dict(unit_code="058", decision_no=None, status="withdrawn"),
        dict(unit_code="058", level=5, status="withdrawn"),
        dict(unit_code="999", status="withdrawn"),
    ]
    found = codes(run(_levels(*rows)), "epidemic_levels")
    assert found == ["ATTR_OUT_OF_RANGE", "ATTR_REQUIRED", "LEVEL_OUT_OF_SCHEME",
                     "LEVEL_UNIT_UNKNOWN"]
