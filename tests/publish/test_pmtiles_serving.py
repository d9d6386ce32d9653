"""The PMTiles archives outside the Python process: the nginx deployment
(publish/deploy/, a real nginx) and an S3 bucket (a real SeaweedFS) serve
them as a PMTiles reader needs: byte ranges (206, 416), the archive's
content type, the immutable cache header and never a content coding."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests
from covidmaps_publish.config import Limits
from nginx_runner import Nginx, start_deploy_nginx
from pmtiles.reader import Reader
from pmtiles_samples import by_zoom, http_source, scattered_points
from published_endpoint import Published, start_published

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Published, Nginx]]:
    base = tmp_path_factory.mktemp("pmtiles-nginx")
    web = base / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Bản đồ</title>", encoding="utf-8")
    published = start_published(base / "data", web_dir=web,
                                 limits=Limits(tiles_min_features=100))
    nginx = None
    try:
        published.publish({"risk_points": scattered_points(300)})
        nginx = start_deploy_nginx(base / "nginx", base / "data", web,
                                   f"127.0.0.1:{published.server.port}")
        yield published, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        published.stop()


def archive_entry(url: str) -> dict:
    manifest = requests.get(f"{url}/data/manifest.json", timeout=10).json()
    return next(e for e in manifest["layers"] if e["id"] == "risk_points")["tiles"]


def test_nginx_serves_archives_with_ranges(stack: Tuple[Published, Nginx]) -> None:
    published, nginx = stack
    tiles = archive_entry(nginx.url)
    assert tiles is not None and tiles["format"] == "pmtiles"
    url = f"{nginx.url}/data/{tiles['href']}"
    size = tiles["size"]
    full = requests.get(url, headers={"Accept-Encoding": "gzip, br"}, timeout=10)
    assert full.status_code == 200
    assert full.headers["Content-Type"] == "application/vnd.pmtiles"
    assert full.headers["Cache-Control"] == IMMUTABLE
    assert full.headers["Accept-Ranges"] == "bytes"
    assert "Content-Encoding" not in full.headers
    assert hashlib.sha256(full.content).hexdigest() == tiles["sha256"]
    part = requests.get(url, headers={"Range": "bytes=0-126", "Accept-Encoding": "gzip"},
                        timeout=10)
    assert part.status_code == 206 and part.content == full.content[:127]
    assert part.headers["Content-Range"] == f"bytes 0-126/{size}"
    assert "Content-Encoding" not in part.headers
    assert requests.get(url, headers={"Range": f"bytes={size}-"},
                        timeout=10).status_code == 416
    # the same bytes as the embedded server, range for range
    direct = requests.get(f"{published.url}/data/{tiles['href']}",
                          headers={"Range": "bytes=127-2000"}, timeout=10)
    via = requests.get(url, headers={"Range": "bytes=127-2000"}, timeout=10)
    assert direct.content == via.content and via.status_code == 206
    # a whole PMTiles read through nginx: every feature at the maximum zoom
    session = requests.Session()
    zooms = by_zoom(http_source(url, session, []), "risk_points")
    assert {f["properties"]["uid"] for _t, f, _e in zooms[tiles["maxzoom"]]} == {
        f["properties"]["uid"] for f in published.features["risk_points"]}
    session.close()


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
def test_s3_objects_serve_ranges(storage_backend, data_dir: Path, token: str) -> None:
    """What a bucket (or a CDN in front of it) hands a browser directly."""
    from covidmaps_publish.config import Config
    from covidmaps_publish.server import ServerThread
    from publish_client import Api
    from publish_samples import collection

    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    poll_interval_s=0.05, limits=Limits(tiles_min_features=100))
    with ServerThread(config) as srv:
        api = Api(srv.url, token)
        answer = api.publish_layer("risk_points", collection(scattered_points(200)))
        assert answer.status_code == 201, answer.text
        tiles = archive_entry(srv.url)
        api.session.close()
    storage = storage_backend.open(data_dir)
    try:
        key = storage.base + tiles["href"]
        head = storage.client.head_object(Bucket=storage.bucket, Key=key)
        assert head["ContentType"] == "application/vnd.pmtiles"
        assert head["CacheControl"] == IMMUTABLE
        assert "ContentEncoding" not in head
        assert head["ContentLength"] == tiles["size"]

        def get_bytes(offset: int, length: int) -> bytes:
            part = storage.client.get_object(Bucket=storage.bucket, Key=key,
                                             Range=f"bytes={offset}-{offset + length - 1}")
            assert part["ContentRange"] == f"bytes {offset}-{offset + length - 1}/{tiles['size']}"
            return part["Body"].read()

        assert Reader(get_bytes).header()["max_zoom"] == tiles["maxzoom"]
        zooms = by_zoom(get_bytes, "risk_points")
        assert len({f["properties"]["uid"] for _t, f, _e in zooms[tiles["maxzoom"]]}) == 200
    finally:
        storage.close()
