"""Tile-set patch uploads (docs/api.md, "Uploading a changed tile set as a
patch") through the real server on 127.0.0.1, for every storage backend:
the server rebuilds the archive from a stored set plus the patch and runs
the full upload's checks and storage on it."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any, Dict

import pytest
import requests
from covidmaps_publish.checks.tiles import check_tile_archive
from covidmaps_publish.config import Config
from covidmaps_publish.storage.base import tile_key, tilejson_key
from covidmaps_publish.tilesets import encode_tilejson, has_variants, tilejson
from publish_samples import sha
from tile_samples import build_archive, canonical_blob, put_tiles, sample_points

from covidmaps_plugin.model.tile_archive import (
    TILES_PATCH_CONTENT_TYPE,
    archive_members,
    pack_tile_archive,
    pack_tiles_patch,
    tile_name,
    tiles_patch_for,
)

LAYER = "risk_points"
# one zoom, as the plugin makes for a dense layer: a point is in one tile
ZOOM = 12


@pytest.fixture(scope="module")
def sample(qgis_app) -> Dict[str, Any]:
    """A layer's tile set and the set after one point was renamed."""
    features = sample_points(40)
    base = build_archive(LAYER, canonical_blob(LAYER, features), ZOOM, ZOOM)
    features[5]["properties"]["name"] = "Chợ mới"
    new = build_archive(LAYER, canonical_blob(LAYER, features), ZOOM, ZOOM)
    return {"base": base, "new": new}


def put_patch(api, digest: str, patch: bytes, gzipped: bool = False) -> requests.Response:
    headers = {"Content-Type": TILES_PATCH_CONTENT_TYPE}
    if gzipped:
        patch, headers["Content-Encoding"] = gzip.compress(patch), "gzip"
    return api.session.put(f"{api.base}/api/v1/layers/{LAYER}/tiles/{digest}", data=patch,
                           headers=headers, timeout=60)


def stored_hashes(api, digest: str) -> Dict[str, str]:
    doc = requests.get(f"{api.base}/data/tiles/{digest}/tiles.json", timeout=10).json()
    return doc["covidmaps"]["tiles"]


def patch_between(api, base: bytes, new: bytes) -> bytes:
    """The patch a client makes from the stored base's public tiles.json."""
    tiles, metadata = archive_members(new)
    return tiles_patch_for(sha(base), stored_hashes(api, sha(base)), tiles, metadata)


def expected_keys(archive: bytes):
    """The storage keys a full upload of ``archive`` writes."""
    tiles, _ = archive_members(archive)
    digest = sha(archive)
    keys = {tilejson_key(digest)}
    for (z, x, y), data in tiles.items():
        keys.add(tile_key(digest, z, x, y))
        if has_variants(len(data)):
            keys |= {tile_key(digest, z, x, y, ".gz"), tile_key(digest, z, x, y, ".br")}
    return keys


def members(archive: bytes) -> int:
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
        return len(tar.getmembers())


def problem(response: requests.Response) -> Dict[str, Any]:
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return response.json()


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_patched_set_is_the_set_a_full_upload_stores(api, sample, stored_keys, gzipped,
                                                     tmp_path):
    assert put_tiles(api, LAYER, sample["base"]).status_code == 201
    patch = patch_between(api, sample["base"], sample["new"])
    tiles = archive_members(sample["new"])[0]
    assert len(tiles) > 10 and members(patch) == 3  # patch.json, the renamed point's tile,
    # metadata.json
    answer = put_patch(api, sha(sample["new"]), patch, gzipped)
    assert answer.status_code == 201, answer.text

    # the same tiles.json and the same files a full upload writes
    config = Config(data_dir=tmp_path)
    checked = check_tile_archive(LAYER, sha(sample["new"]), sample["new"], config.profile(),
                                 config.limits)
    served = requests.get(f"{api.base}/data/tiles/{sha(sample['new'])}/tiles.json", timeout=10)
    assert served.content == encode_tilejson(tilejson(checked))
    new_keys = {k for k in stored_keys() if k.startswith(f"tiles/{sha(sample['new'])}/")}
    assert new_keys == expected_keys(sample["new"])
    for (z, x, y), data in archive_members(sample["new"])[0].items():
        tile = requests.get(f"{api.base}/data/tiles/{sha(sample['new'])}/{z}/{x}/{y}.pbf",
                            timeout=10)
        assert tile.status_code == 200 and tile.content == data
    full = put_tiles(api, LAYER, sample["new"])  # the whole archive: already stored
    assert full.status_code == 200 and full.json() == answer.json()


