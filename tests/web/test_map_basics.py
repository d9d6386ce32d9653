"""The map opens with the four layers, their counts, the time of the data in
province time, the endpoint's CSP, popups and the language switch."""

from __future__ import annotations

import re

from webmap_browser import legend_counts, new_context, open_map
from webmap_data import UPDATED_AT
from webmap_expect import first_with, on_map, titles, value_label, vn_datetime

from covidmaps_plugin.model import MODEL


def open_from_list(page, name: str) -> None:
    if page.get_attribute("[data-panel='list']", "aria-expanded") != "true":
        page.click("[data-panel='list']")
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_selector(".leaflet-popup .popup-title")


def popup_fields(page) -> dict:
    return page.eval_on_selector(
        ".leaflet-popup .popup-fields",
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(dt =>"
        " [dt.textContent, dt.nextElementSibling.textContent]))",
    )


def test_layers_render_with_counts_and_csp(page, base_url, releases):
    response = page.goto(base_url + "/")
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    page.wait_for_selector("html[data-ready='1']")
    expected = {name: len(on_map(name, fc)) for name, fc in releases["layers"].items()}
    assert legend_counts(page) == expected
    legend_titles = page.eval_on_selector_all(
        "#legend .legend-name", "n => n.map(e => e.textContent)"
    )
    assert legend_titles == [layer.title_vi for layer in MODEL.layers]
    # the features really are on the map (canvas layers hold one shape per feature)
    drawn = page.evaluate(
        "() => Object.fromEntries([...window.covidmapsApp.layers].map(([id, e]) =>"
        " [id, [...e.leaflet.values()].filter(l => window.covidmapsApp.map.hasLayer(l)).length]))"
    )
    assert drawn == expected
    assert page.evaluate("performance.getEntriesByName('features-drawn').length") == 1


def test_updated_time_is_province_time_whatever_the_phone_zone(browser, base_url):
    context = new_context(browser, timezone_id="America/New_York")
    try:
        page = context.new_page()
        open_map(page, base_url + "/")
        assert page.text_content("#updated-time") == vn_datetime(UPDATED_AT)
        assert page.is_visible("#updated-time")
    finally:
        context.close()


def test_facility_popup_shows_free_places_and_safe_phone_link(page, base_url, releases):
    open_map(page, base_url + "/")
    props = first_with(
        releases["layers"], "quarantine_facilities", "capacity", "occupancy", "duty_phone"
    )
    name = props["name"]
    open_from_list(page, name)
    fields = popup_fields(page)
    free = props["capacity"] - props["occupancy"]
    assert fields["Còn trống"] == str(free)
    assert fields["Sức chứa (người)"] == str(props["capacity"])
    href = page.get_attribute(".leaflet-popup .popup-fields a", "href")
    number = re.match(r"\s*(\+?\d[\d\s().-]*\d)", props["duty_phone"]).group(1)
    assert href == "tel:" + "".join(c for c in number if c.isdigit())
    assert page.text_content(".leaflet-popup .popup-fields a") == number
    assert page.text_content(".leaflet-popup .popup-title") == name
    # focus went to the popup, and back to the list when it closes
    assert page.evaluate("document.activeElement.classList.contains('popup-title')")
    page.click(".leaflet-popup-close-button")
    assert page.evaluate("document.activeElement.textContent") == name


def test_risk_point_popup_shows_exposure_window_and_advice(page, base_url, releases):
    open_map(page, base_url + "/")
    props = first_with(releases["layers"], "risk_points", "exposure_start", "advice", "address")
    open_from_list(page, props["name"])
    fields = popup_fields(page)
    assert fields["Thời gian nguy cơ"] == (
        f"{vn_datetime(props['exposure_start'])} – {vn_datetime(props['exposure_end'])}"
    )
    assert fields["Khuyến cáo"] == props["advice"][:600]
    assert fields["Địa chỉ"] == props["address"]
    assert fields["Loại địa điểm"] == value_label("risk_points", "place_type", props["place_type"])


def test_zone_and_checkpoint_popups(page, base_url, releases):
    open_map(page, base_url + "/")
    zone = first_with(releases["layers"], "isolation_zones", "decision_no", "effective_from")
    open_from_list(page, zone["name"])
    fields = popup_fields(page)
    assert fields["Biện pháp"] == value_label("isolation_zones", "measure", zone["measure"])
    assert fields["Số quyết định"] == zone["decision_no"]
    assert fields["Hiệu lực từ"] == vn_datetime(zone["effective_from"])
    page.keyboard.press("Escape")
    checkpoint = first_with(releases["layers"], "checkpoints", "road", "hours", "requirements")
    open_from_list(page, checkpoint["name"])
    fields = popup_fields(page)
    assert fields["Tuyến đường"] == checkpoint["road"]
    assert fields["Thời gian hoạt động"] == checkpoint["hours"]
    assert fields["Yêu cầu khi qua chốt"] == checkpoint["requirements"]


def test_language_switch_is_remembered_and_browser_language_honoured(browser, base_url):
    context = new_context(browser)
    try:
        page = context.new_page()
        open_map(page, base_url + "/")
        assert page.get_attribute("html", "lang") == "vi"
        page.click("#lang-toggle")
        assert page.get_attribute("html", "lang") == "en"
        en = titles("en")
        names = page.eval_on_selector_all("#legend .legend-name", "n => n.map(e => e.textContent)")
        assert names == [en[layer.name] for layer in MODEL.layers]
        assert "lang=en" in page.url
        page.goto(base_url + "/")  # no lang in the URL: the remembered choice
        page.wait_for_selector("html[data-ready='1']")
        assert page.text_content("#updated-label") == "Updated"
    finally:
        context.close()
    english_phone = new_context(browser, locale="en-US")
    try:
        page = english_phone.new_page()
        open_map(page, base_url + "/")
        assert page.get_attribute("html", "lang") == "en"
        page.click("#lang-toggle")
        assert page.text_content("#legend .legend-name") == MODEL.layers[0].title_vi
    finally:
        english_phone.close()
