"""The nginx deployment (publish/deploy/) in front of a real endpoint: a real
nginx serves /data/ from the storage directory and the web map, and proxies
the rest. Same contract as the Python endpoint: cache headers, ETag/304,
identical gzip/brotli variants, the same CSP, no listing, no traversal."""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Iterator, Tuple

import brotli
import pytest
import requests
from nginx_runner import Nginx, get_encoded, start_deploy_nginx
from published_endpoint import Published, start_published

IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = ("Content-Security-Policy", "Referrer-Policy", "X-Frame-Options",
                    "Permissions-Policy", "X-Content-Type-Options")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Published, Nginx]]:
    base = tmp_path_factory.mktemp("nginx")
    web = base / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Bản đồ</title>", encoding="utf-8")
    (web / "app-3f9a1c2b7d.js").write_text("console.log('map')", encoding="utf-8")
    (web / "sw.js").write_text("self.addEventListener('fetch', () => {});", encoding="utf-8")
    (web / "manifest.webmanifest").write_text('{"name": "Bản đồ", "start_url": "./"}',
                                              encoding="utf-8")
    published = start_published(base / "data", web_dir=web)
    nginx = None
    try:
        nginx = start_deploy_nginx(base / "nginx", base / "data", web,
                                   f"127.0.0.1:{published.server.port}",
                                   extra=["--max-body", "1m"])
        yield published, nginx
    finally:
        if nginx is not None:
            nginx.stop()
        published.stop()


def blob_href(url: str, layer: str = "risk_points") -> str:
    manifest = requests.get(f"{url}/data/manifest.json", timeout=10).json()
    return next(e for e in manifest["layers"] if e["id"] == layer)["blob"]["href"]


