"""Vector tiles end to end: real QGIS builds them, a real endpoint on
127.0.0.1 checks and stores them, the manifest points at them and the tile
files are served under /data/tiles/; an unchanged republish sends none."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path
from typing import Dict, List

import mapbox_vector_tile
import pytest
import requests
from covidmaps_publish.config import Limits
from qgis.core import QgsFeatureRequest, QgsFeedback, QgsVectorLayer

from covidmaps_plugin.core.publishing.errors import PublishCancelledError
from covidmaps_plugin.core.publishing.pipeline import (
    make_client,
    prepare,
    upload_and_commit,
)
from covidmaps_plugin.core.publishing.wire import wire_body
from covidmaps_plugin.core.tiles import build_tile_archive, read_tile_archive
from covidmaps_plugin.model import PROVINCE_TZ

NOW = dt.datetime.now(PROVINCE_TZ).replace(microsecond=0)
FORCE = 0  # tile_threshold_bytes: every layer with features gets tiles


def tiles_requests(log: List[tuple]) -> List[tuple]:
    return [(method, path) for method, path in log if "/tiles/" in path]


def publish_logged(endpoint, gpkg: Path, **kwargs):
    """A publish through the pipeline's parts, with the client's request log."""
    request = endpoint.request(gpkg, now=NOW, **kwargs)
    client = make_client(request)
    try:
        prepared = prepare(request, client, with_changes=False)
        result = upload_and_commit(request, prepared, client)
        return result, prepared, list(client.log)
    finally:
        client.close()


def rename_first_risk_point(gpkg: Path, name: str) -> None:
    layer = QgsVectorLayer(f"{gpkg}|layername=risk_points", "rp", "ogr")
    assert layer.startEditing()
    feature = next(layer.getFeatures(QgsFeatureRequest().addOrderBy("uid")))
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), name)
    assert layer.commitChanges(), layer.commitErrors()


def layer_entries(manifest: dict) -> Dict[str, dict]:
    return {entry["id"]: entry for entry in manifest["layers"]}


def test_forced_tiles_are_published_served_and_not_resent(endpoint, workspace_copy):
    first, prepared, log = publish_logged(endpoint, workspace_copy,
                                          tile_threshold_bytes=FORCE)
    with_features = {name for name, e in prepared.exports.items() if e.feature_count}
    assert set(prepared.tiles) == with_features and with_features
    assert set(first.tiles_uploaded) == with_features
    # the tile sets are counted in the bytes sent, as they went over the wire
    tile_bytes = sum(len(wire_body(a.data)[0]) for a in prepared.tiles.values())
    assert first.bytes_uploaded > tile_bytes > 0
    assert sorted(m for m, _ in tiles_requests(log)) == sorted(
        ["HEAD", "PUT"] * len(with_features))

    manifest = endpoint.manifest()
    assert manifest["release_id"] == first.release_id
    entries = layer_entries(manifest)
    for name, archive in prepared.tiles.items():
        tiles = entries[name]["tiles"]
        assert tiles["sha256"] == archive.sha256 and tiles["layer"] == name
        assert tiles["href"] == f"tiles/{archive.sha256}/{{z}}/{{x}}/{{y}}.pbf"
        assert (tiles["minzoom"], tiles["maxzoom"]) == (5, 12)
        assert tiles["tile_count"] == archive.tile_count

        # the tiles are made from exactly the published blob: rebuilt from
        # the served GeoJSON they hash the same (deterministic archive)
        blob = requests.get(endpoint.url + "data/" + entries[name]["blob"]["href"],
                            timeout=10).content
        assert build_tile_archive(name, blob, entries[name]["blob"]["sha256"]).sha256 \
            == archive.sha256

        tilejson = requests.get(endpoint.url + "data/" + tiles["tilejson"], timeout=10)
        assert tilejson.status_code == 200 and tilejson.json()["tilejson"] == "3.0.0"
        stored, _ = read_tile_archive(archive.data)
        for (z, x, y), data in sorted(stored.items())[:: max(1, len(stored) // 5)]:
            url = endpoint.url + "data/" + tiles["href"].format(z=z, x=x, y=y)
            served = requests.get(url, timeout=10)
            assert served.status_code == 200 and served.content == data
            assert list(mapbox_vector_tile.decode(served.content)) == [name]
    assert all(entries[name]["tiles"] is None for name in set(entries) - with_features)

    # unchanged data: the base manifest has these tile sets, nothing is asked or sent
    again, prepared2, log = publish_logged(endpoint, workspace_copy, tile_threshold_bytes=FORCE)
    assert again.tiles_uploaded == () and tiles_requests(log) == []
    assert prepared2.tiles == {}  # not even built again: the server keeps the base's
    assert again.bytes_uploaded == 0
    assert {n: e["tiles"] for n, e in layer_entries(endpoint.manifest()).items()} == {
        n: e["tiles"] for n, e in entries.items()}

    # one feature edited: only that layer's tiles are rebuilt and sent
    rename_first_risk_point(workspace_copy, "Chợ đổi tên")
    third, prepared3, log = publish_logged(endpoint, workspace_copy,
                                           tile_threshold_bytes=FORCE)
    assert third.tiles_uploaded == ("risk_points",) and set(prepared3.tiles) == {"risk_points"}
    assert [p for _, p in tiles_requests(log) if "risk_points" not in p] == []
    after = layer_entries(endpoint.manifest())
    assert after["risk_points"]["tiles"]["sha256"] == prepared3.tiles["risk_points"].sha256 \
        != entries["risk_points"]["tiles"]["sha256"]
    assert {n: after[n]["tiles"] for n in with_features - {"risk_points"}} == {
        n: entries[n]["tiles"] for n in with_features - {"risk_points"}}


def test_small_layers_get_no_tiles_by_default(endpoint, workspace_copy):
    result, prepared, log = publish_logged(endpoint, workspace_copy)
    assert prepared.tiles == {} and result.tiles_uploaded == ()
    assert tiles_requests(log) == []
    assert all(entry["tiles"] is None for entry in endpoint.manifest()["layers"])


def test_a_tile_set_the_server_has_is_not_uploaded_again(endpoint, workspace_copy):
    """Stored by an earlier publish that was then not current (e.g. a
    rollback): HEAD says 200, so no PUT."""
    request = endpoint.request(workspace_copy, now=NOW, tile_threshold_bytes=FORCE)
    client = make_client(request)
    try:
        prepared = prepare(request, client, with_changes=False)
        for archive in prepared.tiles.values():
            client.upload_tiles(archive.layer, archive.data, archive.sha256)
        client.log.clear()
        result = upload_and_commit(request, prepared, client)
    finally:
        client.close()
    assert result.tiles_uploaded == ()
    assert {m for m, _ in tiles_requests(client.log)} == {"HEAD"}
    entries = layer_entries(endpoint.manifest())
    assert {n: entries[n]["tiles"]["sha256"] for n in prepared.tiles} == {
        n: a.sha256 for n, a in prepared.tiles.items()}


def test_tiles_the_endpoint_refuses_leave_the_layer_as_geojson(start_endpoint,
                                                               workspace_copy):
    """Tiles only spare phones the GeoJSON: a set the endpoint refuses (here
    every tile is above its per-tile limit) does not stop the publish."""
    endpoint = start_endpoint(Limits(max_tile_bytes=16))
    request = endpoint.request(workspace_copy, now=NOW, tile_threshold_bytes=FORCE)
    said: List[str] = []
    client = make_client(request)
    try:
        prepared = prepare(request, client, with_changes=False)
        result = upload_and_commit(request, prepared, client, log=said.append)
    finally:
        client.close()
    assert prepared.tiles and result.tiles_uploaded == ()
    assert sorted(p for m, p in tiles_requests(client.log) if m == "PUT") == sorted(
        f"api/v1/layers/{name}/tiles/{a.sha256}" for name, a in prepared.tiles.items())
    manifest = endpoint.manifest()
    assert manifest["release_id"] == result.release_id
    assert all(entry["tiles"] is None for entry in manifest["layers"])
    refused = [line for line in said if "refused the vector tiles" in line]
    # the endpoint's reason reaches the log
    assert len(refused) == len(prepared.tiles)
    assert all("at most 16 per tile" in line for line in refused)


def test_cancel_while_building_tiles_publishes_nothing(endpoint, workspace_copy):
    before = endpoint.manifest()
    feedback = QgsFeedback()
    seen: List[float] = []

    def cancel_in_tiles(progress: float) -> None:
        seen.append(progress)
        if progress > 45:  # past the export (20-45): the tiles are being built
            feedback.cancel()

    feedback.progressChanged.connect(cancel_in_tiles)
    request = endpoint.request(workspace_copy, now=NOW, tile_threshold_bytes=FORCE)
    client = make_client(request, feedback)
    try:
        with pytest.raises(PublishCancelledError):
            prepare(request, client, feedback=feedback, with_changes=False)
    finally:
        client.close()
    assert max(seen) < 50  # stopped inside the tiles' band, before the preview's end
    assert tiles_requests(client.log) == []
    assert endpoint.manifest() == before


def test_archive_members_as_uploaded(endpoint, workspace_copy):
    """What goes over the wire is the contract's ustar layout (the server
    would refuse anything else; this names the reason if it does)."""
    request = endpoint.request(workspace_copy, now=NOW, tile_threshold_bytes=FORCE)
    client = make_client(request)
    try:
        archive = prepare(request, client, with_changes=False).tiles["risk_points"]
        answer = client.upload_tiles(archive.layer, archive.data, archive.sha256)
    finally:
        client.close()
    with tarfile.open(fileobj=io.BytesIO(archive.data), mode="r:") as tar:
        names = tar.getnames()
        meta = json.loads(tar.extractfile("metadata.json").read())
    assert names[-1] == "metadata.json" and len(names) == archive.tile_count + 1
    assert meta["blob_sha256"] == archive.blob_sha256
    assert answer["sha256"] == archive.sha256 and answer["tile_count"] == archive.tile_count


def test_processing_algorithm_makes_tiles_above_its_threshold(provider, endpoint,
                                                              workspace_copy, monkeypatch):
    from .test_processing_publish import run

    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    base = {"WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url,
            "CONFIRM_WARNINGS": True}
    _, ok, feedback = run(base)  # default threshold (1 MiB): the sample is small
    assert ok, feedback.errors
    assert all(entry["tiles"] is None for entry in endpoint.manifest()["layers"])

    rename_first_risk_point(workspace_copy, "Chợ mới đổi tên")
    results, ok, feedback = run({**base, "TILE_THRESHOLD_KIB": 0})
    assert ok, feedback.errors
    entries = layer_entries(endpoint.manifest())
    assert results["RELEASE_ID"] == endpoint.manifest()["release_id"]
    assert entries["risk_points"]["tiles"]["layer"] == "risk_points"
    assert any("tiles" in line and "risk_points" in line for line in feedback.infos)
