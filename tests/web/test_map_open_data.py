"""Open data, changes and offline in real Chromium against the real endpoint:
the "Tải dữ liệu" panel, the "what changed" view (current release and one
from the history), the service worker that never pins old data (publish,
reload, the NEW release is shown) and that keeps the last release for
offline use (the map still draws, with "Ngoại tuyến — dữ liệu cập nhật lúc …").

Each test of this module has its own endpoint: it publishes releases."""

from __future__ import annotations

import copy
import json
import urllib.request
from typing import Any, Dict

import pytest
from webmap_browser import ARTIFACTS, new_context, open_map
from webmap_data import UPDATED_AT, sample_layers, shift, stable_uid
from webmap_publish import endpoint

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


@pytest.fixture()
def own_site(tmp_path, web_dist, reference):
    with endpoint(tmp_path / "data", web_dist) as ep:
        first = ep.publish(sample_layers(), reference, UPDATED_AT, message="Bản đầu")
        yield ep, first


def _next_release(layers: Dict[str, Any]) -> Dict[str, Any]:
    """+3 risk points and 1 isolation zone lifted (a lifted zone is not
    published: it leaves the layer)."""
    layers = copy.deepcopy(layers)
    template = layers["risk_points"]["features"][0]
    for i in range(3):
        new = copy.deepcopy(template)
        new["id"] = new["properties"]["uid"] = stable_uid("risk_points", 100 + i, "new")
        new["properties"]["name"] = f"Chợ mới số {i + 1}"
        lon, lat = new["geometry"]["coordinates"]
        new["geometry"]["coordinates"] = [round(lon + 0.01 * (i + 1), 6), lat]
        layers["risk_points"]["features"].append(new)
    layers["risk_points"]["features"].sort(key=lambda f: f["id"])
    layers["isolation_zones"]["features"].pop(0)
    return layers


def _wait_changes(page) -> str:
    page.wait_for_selector("#changes-summary", timeout=15000)
    return page.inner_text("#changes-summary")


def test_what_changed_for_the_current_release_and_one_from_history(own_site, browser):
    ep, _ = own_site
    second_layers = _next_release(sample_layers())
    second = ep.publish(second_layers, {}, shift("2026-11-25T10:00:00+07:00"),
                        message="Thêm 3 điểm")
    third_layers = copy.deepcopy(second_layers)
    removed = third_layers["checkpoints"]["features"].pop(0)
    third = ep.publish(third_layers, {}, shift("2026-11-25T11:00:00+07:00"), message="Gỡ chốt")

    context = new_context(browser, **PHONE)
    page = context.new_page()
    try:
        # the current release against its parent: one checkpoint removed, drawn faintly
        open_map(page, f"{ep.base}/?panel=changes")
        assert _wait_changes(page) == "1 chốt kiểm soát đã gỡ"
        assert page.evaluate("window.covidmapsApp.changes.highlighted") == 1
        removed_item = page.inner_text(".change-removed li")
        assert removed["properties"]["name"] in removed_item and "đã gỡ ngày" in removed_item
        page.screenshot(path=str(ARTIFACTS / "open_data_changes_removed_phone.png"))
        # the history lists the releases; the second one compares with its parent the same way
        page.wait_for_selector(f"#change-history li[data-release='{second['release_id']}'] a")
        page.click(f"#change-history li[data-release='{second['release_id']}'] a")
        page.wait_for_selector("html[data-ready]")
        assert page.evaluate("window.covidmapsApp.manifest.release_id") == second["release_id"]
        assert _wait_changes(page) == "+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ"
        assert page.evaluate("window.covidmapsApp.changes.counts") == {
            "risk_points": {"added": 3, "removed": 0, "changed": 0},
            "isolation_zones": {"added": 0, "removed": 1, "changed": 0}}
        assert page.evaluate("window.covidmapsApp.changes.highlighted") == 4
        added = page.eval_on_selector_all(".change-added li button",
                                          "bs => bs.map(b => b.textContent)")
        assert added == ["Chợ mới số 1", "Chợ mới số 2", "Chợ mới số 3"]
        page.screenshot(path=str(ARTIFACTS / "open_data_changes_phone.png"))
        # the highlight can be switched off, and leaves with the panel
        page.uncheck("#changes-toggle")
        assert page.evaluate("window.covidmapsApp.changes.highlighted") == 0
        page.check("#changes-toggle")
        assert page.evaluate("window.covidmapsApp.changes.highlighted") == 4
        page.click("#panel-close")
        assert page.evaluate("window.covidmapsApp.changes.highlighted") == 0
        # the same on a desktop screen (the panel beside the map)
        desktop = new_context(browser)
        wide = desktop.new_page()
        open_map(wide, f"{ep.base}/?release={second['release_id']}&panel=changes")
        assert _wait_changes(wide) == "+3 điểm nguy cơ, 1 vùng cách ly được dỡ bỏ"
        wide.screenshot(path=str(ARTIFACTS / "open_data_changes_desktop.png"))
        desktop.close()
        # in English
        page.click("#lang-toggle")
        page.click("#toolbar [data-panel='changes']")
        assert _wait_changes(page) == "+3 risk points, 1 isolation zone lifted"
        assert third["release_id"] != second["release_id"]
    finally:
        context.close()


