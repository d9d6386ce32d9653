"""A canonical point layer is checked from its bytes (checks/canonical.py):
it accepts exactly what the whole-layer check accepts unchanged, with the
same count, bbox and feature hashes, and anything else (a bad feature in
the middle of a big layer, bytes that are valid but not canonical) goes to
the whole-layer check, which refuses or rebuilds as it always has."""

from __future__ import annotations

import pytest
from covidmaps_publish.checks import canonical
from covidmaps_publish.checks import layer as layer_check
from covidmaps_publish.checks.canonical import check_canonical_points
from covidmaps_publish.checks.geometry import all_valid
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.problems import ProblemError
from pmtiles_samples import scattered_points
from publish_samples import collection, risk_point, zone
from shapely.geometry import shape

from covidmaps_plugin.model import geojson as cgj

LIMITS = Limits(max_features=50_000, max_vertices_total=1_000_000, max_blob_bytes=1 << 30)


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return Config(data_dir=tmp_path_factory.mktemp("profile")).profile()


@pytest.fixture(scope="module")
def big(profile) -> bytes:
    """20,000 canonical risk points (several slices of the scan)."""
    return check_blob("risk_points", collection(scattered_points(20_000)), profile, LIMITS).data


def _whole(data, profile, monkeypatch, limits=LIMITS):
    """check_blob without the scan: the whole-layer path alone."""
    with monkeypatch.context() as patch:
        patch.setattr(layer_check, "check_canonical_points", lambda *args: None)
        return check_blob("risk_points", data, profile, limits)


def _outcome(data, profile, monkeypatch=None):
    try:
        if monkeypatch is None:
            checked = check_blob("risk_points", data, profile, LIMITS)
        else:
            checked = _whole(data, profile, monkeypatch)
    except ProblemError as exc:
        return ("refused", exc.status, [(e.code, e.feature_id, e.field) for e in exc.errors])
    return ("accepted", checked.data, checked.sha256, checked.feature_count, checked.bbox,
            checked.feature_hashes, checked.dropped_fields)


def test_the_scan_gives_what_the_whole_check_gives(big, profile, monkeypatch):
    monkeypatch.setattr(canonical, "SLICE", 777)  # slices of odd sizes
    found = check_canonical_points("risk_points", big, profile, LIMITS)
    assert found is not None
    whole = _whole(big, profile, monkeypatch)
    assert found == (whole.feature_count, whole.bbox, whole.feature_hashes)
    assert whole.data == big and whole.feature_count == 20_000
    assert _outcome(big, profile) == _outcome(big, profile, monkeypatch)


def test_an_empty_layer_is_canonical(profile):
    data = check_blob("risk_points", collection([]), profile, LIMITS).data
    assert check_canonical_points("risk_points", data, profile, LIMITS) == (0, None, {})


