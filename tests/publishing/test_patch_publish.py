"""Republish as a feature-level patch, with real QGIS and a real endpoint:
edit one feature → only a patch (gzip) goes over the wire → the public map
is byte for byte what a full upload gives; when the server cannot apply the
patch the plugin uploads the whole layer once and the publish still lands."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from qgis.core import QgsFeature, QgsVectorLayer

from covidmaps_plugin.core.export_cache import EXPORTS
from covidmaps_plugin.core.publishing import patch as patching
from covidmaps_plugin.core.publishing.pipeline import (
    make_client,
    prepare,
    publish,
    upload_and_commit,
)
from covidmaps_plugin.core.publishing.wire import wire_body
from covidmaps_plugin.model import geojson as cgj

from .test_publish_e2e import NOW, edit_one_name, public_blobs

PATCH_TYPE = "application/vnd.covidmaps.patch+json"


def public_state(url: str) -> dict:
    """What citizens get: each layer's blob bytes and its manifest entry."""
    manifest = requests.get(url + "data/manifest.json", timeout=10).json()
    return {entry["id"]: (entry, requests.get(url + "data/" + entry["blob"]["href"],
                                              timeout=10).content)
            for entry in manifest["layers"] + manifest["reference"]}


def published_uid(url: str, layer: str, index: int = 0) -> str:
    return sorted(f["id"] for f in public_blobs(url)[layer]["features"])[index]


def add_copies(gpkg: Path, count: int) -> None:
    """``count`` more risk points: copies of the first published one, new uids."""
    layer = QgsVectorLayer(f"{gpkg}|layername=risk_points", "rp", "ogr")
    template = next(f for f in layer.getFeatures() if f["approved"] and f["status"] == "active")
    uid_index = layer.fields().indexOf("uid")
    copies = []
    for i in range(count):
        feature = QgsFeature(template)
        feature.setAttribute(0, None)  # fid: a new one
        feature.setAttribute(uid_index, str(uuid.uuid5(uuid.NAMESPACE_URL, f"patch-test/{i}")))
        copies.append(feature)
    ok, _ = layer.dataProvider().addFeatures(copies)
    assert ok, layer.dataProvider().lastError()


def patch_puts(client) -> int:
    return sum(1 for method, path in client.log if method == "PUT")


def test_republish_with_preview_sends_a_patch_and_the_map_equals_a_full_upload(
        start_endpoint, workspace_copy):
    endpoint, fresh = start_endpoint(), start_endpoint()
    publish(endpoint.request(workspace_copy, now=NOW))
    uid = published_uid(endpoint.url, "risk_points")
    edit_one_name(workspace_copy, uid, "Chợ Đức Xuân (sửa một điểm)")

    request = endpoint.request(workspace_copy, now=NOW)
    with make_client(request) as client:
        prepared = prepare(request, client)  # the preview downloads the base blob once
        gets_before = [p for m, p in client.log if m == "GET" and "/blobs/" in p]
        result = upload_and_commit(request, prepared, client)
        blob_gets = [p for m, p in client.log if m == "GET" and "/blobs/" in p]
    assert blob_gets == gets_before  # the upload reused the preview's download
    assert result.uploaded == ("risk_points",) and patch_puts(client) == 1
    layer_size = prepared.exports["risk_points"].size
    assert 0 < result.bytes_uploaded < layer_size / 4
    base_sha = next(e["blob"]["sha256"] for e in prepared.base_manifest["layers"]
                    if e["id"] == "risk_points")
    body = patching.feature_patch(base_sha, prepared.base_blobs["risk_points"],
                                  prepared.exports["risk_points"].data)
    assert json.loads(body)["upsert"][0]["id"] == uid and not json.loads(body)["delete"]
    assert result.bytes_uploaded == len(wire_body(body)[0])  # what went over the wire

    full = publish(fresh.request(workspace_copy, now=NOW))  # the same data, uploaded whole
    assert full.bytes_uploaded > result.bytes_uploaded
    patched_map, full_map = public_state(endpoint.url), public_state(fresh.url)
    assert {k: v[1] for k, v in patched_map.items()} == {k: v[1] for k, v in full_map.items()}
    for name, (entry, _) in patched_map.items():
        assert entry == full_map[name][0]
    renamed = {f["id"]: f for f in json.loads(patched_map["risk_points"][1])["features"]}
    assert renamed[uid]["properties"]["name"] == "Chợ Đức Xuân (sửa một điểm)"


