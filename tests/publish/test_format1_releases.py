"""A data directory written before format 2: its current release is format
1 and names a tile directory (tiles/<sha>/{z}/{x}/{y}.pbf + tiles.json, as
older plugins uploaded). The new server keeps it readable and verifiable,
lists it in the history, derives a PMTiles archive from its blob on the next
publish and on a rollback to it, and never serves the old .pbf files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

import mapbox_vector_tile
import pytest
import requests
from covidmaps_publish import vectortiles
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.publisher import Publisher
from covidmaps_publish.reader import ReleaseReader
from covidmaps_publish.server import ServerThread
from covidmaps_publish.storage.base import release_key
from covidmaps_publish.storage.local import LocalStorage
from covidmaps_publish.verify import tile_key, tilejson_key
from pmtiles_samples import scattered_points
from publish_client import Api
from publish_samples import collection

from covidmaps_plugin.model import MODEL

LIMITS = Limits(tiles_min_features=100)
TILE = (9, 406, 223)


def _format1_release(data_dir: Path) -> Dict[str, Any]:
    """Release 1 in format 1: 150 risk points and their uploaded tile set."""
    config = Config(data_dir=data_dir, fsync=False, limits=Limits(tiles_min_features=10 ** 6))
    storage = LocalStorage(data_dir, fsync=False)
    reader = ReleaseReader(storage)
    publisher = Publisher(config, storage, reader)
    publisher.ensure_initial_release()
    checked, _ = publisher.put_blob("risk_points", hashlib.sha256(
        body := collection(scattered_points(150))).hexdigest(), body)
    tile = mapbox_vector_tile.encode([{"name": "risk_points", "features": [
        {"geometry": "POINT(2048 2048)", "properties": {"name": "Chợ"}}]}])
    tile_sha = hashlib.sha256(tile).hexdigest()
    set_sha = hashlib.sha256(b"the archive an old plugin uploaded").hexdigest()
    storage.put_immutable(tile_key(set_sha, *TILE), tile)
    tilejson = {"tilejson": "3.0.0", "name": "risk_points", "tiles": ["{z}/{x}/{y}.pbf"],
                "minzoom": 9, "maxzoom": 9,
                "covidmaps": {"format": "covidmaps-tiles/1", "archive_sha256": set_sha,
                              "blob_sha256": checked.sha256, "tile_count": 1,
                              "tiles": {"9/406/223": tile_sha}}}
    storage.put_immutable(tilejson_key(set_sha), json.dumps(tilejson).encode())
    parent, token = publisher.current()
    blobs = {layer.name: publisher._parent_blob(parent, layer.name) for layer in MODEL.layers}
    blobs["risk_points"] = checked
    v1_tiles = {"href": f"tiles/{set_sha}/{{z}}/{{x}}/{{y}}.pbf", "minzoom": 9, "maxzoom": 9,
                "layer": "risk_points", "sha256": set_sha, "tile_count": 1,
                "tilejson": f"tiles/{set_sha}/tiles.json"}
    manifest = publisher._manifest(parent, blobs, {}, "officer-1", "format 1", "publish",
                                   None, {}, tiles={"risk_points": v1_tiles})
    manifest["format"] = "covidmaps-release/1"
    # format 1 releases had the first four layers only (the epidemic levels
    # came later): a rollback to one must still give every layer of the model
    manifest["layers"] = [e for e in manifest["layers"] if e["id"] != "epidemic_levels"]
    manifest.pop("levels", None)
    manifest["release_id"] = ""
    digest = hashlib.sha256(json.dumps(manifest, ensure_ascii=False, separators=(
        ",", ":")).encode()).hexdigest()[:8]
    manifest["release_id"] = f"{manifest['sequence']:06d}-{digest}"
    data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    storage.put_immutable(release_key(manifest["release_id"]), data)
    assert storage.swap_pointer(data, token)
    publisher.tiles.close()
    storage.close()
    return manifest


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "covidmaps_publish.cli", *args, "--data",
                           str(data_dir)], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_format1_history_rollback_and_verify(storage_backend, data_dir: Path, token: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    old = _format1_release(data_dir)
    set_sha = layer(old, "risk_points")["tiles"]["sha256"]
    builds = []
    real = vectortiles.build_archive
    monkeypatch.setattr(vectortiles, "build_archive",
                        lambda *a: builds.append(a[0]) or real(*a))
    config = Config(data_dir=data_dir, fsync=False, poll_interval_s=0.05, limits=LIMITS)
    with ServerThread(config) as srv:
        api = Api(srv.url, token)
        current = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        assert current["format"] == "covidmaps-release/1"  # served as it is
        # on start, the server builds the archive the current release lacks
        # in the background (the commit below then finds it in the cache)
        cache = data_dir / "private" / "tiles-cache"
        deadline = time.monotonic() + 120
        while not any(cache.glob("risk_points-*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert builds == ["risk_points"]
        # the embedded server no longer serves format 1 tiles (the map draws the blob)
        assert requests.get(f"{srv.url}/data/tiles/{set_sha}/9/406/223.pbf",
                            timeout=10).status_code == 404
        # the next publish (another layer) derives the archive of the unchanged layer
        answer = api.publish({}, current["release_id"], message="after the upgrade")
        assert answer.status_code == 201, answer.text
        after = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        assert after["format"] == "covidmaps-release/2"
        tiles = layer(after, "risk_points")["tiles"]
        assert tiles["format"] == "pmtiles"
        assert tiles["blob_sha256"] == layer(old, "risk_points")["blob"]["sha256"]
        assert builds == ["risk_points"]  # not built again
        # a third release changes the layer; then roll back to the format 1 release
        answer = api.publish_layer("risk_points", collection(scattered_points(130)))
        assert answer.status_code == 201, answer.text
        changed = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        back = api.session.post(f"{srv.url}/api/v1/rollback", data=json.dumps(
            {"release_id": old["release_id"]}), headers={
            "Content-Type": "application/json", "If-Match": f'"{changed["release_id"]}"'},
            timeout=60)
        assert back.status_code == 201, back.text
        rolled = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        assert rolled["format"] == "covidmaps-release/2"
        assert rolled["rolled_back_to"] == old["release_id"]
        assert layer(rolled, "risk_points")["blob"] == layer(old, "risk_points")["blob"]
        assert layer(rolled, "risk_points")["tiles"] == tiles  # the cached archive
        # a layer the old release did not have comes back empty, not missing
        assert [e["id"] for e in rolled["layers"]] == [d.name for d in MODEL.layers]
        assert layer(rolled, "epidemic_levels")["feature_count"] == 0
        archive = requests.get(f"{srv.url}/data/{tiles['href']}", timeout=10)
        assert hashlib.sha256(archive.content).hexdigest() == tiles["sha256"]
        history = api.session.get(f"{srv.url}/api/v1/releases", timeout=10).json()["releases"]
        assert [r["release_id"] for r in history][-2] == old["release_id"]
        assert [r["kind"] for r in history] == ["rollback", "publish", "publish", "publish",
                                                "init"]
        api.session.close()
    report = _cli(data_dir, "verify")
    assert report.returncode == 0, report.stdout + report.stderr
    # the old tile set is still checked: damage one tile, verify names it
    tile_path = data_dir / "public" / "data" / tile_key(set_sha, *TILE)
    tile_path.write_bytes(tile_path.read_bytes() + b"\x00")
    damaged = _cli(data_dir, "verify")
    assert damaged.returncode != 0 and tile_key(set_sha, *TILE) in damaged.stdout
    tile_path.write_bytes(tile_path.read_bytes()[:-1])
    # and every archive is re-hashed
    archive_path = data_dir / "public" / "data" / tiles["href"]
    intact = archive_path.read_bytes()
    archive_path.write_bytes(intact[:-1] + bytes([intact[-1] ^ 0xFF]))
    damaged = _cli(data_dir, "verify")
    assert damaged.returncode != 0 and tiles["href"] in damaged.stdout


def layer(manifest: Dict[str, Any], name: str) -> Dict[str, Any]:
    return next(e for e in manifest["layers"] if e["id"] == name)