def test_download_panel_lists_every_file_with_licence(own_site, browser):
    ep, first = own_site
    context = new_context(browser, **PHONE)
    page = context.new_page()
    try:
        open_map(page, f"{ep.base}/")
        page.click("#toolbar [data-panel='downloads']")
        page.wait_for_selector("#download-list")
        assert page.inner_text("#panel-title") == "Tải dữ liệu"
        links = page.eval_on_selector_all(
            "#download-list a.dl-file",
            "as => as.map(a => [a.closest('li').dataset.layer, a.getAttribute('download'),"
            " a.href])")
        by_file = {name: (layer, href) for layer, name, href in links}
        stamp = first["release_id"].split("-")[0]
        for entry in first["layers"]:
            layer, href = by_file[f"{entry['id']}-{stamp}.csv"]
            assert layer == entry["id"]
            assert href == f"{ep.base}/data/{entry['downloads']['csv']['href']}"
            layer, href = by_file[f"{entry['id']}-{stamp}.geojson"]
            assert href == f"{ep.base}/data/{entry['blob']['href']}"
        # the CSV the link gives opens in Excel: UTF-8 with a BOM, Vietnamese intact
        csv_href = by_file[f"risk_points-{stamp}.csv"][1]
        body = page.request.get(csv_href).body()
        assert body.startswith(b"\xef\xbb\xbf")
        assert first["layers"][0]["feature_count"] == body.decode("utf-8-sig").count("\r\n") - 1
        licence = page.inner_text("#download-licence")
        assert "CC BY 4.0" in licence and "Sở Y tế tỉnh Bắc Kạn" in licence
        assert page.get_attribute("#download-licence a", "href").startswith(
            "https://creativecommons.org/")
        feed = page.get_attribute(".dl-feed a", "href")
        assert feed.endswith("data/feed.atom")
        # feed readers find it from the page itself
        assert page.get_attribute("link[rel=alternate][type='application/atom+xml']",
                                  "href") == "data/feed.atom"
        assert page.request.get(f"{ep.base}/data/feed.atom").ok
        page.screenshot(path=str(ARTIFACTS / "open_data_downloads_phone.png"))
        page.eval_on_selector("#panel-body", "b => { b.scrollTop = b.scrollHeight; }")
        page.screenshot(path=str(ARTIFACTS / "open_data_downloads_licence_phone.png"))
        page.click("#lang-toggle")
        assert page.inner_text("#panel-title") == "Download data"
        assert "Bac Kan Provincial Department of Health" in page.inner_text("#download-licence")
    finally:
        context.close()


def _controlled(page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)


def _legend_count(page, layer: str) -> int:
    return page.eval_on_selector(
        f"#legend-list > li[data-layer='{layer}'] .legend-count", "n => Number(n.dataset.count)")


def test_service_worker_never_shows_old_data_and_keeps_the_last_release_offline(own_site,
                                                                              browser):
    ep, first = own_site
    context = new_context(browser, service_workers="allow", **PHONE)
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    try:
        open_map(page, f"{ep.base}/")
        _controlled(page)
        # the worker is checked for updates at every visit; the CSP allows it
        # and the web app manifest from this origin, nothing more
        worker = page.request.get(f"{ep.base}/sw.js")
        assert worker.headers["cache-control"] == "no-cache"
        csp = worker.headers["content-security-policy"]
        assert "worker-src 'self' blob:" in csp and "manifest-src 'self'" in csp
        assert "unsafe" not in csp
        manifest = page.request.get(f"{ep.base}/manifest.webmanifest")
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        assert manifest.json()["start_url"] == "./"
        before = _legend_count(page, "risk_points")
        # a reload served by the worker still shows the release it served
        page.reload()
        page.wait_for_selector("html[data-ready='1']")
        assert page.evaluate("window.covidmapsApp.manifest.release_id") == first["release_id"]

        # a new release is published: the next reload shows it (never the cached one)
        second = ep.publish(_next_release(sample_layers()), {}, shift("2026-11-25T10:00:00+07:00"),
                            message="Bản mới")
        page.reload()
        page.wait_for_selector("html[data-ready='1']")
        assert page.evaluate("window.covidmapsApp.manifest.release_id") == second["release_id"]
        page.wait_for_function(
            f"document.querySelector(\"#legend-list > li[data-layer='risk_points'] .legend-count\")"
            f".dataset.count == {before + 3}")
        assert page.is_hidden("#offline-banner"), page.evaluate(
            "[navigator.onLine, document.getElementById('offline-banner').textContent]")

        # offline: the last viewed release still draws, and the page says it is offline
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("html[data-ready='1']")
        assert page.evaluate("window.covidmapsApp.manifest.release_id") == second["release_id"]
        assert page.get_attribute("html", "data-features-drawn") == "1"
        assert _legend_count(page, "risk_points") == before + 3
        banner = page.inner_text("#offline-banner")
        assert banner.startswith("Ngoại tuyến — dữ liệu cập nhật lúc ")
        updated = second["data_updated_at"]  # "YYYY-MM-DDTHH:MM:SS+07:00"
        assert f"{updated[8:10]}/{updated[5:7]}/{updated[:4]} {updated[11:16]}" in banner
        page.screenshot(path=str(ARTIFACTS / "open_data_offline_phone.png"))
        # back online: the banner offers the latest data
        context.set_offline(False)
        page.wait_for_selector("#offline-banner button")
        with urllib.request.urlopen(f"{ep.base}/data/manifest.json", timeout=10) as resp:  # noqa: S310
            assert json.loads(resp.read())["release_id"] == second["release_id"]
        assert not errors, errors
    finally:
        context.close()
