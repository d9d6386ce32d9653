"""A published tile set through the nginx deployment (publish/deploy/): the
same bytes, type, cache headers and compressed twins as the Python endpoint,
and tile archives larger than the GeoJSON upload limit pass the proxy."""

from __future__ import annotations

import gzip
from typing import Iterator, Tuple

import brotli
import pytest
import requests
from nginx_runner import Nginx, get_encoded, start_deploy_nginx
from publish_samples import sha
from published_endpoint import Published, start_published
from tile_samples import archive_tiles, build_archive, put_tiles, tile_url

LAYER = "risk_points"
IMMUTABLE = "public, max-age=31536000, immutable"
TILE_TYPE = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def stack(qgis_app, tmp_path_factory) -> Iterator[Tuple[Published, Nginx, dict, dict]]:
    base = tmp_path_factory.mktemp("nginx-tiles")
    web = base / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Bản đồ</title>", encoding="utf-8")
    published = start_published(base / "data", web_dir=web)
    nginx = None
    try:
        manifest = requests.get(f"{published.url}/data/manifest.json", timeout=10).json()
        href = next(e for e in manifest["layers"] if e["id"] == LAYER)["blob"]["href"]
        blob = requests.get(f"{published.url}/data/{href}", timeout=10).content
        archive = build_archive(LAYER, blob)
        assert put_tiles(published.api, LAYER, archive).status_code == 201
        committed = published.api.publish({}, published.api.current_id(),
                                          tiles={LAYER: sha(archive)})
        assert committed.status_code == 201, committed.text
        entry = next(e for e in requests.get(f"{published.url}/data/manifest.json", timeout=10)
                     .json()["layers"] if e["id"] == LAYER)["tiles"]
        # --max-body below the archive's size: tile uploads have their own limit
        nginx = start_deploy_nginx(base / "nginx", base / "data", web,
                                   f"127.0.0.1:{published.server.port}",
                                   extra=["--max-body", "1k"])
        yield published, nginx, entry, archive_tiles(archive)
    finally:
        if nginx is not None:
            nginx.stop()
        published.stop()


def test_tiles_are_served_as_the_endpoint_serves_them(stack):
    published, nginx, entry, tiles = stack
    tile = max(tiles, key=lambda t: len(tiles[t]))
    url = tile_url(nginx.url, entry, tile)
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200 and plain.content == tiles[tile]
    assert plain.headers["Content-Type"] == TILE_TYPE
    assert plain.headers["Cache-Control"] == IMMUTABLE
    direct = requests.get(tile_url(published.url, entry, tile),
                          headers={"Accept-Encoding": "identity"}, timeout=10)
    assert direct.headers["Content-Type"] == TILE_TYPE and direct.content == plain.content
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        raw, headers = get_encoded(url, encoding)
        assert headers["Content-Encoding"] == encoding
        assert headers["Content-Type"] == TILE_TYPE
        assert "Accept-Encoding" in headers["Vary"]
        assert decode(raw) == tiles[tile]
        again = requests.get(url, timeout=10, headers={
            "Accept-Encoding": encoding, "If-None-Match": headers["ETag"]})
        assert again.status_code == 304


def test_tilejson_and_missing_tiles(stack):
    _, nginx, entry, tiles = stack
    doc = requests.get(f"{nginx.url}/data/{entry['tilejson']}", timeout=10)
    assert doc.status_code == 200
    assert doc.headers["Content-Type"].startswith("application/json")
    assert doc.headers["Cache-Control"] == IMMUTABLE
    assert doc.json()["covidmaps"]["tile_count"] == len(tiles) == entry["tile_count"]
    z, x, y = min(tiles)
    absent = next((z, x2, y) for x2 in range(2 ** z) if (z, x2, y) not in tiles)
    assert requests.get(tile_url(nginx.url, entry, absent), timeout=10).status_code == 404


def test_tile_upload_passes_the_proxy_above_the_geojson_limit(stack):
    published, nginx, entry, _ = stack
    api = published.api
    archive_sha = entry["sha256"]
    head = api.session.head(f"{nginx.url}/api/v1/layers/{LAYER}/tiles/{archive_sha}",
                            timeout=10)
    assert head.status_code == 200
    blob_put = api.session.put(f"{nginx.url}/api/v1/layers/{LAYER}/blobs/{'0' * 64}",
                               data=b"x" * 4096, timeout=10,
                               headers={"Content-Type": "application/geo+json"})
    assert blob_put.status_code == 413  # --max-body 1k
    damaged = api.session.put(f"{nginx.url}/api/v1/layers/{LAYER}/tiles/{'0' * 64}",
                              data=b"x" * 4096, timeout=10,
                              headers={"Content-Type": "application/x-tar"})
    assert damaged.status_code == 422  # reached the endpoint, which checked it
