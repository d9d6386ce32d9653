"""Vector tile sets end to end on every storage backend: upload an archive
of real QGIS tiles, publish it with its layer, read the tiles back as a phone
would, keep / drop / roll back tiles with the layer's blob, and let
``verify`` find a damaged tile."""

from __future__ import annotations

import gzip
import hashlib
import json

import brotli
import pytest
import requests
from covidmaps_publish.storage.base import tile_key, tilejson_key
from covidmaps_publish.verify import verify
from mapbox_vector_tile import decode
from publish_samples import collection, sha, zone
from tile_samples import (
    archive_tiles,
    build_archive,
    canonical_blob,
    head_tiles,
    put_tiles,
    sample_points,
    tile_url,
)

LAYER = "risk_points"
TILE_TYPE = "application/vnd.mapbox-vector-tile"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def sample(qgis_app):
    """Two versions of the layer, each with its archive and the tiles in it."""
    versions = []
    for salt in (0, 1):
        features = sample_points(40, salt)
        blob = canonical_blob(LAYER, features)
        archive = build_archive(LAYER, blob)
        versions.append({"features": features, "blob": blob, "archive": archive,
                         "sha": sha(archive), "tiles": archive_tiles(archive)})
    return versions


def publish_version(api, version, tiles=True, **extra):
    put = api.put_layer(LAYER, collection(version["features"]))
    assert put.status_code in (200, 201), put.text
    assert put.json()["sha256"] == sha(version["blob"])  # tiles are made from these bytes
    body = {"tiles": {LAYER: version["sha"]}} if tiles else {}
    return api.publish({LAYER: sha(version["blob"])}, api.current_id(), **body, **extra)


def layer_entry(base, layer=LAYER):
    manifest = requests.get(f"{base}/data/manifest.json", timeout=10).json()
    return next(e for e in manifest["layers"] if e["id"] == layer)


def test_same_data_gives_the_same_archive(sample):
    first = sample[0]
    assert build_archive(LAYER, first["blob"]) == first["archive"]
    assert sample[1]["sha"] != first["sha"]


def test_upload_is_checked_stored_and_idempotent(api, sample, stored_keys, storage_backend,
                                                  data_dir):
    version = sample[0]
    digest = version["sha"]
    assert head_tiles(api, LAYER, digest).status_code == 404
    created = put_tiles(api, LAYER, version["archive"])
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer == {"layer": LAYER, "sha256": digest, "tile_count": len(version["tiles"]),
                      "minzoom": 5, "maxzoom": 9, "bounds": answer["bounds"],
                      "href": f"/data/tiles/{digest}/{{z}}/{{x}}/{{y}}.pbf",
                      "tilejson": f"/data/tiles/{digest}/tiles.json"}
    assert head_tiles(api, LAYER, digest).status_code == 200
    assert head_tiles(api, "checkpoints", digest).status_code == 404  # another layer's name
    keys = stored_keys()
    assert tilejson_key(digest) in keys
    for z, x, y in version["tiles"]:
        assert tile_key(digest, z, x, y) in keys
    again = put_tiles(api, LAYER, version["archive"])
    assert again.status_code == 200 and again.json() == answer
    assert stored_keys() == keys
    storage = storage_backend.open(data_dir)
    try:
        if hasattr(storage, "client"):  # a bucket serves objects as they are: headers matter
            (z, x, y), _ = max(version["tiles"].items(), key=lambda item: len(item[1]))
            for suffix, encoding in (("", None), (".gz", "gzip"), (".br", "br")):
                head = storage.client.head_object(
                    Bucket=storage.bucket, Key=storage.base + tile_key(digest, z, x, y, suffix))
                assert head["ContentType"] == TILE_TYPE
                assert head.get("ContentEncoding") == encoding
                assert head["CacheControl"] == IMMUTABLE
    finally:
        storage.close()


