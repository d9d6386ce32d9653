"""Public reads: ETag/304, identical gzip and brotli variants, cache headers,
CSP on the web map, no traversal out of the served trees; the read path
loads none of the write side."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys

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


READ_ONLY_PROBE = """
import json, sys
from pathlib import Path
import covidmaps_publish.reader
from covidmaps_publish.app import create_app
from covidmaps_publish.config import Config
app = create_app(Config(data_dir=Path(sys.argv[1]), fsync=False, read_only=True))
print(json.dumps({"release_id": app.reader.current_release_id, "api": app.api is not None,
                  "modules": sorted(sys.modules)}))
"""
WRITE_SIDE = ("numpy", "shapely", "covidmaps_publish.checks", "covidmaps_publish.publisher",
              "covidmaps_publish.vectortiles", "covidmaps_publish.api")


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_the_read_path_imports_no_write_side(api, server, data_dir):
    """Importing the reader and building a read-only app (``serve
    --read-only``, a replica on the same storage) loads neither numpy nor
    the checks, the publisher or the tile builder; it serves the release
    the writing instance committed."""
    published = api.publish_layer("risk_points", collection([risk_point(1)]))
    assert published.status_code == 201, published.text
    done = subprocess.run([sys.executable, "-c", READ_ONLY_PROBE, str(data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout)
    assert probe["release_id"] == published.json()["release_id"] and probe["api"] is False
    loaded = [m for m in probe["modules"] if any(m == w or m.startswith(w + ".")
                                                 for w in WRITE_SIDE)]
    assert loaded == []
    # the same probe with the write side proves it would see them
    writer = READ_ONLY_PROBE.replace("read_only=True", "read_only=False")
    full = subprocess.run([sys.executable, "-c", writer, str(data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert full.returncode == 0, full.stderr
    modules = json.loads(full.stdout)["modules"]
    assert "numpy" in modules and "covidmaps_publish.checks.layer" in modules


def test_a_commit_compresses_its_manifest_once_for_the_pointer_and_the_release(api, server):
    """The pointer's bytes are its release's (one commit stores both): the
    reader's refresh compresses them once and both URLs serve those variants."""
    api.publish_layer("risk_points", collection([risk_point(i) for i in range(30)]))
    reader = server.app.publisher.reader
    manifest = reader.current_manifest()
    pointer = reader.pointer_representation()
    release = reader.cached_release(manifest["release_id"])
    assert pointer is not None and release is not None
    assert release.br.body is pointer.br.body and release.gzip.body is pointer.gzip.body
    for path in ("manifest.json", f"releases/{manifest['release_id']}.json"):
        for enc, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            resp = requests.get(f"{server.url}/data/{path}", headers={"Accept-Encoding": enc},
                                stream=True, timeout=10)
            assert resp.headers["Content-Encoding"] == enc
            assert decode(resp.raw.read()) == pointer.identity.body
