"""A patch to a point layer is checked feature by feature against its
checked base (checks/incremental.py): the result is exactly what
rebuilding the layer and checking it whole gives (bytes, hash, count, bbox,
feature hashes, dropped fields), a bad feature in the patch is refused the
same way, and through the server the whole layer is not parsed again."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from covidmaps_publish import publisher as publisher_module
from covidmaps_publish.checks.incremental import check_patched
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.patching import apply_patch
from covidmaps_publish.problems import ProblemError
from covidmaps_publish.server import ServerThread
from pmtiles_samples import scattered_points, zone_grid
from publish_client import Api
from publish_samples import collection, risk_point

from covidmaps_plugin.model import geojson as cgj

LIMITS = Limits()


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return Config(data_dir=tmp_path_factory.mktemp("profile")).profile()


def _whole(layer, base, upsert, delete, profile):
    return check_blob(layer, apply_patch(layer, base.data, upsert, delete), profile, LIMITS)


def test_the_feature_check_gives_what_the_whole_layer_check_gives(profile) -> None:
    base = check_blob("risk_points", collection(scattered_points(300)), profile, LIMITS)
    features = json.loads(base.data)["features"]
    west = min(features, key=lambda f: f["geometry"]["coordinates"][0])
    renamed = copy.deepcopy(features[5])
    renamed["properties"]["name"] = "Chợ \"mới\"\nđêm"
    moved = copy.deepcopy(features[8])
    moved["geometry"]["coordinates"] = [106.25, 22.7]  # the new north-east corner
    added = risk_point(9001, lon=105.5, lat=21.9)  # as a client writes it, not canonical
    added["properties"]["internal_note"] = "dropped by the server"
    added["id"] = added["properties"]["uid"]  # a patch names each feature by its uid
    cases = [
        ([renamed], []),
        ([moved, added], [west["id"]]),  # the bbox shrinks on one side, grows on two
        ([], [f["id"] for f in features[:40]]),
        ([], [f["id"] for f in features]),  # no feature left
    ]
    for upsert, delete in cases:
        quick = check_patched("risk_points", base, upsert, delete, profile, LIMITS)
        assert quick == _whole("risk_points", base, upsert, delete, profile)
    assert check_patched("risk_points", base, [added], [], profile, LIMITS).dropped_fields


def test_the_splice_finds_features_anywhere_in_the_base(profile) -> None:
    """The base is not cut whole: the features a patch touches are found by
    bisection on its bytes. First, last, neighbours, runs, new ids before
    the first and after the last, the edge of the bbox: the same result as
    rebuilding and checking the whole layer."""
    base = check_blob("risk_points", collection(scattered_points(257)), profile, LIMITS)
    features = json.loads(base.data)["features"]
    ids = [f["id"] for f in features]

    def edited(i):
        feature = copy.deepcopy(features[i])
        feature["properties"]["name"] = f"Sửa {i}"
        return feature

    def new(uid):
        feature = risk_point(len(uid), lon=105.9, lat=22.2)
        feature["properties"]["uid"] = feature["id"] = uid
        return feature

    east = max(range(len(ids)), key=lambda i: features[i]["geometry"]["coordinates"][0])
    cases = [
        ([edited(0)], []), ([edited(256)], []), ([edited(128)], []),
        ([edited(i) for i in (0, 1, 2, 255, 256)], []),
        ([edited(i) for i in range(60, 90)], [ids[i] for i in range(100, 130)]),
        ([], [ids[0]]), ([], [ids[256]]), ([], [ids[east]]),
        ([new("00000000-0000-4000-8000-000000000000"),
          new("ffffffff-ffff-4fff-bfff-ffffffffffff")], [ids[5]]),
        ([new(ids[40][:-1] + ("0" if ids[40][-1] != "0" else "1"))], [ids[40]]),
    ]
    for upsert, delete in cases:
        quick = check_patched("risk_points", base, upsert, delete, profile, LIMITS)
        assert quick == _whole("risk_points", base, upsert, delete, profile), (
            [f["id"] for f in upsert], delete)


def test_a_bad_feature_in_the_patch_is_refused_as_by_the_whole_check(profile) -> None:
    base = check_blob("risk_points", collection(scattered_points(50)), profile, LIMITS)
    bad = copy.deepcopy(json.loads(base.data)["features"][3])
    bad["properties"]["status"] = "bogus"
    with pytest.raises(ProblemError) as quick:
        check_patched("risk_points", base, [bad], [], profile, LIMITS)
    with pytest.raises(ProblemError) as whole:
        _whole("risk_points", base, [bad], [], profile)
    assert quick.value.to_dict() == whole.value.to_dict()


def test_zones_and_limits_take_the_whole_layer_path(profile) -> None:
    zones = check_blob("isolation_zones", collection(zone_grid(4)), profile, LIMITS)
    assert check_patched("isolation_zones", zones, [], [], profile, LIMITS) is None
    base = check_blob("risk_points", collection(scattered_points(20)), profile, LIMITS)
    tight = Limits(max_features=20)
    extra = dict(risk_point(77), id=risk_point(77)["properties"]["uid"])
    assert check_patched("risk_points", base, [extra], [], profile, tight) is None


def test_the_server_checks_a_point_patch_without_the_whole_layer(
        storage_backend, data_dir: Path, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"quick": 0, "whole": 0}
    real_quick, real_rebuild = publisher_module.check_patched, publisher_module.rebuild_blob

    def quick(*args):
        calls["quick"] += 1
        return real_quick(*args)

    def whole(*args):
        calls["whole"] += 1
        return real_rebuild(*args)

    monkeypatch.setattr(publisher_module, "check_patched", quick)
    monkeypatch.setattr(publisher_module, "rebuild_blob", whole)
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False)
    with ServerThread(config) as srv:
        api = Api(srv.url, token)
        put = api.put_layer("risk_points", collection(scattered_points(120)))
        base = json.loads(
            api.session.get(f"{srv.url}/data/blobs/{put.json()['sha256']}.geojson",
                            timeout=10).content)["features"]
        renamed = copy.deepcopy(base[4])
        renamed["properties"]["name"] = "Chợ mới"
        new = cgj.canonical_bytes([renamed if f["id"] == renamed["id"] else f for f in base])
        answer = api.put_patch("risk_points", cgj.sha256_hex(new), put.json()["sha256"],
                              [renamed])
        assert answer.status_code == 201, answer.text
        assert calls == {"quick": 1, "whole": 0}
        stored = api.session.get(f"{srv.url}/data/blobs/{cgj.sha256_hex(new)}.geojson",
                                 timeout=10)
        assert stored.content == new
        api.session.close()


def test_features_are_found_by_uid_without_cutting_the_layer(profile, monkeypatch) -> None:
    """find_features gives each wanted feature's canonical part (first,
    last, neighbours, a few or most of them), leaves out uids the layer
    lacks (a prefix of a real uid included), and is exact whether it
    bisects or scans a short range directly."""
    import random

    from covidmaps_publish.checks import incremental

    blob = check_blob("risk_points", collection(scattered_points(400)), profile, LIMITS).data
    parts = cgj.canonical_feature_parts(blob)
    by_uid = {cgj.part_id(part): part for part in parts}
    uids = sorted(by_uid)
    rng = random.Random(7)
    absent = [b"0", b"zzzz", uids[10][:-1], uids[10] + b"0",
              b"00000000-0000-0000-0000-000000000000"]
    for scan in (1 << 16, 64):  # scans the whole small layer; bisects down to a feature
        monkeypatch.setattr(incremental, "_SCAN_BYTES", scan)
        for wanted in ([uids[0], uids[-1]], uids[100:103], rng.sample(uids, 40), uids, []):
            found = incremental.find_features(blob, wanted + absent)
            assert found == {uid: by_uid[uid] for uid in wanted}
