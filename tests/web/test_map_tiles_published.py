"""The whole tile path with real parts: the plugin's builder makes the tiles
of the published risk points (QGIS's QgsVectorTileWriter), the endpoint
checks and stores them and names them in the release manifest, and the web
map in Chromium draws the layer from those tiles and opens a popup on one."""

from __future__ import annotations

import json
import urllib.request

import pytest
from test_map_tiles import zoom_in_and_tap
from webmap_browser import open_map
from webmap_data import UPDATED_AT, plugin_sample_layers
from webmap_publish import _request, endpoint

from covidmaps_plugin.core.tiles import build_tile_archive

LAYER = "risk_points"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback
        return resp.read()


@pytest.fixture(scope="module")
def tiled_release(qgis_app, tmp_path_factory, web_dist, reference):
    data = tmp_path_factory.mktemp("webmap-tiles-endpoint")
    with endpoint(data, web_dist) as ep:
        manifest = ep.publish(plugin_sample_layers(), reference, UPDATED_AT)
        entry = next(e for e in manifest["layers"] if e["id"] == LAYER)
        blob = _get(f"{ep.base}/data/{entry['blob']['href']}")
        archive = build_tile_archive(LAYER, blob, entry["blob"]["sha256"], minzoom=5, maxzoom=10)
        _request("PUT", f"{ep.base}/api/v1/layers/{LAYER}/tiles/{archive.sha256}", ep.token,
                 archive.data, {"Content-Type": "application/x-tar"})
        summary = _request("POST", f"{ep.base}/api/v1/releases", ep.token,
                           json.dumps({"tiles": {LAYER: archive.sha256}}).encode(),
                           {"Content-Type": "application/json",
                            "If-Match": f'"{ep.current_id()}"'})
        manifest = json.loads(_get(f"{ep.base}{summary['href']}"))
        yield ep.base, json.loads(blob), manifest


def test_server_published_tiles_are_drawn(page, tiled_release):
    base, blob, manifest = tiled_release
    entry = next(e for e in manifest["layers"] if e["id"] == LAYER)
    assert entry["tiles"]["layer"] == LAYER and entry["tiles"]["maxzoom"] == 10
    requests: list = []
    page.on("request", lambda r: requests.append(r.url))
    open_map(page, base + "/")
    page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
    tile_prefix = f"/data/tiles/{entry['tiles']['sha256']}/"
    assert any(tile_prefix in u for u in requests)
    assert not any(u.endswith(entry["blob"]["href"]) for u in requests)

    target = blob["features"][0]
    lon, lat = target["geometry"]["coordinates"]
    assert zoom_in_and_tap(page, lon, lat) == target["properties"]["name"]
