"""Public reads: ETag/304, identical gzip and brotli variants, cache headers,
CSP on the web map, no traversal out of the served trees."""

from __future__ import annotations

import gzip
import socket

import brotli
import pytest
import requests
from publish_samples import collection, risk_point


def _raw_get(url: str, path: str) -> bytes:
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_blobs_and_manifest_headers_and_encodings(api, server):
    api.publish_layer("risk_points", collection([risk_point(i) for i in range(30)]))
    manifest_resp = requests.get(f"{server.url}/data/manifest.json", timeout=10)
    assert manifest_resp.headers["Cache-Control"] == "no-cache"
    etag = manifest_resp.headers["ETag"]
    again = requests.get(f"{server.url}/data/manifest.json", headers={"If-None-Match": etag},
                         timeout=10)
    assert again.status_code == 304 and again.content == b""
    manifest = manifest_resp.json()
    href = next(e for e in manifest["layers"] if e["id"] == "risk_points")["blob"]["href"]
    url = f"{server.url}/data/{href}"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain.headers["Content-Type"].startswith("application/geo+json")
    bodies = {}
    for enc, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        resp = requests.get(url, headers={"Accept-Encoding": enc}, stream=True, timeout=10)
        assert resp.headers["Content-Encoding"] == enc
        assert "Accept-Encoding" in resp.headers["Vary"]
        bodies[enc] = decode(resp.raw.read())
        not_modified = requests.get(url, headers={"Accept-Encoding": enc,
                                                  "If-None-Match": resp.headers["ETag"]},
                                    timeout=10)
        assert not_modified.status_code == 304
    assert bodies["gzip"] == bodies["br"] == plain.content
    release = requests.get(f"{server.url}/data/releases/{manifest['release_id']}.json",
                           timeout=10)
    assert release.content == manifest_resp.content  # pointer == its release file
    assert "immutable" in release.headers["Cache-Control"]


def test_web_map_has_a_strict_csp(server):
    resp = requests.get(server.url + "/", timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]
    assert requests.get(server.url + "/healthz", timeout=10).json()["status"] == "ok"


@pytest.mark.parametrize("path", [
    "/data/../private/tokens.json", "/data/%2e%2e/private/tokens.json",
    "/data/blobs/..%2f..%2fprivate%2ftokens.json", "/%2e%2e/private/tokens.json",
    "/data/releases/../../private/audit.log", "/..%2f..%2fetc%2fpasswd", "/data/manifest.json/..",
    "/data/blobs/0000000000000000000000000000000000000000000000000000000000000000.geojson",
])
def test_traversal_and_unknown_names_are_404(server, path):
    raw = _raw_get(server.url, path)
    status = int(raw.split(b" ", 2)[1])
    assert status in (400, 404), raw[:200]
    assert b"cmp_" not in raw and b"root:" not in raw


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_web_build_is_served_with_its_precompressed_variants(tmp_path, storage_backend):
    from covidmaps_publish.config import Config
    from covidmaps_publish.representation import brotli_bytes
    from covidmaps_publish.server import ServerThread

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text('<!doctype html><script src="app-ABCDEFGH.js"></script>')
    script = b"console.log('covidmaps');\n" * 40
    (dist / "app-ABCDEFGH.js").write_bytes(script)
    (dist / "app-ABCDEFGH.js.br").write_bytes(brotli_bytes(script))
    config = Config(data_dir=tmp_path / "data", web_dir=dist, fsync=False,
                    basemap_origin="https://tile.openstreetmap.org")
    with ServerThread(config) as srv:
        index = requests.get(srv.url + "/", timeout=10)
        assert index.text.startswith("<!doctype html>")
        assert "https://tile.openstreetmap.org" in index.headers["Content-Security-Policy"]
        js = requests.get(srv.url + "/app-ABCDEFGH.js", headers={"Accept-Encoding": "br"},
                          stream=True, timeout=10)
        assert js.headers["Content-Encoding"] == "br"
        assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert brotli.decompress(js.raw.read()) == script
        assert requests.get(srv.url + "/app-ABCDEFGH.js.br", timeout=10).status_code == 404
        assert requests.get(srv.url + "/nothing.js", timeout=10).status_code == 404
