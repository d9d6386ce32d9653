"""Feature-level patch uploads and gzip request bodies, through the real
server on 127.0.0.1, for every storage backend."""

from __future__ import annotations

import gzip
import json
from typing import Any, Dict, List

import pytest
import requests
from covidmaps_publish.config import Limits
from publish_samples import collection, risk_point, sha, uid

from covidmaps_plugin.model import geojson as cgj

PATCH_TYPE = "application/vnd.covidmaps.patch+json"


def blob_url(server, layer: str, digest: str) -> str:
    return f"{server.url}/api/v1/layers/{layer}/blobs/{digest}"


def put_patch(api, server, new_sha: str, patch: Dict[str, Any], gzipped: bool = False,
              layer: str = "risk_points") -> requests.Response:
    body = json.dumps(patch, ensure_ascii=False).encode()
    headers = {"Content-Type": PATCH_TYPE}
    if gzipped:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return api.session.put(blob_url(server, layer, new_sha), data=body, headers=headers,
                           timeout=30)


@pytest.fixture
def base(api, server) -> Dict[str, Any]:
    """Five risk points published; their canonical features as the server
    stores them, and a sixth (canonical too) for the patches to add."""
    six = api.put_layer("risk_points", collection([risk_point(n) for n in range(1, 7)]))
    assert six.status_code == 201, six.text
    canonical = json.loads(requests.get(f"{server.url}{six.json()['href']}", timeout=10).content)
    sixth = next(f for f in canonical["features"] if f["id"] == uid(6, "rp"))
    features = [f for f in canonical["features"] if f is not sixth]
    data = cgj.canonical_bytes(features)
    put = api.put_layer("risk_points", data)
    assert put.status_code == 201 and put.json()["sha256"] == sha(data), put.text
    assert api.publish({"risk_points": sha(data)}, api.current_id()).status_code == 201
    return {"sha": sha(data), "features": features, "sixth": sixth}


