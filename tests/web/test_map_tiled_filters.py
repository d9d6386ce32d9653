"""A tiled layer (3,000 risk points: the endpoint builds its archive) with
the map's filters and panels: a status switched off empties its clusters, a
district or search word (which clusters cannot answer) draws the matching
features of the GeoJSON blob, loaded only then; the list loads the blob
when opened. A release whose archive cannot be read by ranges, and a
format 1 release naming z/x/y tiles, are drawn from their blobs."""

from __future__ import annotations

import math
import shutil
from typing import Any, Dict, Iterator

import pytest
from covidmaps_publish.tile_input import tile_feature_id
from test_map_large_layer import painted, painted_share, screen_point, set_view, settle
from webmap_browser import open_map
from webmap_data import UPDATED_AT, sample_layers
from webmap_pmtiles import LARGE, large_layers, publish, tiled_endpoint
from webmap_release import serve, write_release


@pytest.fixture(scope="module")
def tiled(web_dist, reference, tmp_path_factory) -> Iterator[Dict[str, Any]]:
    data = tmp_path_factory.mktemp("tiled-filters") / "endpoint"
    layers = large_layers(3000)
    with tiled_endpoint(data, web_dist) as ep:
        manifest = publish(ep["base"], ep["token"], layers, reference, UPDATED_AT)
        entry = next(e for e in manifest["layers"] if e["id"] == LARGE)
        assert entry["tiles"] and entry["tiles"]["format"] == "pmtiles"
        yield {**ep, "manifest": manifest, "layers": layers, "entry": entry,
               "tree": data / "public" / "data"}


def requested(page) -> list:
    urls: list = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def test_filters_on_a_tiled_layer(page, tiled):
    entry, layers = tiled["entry"], tiled["layers"]
    urls = requested(page)
    open_map(page, tiled["base"] + "/")
    page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
    settle(page)
    assert painted_share(page) > 0.01
    assert not any(u.endswith(entry["blob"]["href"]) for u in urls)

    # the filters panel counts the tiled layer without loading its blob
    page.click("[data-panel='filters']")
    count = page.text_content(f"#panel .filter-count[data-layer='{LARGE}']")
    assert count.strip() == f"({len(layers[LARGE]['features'])})"

    # every risk point is active: switching "active" off empties the clusters
    status_box = f"#panel input[data-layer='{LARGE}'][data-status='active']"
    page.uncheck(status_box)
    settle(page)
    assert painted_share(page) == 0
    page.check(status_box)
    settle(page)
    assert painted_share(page) > 0.01
    assert not any(u.endswith(entry["blob"]["href"]) for u in urls)

    # a district: the blob's features of that district, drawn one by one
    here = next(f for f in layers[LARGE]["features"] if f["properties"]["name"].startswith("Điểm"))
    lon, lat = here["geometry"]["coordinates"]
    district = here["properties"]["district_code"]
    other = next(f["properties"]["district_code"] for f in layers[LARGE]["features"]
                 if f["properties"]["district_code"] != district)
    set_view(page, lat, lon, 15)
    settle(page)
    assert painted(page, lon, lat) > 0
    page.select_option("#district-filter", other)
    page.wait_for_function(
        f"() => window.covidmapsApp.layers.get('{LARGE}').tileLayer.drawsOwnFeatures()")
    settle(page)
    assert any(u.endswith(entry["blob"]["href"]) for u in urls)
    assert painted(page, lon, lat) == 0
    page.select_option("#district-filter", district)
    settle(page)
    assert painted(page, lon, lat) > 0
    # and a tap on it opens its popup from the blob's feature
    page.keyboard.press("Escape")  # the panel closes: the map takes its room
    page.wait_for_selector("#panel", state="hidden")
    page.wait_for_timeout(300)
    x, y = page.evaluate(
        "([lon, lat]) => { const m = window.covidmapsApp.map;"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const b = m.getContainer().getBoundingClientRect();"
        " return [b.left + p.x, b.top + p.y]; }", [lon, lat])
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup .popup-title")
    assert page.text_content(".leaflet-popup .popup-title") == here["properties"]["name"]
    page.keyboard.press("Escape")

    # no district: back to the archive
    page.click("[data-panel='filters']")
    page.select_option("#district-filter", "")
    page.wait_for_function(
        f"() => !window.covidmapsApp.layers.get('{LARGE}').tileLayer.drawsOwnFeatures()")
    settle(page)
    assert painted(page, lon, lat) > 0


def test_list_loads_the_blob_when_opened(page, tiled):
    entry = tiled["entry"]
    urls = requested(page)
    open_map(page, tiled["base"] + "/")
    page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
    assert not any(u.endswith(entry["blob"]["href"]) for u in urls)
    page.click("[data-panel='list']")
    page.wait_for_selector(f"#panel section[data-layer='{LARGE}'] tbody tr")
    assert any(u.endswith(entry["blob"]["href"]) for u in urls)