def test_a_patch_can_delete_tiles(api, sample):
    assert put_tiles(api, LAYER, sample["base"]).status_code == 201
    tiles, metadata = archive_members(sample["base"])
    gone = max(tiles)
    kept = {t: d for t, d in tiles.items() if t != gone}
    target = pack_tile_archive(kept, metadata)
    answer = put_patch(api, sha(target), pack_tiles_patch(sha(sample["base"]), {}, [gone],
                                                          metadata))
    assert answer.status_code == 201, answer.text
    assert answer.json()["tile_count"] == len(tiles) - 1
    assert tile_name(gone) not in stored_hashes(api, sha(target))


def test_mismatching_patch_is_refused_and_nothing_stored(api, sample, stored_keys):
    assert put_tiles(api, LAYER, sample["base"]).status_code == 201
    patch = patch_between(api, sample["base"], sample["new"])
    before = stored_keys()
    answer = put_patch(api, sha(sample["base"] + b"other"), patch)
    assert answer.status_code == 422
    body = problem(answer)
    assert body["type"].endswith("/tiles-patch-mismatch")
    assert sha(sample["new"]) in body["detail"]  # says what the patch really gives
    assert stored_keys() == before


def test_unknown_base_is_a_clear_404(api, sample, stored_keys):
    tiles, metadata = archive_members(sample["new"])
    before = stored_keys()
    answer = put_patch(api, sha(sample["new"]),
                       pack_tiles_patch(sha(b"never uploaded"), tiles, [], metadata))
    assert answer.status_code == 404
    assert problem(answer)["type"].endswith("/tiles-base-not-found")
    assert "upload the whole tile archive" in problem(answer)["detail"]
    assert stored_keys() == before


def test_a_bad_tile_in_a_patch_is_refused_as_in_a_full_upload(api, sample, stored_keys):
    assert put_tiles(api, LAYER, sample["base"]).status_code == 201
    tiles, metadata = archive_members(sample["base"])
    bad_tile = min(tiles)
    tiles[bad_tile] = b"\x1a\x05not a vector tile"
    bad_archive = pack_tile_archive(tiles, metadata)
    before = stored_keys()
    answer = put_patch(api, sha(bad_archive),
                       pack_tiles_patch(sha(sample["base"]), {bad_tile: tiles[bad_tile]}, [],
                                        metadata))
    full = put_tiles(api, LAYER, bad_archive)
    assert answer.status_code == full.status_code == 422
    assert problem(answer)["errors"] == problem(full)["errors"]
    assert problem(answer)["errors"][0]["field"] == f"{tile_name(bad_tile)}.pbf"
    assert stored_keys() == before


@pytest.mark.parametrize("damage", ["delete-unknown", "no-head", "bad-head", "not-tar"])
def test_malformed_patch_is_refused(api, sample, stored_keys, damage):
    assert put_tiles(api, LAYER, sample["base"]).status_code == 201
    tiles, metadata = archive_members(sample["new"])
    base = sha(sample["base"])
    body = {
        "delete-unknown": pack_tiles_patch(base, {}, [(16, 0, 0)], metadata),
        "no-head": pack_tile_archive(tiles, metadata),
        "bad-head": pack_tiles_patch(base, {}, [], metadata).replace(
            json.dumps({"base": base, "delete": []}, separators=(",", ":")).encode(),
            json.dumps({"base": base, "delex": []}, separators=(",", ":")).encode()),
        "not-tar": b"{}" * 600,
    }[damage]
    before = stored_keys()
    answer = put_patch(api, sha(sample["new"]), body)
    assert answer.status_code == 422, answer.text
    assert problem(answer)["type"].endswith("/invalid-tiles-patch")
    assert stored_keys() == before
