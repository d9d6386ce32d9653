"""A tile basemap configured in config.json next to index.html (absent: no
basemap, the province outlines only, as the other tests show)."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from webmap_browser import open_map
from webmap_data import UPDATED_AT, sample_layers
from webmap_publish import endpoint
from webmap_release import recorder

# a 1 x 1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def tile_server():
    with recorder(200, "image/png", PNG) as (url, hits):
        yield url, hits


def test_configured_basemap_is_drawn_with_its_attribution(
    page, tmp_path_factory, web_dist, reference, tile_server
):
    origin, hits = tile_server
    web = tmp_path_factory.mktemp("web-with-config") / "dist"
    shutil.copytree(web_dist, web)
    attribution = "© Bản đồ nền thử nghiệm"
    (web / "config.json").write_text(
        json.dumps({"basemap": {"url": origin + "/{z}/{x}/{y}.png", "attribution": attribution}}),
        encoding="utf-8",
    )
    data = tmp_path_factory.mktemp("webmap-basemap")
    with endpoint(data, web, "--basemap-origin", origin) as ep:
        ep.publish(sample_layers(), reference, UPDATED_AT)
        open_map(page, ep.base + "/")
        page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length")
        assert page.text_content("#attribution") == attribution
    assert hits and all(path.count("/") == 3 and path.endswith(".png") for path in hits)