def test_headless_republish_of_a_big_layer_fetches_the_base_and_sends_a_patch(
        endpoint, workspace_copy):
    add_copies(workspace_copy, 1000)  # bigger than PATCH_FETCH_MIN_BYTES
    first = publish(endpoint.request(workspace_copy, now=NOW))
    size = endpoint.manifest()["layers"][0]["blob"]["size"]
    assert endpoint.manifest()["layers"][0]["id"] == "risk_points"
    assert size > patching.PATCH_FETCH_MIN_BYTES
    assert first.bytes_uploaded < size  # gzip on the wire
    uid = published_uid(endpoint.url, "risk_points", 500)
    edit_one_name(workspace_copy, uid, "Điểm sửa không cần xem trước")

    EXPORTS.clear()  # another session (QGIS restarted): it has not made the base
    again = publish(endpoint.request(workspace_copy, now=NOW))  # no preview: fetches the base
    assert again.uploaded == ("risk_points",)
    assert 0 < again.bytes_uploaded < size / 100
    features = {f["id"]: f for f in public_blobs(endpoint.url)["risk_points"]["features"]}
    assert features[uid]["properties"]["name"] == "Điểm sửa không cần xem trước"
    assert len(features) == endpoint.manifest()["layers"][0]["feature_count"]


def test_a_republish_diffs_against_the_session_s_earlier_export_without_a_download(
        endpoint, workspace_copy, monkeypatch):
    """The base release's blob is the export this QGIS session made and
    published: the republish diffs against it (sent while the workspace is
    validated) and downloads nothing; the map is what it would be anyway."""
    from covidmaps_plugin.core.publishing.client import PublishClient

    add_copies(workspace_copy, 1000)
    publish(endpoint.request(workspace_copy, now=NOW))
    size = endpoint.manifest()["layers"][0]["blob"]["size"]
    uid = published_uid(endpoint.url, "risk_points", 300)
    edit_one_name(workspace_copy, uid, "Sửa trong cùng phiên")
    fetched = []
    real_blob = PublishClient.blob

    def recorded(self, sha256):
        fetched.append(sha256)
        return real_blob(self, sha256)

    monkeypatch.setattr(PublishClient, "blob", recorded)
    again = publish(endpoint.request(workspace_copy, now=NOW))
    assert fetched == []
    assert again.uploaded == ("risk_points",)
    assert 0 < again.bytes_uploaded < size / 100  # a patch
    features = {f["id"]: f for f in public_blobs(endpoint.url)["risk_points"]["features"]}
    assert features[uid]["properties"]["name"] == "Sửa trong cùng phiên"


def _lose_the_base(prepared, gone_uid):
    """The server no longer has the base blob the client diffs against."""
    for entry in prepared.base_manifest["layers"]:
        if entry["id"] == "risk_points":
            entry["blob"] = {**entry["blob"], "sha256": "0" * 64}


def _base_lacks_a_deleted_feature(prepared, gone_uid):
    """The client's base lacks a feature the edit deletes: the client sends no
    delete, so the server's rebuild keeps it and the hashes differ."""
    features = json.loads(prepared.base_blobs["risk_points"])["features"]
    prepared.base_blobs["risk_points"] = cgj.canonical_bytes(
        [f for f in features if f["id"] != gone_uid])


def _base_has_an_extra_feature(prepared, gone_uid):
    """The client's base has a feature the server's lacks: its delete is refused."""
    features = json.loads(prepared.base_blobs["risk_points"])["features"]
    extra = {**features[0], "id": str(uuid.uuid4())}
    prepared.base_blobs["risk_points"] = cgj.canonical_bytes(features + [extra])


@pytest.mark.parametrize("damage", [_lose_the_base, _base_lacks_a_deleted_feature,
                                    _base_has_an_extra_feature],
                         ids=["base-not-found", "patch-mismatch", "invalid-patch"])
def test_a_patch_the_server_cannot_apply_falls_back_to_the_whole_layer_once(
        endpoint, workspace_copy, damage):
    publish(endpoint.request(workspace_copy, now=NOW))
    edited, gone = (published_uid(endpoint.url, "risk_points", i) for i in (0, 1))
    edit_one_name(workspace_copy, edited, "Chợ (sửa)")
    layer = QgsVectorLayer(f"{workspace_copy}|layername=risk_points", "rp", "ogr")
    assert layer.startEditing()
    assert layer.deleteFeature(next(f.id() for f in layer.getFeatures() if f["uid"] == gone))
    assert layer.commitChanges(), layer.commitErrors()

    request = endpoint.request(workspace_copy, now=NOW)
    with make_client(request) as client:
        prepared = prepare(request, client)
        damage(prepared, gone)
        result = upload_and_commit(request, prepared, client)
    export = prepared.exports["risk_points"]
    puts = [path for method, path in client.log if method == "PUT"]
    assert result.uploaded == ("risk_points",) and len(puts) == 2  # the patch, then whole
    assert result.bytes_uploaded > len(wire_body(export.data)[0])  # both attempts counted
    entry = next(e for e in endpoint.manifest()["layers"] if e["id"] == "risk_points")
    assert entry["blob"]["sha256"] == export.sha256
    served = requests.get(endpoint.url + "data/" + entry["blob"]["href"], timeout=10).content
    assert served == export.data
    assert gone not in {f["id"] for f in json.loads(served)["features"]}


def _layer(count: int, changed: int = -1, value: str = "") -> list:
    return [cgj.feature(str(uuid.UUID(int=i * 7919 + 1)), cgj.canonical_point(105.8, 22.1),
                        {"name": f'Chợ "{i}"' + (value if i == changed else ""), "n": i})
            for i in range(count)]