def raw_get(port: int, path: str) -> bytes:
    """A request exactly as written (no client-side normalisation of ``..``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_manifest_is_revalidated_with_etag(stack):
    published, nginx = stack
    response = requests.get(f"{nginx.url}/data/manifest.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Type"].startswith("application/json")
    direct = requests.get(f"{published.url}/data/manifest.json", timeout=10)
    assert response.content == direct.content
    etag = response.headers["ETag"]
    again = requests.get(f"{nginx.url}/data/manifest.json", headers={"If-None-Match": etag},
                         timeout=10)
    assert again.status_code == 304 and again.content == b""


def test_blob_variants_are_identical_and_immutable(stack):
    _, nginx = stack
    url = f"{nginx.url}/data/{blob_href(nginx.url)}"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200
    assert plain.headers["Content-Type"].startswith("application/geo+json")
    assert plain.headers["Cache-Control"] == IMMUTABLE
    assert "Content-Encoding" not in plain.headers
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        raw, headers = get_encoded(url, encoding)
        assert headers["Content-Encoding"] == encoding
        assert headers["Cache-Control"] == IMMUTABLE
        assert "Accept-Encoding" in headers["Vary"]
        assert headers["Content-Type"].startswith("application/geo+json")
        assert decode(raw) == plain.content
        assert len(raw) < len(plain.content)
        # each variant has its own validator; revalidating it costs no body
        not_modified = requests.get(url, timeout=10, headers={
            "Accept-Encoding": encoding, "If-None-Match": headers["ETag"]})
        assert not_modified.status_code == 304 and not_modified.content == b""


def test_release_manifests_are_immutable(stack):
    _, nginx = stack
    manifest = requests.get(f"{nginx.url}/data/manifest.json", timeout=10)
    release = requests.get(f"{nginx.url}/data/releases/{manifest.json()['release_id']}.json",
                           timeout=10)
    assert release.status_code == 200
    assert release.headers["Cache-Control"] == IMMUTABLE
    assert release.content == manifest.content


def test_web_map_has_the_endpoints_security_headers(stack):
    published, nginx = stack
    via_nginx = requests.get(f"{nginx.url}/", timeout=10)
    direct = requests.get(f"{published.url}/", timeout=10)
    assert via_nginx.status_code == direct.status_code == 200
    assert via_nginx.content == direct.content
    assert via_nginx.headers["Content-Type"] == "text/html; charset=utf-8"
    for name in SECURITY_HEADERS:
        assert via_nginx.headers[name] == direct.headers[name], name
    assert "script-src 'self'" in via_nginx.headers["Content-Security-Policy"]
    asset = requests.get(f"{nginx.url}/app-3f9a1c2b7d.js", timeout=10)
    assert asset.headers["Cache-Control"] == IMMUTABLE
    assert asset.headers["Content-Security-Policy"] == direct.headers["Content-Security-Policy"]


def test_endpoint_routes_are_proxied(stack):
    published, nginx = stack
    health = requests.get(f"{nginx.url}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["release_id"]
    collections = requests.get(f"{nginx.url}/ogcapi/collections", timeout=10)
    assert collections.status_code == 200
    # links point at nginx (the Host header is forwarded), not at the upstream
    self_link = collections.json()["links"][0]["href"]
    assert self_link.startswith(f"{nginx.url}/ogcapi/")
    whoami = published.api.session.get(f"{nginx.url}/api/v1/whoami", timeout=10)
    assert whoami.status_code == 200 and whoami.json()["name"] == "officer-ogc"
    anonymous = requests.get(f"{nginx.url}/api/v1/whoami", timeout=10)
    assert anonymous.status_code == 401


def test_publishing_through_nginx_moves_the_manifest(stack):
    published, nginx = stack
    old = requests.get(f"{nginx.url}/data/manifest.json", timeout=10)
    published.api.base = nginx.url
    try:
        new_id = published.publish({"risk_points": published.features["risk_points"][:3]})
    finally:
        published.api.base = published.url
    fresh = requests.get(f"{nginx.url}/data/manifest.json",
                         headers={"If-None-Match": old.headers["ETag"]}, timeout=10)
    assert fresh.status_code == 200
    assert fresh.json()["release_id"] == new_id
    assert fresh.headers["ETag"] != old.headers["ETag"]


def test_upload_size_is_limited(stack):
    published, nginx = stack
    big = b"x" * (2 * 1024 * 1024)
    response = published.api.session.put(
        f"{nginx.url}/api/v1/layers/risk_points/blobs/{'0' * 64}", data=big, timeout=30)
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/data/", "/data/blobs/", "/data/releases/", "/data/tiles/"])
def test_no_directory_listing(stack, path):
    _, nginx = stack
    response = requests.get(f"{nginx.url}{path}", timeout=10)
    assert response.status_code in (403, 404)
    assert "Index of" not in response.text


@pytest.mark.parametrize("path", [
    "/data/../private/tokens.json",
    "/data/blobs/../../private/pointer.lock",
    "/data/blobs/..%2f..%2fprivate%2fpointer.lock",
    "/data/%2e%2e/%2e%2e/private/pointer.lock",
    "/../../../../etc/passwd",
    "/data/../../tmp",
    "/.git/config",
])
def test_path_traversal_is_refused(stack, path):
    _, nginx = stack
    response = raw_get(nginx.port, path)
    status = int(response.split(b" ", 2)[1])
    assert status in (400, 403, 404), response[:300]
    assert b"root:" not in response


def test_private_state_stays_outside_the_served_tree(stack):
    published, _ = stack
    private = Path(published.data_dir) / "private"
    assert private.is_dir() and any(private.iterdir())
    site = (Path(published.data_dir).parent / "nginx" / "site.conf").read_text()
    assert f"root {Path(published.data_dir).resolve() / 'public'};" in site


UNIT = Path(__file__).resolve().parents[2] / "publish" / "deploy" / "covidmaps-publish.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_unit_is_valid_and_hardened(tmp_path):
    verify = subprocess.run(["systemd-analyze", "verify", str(UNIT)], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    problems = [line for line in (verify.stdout + verify.stderr).splitlines()
                if line.strip() and "is not executable" not in line]  # not installed here
    assert problems == []
    # exposure score <= 2.0 of 10 ("OK"); the threshold is in tenths
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                               "--threshold=20", str(UNIT)], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)
    assert security.returncode == 0, security.stdout[-2000:]
    text = UNIT.read_text()
    for setting in ("NoNewPrivileges=yes", "ProtectSystem=strict",
                    "ReadWritePaths=/var/lib/covidmaps", "--host 127.0.0.1"):
        assert setting in text


def test_pointer_etag_differs_for_same_size_releases_in_one_second(tmp_path):
    """nginx's ETag is mtime (seconds) + size: the local storage must not let
    two pointers of equal size share it, or a client would keep the old one."""
    from covidmaps_publish.storage.local import LocalStorage

    storage = LocalStorage(tmp_path / "data", fsync=False)
    web = tmp_path / "web"
    web.mkdir()
    nginx = start_deploy_nginx(tmp_path / "nginx", tmp_path / "data", web, "127.0.0.1:9")
    try:
        token = None
        etags = []
        for n in range(3):
            data = json.dumps({"release_id": f"00000{n}-0123abcd"}).encode()
            assert storage.swap_pointer(data, token)
            token = storage.read_pointer()[1]
            response = requests.get(f"{nginx.url}/data/manifest.json", timeout=10,
                                    headers={"Accept-Encoding": "identity"})
            assert response.content == data
            etags.append(response.headers["ETag"])
        assert len(set(etags)) == 3
    finally:
        nginx.stop()


def test_open_data_files_are_plain_files_behind_nginx(stack):
    """The feed, the signing keys, release signatures and CSV downloads
    (docs/release-format.md) are served by nginx as the endpoint serves them."""
    published, nginx = stack
    manifest = requests.get(f"{nginx.url}/data/manifest.json", timeout=10).json()
    rid = manifest["release_id"]
    csv_href = manifest["layers"][0]["downloads"]["csv"]["href"]
    key_id = requests.get(f"{nginx.url}/data/keys.json", timeout=10).json()["current"]
    expected = {
        "feed.atom": ("application/atom+xml", "no-cache"),
        "keys.json": ("application/json", "no-cache"),
        "public-key.pem": ("application/x-pem-file", "no-cache"),
        f"keys/{key_id}.pem": ("application/x-pem-file", IMMUTABLE),
        f"releases/{rid}.json.sig": ("application/json", IMMUTABLE),
        csv_href: ("text/csv", IMMUTABLE),
    }
    for path, (ctype, cache) in expected.items():
        via_nginx = requests.get(f"{nginx.url}/data/{path}", timeout=10,
                                 headers={"Accept-Encoding": "identity"})
        direct = requests.get(f"{published.url}/data/{path}", timeout=10,
                              headers={"Accept-Encoding": "identity"})
        assert via_nginx.status_code == direct.status_code == 200, path
        assert via_nginx.content == direct.content, path
        assert via_nginx.headers["Content-Type"].startswith(ctype), path
        assert direct.headers["Content-Type"].startswith(ctype), path
        assert via_nginx.headers["Cache-Control"] == direct.headers["Cache-Control"] == cache
    raw, headers = get_encoded(f"{nginx.url}/data/{csv_href}", "br")
    assert headers["Content-Encoding"] == "br"
    assert brotli.decompress(raw) == requests.get(f"{published.url}/data/{csv_href}",
                                                  timeout=10).content
    # the private key never reaches /data/
    assert requests.get(f"{nginx.url}/data/keys/{key_id}.key", timeout=10).status_code == 404


def test_service_worker_and_web_app_manifest(stack):
    """The offline web app's two files: revalidated at every visit (a new
    build's worker is found at once), the manifest with its own type, both
    with the site's security headers."""
    published, nginx = stack
    for path, ctype in (("sw.js", "javascript"), ("manifest.webmanifest",
                                                  "application/manifest+json")):
        via_nginx = requests.get(f"{nginx.url}/{path}", timeout=10)
        direct = requests.get(f"{published.url}/{path}", timeout=10)
        assert via_nginx.status_code == direct.status_code == 200, path
        assert via_nginx.content == direct.content
        assert ctype in via_nginx.headers["Content-Type"] and ctype in direct.headers[
            "Content-Type"], path
        assert via_nginx.headers["Cache-Control"] == direct.headers["Cache-Control"] == "no-cache"
        for name in SECURITY_HEADERS:
            assert via_nginx.headers[name] == direct.headers[name], (path, name)
        assert "manifest-src 'self'" in via_nginx.headers["Content-Security-Policy"]