def edited(base: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Point 2 renamed, point 3 gone, point 6 new (all in canonical form)."""
    out = [dict(f) for f in base["features"] if f["id"] != uid(3, "rp")]
    for feature in out:
        if feature["id"] == uid(2, "rp"):
            feature["properties"] = {**feature["properties"], "name": "Chợ mới"}
    return out + [base["sixth"]]


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_patch_gives_the_blob_and_manifest_of_a_full_upload(api, server, base, gzipped):
    new_features = edited(base)
    new_bytes = cgj.canonical_bytes(new_features)
    patch = {"base": base["sha"], "delete": [uid(3, "rp")],
             "upsert": [f for f in new_features if f["id"] in (uid(2, "rp"), uid(6, "rp"))]}
    answer = put_patch(api, server, sha(new_bytes), patch, gzipped)
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == sha(new_bytes) and answer.json()["canonical"] is True
    stored = requests.get(f"{server.url}/data/blobs/{sha(new_bytes)}.geojson", timeout=10)
    assert stored.content == new_bytes
    full = api.put_layer("risk_points", new_bytes)  # the same layer as a whole upload
    assert full.status_code == 200 and full.json() == answer.json()

    committed = api.publish({"risk_points": sha(new_bytes)}, api.current_id())
    assert committed.status_code == 201, committed.text
    assert committed.json()["changes"]["risk_points"] == {"added": 1, "removed": 1,
                                                          "changed": 1}
    manifest = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()
    entry = next(e for e in manifest["layers"] if e["id"] == "risk_points")
    assert entry["blob"] == {"sha256": full.json()["sha256"], "size": full.json()["size"],
                             "href": f"blobs/{sha(new_bytes)}.geojson"}
    assert entry["feature_count"] == 5 and entry["bbox"] == full.json()["bbox"]


def test_mismatching_patch_is_refused_and_nothing_stored(api, server, base, stored_keys):
    new_bytes = cgj.canonical_bytes(edited(base))
    before = stored_keys()
    # the client forgot the deletion: its hash and the server's result differ
    answer = put_patch(api, server, sha(new_bytes), {"base": base["sha"], "upsert": []})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("/patch-mismatch")
    assert sha(new_bytes) in problem["detail"] and "upload the whole layer" in problem["detail"]
    assert stored_keys() == before


def test_unknown_base_is_a_clear_404(api, server, base, stored_keys):
    new_bytes = cgj.canonical_bytes(edited(base))
    before = stored_keys()
    answer = put_patch(api, server, sha(new_bytes), {"base": "0" * 64, "delete": []})
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/base-not-found")
    assert "0" * 64 in answer.json()["detail"] and "whole layer" in answer.json()["detail"]
    assert stored_keys() == before


def test_invalid_feature_in_a_patch_meets_the_full_upload_checks(api, server, base,
                                                                  stored_keys):
    outside = [{**base["sixth"], "geometry": {"type": "Point", "coordinates": [105.85, 21.03]}}]
    new_bytes = cgj.canonical_bytes(base["features"] + outside)  # Hà Nội, not Bắc Kạn
    before = stored_keys()
    patched = put_patch(api, server, sha(new_bytes), {"base": base["sha"], "upsert": outside})
    full = api.put_layer("risk_points", new_bytes)
    assert patched.status_code == full.status_code == 422
    assert patched.json() == full.json()  # the very same checks and errors
    assert "outside-province" in {e["code"] for e in patched.json()["errors"]}
    assert stored_keys() == before


@pytest.mark.parametrize("patch, code", [
    ({"delete": [uid(99, "rp")]}, "patch-unknown-feature"),
    ({"upsert": [{"type": "Feature", "geometry": None, "properties": {}}]}, "patch-feature-id"),
    ({"delete": [uid(1, "rp")], "upsert": "all"}, "bad-patch"),
    ({"delete": [uid(1, "rp"), uid(1, "rp")]}, "patch-duplicate"),
    ({"replace": []}, "bad-patch"),
    ({"base": "../" * 21 + "x"}, "bad-patch"),
], ids=["delete-unknown-uid", "feature-without-id", "upsert-not-a-list", "uid-twice",
        "unknown-member", "base-not-a-hash"])
def test_malformed_patch_is_refused(api, server, base, stored_keys, patch, code):
    before = stored_keys()
    answer = put_patch(api, server, sha(b"whatever"), {"base": base["sha"], **patch})
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("/invalid-patch")
    assert code in {e["code"] for e in answer.json()["errors"]}
    assert stored_keys() == before


def test_gzip_body_is_accepted_for_a_full_upload(api, server):
    data = collection([risk_point(n) for n in range(1, 4)])
    answer = api.session.put(blob_url(server, "risk_points", sha(data)),
                             data=gzip.compress(data),
                             headers={"Content-Type": "application/geo+json",
                                      "Content-Encoding": "gzip"}, timeout=30)
    assert answer.status_code == 201, answer.text
    plain = api.put_layer("risk_points", data)
    assert plain.status_code == 200 and plain.json() == answer.json()


@pytest.mark.parametrize("route, limit", [
    ("/api/v1/layers/risk_points/blobs/" + "b" * 64, Limits().max_blob_bytes),
    ("/api/v1/releases", Limits().max_request_bytes),
], ids=["layer", "commit"])
def test_gzip_bomb_gets_413_and_nothing_stored(api, server, stored_keys, route, limit):
    before = stored_keys()
    # valid JSON padded with 64 MiB of spaces, in about 64 KiB: inflating stops at the limit
    bomb = gzip.compress(b'{"layers":{}' + b" " * (64 << 20) + b"}", 9)
    assert len(bomb) < 100_000
    answer = api.session.request("PUT" if "blobs" in route else "POST", server.url + route,
                                 data=bomb, timeout=30,
                                 headers={"Content-Encoding": "gzip",
                                          "Content-Type": "application/json",
                                          "If-Match": f'"{api.current_id()}"'})
    assert answer.status_code == 413
    assert answer.json()["type"].endswith("/too-large")
    assert answer.json()["limit_bytes"] == limit
    assert stored_keys() == before


@pytest.mark.parametrize("coding, body, status, code", [
    ("br", b"{}", 415, "unsupported-content-encoding"),
    ("gzip", b"not gzip at all", 400, "bad-content-encoding"),
    ("gzip", gzip.compress(b'{"type":"FeatureCollection","features":[]}')[:-6], 400,
     "bad-content-encoding"),
], ids=["brotli", "corrupt", "truncated"])
def test_bad_content_encoding_is_refused(api, server, coding, body, status, code):
    answer = api.session.put(blob_url(server, "risk_points", "a" * 64), data=body,
                             headers={"Content-Encoding": coding,
                                      "Content-Type": "application/geo+json"}, timeout=30)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["type"].endswith("/" + code)
    if status == 415:
        assert answer.headers["Accept-Encoding"] == "gzip, identity"


def test_gzip_commit_body_is_accepted(api, server):
    put = api.put_layer("risk_points", collection([risk_point(1)]))
    body = json.dumps({"layers": {"risk_points": put.json()["sha256"]}}).encode()
    answer = api.session.post(f"{server.url}/api/v1/releases", data=gzip.compress(body),
                              headers={"Content-Type": "application/json",
                                       "Content-Encoding": "gzip",
                                       "If-Match": f'"{api.current_id()}"'}, timeout=30)
    assert answer.status_code == 201, answer.text
    manifest = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()
    assert manifest["release_id"] == answer.json()["release_id"]
