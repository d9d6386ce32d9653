"""Screenshots at phone and desktop sizes (tests/artifacts/), with the checks
a reader needs: the time of the data visible, the legend compact on a phone
and never covering the whole map."""

from __future__ import annotations

import pytest
from webmap_browser import ARTIFACTS, new_context, open_map

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots(browser, base_url, size):
    viewport = SIZES[size]
    context = new_context(
        browser,
        viewport=viewport,
        is_mobile=size == "phone",
        has_touch=size == "phone",
        device_scale_factor=2 if size == "phone" else 1,
    )
    try:
        page = context.new_page()
        open_map(page, base_url + "/")
        page.wait_for_timeout(300)
        assert page.is_visible("#updated-time")
        box = page.locator("#updated-time").bounding_box()
        assert box["y"] + box["height"] <= 90  # at the top, without scrolling
        legend = page.locator("#legend").bounding_box()
        map_box = page.locator("#map").bounding_box()
        assert legend["width"] * legend["height"] < 0.3 * map_box["width"] * map_box["height"]
        page.screenshot(path=str(ARTIFACTS / f"webmap-{size}.png"))
        page.click("[data-panel='list']")
        page.wait_for_timeout(200)
        page.screenshot(path=str(ARTIFACTS / f"webmap-{size}-list.png"))
        page.click("#panel tbody th button >> nth=0")
        page.wait_for_selector(".leaflet-popup")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"webmap-{size}-popup.png"))
        page.keyboard.press("Escape")
        page.click("#lang-toggle")
        page.click("[data-panel='stats']")
        page.wait_for_selector("#stats table")
        page.screenshot(path=str(ARTIFACTS / f"webmap-{size}-stats-en.png"))
    finally:
        context.close()
