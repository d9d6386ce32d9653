"""A dense layer's tiles may start above the province's first view (the
plugin raises minzoom until no tile is too big), and below minzoom the map
draws nothing. Its legend row then says "zoom in to see on the map" in the
reader's language, with a button that zooms to minzoom; the hint goes away
there and the tiles are drawn."""

from __future__ import annotations

import hashlib

import pytest
from test_map_accessibility import audit
from test_map_tiles import painted_pixels
from webmap_browser import ARTIFACTS, new_context, open_map
from webmap_data import UPDATED_AT, blob_bytes, sample_layers
from webmap_release import serve, write_release

from covidmaps_plugin.core.tiles import build_tile_archive, read_tile_archive

LAYER = "risk_points"
MINZOOM = 11  # above the first view of the whole province on any screen
HINT = {"vi": "Phóng to để xem trên bản đồ", "en": "Zoom in to see on the map"}
BUTTON = {"vi": "Phóng to", "en": "Zoom in"}
ROW = f"#legend-list > li[data-layer='{LAYER}']"


@pytest.fixture(scope="module")
def dense_site(qgis_app, tmp_path_factory, web_dist, profile, reference):
    """A release whose risk points are tiles from zoom MINZOOM only, made by
    the plugin's builder and laid out as the endpoint stores them."""
    data = tmp_path_factory.mktemp("webmap-zoom-hint")
    layers = sample_layers()
    blob = blob_bytes(layers[LAYER])
    sha = hashlib.sha256(blob).hexdigest()
    archive = build_tile_archive(LAYER, blob, sha, minzoom=MINZOOM, maxzoom=12)
    tiles, metadata = read_tile_archive(archive.data)
    for (z, x, y), body in tiles.items():
        path = data / "tiles" / archive.sha256 / str(z) / str(x) / f"{y}.pbf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    spec = {
        "href": f"tiles/{archive.sha256}/{{z}}/{{x}}/{{y}}.pbf",
        "minzoom": metadata["minzoom"],
        "maxzoom": metadata["maxzoom"],
        "layer": LAYER,
    }
    write_release(data, profile, layers, reference, sequence=1, tiles={LAYER: spec},
                  created_at=UPDATED_AT, data_updated_at=UPDATED_AT)
    with serve(web_dist, data) as base:
        yield base, layers, metadata["minzoom"]


def hints(page) -> dict:
    """Layer id -> (hint text, button text, button accessible name) of the
    legend rows that show a zoom hint."""
    return page.eval_on_selector_all(
        "#legend-list > li",
        """rows => Object.fromEntries(rows.filter(r => r.querySelector('.legend-zoom')).map(r => {
            const hint = r.querySelector('.legend-zoom');
            const button = hint.querySelector('button');
            return [r.dataset.layer, [hint.querySelector('span').textContent,
                                      button.textContent, button.getAttribute('aria-label')]];
        }))""",
    )


def record_announcements(page) -> None:
    page.evaluate(
        """() => { window.__said = [];
        new MutationObserver(() => { const t = document.getElementById('live').textContent;
            if (t) window.__said.push(t); })
            .observe(document.getElementById('live'), {childList: true, characterData: true,
                                                       subtree: true}); }"""
    )


def said(page) -> list:
    page.wait_for_timeout(150)  # app.announce writes the text after 50 ms
    return page.evaluate("() => window.__said.splice(0)")


