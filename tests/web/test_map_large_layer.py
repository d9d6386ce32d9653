"""A 100,000-point layer published through the real endpoint, which builds
its PMTiles archive, on a phone, served the three ways a deployment serves
/data/: the embedded server, the real nginx with the deploy config, and a
SeaweedFS bucket (the endpoint's S3 storage, read through a loopback
pass-through playing the CDN). On each: the province view draws the layer (clusters with
their counts), the archive is read with HTTP range requests (206, never the
whole file, never the layer's GeoJSON blob), the maximum zoom draws single
points and a tap opens the feature's popup."""

from __future__ import annotations

import contextlib
import http.client
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator
from urllib.parse import urlsplit

import pytest
from webmap_browser import ARTIFACTS, new_context, open_map
from webmap_data import UPDATED_AT
from webmap_pmtiles import LARGE, large_layers, publish, tiled_endpoint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publish"))
from nginx_runner import start_deploy_nginx  # noqa: E402
from s3_fixtures import seaweedfs  # noqa: E402,F401 - the SeaweedFS server fixture

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture(scope="module")
def large_embedded(web_dist, reference, tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """The sample province with 100,000 risk points published through the
    real endpoint (local storage), which builds the layer's archive."""
    data = tmp_path_factory.mktemp("large-embedded") / "endpoint"
    layers = large_layers()
    with tiled_endpoint(data, web_dist) as ep:
        manifest = publish(ep["base"], ep["token"], layers, reference, UPDATED_AT)
        yield {**ep, "manifest": manifest, "layers": layers,
               "tree": data / "public" / "data"}


# ----------------------------------------------------------- the servers


@pytest.fixture(scope="module")
def nginx_site(large_embedded, web_dist, tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """nginx with the deploy config over the endpoint's data directory."""
    upstream = large_embedded["base"].split("//", 1)[1]
    nginx = start_deploy_nginx(tmp_path_factory.mktemp("large-nginx"),
                               large_embedded["data_dir"], web_dist, upstream)
    try:
        yield {**large_embedded, "base": nginx.url}
    finally:
        nginx.stop()


class _Cdn(BaseHTTPRequestHandler):
    """/ from the built map, /data/<path> from the bucket's PREFIX/data/<path>
    as a CDN in front of it does: Range, status and headers passed through."""

    web: Path
    client: Any
    bucket: str
    prefix: str

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        path = urlsplit(self.path).path
        if not path.startswith("/data/"):
            target = self.web / (path.lstrip("/") or "index.html")
            body = target.read_bytes() if target.is_file() and ".." not in path else b""
            ctype = {".js": "text/javascript", ".css": "text/css", ".html": "text/html",
                     ".json": "application/json"}.get(target.suffix, "application/octet-stream")
            return self._answer(200 if body else 404, {"Content-Type": ctype}, body)
        from botocore.exceptions import ClientError

        args = {"Bucket": self.bucket, "Key": f"{self.prefix}/data/{path[len('/data/'):]}"}
        if self.headers.get("Range"):
            args["Range"] = self.headers["Range"]
        try:
            got = self.client.get_object(**args)
        except ClientError as exc:
            status = int(exc.response["ResponseMetadata"]["HTTPStatusCode"])
            return self._answer(status, {"Content-Type": "text/plain"}, b"")
        meta = got["ResponseMetadata"]
        headers = {k: v for k, v in meta["HTTPHeaders"].items()
                   if k in ("content-type", "content-range", "etag", "cache-control",
                            "content-encoding", "accept-ranges")}
        return self._answer(meta["HTTPStatusCode"], headers, got["Body"].read())

    def _answer(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def s3_site(large_embedded, web_dist, reference, seaweedfs,  # noqa: F811 - fixture
            tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """The same layers published by the endpoint into a SeaweedFS bucket,
    read through a pass-through "CDN" in front of the bucket."""
    bucket = seaweedfs.new_bucket("large")
    data = tmp_path_factory.mktemp("large-s3") / "endpoint"
    layers = large_embedded["layers"]
    with tiled_endpoint(data, web_dist, storage_url=f"s3://{bucket}/site") as ep:
        manifest = publish(ep["base"], ep["token"], layers, reference, UPDATED_AT)
    client = seaweedfs.client()
    handler = type("Cdn", (_Cdn,), {"web": web_dist, "client": client, "bucket": bucket,
                                     "prefix": "site"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {"base": f"http://127.0.0.1:{server.server_address[1]}", "manifest": manifest,
               "layers": layers, "tree": large_embedded["tree"]}
    finally:
        server.shutdown()
        server.server_close()
        client.close()


@pytest.fixture(params=["embedded", "nginx", "s3"])
def large_site(request) -> Dict[str, Any]:
    site = request.getfixturevalue(
        "large_embedded" if request.param == "embedded" else f"{request.param}_site")
    return {**site, "name": request.param}


# -------------------------------------------------------------- helpers


@contextlib.contextmanager
def phone_page(browser, **options: Any) -> Iterator[Any]:
    context = new_context(browser, **{**PHONE, **options})
    page = context.new_page()
    page.set_default_timeout(30000)
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


TILES_LOADED = """() => { const app = window.covidmapsApp;
    return [...app.layers.values()].every((e) => !e.tileLayer || !app.map.hasLayer(e.tileLayer)
                                          || !e.tileLayer.isLoading()); }"""


def settle(page) -> None:
    """Until the tiled layers have drawn every tile of the view (twice: a
    zoom animation's end may start new tiles)."""
    for _ in range(2):
        page.wait_for_timeout(150)
        page.wait_for_function(TILES_LOADED)


def painted(page, lon: float, lat: float, radius: int = 4) -> int:
    """Non-transparent pixels of the vector tile canvases around a place."""
    return page.evaluate(
        """([lon, lat, r]) => {
        const map = window.covidmapsApp.map;
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        let n = 0;
        for (const c of document.querySelectorAll('.leaflet-pane canvas.leaflet-tile')) {
            const b = c.getBoundingClientRect();
            const x = (box.left + p.x - b.left) * c.width / b.width;
            const y = (box.top + p.y - b.top) * c.height / b.height;
            if (x < 0 || y < 0 || x >= c.width || y >= c.height) continue;
            const d = c.getContext('2d')
                .getImageData(Math.max(0, x - r), Math.max(0, y - r), 2 * r, 2 * r).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        }
        return n;
    }""",
        [lon, lat, radius],
    )


def painted_share(page) -> float:
    """The share of the map's visible tile-canvas pixels that are painted."""
    return page.evaluate(
        """() => {
        const box = window.covidmapsApp.map.getContainer().getBoundingClientRect();
        let all = 0, n = 0;
        for (const c of document.querySelectorAll('.leaflet-pane canvas.leaflet-tile')) {
            const b = c.getBoundingClientRect();
            if (b.right < box.left || b.left > box.right) continue;
            if (b.bottom < box.top || b.top > box.bottom) continue;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 16) { all++; if (d[i] > 0) n++; }
        }
        return all ? n / all : 0;
    }"""
    )


def screen_point(page, lon: float, lat: float):
    return page.evaluate(
        "([lon, lat]) => { const m = window.covidmapsApp.map;"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const b = m.getContainer().getBoundingClientRect();"
        " return [b.left + p.x, b.top + p.y]; }",
        [lon, lat],
    )


def set_view(page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate(
        "([lat, lon, z]) => window.covidmapsApp.map.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )


def assert_small_symbols_over_clusters(page, layers: Dict[str, Any]) -> None:
    """The small layers' points (facilities, checkpoints...) are painted over
    the large layer's clusters: their canvas sits in a pane stacked above
    the tiles' pane (a translucent symbol still shows a cluster through it,
    so this is read from the stacking, not from pixels)."""
    places = [f["geometry"]["coordinates"] for layer, fc in layers.items() if layer != LARGE
              for f in fc["features"] if f["geometry"]["type"] == "Point"]
    assert any(painted(page, lon, lat) > 0 for lon, lat in places), \
        "no small-layer symbol lies on a cluster: the order would not show"
    tiles_z, symbols_z = page.evaluate(
        f"""() => {{ const app = window.covidmapsApp;
        const z = (el) => Number(getComputedStyle(el.closest('.leaflet-pane')).zIndex);
        return [z(app.layers.get('{LARGE}').tileLayer.getContainer()),
                z(app.renderers.points._container)]; }}""")
    assert tiles_z < symbols_z


def watch(page) -> list:
    """Every response: (url, status, request Range header, response headers)."""
    seen: list = []
    page.on("response", lambda r: seen.append(
        (r.url, r.status, r.request.headers.get("range"), r.headers)))
    return seen


# ---------------------------------------------------------------- tests


def test_large_layer_on_a_phone(browser, large_site):
    base, manifest, layers = large_site["base"], large_site["manifest"], large_site["layers"]
    entry = next(e for e in manifest["layers"] if e["id"] == LARGE)
    spec = entry["tiles"]
    with phone_page(browser) as page:
        seen = watch(page)
        open_map(page, base + "/")
        page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
        settle(page)
        zoom = page.evaluate("() => window.covidmapsApp.map.getZoom()")
        assert zoom < spec["cluster_maxzoom"]  # the province view: clusters

        # the archive, by ranges only; the 100k-point blob is not loaded
        archive = [s for s in seen if s[0].endswith(spec["href"])]
        assert archive and all(status == 206 for _, status, _, _ in archive), archive
        assert all(rng and rng.startswith("bytes=") for _, _, rng, _ in archive)
        for _, _, _, headers in archive:
            assert headers["content-type"] == "application/vnd.pmtiles"
            assert "content-encoding" not in headers
        fetched = sum(int(h["content-range"].split("-")[1].split("/")[0])
                      - int(h["content-range"].split(" ")[1].split("-")[0]) + 1
                      for _, _, _, h in archive)
        assert fetched < spec["size"] / 10
        assert not any(s[0].endswith(entry["blob"]["href"]) for s in seen)

        # drawn: clusters over the province, the legend counts every point
        assert painted_share(page) > 0.01
        count = page.get_attribute(f"#legend-list > li[data-layer='{LARGE}'] .legend-count",
                                   "data-count")
        assert int(count) == len(layers[LARGE]["features"]) == 100_000
        name = large_site["name"]
        page.screenshot(path=str(ARTIFACTS / f"webmap-phone-large-province-{name}.png"))
        assert_small_symbols_over_clusters(page, layers)

        # a tap on a cluster zooms in towards it
        target = layers[LARGE]["features"][0]
        lon, lat = target["geometry"]["coordinates"]
        x, y = screen_point(page, lon, lat)
        hit = page.evaluate(
            "async ([lat, lon]) => { const e = window.covidmapsApp.layers.get('risk_points');"
            " const h = await e.tileLayer.hitAt({lat, lng: lon}, window.covidmapsApp.map, 30);"
            " return h && h.cluster ? [h.cluster.latlng.lat, h.cluster.latlng.lng, h.cluster.count]"
            " : null; }", [lat, lon])
        assert hit and hit[2] > 1
        cx, cy = screen_point(page, hit[1], hit[0])
        page.mouse.click(cx, cy)
        page.wait_for_function(f"() => window.covidmapsApp.map.getZoom() > {zoom}")
        settle(page)
        assert not page.query_selector(".leaflet-popup")

        # the map's maximum zoom (beyond the archive's): single points, a popup
        set_view(page, lat, lon, 18)
        settle(page)
        assert painted(page, lon, lat) > 0
        x, y = screen_point(page, lon, lat)
        page.mouse.click(x, y)
        page.wait_for_selector(".leaflet-popup .popup-title")
        assert page.text_content(".leaflet-popup .popup-title") == target["properties"]["name"]
        page.screenshot(path=str(ARTIFACTS / f"webmap-phone-large-zoomed-{name}.png"))
        assert all(s[1] == 206 for s in seen if s[0].endswith(spec["href"]))
        assert not any(s[0].endswith(entry["blob"]["href"]) for s in seen)


def test_the_service_worker_keeps_the_large_layer_light(browser, large_embedded):
    """The offline worker keeps the release's small blobs, never a tiled
    layer's whole GeoJSON behind the phone's back."""
    base, manifest = large_embedded["base"], large_embedded["manifest"]
    entry = next(e for e in manifest["layers"] if e["id"] == LARGE)
    small = next(e for e in manifest["layers"] if not e.get("tiles"))
    with phone_page(browser, service_workers="allow") as page:
        fetched: list = []
        page.context.on("request", lambda r: fetched.append(r.url))
        open_map(page, base + "/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        kept = "(href) => caches.open('covidmaps-data').then((c) => c.match(new URL(href, " \
               "new URL('data/', location.href)).href)).then((r) => Boolean(r))"
        page.wait_for_function(f"() => ({kept})('{small['blob']['href']}')")
        assert not page.evaluate(f"({kept})('{entry['blob']['href']}')")
        assert not any(url.endswith(entry["blob"]["href"]) for url in fetched)


def test_range_requests_are_answered_as_ranges(large_site):
    """What the map relies on, asked directly: a byte range of the archive
    is a 206 with exactly those bytes."""
    spec = next(e for e in large_site["manifest"]["layers"] if e["id"] == LARGE)["tiles"]
    # the same blob gives the same archive wherever the endpoint stores it
    data = (large_site["tree"] / spec["href"]).read_bytes()
    url = urlsplit(f"{large_site['base']}/data/{spec['href']}")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", url.path, headers={"Range": "bytes=100-16483",
                                               "Accept-Encoding": "gzip, br"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 206
    assert resp.getheader("Content-Range") == f"bytes 100-16483/{len(data)}"
    assert resp.getheader("Content-Encoding") in (None, "identity")
    assert body == data[100:16484]
