"""The basemap: shipped configured (OpenStreetMap's standard tiles with
their attribution), allowed by the CSP and nothing else, drawn after the
first features, switchable off, and a graceful fallback to the province
outlines when its tiles cannot load. Tiles come from 127.0.0.1 only."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request

import pytest
from webmap_browser import ROOT, open_map
from webmap_data import UPDATED_AT, sample_layers
from webmap_publish import endpoint
from webmap_tiles import BASEMAP_ATTRIBUTION, tile_server, web_with_basemap

OSM = "https://tile.openstreetmap.org"


def _csp(base: str) -> str:
    with urllib.request.urlopen(base + "/", timeout=10) as resp:  # noqa: S310 - loopback
        return resp.headers["Content-Security-Policy"]


def _origins(csp: str) -> set:
    return set(re.findall(r"https?://[^\s;]+", csp))


def test_shipped_config_names_osm_tiles_with_their_attribution(built_dist):
    config = json.loads((built_dist / "config.json").read_text(encoding="utf-8"))
    basemap = config["basemap"]
    assert basemap["url"] == OSM + "/{z}/{x}/{y}.png"
    assert basemap["enabled"] is True
    assert "OpenStreetMap" in basemap["attribution"]
    assert basemap["attribution_url"] == "https://www.openstreetmap.org/copyright"


def test_csp_allows_exactly_the_configured_tile_origin(tmp_path, built_dist, tiles):
    # the shipped configuration, served without --basemap-origin: OSM, in img-src only
    with endpoint(tmp_path / "shipped", built_dist) as ep:
        csp = _csp(ep.base)
    assert _origins(csp) == {OSM}
    assert f"img-src 'self' data: blob: {OSM};" in csp
    assert "connect-src 'self';" in csp
    # a province's own basemap: its origin replaces OSM's
    web = web_with_basemap(built_dist, tmp_path / "web", tiles["url"])
    with endpoint(tmp_path / "own", web) as ep:
        assert _origins(_csp(ep.base)) == {tiles["url"]}
    # switched off: no outside origin at all
    off = web_with_basemap(built_dist, tmp_path / "off", tiles["url"], enabled=False)
    with endpoint(tmp_path / "none", off) as ep:
        assert _origins(_csp(ep.base)) == set()
    # nginx (render_nginx.py) derives the same policy from the same config.json
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "publish/deploy/render_nginx.py"),
            "--data-dir",
            str(tmp_path),
            "--web-dir",
            str(web),
            "--out",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    header = re.search(r'add_header Content-Security-Policy "([^"]+)"', out).group(1)
    assert _origins(header) == {tiles["url"]}
    assert header == csp.replace(OSM, tiles["url"])


@pytest.fixture(scope="module")
def basemap_site(tmp_path_factory, built_dist, reference):
    """A release served with a basemap whose tile server the test controls."""
    with tile_server() as server:
        web = web_with_basemap(built_dist, tmp_path_factory.mktemp("bm") / "dist", server["url"])
        with endpoint(tmp_path_factory.mktemp("webmap-basemap"), web) as ep:
            ep.publish(sample_layers(), reference, UPDATED_AT)
            yield {"base": ep.base, "tiles": server}


def test_basemap_is_drawn_under_outlines_with_a_linked_attribution(page, basemap_site):
    basemap_site["tiles"]["state"].update(fail=False, delay=0)
    open_map(page, basemap_site["base"] + "/")
    page.wait_for_selector("html[data-basemap='on']")
    assert page.locator("img.leaflet-tile-loaded").count() > 0
    link = page.locator("#attribution a")
    assert link.text_content() == BASEMAP_ATTRIBUTION
    assert link.get_attribute("href") == "https://www.openstreetmap.org/copyright"
    # over a basemap the province is outlined, not painted over its streets
    assert page.evaluate(
        "() => covidmapsApp.reference.get('province').options.style !== undefined"
        " && [...covidmapsApp.reference.get('province').getLayers()]"
        ".every(l => l.options.fill === false)"
    )
    hits = basemap_site["tiles"]["hits"]
    assert hits and all(re.fullmatch(r"/\d+/\d+/\d+\.png", h) for h in hits)
    # tile servers ask for a Referer (OpenStreetMap's policy): the site's
    # origin only, never the reader's view in the page URL
    assert set(basemap_site["tiles"]["referers"][-len(hits) :]) <= {basemap_site["base"] + "/"}
    assert basemap_site["tiles"]["referers"][-1] == basemap_site["base"] + "/"


def test_first_features_do_not_wait_for_the_tiles(page, basemap_site):
    basemap_site["tiles"]["state"].update(fail=False, delay=4)
    try:
        open_map(page, basemap_site["base"] + "/")
        page.wait_for_selector("html[data-features-drawn='1']")
        assert page.locator("img.leaflet-tile-loaded").count() == 0  # tiles still on their way
    finally:
        basemap_site["tiles"]["state"].update(delay=0)


def test_tiles_that_cannot_load_fall_back_to_the_outlines(page, basemap_site):
    basemap_site["tiles"]["state"].update(fail=True, delay=0)
    try:
        open_map(page, basemap_site["base"] + "/")
        page.wait_for_selector("html[data-basemap='failed']")
        assert page.text_content("#attribution") == (
            "Không tải được bản đồ nền: chỉ có ranh giới tỉnh và huyện."
        )
        assert page.locator(".leaflet-tile-pane img").count() == 0
        # the province is filled again, as without a basemap
        assert page.evaluate(
            "() => [...covidmapsApp.reference.get('province').getLayers()]"
            ".every(l => l.options.fill === true)"
        )
    finally:
        basemap_site["tiles"]["state"].update(fail=False)


def test_reader_switches_the_basemap_off_and_the_link_keeps_it(page, basemap_site):
    basemap_site["tiles"]["state"].update(fail=False, delay=0)
    open_map(page, basemap_site["base"] + "/")
    page.wait_for_selector("html[data-basemap='on']")
    page.click("[data-panel='filters']")
    page.uncheck("#basemap-toggle")
    page.wait_for_selector("html[data-basemap='off']")
    assert page.locator(".leaflet-tile-pane img").count() == 0
    assert "bm=0" in page.url
    asked = len(basemap_site["tiles"]["hits"])
    open_map(page, page.url)
    page.wait_for_timeout(300)
    assert len(basemap_site["tiles"]["hits"]) == asked  # not one tile asked for
    assert page.text_content("#attribution") == "Không có bản đồ nền: ranh giới tỉnh và huyện."


def test_config_with_the_basemap_switched_off_asks_no_tile(page, tmp_path, built_dist, reference):
    with tile_server() as server:
        web = web_with_basemap(built_dist, tmp_path / "dist", server["url"], enabled=False)
        with endpoint(tmp_path / "data", web) as ep:
            ep.publish(sample_layers(), reference, UPDATED_AT)
            open_map(page, ep.base + "/")
            page.wait_for_timeout(300)
        assert server["hits"] == []
    assert page.text_content("#attribution") == "Không có bản đồ nền: ranh giới tỉnh và huyện."
