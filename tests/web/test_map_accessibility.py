"""Accessibility audit with axe-core (npm devDependency, injected by the test
only) over the map, the list, a popup, near me, the statistics, what changed and
the downloads: no
violation at all, contrast included."""

from __future__ import annotations

import pytest
from webmap_browser import WEB, new_context, open_map

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


def audit(page) -> list:
    # axe needs to inject itself: the test context bypasses the CSP for that
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return result


@pytest.fixture(scope="module")
def audited(browser):
    context = new_context(
        browser,
        bypass_csp=True,
        geolocation={"longitude": 105.83, "latitude": 22.14},
        permissions=["geolocation"],
    )
    yield context
    context.close()


def test_no_accessibility_violations(audited, base_url):
    page = audited.new_page()
    open_map(page, base_url + "/")
    found = {"map": audit(page)}
    page.click("[data-panel='list']")
    found["list"] = audit(page)
    page.click("#panel tbody th button >> nth=0")
    page.wait_for_selector(".leaflet-popup")
    # Leaflet fades popups in: contrast measured mid-fade would be wrong
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    found["popup"] = audit(page)
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")  # after its fade-out
    page.click("[data-panel='filters']")
    found["filters"] = audit(page)
    page.click("[data-panel='nearme']")
    page.click("#nearme-locate")
    page.wait_for_selector("#nearme-zone")
    found["nearme"] = audit(page)
    page.click("[data-panel='stats']")
    page.wait_for_selector("#stats table")
    found["stats"] = audit(page)
    page.click("[data-panel='changes']")
    page.wait_for_selector("#changes-summary")
    page.wait_for_selector("#change-history li")
    found["changes"] = audit(page)
    page.click("[data-panel='downloads']")
    page.wait_for_selector("#download-list")
    found["downloads"] = audit(page)
    assert {view: v for view, v in found.items() if v} == {}