def _middle(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with the first ``old`` after its middle replaced by ``new``."""
    at = data.index(old, len(data) // 2)
    return data[:at] + new + data[at + len(old):]


@pytest.mark.parametrize("old,new,code", [
    (b'"status":"active"', b'"status":"withdrawn"', "status-not-published"),
    (b'"place_type":"', b'"place_type":"casino', "ATTR_NOT_IN_LIST"),
    (b'"coordinates":[105.', b'"coordinates":[115.', "outside-province"),
    (b'"district_code":"0', b'"district_code":"9', "ATTR_NOT_IN_PROFILE"),
])
def test_a_bad_feature_in_the_middle_of_a_big_layer_is_refused_where_it_is(
        big, profile, monkeypatch, old, new, code):
    bad = _middle(big, old, new)
    assert check_canonical_points("risk_points", bad, profile, LIMITS) is None
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", bad, profile, LIMITS)
    assert err.value.status == 422
    assert [e.code for e in err.value.errors] == [code]
    # located on the feature that has it, as the whole-layer check locates it
    assert _outcome(bad, profile) == _outcome(bad, profile, monkeypatch)
    feature_id = err.value.errors[0].feature_id
    at = bad.index(new)
    assert bad.rindex(b'"id":"', 0, at) == bad.index(f'"id":"{feature_id}"'.encode())


def _one(profile, **over) -> bytes:
    return check_blob("risk_points", collection([risk_point(i, **over) for i in range(3)]),
                      profile, LIMITS).data


@pytest.mark.parametrize("old,new", [
    (b'"related_cases":2', b'"related_cases":-0'),  # an int written otherwise
    (b'"related_cases":2', b'"related_cases":2.0'),  # a float where an int is
    (b'"name":"Ch', b'"name":"\\/Ch'),  # an escape the encoder never writes
    (b'"name":"Ch', b'"name":"\\u0043h'),
    (b'"name":"Ch', b'"name":"\\ud800Ch'),  # a lone surrogate
    (b'"address":"Ph', b'"address":"\\nPh'),  # an escape it does write: still canonical
    (b'"advice":null', b'"advice":""'),  # empty text: null in canonical bytes
    (b'"coordinates":[105.83', b'"coordinates":[105.830'),  # not the shortest repr
    (b'"coordinates":[105.83', b'"coordinates":[105.8300001'),  # more than 6 decimals
    (b'"coordinates":[105.83', b'"coordinates":[1e400'),  # infinite
    (b'"geometry":{"type":"Point"', b'"geometry":{"bbox":[1,2,3,4],"type":"Point"'),
    (b'"properties":{', b'"properties":{"case_refs":"x",'),  # an internal field
    (b'"properties":{', b'"properties":{"extra":1,'),  # an unknown field
    (b'"exposure_start":"2021-06-10T07:00:00+07:00"',
     b'"exposure_start":"2021-06-10T00:00:00Z"'),  # a time normalised to +07:00
    (b'"disinfected":false', b'"disinfected":0'),
    (b'{"type":"FeatureCollection",', b'{"type":"FeatureCollection","name":"x",'),
])
def test_bytes_that_are_not_canonical_take_the_whole_check(profile, monkeypatch, old, new):
    data = _one(profile)
    assert old in data, old
    changed = data.replace(old, new, 1)
    if new != b'"address":"\\nPh':
        assert check_canonical_points("risk_points", changed, profile, LIMITS) is None
    # the verdict (accepted and rebuilt, or refused and why) is the whole check's
    assert _outcome(changed, profile) == _outcome(changed, profile, monkeypatch)


def test_order_ids_and_uids_are_checked(profile, monkeypatch):
    data = _one(profile)
    p0, p1, p2 = cgj.canonical_feature_parts(data)

    def layer(*parts: bytes) -> bytes:
        return (cgj.CANONICAL_HEAD + b",".join(cgj.FEATURE_PREFIX + p for p in parts)
                + cgj.CANONICAL_TAIL)

    assert layer(p0, p1, p2) == data
    uid0 = p0[1:37]
    other_uid = p0.replace(b'"uid":"' + uid0, b'"uid":"' + uid0[:-1] + b"0"
                           if uid0[-1:] != b"0" else b'"uid":"' + uid0[:-1] + b"1")
    for changed in (layer(p1, p0, p2), layer(p0, p1, p1), layer(other_uid, p1, p2)):
        assert changed != data
        assert check_canonical_points("risk_points", changed, profile, LIMITS) is None
        assert _outcome(changed, profile) == _outcome(changed, profile, monkeypatch)


def test_limits_are_left_to_the_whole_check(big, profile, monkeypatch):
    for limits in (Limits(max_features=100, max_blob_bytes=1 << 30),
                   Limits(max_features=50_000, max_vertices_total=100,
                          max_blob_bytes=1 << 30)):
        assert check_canonical_points("risk_points", big, profile, limits) is None
        with pytest.raises(ProblemError):
            check_blob("risk_points", big, profile, limits)


def test_geos_validity_asked_once_for_a_layer_names_the_invalid_zone(profile):
    """Zones: GEOS validity of the whole layer in one call (geometry.all_valid);
    a bow-tie in the middle of 500 valid zones is still refused on its feature."""
    zones = [zone(i) for i in range(500)]
    x, y = 105.9, 22.3
    bowtie = [[x, y], [x + 0.01, y + 0.01], [x + 0.01, y], [x, y + 0.01], [x, y]]
    zones[250] = zone(250, ring=bowtie)
    with pytest.raises(ProblemError) as err:
        check_blob("isolation_zones", collection(zones), profile, LIMITS)
    assert [(e.code, e.feature_id) for e in err.value.errors] == [
        ("invalid-geometry", zones[250]["properties"]["uid"])]
    del zones[250]
    checked = check_blob("isolation_zones", collection(zones), profile, LIMITS)
    assert checked.feature_count == 499


def test_all_valid_agrees_with_shapely_one_by_one():
    square = [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]]
    holed = [[square[0][0], [[0.2, 0.2], [0.2, 0.4], [0.4, 0.4], [0.4, 0.2], [0.2, 0.2]]]]
    two = square + [[[[2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [2.0, 0.0]]]]
    overlapping = square + [[[[0.5, 0.0], [1.5, 0.0], [1.5, 1.0], [0.5, 0.0]]]]
    bowtie = [[[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]]
    cases = [square, holed, two, overlapping, bowtie]
    one_by_one = [shape({"type": "MultiPolygon", "coordinates": c}).is_valid for c in cases]
    assert one_by_one == [True, True, True, False, False]
    for case, valid in zip(cases, one_by_one):
        assert all_valid([{"type": "MultiPolygon", "coordinates": case}]) is valid
    assert all_valid([{"type": "MultiPolygon", "coordinates": c} for c in cases[:3]])
    assert not all_valid([{"type": "MultiPolygon", "coordinates": c} for c in cases])