def test_published_tiles_are_served_like_blobs(api, sample):
    version = sample[0]
    assert put_tiles(api, LAYER, version["archive"]).status_code == 201
    response = publish_version(api, version)
    assert response.status_code == 201, response.text
    entry = layer_entry(api.base)
    digest = version["sha"]
    assert entry["tiles"] == {"href": f"tiles/{digest}/{{z}}/{{x}}/{{y}}.pbf", "minzoom": 5,
                              "maxzoom": 9, "layer": LAYER, "sha256": digest,
                              "tile_count": len(version["tiles"]),
                              "tilejson": f"tiles/{digest}/tiles.json"}
    # the largest tile has compressed twins
    tile, raw = max(version["tiles"].items(), key=lambda item: len(item[1]))
    url = tile_url(api.base, entry["tiles"], tile)
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200 and plain.content == raw
    assert plain.headers["Content-Type"] == TILE_TYPE
    assert plain.headers["Cache-Control"] == IMMUTABLE
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert list(decode(plain.content)) == [LAYER]
    packed = requests.get(url, headers={"Accept-Encoding": "br, gzip"}, stream=True, timeout=10)
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.raw.read()) == raw
    zipped = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.raw.read()) == raw
    cached = requests.get(url, headers={"If-None-Match": plain.headers["ETag"]}, timeout=10)
    assert cached.status_code == 304
    tilejson = requests.get(f"{api.base}/data/{entry['tiles']['tilejson']}", timeout=10)
    assert tilejson.headers["Content-Type"].startswith("application/json")
    doc = tilejson.json()
    assert doc["tilejson"] == "3.0.0" and doc["tiles"] == ["{z}/{x}/{y}.pbf"]
    assert doc["vector_layers"][0]["id"] == LAYER
    assert doc["vector_layers"][0]["fields"]["related_cases"] == "Number"
    assert (doc["minzoom"], doc["maxzoom"]) == (5, 9)
    z, x, y = tile
    missing = [(z, x2, y) for x2 in range(2 ** z) if (z, x2, y) not in version["tiles"]][0]
    assert requests.get(tile_url(api.base, entry["tiles"], missing),
                        timeout=10).status_code == 404
    assert requests.get(f"{api.base}/data/tiles/{digest}/0{z}/{x}/{y}.pbf",
                        timeout=10).status_code == 404


def test_tiles_of_other_data_or_never_uploaded_are_refused(api, sample):
    old, new = sample
    assert put_tiles(api, LAYER, old["archive"]).status_code == 201
    before = api.current_id()
    stale = api.publish({LAYER: sha(new["blob"])}, before, tiles={LAYER: old["sha"]})
    # the new blob is not uploaded yet: missing-blob comes first
    assert stale.status_code == 422
    assert api.put_layer(LAYER, collection(new["features"])).status_code == 201
    stale = api.publish({LAYER: sha(new["blob"])}, before, tiles={LAYER: old["sha"]})
    assert stale.status_code == 422, stale.text
    assert stale.json()["errors"][0]["code"] == "stale-tiles"
    unknown = api.publish({LAYER: sha(new["blob"])}, before, tiles={LAYER: new["sha"]})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["code"] == "missing-tiles"
    elsewhere = api.publish({}, before, tiles={"checkpoints": old["sha"]})
    assert elsewhere.status_code == 422  # a set of risk_points is not a checkpoints set
    assert api.current_id() == before


def test_tiles_follow_the_blob_through_publishes_and_rollback(api, sample):
    old, new = sample
    for version in sample:
        assert put_tiles(api, LAYER, version["archive"]).status_code == 201
    assert publish_version(api, old).status_code == 201
    with_tiles = layer_entry(api.base)["tiles"]
    # another layer changes: risk_points keeps its blob and so its tiles
    other = api.publish_layer("isolation_zones", collection([zone(1)]))
    assert other.status_code == 201, other.text
    kept_id = other.json()["release_id"]
    assert layer_entry(api.base)["tiles"] == with_tiles
    # the blob changes without tiles: no tiles (they would show the old data)
    assert publish_version(api, new, tiles=False).status_code == 201
    assert layer_entry(api.base)["tiles"] is None
    # rollback restores the tiles of the release it goes back to
    back = api.session.post(f"{api.base}/api/v1/rollback",
                            data=json.dumps({"release_id": kept_id}),
                            headers={"If-Match": f'"{api.current_id()}"',
                                     "Content-Type": "application/json"}, timeout=30)
    assert back.status_code == 201, back.text
    assert layer_entry(api.base)["tiles"] == with_tiles
    # and the new data with its own tiles
    assert publish_version(api, new).status_code == 201
    assert layer_entry(api.base)["tiles"]["sha256"] == new["sha"]


def test_verify_finds_a_damaged_tile(api, sample, storage_backend, data_dir):
    version = sample[0]
    assert put_tiles(api, LAYER, version["archive"]).status_code == 201
    assert publish_version(api, version).status_code == 201
    storage = storage_backend.open(data_dir)
    try:
        report = verify(storage)
        assert report["damaged"] == [] and report["missing"] == [] and report["tilesets"] == 1
        (z, x, y), raw = max(version["tiles"].items(), key=lambda item: len(item[1]))
        key = tile_key(version["sha"], z, x, y)
        overwrite(storage, key, raw[:-1] + bytes([raw[-1] ^ 1]))
        report = verify(storage)
        assert report["damaged"] == [key]
        # the server does not serve it either (it was never read, so not cached)
        entry = layer_entry(api.base)["tiles"]
        assert requests.get(tile_url(api.base, entry, (z, x, y)), timeout=10).status_code == 404
    finally:
        storage.close()


def overwrite(storage, key, data):
    """Damage a stored object behind the storage's back (immutable puts refuse it)."""
    if hasattr(storage, "client"):
        storage.client.put_object(Bucket=storage.bucket, Key=storage.base + key, Body=data)
    else:
        storage.path(key).write_bytes(data)
    assert hashlib.sha256(storage.get(key)).hexdigest() == sha(data)
