"""A layer published as vector tiles is drawn from its .pbf tiles (written
by QGIS's own QgsVectorTileWriter), not from the GeoJSON blob; taps on it
open the same popups and filters apply to it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from webmap_browser import open_map
from webmap_data import UPDATED_AT, blob_bytes, sample_layers
from webmap_release import serve, write_release

TILED = {"risk_points": 10, "isolation_zones": 10}  # layer -> maxzoom


def write_tiles(fc, layer_name: str, out: Path, maxzoom: int, tmp: Path) -> None:
    from qgis.core import QgsCoordinateTransformContext, QgsVectorLayer, QgsVectorTileWriter

    src = tmp / f"{layer_name}.geojson"
    src.write_text(json.dumps(fc), encoding="utf-8")
    layer = QgsVectorLayer(str(src), layer_name, "ogr")
    assert layer.isValid() and layer.featureCount() == len(fc["features"])
    writer = QgsVectorTileWriter()
    writer.setDestinationUri(f"type=xyz&url=file://{out.as_posix()}/{{z}}/{{x}}/{{y}}.pbf")
    writer.setMinZoom(0)
    writer.setMaxZoom(maxzoom)
    writer.setTransformContext(QgsCoordinateTransformContext())
    tile_layer = QgsVectorTileWriter.Layer(layer)
    tile_layer.setLayerName(layer_name)
    writer.setLayers([tile_layer])
    assert writer.writeTiles(), writer.errorMessage()


@pytest.fixture(scope="module")
def tiled_site(qgis_app, tmp_path_factory, web_dist, profile, reference):
    data = tmp_path_factory.mktemp("webmap-tiles")
    layers = sample_layers()
    tiles = {}
    for name, maxzoom in TILED.items():
        sha = hashlib.sha256(blob_bytes(layers[name])).hexdigest()
        write_tiles(
            layers[name], name, data / "tiles" / sha, maxzoom, tmp_path_factory.mktemp("src")
        )
        tiles[name] = {
            "href": f"tiles/{sha}/{{z}}/{{x}}/{{y}}.pbf",
            "minzoom": 0,
            "maxzoom": maxzoom,
            "layer": name,
        }
    manifest = write_release(
        data,
        profile,
        layers,
        reference,
        sequence=1,
        tiles=tiles,
        created_at=UPDATED_AT,
        data_updated_at=UPDATED_AT,
    )
    with serve(web_dist, data) as base:
        yield base, layers, manifest


def painted_pixels(page, lon: float, lat: float, radius: int = 4) -> int:
    """Non-transparent pixels of the tile canvases around a place."""
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


def click_at(page, lon: float, lat: float) -> None:
    point = page.evaluate(
        "([lon, lat]) => { const m = window.covidmapsApp.map;"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const b = m.getContainer().getBoundingClientRect();"
        " return [b.left + p.x, b.top + p.y]; }",
        [lon, lat],
    )
    page.mouse.click(point[0], point[1])


def zoom_in_and_tap(page, lon: float, lat: float, zoom: int = 12) -> str:
    """Zoom to a feature, check its tile is painted there, tap it; returns
    the title of the popup that opens."""
    page.evaluate(
        "([lat, lon, z]) => window.covidmapsApp.map.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )
    page.wait_for_function("() => !document.querySelector('.leaflet-tile-loading')")
    page.wait_for_timeout(200)
    assert painted_pixels(page, lon, lat) > 0
    click_at(page, lon, lat)
    page.wait_for_selector(".leaflet-popup .popup-title")
    return page.text_content(".leaflet-popup .popup-title")


def test_tiled_layers_are_drawn_from_tiles(page, tiled_site):
    base, layers, manifest = tiled_site
    requests: list = []
    page.on("request", lambda r: requests.append(r.url))
    open_map(page, base + "/")
    blobs = {layer["id"]: layer["blob"]["href"] for layer in manifest["layers"]}
    page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
    assert any("/data/tiles/" in u and u.endswith(".pbf") for u in requests)
    assert not any(u.endswith(blobs[name]) for u in requests for name in TILED)
    counts = page.eval_on_selector_all(
        "#legend-list > li",
        "l => Object.fromEntries(l.map(x => [x.dataset.layer,"
        " x.querySelector('.legend-count').dataset.count]))",
    )
    assert {name: int(counts[name]) for name in TILED} == {
        n: len(layers[n]["features"]) for n in TILED
    }

    target = next(
        f for f in layers["risk_points"]["features"] if f["properties"]["name"] == "Chợ Mới"
    )
    lon, lat = target["geometry"]["coordinates"]
    # beyond the tiles' maxzoom: the maxzoom tile is drawn magnified
    assert zoom_in_and_tap(page, lon, lat) == "Chợ Mới"
    page.keyboard.press("Escape")

    # filters apply to tiles: another district hides the point
    page.click("[data-panel='filters']")
    page.select_option("#district-filter", "058")
    page.wait_for_function("() => !document.querySelector('.leaflet-tile-loading')")
    page.wait_for_timeout(200)
    assert painted_pixels(page, lon, lat) == 0

    # the list view loads the GeoJSON blob when it is needed
    page.select_option("#district-filter", "")
    page.click("[data-panel='list']")
    page.wait_for_selector("#panel section[data-layer='risk_points'] tbody tr")
    rows = page.eval_on_selector_all(
        "#panel section[data-layer='risk_points'] tbody tr", "r => r.length"
    )
    assert rows == len(layers["risk_points"]["features"])
    assert any(u.endswith(blobs["risk_points"]) for u in requests)
