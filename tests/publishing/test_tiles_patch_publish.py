"""Republish a tile set as a patch, with real QGIS and a real endpoint:
edit one point of a big layer → only the changed tile goes over the wire →
the published tile set is byte for byte what a full upload gives; when the
server cannot apply the patch the plugin uploads the whole archive once."""

from __future__ import annotations

import functools
import uuid
from pathlib import Path

import pytest
import requests
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

from covidmaps_plugin.core.publishing import pipeline
from covidmaps_plugin.core.publishing.pipeline import make_client, prepare, upload_and_commit
from covidmaps_plugin.core.publishing.wire import wire_body
from covidmaps_plugin.core.tiles import build_tile_archive
from covidmaps_plugin.model.tile_archive import archive_members

from .test_publish_e2e import NOW, edit_one_name

LAYER = "risk_points"
POINTS = (60, 50)  # a grid of new risk points, 0.005° apart


@pytest.fixture
def big_workspace(workspace_copy: Path, monkeypatch) -> Path:
    """The sample workspace plus 3,000 risk points spread over ~0.3°: over
    the 1 MiB tiles threshold. A smaller per-tile budget makes the builder
    raise minzoom to 12 as it does for the 100k-point layer (one zoom: a
    point is in one tile)."""
    monkeypatch.setattr(pipeline, "build_tile_archive",
                        functools.partial(build_tile_archive, tile_budget_bytes=256 * 1024))
    layer = QgsVectorLayer(f"{workspace_copy}|layername={LAYER}", "rp", "ogr")
    template = next(f for f in layer.getFeatures() if f["approved"] and f["status"] == "active")
    uid_index = layer.fields().indexOf("uid")
    copies = []
    for i in range(POINTS[0]):
        for j in range(POINTS[1]):
            feature = QgsFeature(template)
            feature.setAttribute(0, None)  # fid: a new one
            feature.setAttribute(uid_index, str(uuid.uuid5(uuid.NAMESPACE_URL, f"grid/{i}/{j}")))
            feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(105.70 + 0.005 * i,
                                                                   22.05 + 0.005 * j)))
            copies.append(feature)
    ok, _ = layer.dataProvider().addFeatures(copies)
    assert ok, layer.dataProvider().lastError()
    return workspace_copy


def republish(endpoint, gpkg: Path, tamper=None):
    request = endpoint.request(gpkg, now=NOW)
    with make_client(request) as client:
        prepared = prepare(request, client, with_changes=False)
        if tamper is not None:
            tamper(client)
        result = upload_and_commit(request, prepared, client)
        return result, prepared, list(client.log)


def tile_puts(log) -> list:
    return [path for method, path in log if method == "PUT" and "/tiles/" in path]


def served_set(url: str) -> dict:
    """The manifest's tiles entry, tiles.json and every tile of the layer."""
    manifest = requests.get(url + "data/manifest.json", timeout=10).json()
    entry = next(e for e in manifest["layers"] if e["id"] == LAYER)["tiles"]
    doc = requests.get(url + "data/" + entry["tilejson"], timeout=10)
    tiles = {name: requests.get(f"{url}data/tiles/{entry['sha256']}/{name}.pbf",
                                timeout=10).content
             for name in doc.json()["covidmaps"]["tiles"]}
    return {"entry": entry, "tilejson": doc.content, "tiles": tiles}


def edit_a_grid_point(gpkg: Path) -> None:
    edit_one_name(gpkg, str(uuid.uuid5(uuid.NAMESPACE_URL, "grid/30/25")), "Điểm sửa (ô)")


def test_republish_after_one_edit_sends_a_tile_patch(start_endpoint, big_workspace):
    endpoint, fresh = start_endpoint(), start_endpoint()
    first, prepared, _ = republish(endpoint, big_workspace)
    archive = prepared.tiles[LAYER]
    assert first.tiles_uploaded == (LAYER,) and archive.minzoom == archive.maxzoom == 12
    edit_a_grid_point(big_workspace)

    again, prepared, log = republish(endpoint, big_workspace)
    archive = prepared.tiles[LAYER]
    assert again.tiles_uploaded == (LAYER,) and len(tile_puts(log)) == 1
    assert ("GET", f"data/tiles/{first_sha(endpoint, first)}/tiles.json") in log
    # the blob patch and the tile patch together: a fraction of the archive alone
    assert 0 < again.bytes_uploaded < len(wire_body(archive.data)[0]) / 4
    assert archive.tile_count > 8

    full, prepared_full, _ = republish(fresh, big_workspace)  # the same data, sent whole
    assert prepared_full.tiles[LAYER].sha256 == archive.sha256
    assert full.bytes_uploaded > again.bytes_uploaded
    patched, whole = served_set(endpoint.url), served_set(fresh.url)
    assert patched == whole
    assert patched["entry"]["sha256"] == archive.sha256
    assert patched["tiles"] == {f"{z}/{x}/{y}": data for (z, x, y), data
                                in archive_members(archive.data)[0].items()}


def first_sha(endpoint, result) -> str:
    manifest = requests.get(f"{endpoint.url}data/releases/{result.release_id}.json",
                            timeout=10).json()
    return next(e for e in manifest["layers"] if e["id"] == LAYER)["tiles"]["sha256"]


def _damage_a_stored_tile(endpoint, client, base_sha):
    """A stored tile of the base set no longer matches tiles.json (404)."""
    tile = sorted((endpoint.data_dir).rglob(f"tiles/{base_sha}/12/*/*.pbf"))[0]
    tile.write_bytes(b"damaged")


def _client_base_differs(endpoint, client, base_sha):
    """The client believes the base has a tile the server's lacks: the
    patch deletes it and the server refuses the patch (422)."""
    real = client.tile_hashes

    def hashes(sha):
        return {**real(sha), "12/0/0": "0" * 64}

    client.tile_hashes = hashes


@pytest.mark.parametrize("damage", [_damage_a_stored_tile, _client_base_differs],
                         ids=["base-damaged-404", "client-base-differs-422"])
def test_a_tile_patch_the_server_cannot_apply_falls_back_to_the_archive_once(
        endpoint, big_workspace, damage):
    first, _, _ = republish(endpoint, big_workspace)
    base_sha = first_sha(endpoint, first)
    edit_a_grid_point(big_workspace)
    result, prepared, log = republish(
        endpoint, big_workspace, lambda client: damage(endpoint, client, base_sha))
    archive = prepared.tiles[LAYER]
    assert result.tiles_uploaded == (LAYER,)
    assert len(tile_puts(log)) == 2  # the patch, then the whole archive
    assert result.bytes_uploaded > len(wire_body(archive.data)[0])  # both attempts counted
    served = served_set(endpoint.url)
    assert served["entry"]["sha256"] == archive.sha256
    assert served["tiles"] == {f"{z}/{x}/{y}": data for (z, x, y), data
                               in archive_members(archive.data)[0].items()}