def test_archive_without_ranges_falls_back_to_the_blob(page, tiled, web_dist, tmp_path):
    """A server that ignores Range (answers 200 with the whole file): the
    map cannot read the archive and draws the layer from its blob."""
    tree = tmp_path / "data"
    shutil.copytree(tiled["tree"], tree)
    target = tiled["layers"][LARGE]["features"][0]
    lon, lat = target["geometry"]["coordinates"]
    with serve(web_dist, tree) as base:
        urls = requested(page)
        open_map(page, f"{base}/")
        page.wait_for_function(
            f"() => window.covidmapsApp.layers.get('{LARGE}').tileLayer.drawsOwnFeatures()")
        assert any(u.endswith(tiled["entry"]["blob"]["href"]) for u in urls)
        set_view(page, lat, lon, 15)
        settle(page)
        assert painted(page, lon, lat) > 0


def test_format_1_tile_directory_is_drawn_from_the_blob(page, web_dist, profile, reference,
                                                        tmp_path):
    layers = sample_layers()
    legacy = {"href": "tiles/" + "0" * 64 + "/{z}/{x}/{y}.pbf", "minzoom": 0, "maxzoom": 10,
              "layer": LARGE}
    write_release(tmp_path, profile, layers, reference, sequence=1, tiles={LARGE: legacy},
                  created_at=UPDATED_AT, data_updated_at=UPDATED_AT)
    with serve(web_dist, tmp_path) as base:
        urls = requested(page)
        open_map(page, f"{base}/")
        page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
        assert not any(".pbf" in u for u in urls)
        assert page.evaluate(f"() => !window.covidmapsApp.layers.get('{LARGE}').tileLayer")
        count = page.get_attribute(f"#legend-list > li[data-layer='{LARGE}'] .legend-count",
                                   "data-count")
        assert int(count) == len(layers[LARGE]["features"])


def test_popup_properties_come_from_the_maximum_zoom_tile(page, tiled):
    """Tiles below the archive's maxzoom carry only what the map draws (no
    name, no address, no uid: the feature id stands for it): a popup reads
    the feature again, by that id, from the maxzoom tile under it, by a byte
    range of the archive, not from the blob; a point rounded across a
    maxzoom tile's edge at a low zoom is still found."""
    entry, layers = tiled["entry"], tiled["layers"]
    urls = requested(page)
    open_map(page, tiled["base"] + "/")
    page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
    settle(page)
    low = page.evaluate(
        "async () => { const e = window.covidmapsApp.layers.get('risk_points');"
        " const l = e.tileLayer; const out = new Set();"
        " for (const f of await l._features(l._spec.minzoom, 12, 7))"
        "   for (const k of Object.keys(f.props)) out.add(k);"
        " return [...out]; }")
    assert "status" in low
    assert not {"uid", "name", "address"} & set(low)
    find = ("async ([id, lon, lat, fromZoom]) => {"
            " const e = window.covidmapsApp.layers.get('risk_points');"
            " const f = await e.tileLayer.fullFeature(id, {type: 'Point', coordinates: [lon, lat]},"
            "   fromZoom, [lon, lat]);"
            " return f && {id: f.id, properties: f.properties}; }")
    maxzoom = entry["tiles"]["maxzoom"]
    features = layers[LARGE]["features"]
    for target in features[:3]:
        lon, lat = target["geometry"]["coordinates"]
        full = page.evaluate(find, [tile_feature_id(target["id"]), lon, lat, 9])
        assert full and full["id"] == target["id"]
        expected = {k: v for k, v in target["properties"].items() if v is not None}
        assert full["properties"] == expected

    # a point a few metres from a maxzoom tile's west or east edge, as a
    # zoom-9 tile may have rounded it: just across that edge
    def edge_offset(lon: float) -> float:
        x = (lon + 180) / 360 * 2 ** maxzoom
        frac = x - math.floor(x)
        return -frac if frac < 0.5 else 1 - frac  # to the nearest edge, in tiles

    near = min(features, key=lambda f: abs(edge_offset(f["geometry"]["coordinates"][0])))
    lon, lat = near["geometry"]["coordinates"]
    offset = edge_offset(lon)
    assert abs(offset) * 256 < 2, "no sample point near a tile edge"
    across = lon + (offset + math.copysign(0.001, offset)) * 360 / 2 ** maxzoom
    full = page.evaluate(find, [tile_feature_id(near["id"]), across, lat, 9])
    assert full and full["id"] == near["id"]

    # what a citizen does: a tap on a lone point below the maximum zoom
    # opens its popup, with its name (read from the maxzoom tile)
    zoom = entry["tiles"]["cluster_maxzoom"]
    for target in features:
        lon, lat = target["geometry"]["coordinates"]
        set_view(page, lat, lon, zoom)
        settle(page)
        lone = page.evaluate(
            "async ([lat, lon]) => { const e = window.covidmapsApp.layers.get('risk_points');"
            " const h = await e.tileLayer.hitAt({lat, lng: lon}, window.covidmapsApp.map, 4);"
            " return Boolean(h && h.feature && h.partial); }", [lat, lon])
        if lone:
            break
    assert lone, "no lone point below the maximum zoom"
    x, y = screen_point(page, lon, lat)
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup .popup-title")
    assert page.text_content(".leaflet-popup .popup-title") == target["properties"]["name"]
    assert not any(u.endswith(entry["blob"]["href"]) for u in urls)