def set_view(page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate(
        "([lat, lon, z]) => window.covidmapsApp.map.setView([lat, lon], z, {animate: false})",
        [lat, lon, zoom],
    )


def settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('.leaflet-tile-loading')")
    page.wait_for_timeout(200)


def test_hint_below_minzoom_and_its_button(page, dense_site):
    base, layers, minzoom = dense_site
    requests: list = []
    page.on("request", lambda r: requests.append(r.url))
    open_map(page, base + "/")
    settle(page)
    assert page.evaluate("() => window.covidmapsApp.map.getZoom()") < minzoom - 0.5
    title = page.text_content(f"{ROW} .legend-name")
    # only the tiled layer, with its own feature count, and nothing drawn yet
    assert hints(page) == {LAYER: [HINT["vi"], BUTTON["vi"], f"Phóng to để xem {title}"]}
    count = page.get_attribute(f"{ROW} .legend-count", "data-count")
    assert int(count) == len(layers[LAYER]["features"])
    assert not any(u.endswith(".pbf") for u in requests)
    button = page.get_by_role("button", name=f"{BUTTON['vi']} để xem {title}")
    assert button.is_visible()

    record_announcements(page)
    target = layers[LAYER]["features"][0]
    lon, lat = target["geometry"]["coordinates"]
    set_view(page, lat, lon, minzoom + 1)  # at/after minzoom: no hint
    settle(page)
    assert hints(page) == {} and painted_pixels(page, lon, lat) > 0
    set_view(page, lat, lon, minzoom - 2)  # the hint appears after a zoom change
    settle(page)
    assert LAYER in hints(page)
    assert said(page) == [f"{title}: {HINT['vi']}"]
    assert painted_pixels(page, lon, lat) == 0
    # still below minzoom, a pan, the language twice: the hint is not announced again
    set_view(page, lat, lon, minzoom - 1)
    set_view(page, lat + 0.01, lon, minzoom - 1)
    page.click("#lang-toggle")
    page.click("#lang-toggle")
    assert said(page) == []

    page.get_by_role("button", name=f"{BUTTON['vi']} để xem {title}").click()
    page.wait_for_function(f"() => window.covidmapsApp.map.getZoom() === {minzoom}")
    settle(page)
    # the legend follows on zoomend, which can come a frame after getZoom()
    # reports the new zoom on a loaded machine
    page.wait_for_function("() => !document.querySelector('#legend-list .legend-zoom')")
    # the centre is kept (to a screen pixel: Leaflet rounds pixel origins)
    moved_px = page.evaluate(
        "([lat, lon]) => { const m = window.covidmapsApp.map;"
        " return m.project(m.getCenter()).distanceTo(m.project([lat, lon])); }",
        [lat + 0.01, lon],
    )
    assert moved_px <= 1
    assert hints(page) == {}
    assert page.evaluate("() => document.activeElement === window.covidmapsApp.map.getContainer()")
    set_view(page, lat, lon, minzoom)
    settle(page)
    assert painted_pixels(page, lon, lat) > 0

    # a layer switched off needs no hint
    set_view(page, lat, lon, minzoom - 2)
    page.click("[data-panel='filters']")
    page.check(f"#panel input[data-layer='{LAYER}']:not([data-status])")
    assert LAYER in hints(page)
    page.uncheck(f"#panel input[data-layer='{LAYER}']:not([data-status])")
    assert hints(page) == {}


def test_hint_follows_the_language(page, dense_site):
    base, _layers, _minzoom = dense_site
    open_map(page, base + "/?lang=en")
    title_en = page.text_content(f"{ROW} .legend-name")
    assert hints(page) == {LAYER: [HINT["en"], BUTTON["en"], f"Zoom in to see {title_en}"]}
    page.screenshot(path=str(ARTIFACTS / "webmap-desktop-zoom-hint-en.png"))
    page.click("#lang-toggle")
    title_vi = page.text_content(f"{ROW} .legend-name")
    assert title_vi != title_en
    assert hints(page) == {LAYER: [HINT["vi"], BUTTON["vi"], f"Phóng to để xem {title_vi}"]}


def test_hint_on_a_phone(browser, dense_site):
    """Tappable, on screen, no axe-core violation; screenshot for a look."""
    base, _layers, minzoom = dense_site
    # bypass_csp: axe-core injects itself (as in test_map_accessibility)
    context = new_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                          has_touch=True, device_scale_factor=2, bypass_csp=True)
    try:
        page = context.new_page()
        open_map(page, base + "/")
        settle(page)
        button = page.locator(f"{ROW} .legend-zoom button")
        box = button.bounding_box()
        legend = page.locator("#legend").bounding_box()
        map_box = page.locator("#map").bounding_box()
        # the whole button on screen, inside the legend, big enough to tap
        assert box["x"] >= legend["x"] and box["x"] + box["width"] <= legend["x"] + legend["width"]
        assert box["y"] + box["height"] <= map_box["y"] + map_box["height"]
        assert box["height"] >= 24 and box["width"] >= 44
        assert legend["width"] * legend["height"] < 0.3 * map_box["width"] * map_box["height"]
        page.screenshot(path=str(ARTIFACTS / "webmap-phone-zoom-hint.png"))
        assert audit(page) == []
        button.tap()
        page.wait_for_function(f"() => window.covidmapsApp.map.getZoom() === {minzoom}")
        page.wait_for_selector(".legend-zoom", state="detached")
    finally:
        context.close()
