"""The server's checks accept the epidemic-levels layer through the shared
model (nothing level-specific in the endpoint but the unit-code check) and
refuse a bad record with a reason a person can act on."""

from __future__ import annotations

import json

import pytest
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Limits
from covidmaps_publish.problems import ProblemError
from publish_samples import collection, uid

from covidmaps_plugin.model import default_profile

PROFILE = default_profile()


def level(n, **over):
    x, y = 105.80 + 0.02 * n, 22.10
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    props = {
        "uid": uid(n, "lv"), "name": "Thành phố Bắc Kạn", "unit_kind": "district",
        "unit_code": "058", "level": 3, "scheme": "nq128", "effective_from": "2021-10-12",
        "effective_until": None, "decision_no": "1877/QĐ-BCĐ", "district_code": "058",
        "status": "announced", "updated_at": "2021-10-11T16:00:00+07:00",
        "internal_note": "không công bố",
    }
    props.update(over)
    return {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
            "properties": props}


def test_levels_are_accepted_and_internal_fields_dropped():
    checked = check_blob("epidemic_levels", collection([
        level(1), level(2, unit_code="06001", unit_kind="commune", commune_code="06001",
                        district_code="060")]), PROFILE, Limits())
    assert checked.feature_count == 2
    doc = json.loads(checked.data)
    assert all("internal_note" not in f["properties"] for f in doc["features"])
    assert doc["features"][0]["properties"]["effective_from"] == "2021-10-12"


@pytest.mark.parametrize("over, code", [
    ({"unit_code": "999"}, "ATTR_NOT_IN_PROFILE"),
    ({"level": 5}, "ATTR_OUT_OF_RANGE"),
    ({"scheme": "ct16"}, "ATTR_NOT_IN_LIST"),
    ({"decision_no": None}, "ATTR_REQUIRED"),
    ({"effective_from": "2021-10-20", "effective_until": "2021-10-12"}, "ATTR_DATE_ORDER"),
])
def test_bad_level_records_are_refused(over, code):
    with pytest.raises(ProblemError) as err:
        check_blob("epidemic_levels", collection([level(1, **over)]), PROFILE, Limits())
    assert err.value.status == 422
    assert [e.code for e in err.value.errors][:1] == [code], err.value.errors
