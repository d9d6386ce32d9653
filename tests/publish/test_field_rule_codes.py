"""The endpoint's attribute checks are an adapter over the model's field
rules: for the same records, its 422 lists exactly the interpreter's codes,
fields, uids and message params, and the column fast path (each distinct
value checked once) accepts exactly what the interpreter accepts."""

from __future__ import annotations

import pytest
from covidmaps_publish.checks.attributes import PropertyChecker
from covidmaps_publish.checks.errors import ErrorSink
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Limits
from covidmaps_publish.problems import ProblemError
from publish_samples import collection, risk_point, uid

from covidmaps_plugin.model import MODEL, default_profile
from covidmaps_plugin.model.field_rules import check_record

PROFILE = default_profile()
RISK = MODEL.layer("risk_points")

BAD = [
    ("name", "   "), ("name", "x" * 201), ("name", 12), ("place_type", "nightclub"),
    ("district_code", "999"), ("commune_code", "0199x"), ("related_cases", -1),
    ("related_cases", "two"), ("related_cases", True), ("uid", "not-a-uuid"),
    ("exposure_start", "2021-06-10T07:00:00"), ("announced_on", "12/06/2021"),
    ("disinfected", "yes"), ("exposure_end", "2021-06-09T11:00:00+07:00"),
    ("status", "Active"),
]


def _full(props):
    """Every public field present (what the plugin uploads: the fast path)."""
    return {name: props.get(name) for name in (f.name for f in RISK.public_fields)}


@pytest.mark.parametrize("name, value", BAD)
def test_the_endpoint_reports_the_interpreters_codes(name, value):
    feature = risk_point(1, **{name: value})
    expected = [(v.code.value, v.field, v.uid, dict(v.params))
                for v in check_record(RISK, feature["properties"], PROFILE, public_only=True)]
    assert expected
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", collection([feature]), PROFILE, Limits())
    assert err.value.status == 422
    found = [(e.code, e.field, e.feature_id, e.params or {}) for e in err.value.errors
             if e.code.startswith(("ATTR_", "UID_"))]
    assert found == expected
    # the problem document carries them for the plugin
    body = err.value.to_dict()["errors"]
    assert [(e["code"], e["field"], e["feature_id"]) for e in body
            if e["code"].startswith(("ATTR_", "UID_"))] == [x[:3] for x in expected]


def test_the_column_path_accepts_what_the_interpreter_accepts():
    checker = PropertyChecker(RISK, PROFILE)
    good = [_full(risk_point(n)["properties"]) for n in range(3)]
    assert checker.check_columns(good) is not None
    for name, value in BAD:
        rows = good + [_full(risk_point(9, **{name: value})["properties"])]
        assert check_record(RISK, rows[-1], PROFILE, public_only=True)
        assert checker.check_columns(rows) is None, (name, value)
        # ...and the feature path then reports it, with the interpreter's code
        sink = ErrorSink("risk_points", 100)
        sink.feature_id = uid(9, "rp")
        assert checker.check(rows[-1], sink, set()) is None
        first = check_record(RISK, rows[-1], PROFILE, public_only=True)[0]
        assert sink.errors[0].code == first.code.value