def test_a_patch_of_canonical_layers_is_cut_from_their_bytes_never_parsed(monkeypatch):
    """Both blobs walked side by side as canonical bytes (a national layer
    parsed twice cost the QGIS side tens of GB): same patch as the parse of
    both, and no parse happens."""
    base = _layer(3000)
    new = _layer(3000, changed=5, value=" (sửa)")
    del new[10]
    new.append(cgj.feature(str(uuid.UUID(int=1)).replace("0", "f", 1),
                           cgj.canonical_point(105.9, 22.2), {"name": "mới", "n": -1}))
    base_data, new_data = cgj.canonical_bytes(base), cgj.canonical_bytes(new)
    parsed = {"base": "b" * 64,
              "upsert": [new_feature for new_feature in json.loads(new_data)["features"]
                         if new_feature not in json.loads(base_data)["features"]],
              "delete": [base[10]["id"]]}

    def no_parse(_data):
        raise AssertionError("a canonical layer was parsed")

    monkeypatch.setattr(patching, "features_by_uid", no_parse)
    body = patching.feature_patch("b" * 64, base_data, new_data)
    assert body is not None and json.loads(body) == parsed
    assert len(parsed["upsert"]) == 2
    # a patch rewriting more than a quarter of the layer does not pay
    renamed = [cgj.feature(f["id"], f["geometry"], {**f["properties"], "name": "x"})
               for f in base]
    assert patching.feature_patch("b" * 64, base_data, cgj.canonical_bytes(renamed)) is None


def test_a_base_not_in_the_canonical_layout_is_parsed_instead():
    base_data = cgj.canonical_bytes(_layer(200))
    new_data = cgj.canonical_bytes(_layer(200, changed=3, value="!"))
    loose = json.dumps(json.loads(base_data), indent=1).encode()  # same features, other bytes
    body = patching.feature_patch("c" * 64, loose, new_data)
    assert body is not None
    assert [f["id"] for f in json.loads(body)["upsert"]] == [_layer(200)[3]["id"]]
    # ids out of order (not what canonical_bytes writes): never a wrong patch,
    # the parsed one or none (the whole layer goes)
    for order in (reversed, lambda fs: fs[1:] + fs[:1]):
        shuffled = (cgj.CANONICAL_HEAD + b",".join(
            json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode()
            for f in order(json.loads(base_data)["features"])) + cgj.CANONICAL_TAIL)
        body = patching.feature_patch("c" * 64, shuffled, new_data)
        assert body is None or (
            [f["id"] for f in json.loads(body)["upsert"]] == [_layer(200)[3]["id"]]
            and json.loads(body)["delete"] == [])


def test_a_publish_reads_each_table_once_and_validates_the_rows_it_exported(
        start_endpoint, workspace_copy):
    """The export and the validation of one publish share one read of each
    table (core/rows.py snapshot): a republish looks for the changed rows
    once, and its findings are those of the rows it encoded."""
    from covidmaps_plugin.core.publishing.source import open_source
    from covidmaps_plugin.core.rows import ROWS
    from covidmaps_plugin.core.validation import validate_workspace

    endpoint = start_endpoint()
    publish(endpoint.request(workspace_copy, now=NOW))
    edit_one_name(workspace_copy, published_uid(endpoint.url, "risk_points"), "Đã sửa")
    request = endpoint.request(workspace_copy, now=NOW, validate=True)
    reads = ROWS.reads
    with make_client(request) as client:
        prepared = prepare(request, client, with_changes=False)
    assert prepared.validation.warnings
    tables = len(open_source(workspace_copy).layers)
    assert ROWS.reads - reads == tables  # not once for the export and again for the check
    # the same findings as a validation on its own (no snapshot) gives
    alone = validate_workspace(open_source(workspace_copy), now=NOW)
    assert [f.described("en") for f in prepared.validation.findings] == [
        f.described("en") for f in alone.findings if f.severity.value in ("error", "warning")]
    # outside a publish, each read looks at the file again
    reads = ROWS.reads
    validate_workspace(open_source(workspace_copy), now=NOW)
    assert ROWS.reads - reads == tables


def test_a_snapshot_gives_the_rows_of_its_first_read(workspace_copy):
    from covidmaps_plugin.core.publishing.source import open_source
    from covidmaps_plugin.core.rows import ROWS
    from covidmaps_plugin.model import MODEL

    layer_def = MODEL.layer("risk_points")
    layer = open_source(workspace_copy).layers["risk_points"]
    names = [f.name for f in layer_def.fields if layer.fields().indexOf(f.name) >= 0]
    with ROWS.snapshot():
        first = ROWS.read(layer, layer_def, names, True)
        uid = first.raw[1]["uid"][0]
        edit_one_name(workspace_copy, uid, "Sửa giữa hai lần đọc")
        assert ROWS.read(layer, layer_def, names, True) is first
    after = ROWS.read(open_source(workspace_copy).layers["risk_points"], layer_def, names, True)
    assert after is not first and "Sửa giữa hai lần đọc" in after.raw[1]["name"]
