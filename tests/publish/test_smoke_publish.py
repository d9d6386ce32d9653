"""Publish, read back, history and rollback through the real server."""

from __future__ import annotations

import json

import requests
from publish_samples import collection, risk_point, sha, zone

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.manifest_meta import layer_meta


def test_publish_read_back_history_and_rollback(api, server, storage_backend, data_dir):
    base = api.current_id()
    assert base.startswith("000000-")
    data = collection([risk_point(1), risk_point(2)])
    put = api.put_layer("risk_points", data)
    assert put.status_code == 201, put.text
    stored = put.json()["sha256"]
    # the HEAD lets a client skip an unchanged upload
    assert api.session.head(f"{server.url}/api/v1/layers/risk_points/blobs/{stored}").ok
    first = api.publish({"risk_points": stored}, base)
    assert first.status_code == 201, first.text
    rid = first.json()["release_id"]
    assert first.json()["changes"]["risk_points"] == {"added": 2, "removed": 0, "changed": 0}

    manifest = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()
    assert manifest["release_id"] == rid and manifest["parent_id"] == base
    entry = next(e for e in manifest["layers"] if e["id"] == "risk_points")
    meta = layer_meta(MODEL.layer("risk_points"))
    assert {k: entry[k] for k in meta} == meta  # the web map's view comes from the model
    assert entry["feature_count"] == 2 and entry["blob"]["sha256"] == stored
    blob = requests.get(f"{server.url}/data/{entry['blob']['href']}", timeout=10).content
    assert sha(blob) == stored
    features = json.loads(blob)["features"]
    assert [f["id"] for f in features] == sorted(f["properties"]["uid"] for f in features)

    # change one point, add a zone
    data2 = collection([risk_point(1), risk_point(2, name="Chợ mới")])
    zones = collection([zone(1)])
    s2 = api.put_layer("risk_points", data2).json()["sha256"]
    s3 = api.put_layer("isolation_zones", zones).json()["sha256"]
    second = api.publish({"risk_points": s2, "isolation_zones": s3}, rid)
    assert second.status_code == 201, second.text
    assert second.json()["changes"]["risk_points"] == {"added": 0, "removed": 0, "changed": 1}
    assert second.json()["changes"]["isolation_zones"]["added"] == 1

    hist = api.session.get(f"{server.url}/api/v1/releases", timeout=10).json()["releases"]
    assert [h["release_id"] for h in hist][1:] == [rid, base]
    assert hist[0]["publisher"] == "officer-1"

    back = api.session.post(f"{server.url}/api/v1/rollback", json={"release_id": rid},
                            headers={"If-Match": f'"{second.json()["release_id"]}"'})
    assert back.status_code == 201, back.text
    now = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()
    assert now["kind"] == "rollback" and now["parent_id"] == second.json()["release_id"]
    assert [e["blob"] for e in now["layers"]] == [e["blob"] for e in manifest["layers"]]
    assert now["release_id"] > second.json()["release_id"]  # ids sort in commit order


def test_internal_fields_are_dropped_and_canonical_hash_reported(api):
    data = collection([risk_point(1, case_refs="BN123", internal_note="x", approved=True)])
    put = api.put_layer("risk_points", data)
    assert put.status_code == 201, put.text
    body = put.json()
    assert body["dropped_fields"] == ["approved", "case_refs", "internal_note"]
    assert body["canonical"] is False and body["sha256"] != sha(data)
    stored = api.session.get(api.base + body["href"]).content
    assert b"BN123" not in stored and sha(stored) == body["sha256"]


def test_canonical_upload_keeps_its_hash_so_clients_can_skip_it(api, server):
    """The plugin serialises with covidmaps_plugin.model.geojson; the server
    stores exactly those bytes, so the hash the plugin computes is the one to HEAD."""
    from covidmaps_plugin.model import geojson as cgj

    layer = MODEL.layer("risk_points")
    feat = risk_point(3)
    props = cgj.public_properties(layer, feat["properties"])
    data = cgj.canonical_bytes([cgj.feature(props["uid"], cgj.canonical_point(105.83, 22.14),
                                            props)])
    head = api.session.head(f"{server.url}/api/v1/layers/risk_points/blobs/{sha(data)}")
    assert head.status_code == 404
    put = api.put_layer("risk_points", data)
    assert put.status_code == 201 and put.json()["canonical"] is True
    assert put.json()["sha256"] == sha(data)
    again = api.put_layer("risk_points", data)
    assert again.status_code == 200
    head = api.session.head(f"{server.url}/api/v1/layers/risk_points/blobs/{sha(data)}")
    assert head.status_code == 200
