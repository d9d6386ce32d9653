"""Epidemic levels on the public map, on a phone: the sample province's
district levels published through the real endpoint (the plugin's export,
the server's checks), drawn as a choropleth with the level number on each
unit, a legend with the meanings, the popup with the level, since when and
the history, the "near me" sentence and the counts per level."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from shapely.geometry import shape
from webmap_browser import ARTIFACTS, new_context, open_map

from covidmaps_plugin.model import levels as lv

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
LEVELS = "epidemic_levels"


def _today() -> str:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()


def _in_force(features):
    today = _today()
    return [f for f in features if f["properties"]["effective_from"] <= today
            and (f["properties"]["effective_until"] is None
                 or today <= f["properties"]["effective_until"])]


def _dmy(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _phone(browser, **extra):
    context = new_context(browser, **PHONE, **extra)
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def test_choropleth_numbers_and_legend_on_a_phone(browser, base_url, releases):
    features = releases["layers"][LEVELS]["features"]
    current = _in_force(features)
    assert len(current) == 8 and len(features) == 11  # the sample: 8 districts, 3 changed
    context, page, errors = _phone(browser)
    try:
        open_map(page, base_url + "/")
        page.wait_for_selector(".level-label .level-badge")
        # the number of every unit's level is drawn on the map, in its colour
        badges = page.eval_on_selector_all(
            ".level-label .level-badge",
            "bs => bs.map(b => [b.textContent, getComputedStyle(b).backgroundColor])")
        assert Counter(text for text, _bg in badges) == Counter(
            str(f["properties"]["level"]) for f in current)
        red = {str(lvl.number): lvl.color for lvl in lv.NQ128.levels}
        fills = page.evaluate(
            "() => [...covidmapsApp.layers.get('epidemic_levels').leaflet]"
            ".filter(([f, l]) => covidmapsApp.map.hasLayer(l))"
            ".map(([f, l]) => [String(f.properties.level), l.getLayers()[0].options.fillColor])")
        assert len(fills) == 8
        assert all(color.lower() == red[level].lower() for level, color in fills), fills
        # the legend says what each level means and how many units are at it
        rows = page.eval_on_selector_all(
            ".legend-levels li", "ls => ls.map(l => [l.dataset.level, l.textContent])")
        counts = Counter(str(f["properties"]["level"]) for f in current)
        assert [r[0] for r in rows] == ["1", "2", "3", "4"]
        for (number, text), level in zip(rows, lv.NQ128.levels):
            assert f"Cấp {number} — {level.meaning_vi}" in text  # "Cấp N" for screen readers
            assert text.endswith(f"({counts.get(number, 0)})")
        # the choropleth is under the points: the levels are at the back of the canvas
        page.screenshot(path=str(ARTIFACTS / "levels_phone_map.png"))
        assert not errors, errors
    finally:
        context.close()


def test_popup_shows_level_since_when_and_history(browser, base_url, releases):
    features = releases["layers"][LEVELS]["features"]
    bach_thong = [f for f in features if f["properties"]["unit_code"] == "063"]
    now = _in_force(bach_thong)[0]["properties"]
    context, page, errors = _phone(browser)
    try:
        open_map(page, base_url + "/")
        page.wait_for_selector(".level-label .level-badge")
        page.evaluate(
            "uid => { const e = covidmapsApp.layers.get('epidemic_levels');"
            " covidmapsApp.openFeature('epidemic_levels', e.features.find(f => f.id === uid),"
            " {fromList: true}); }", _in_force(bach_thong)[0]["id"])
        popup = page.wait_for_selector(".popup-level")
        sentence = page.text_content(".popup-level .level-sentence")
        assert sentence == (f"Cấp 3 — nguy cơ cao, từ {_dmy(now['effective_from'])}"
                            f" đến {_dmy(now['effective_until'])}")
        assert page.text_content(".popup-level .popup-title") == "Bạch Thông"
        history = page.eval_on_selector_all(
            ".level-history li", "ls => ls.map(l => l.dataset.level)")
        assert history == ["1", "3"]
        assert "Dừng dịch vụ không thiết yếu" in popup.text_content()
        page.screenshot(path=str(ARTIFACTS / "levels_phone_popup.png"))
        # close in, the fill lightens so the streets stay readable
        page.evaluate("covidmapsApp.map.setZoom(14, {animate: false})")
        page.wait_for_function("() => covidmapsApp.map.getZoom() === 14")
        opacities = page.evaluate(
            "() => [...covidmapsApp.layers.get('epidemic_levels').leaflet.values()]"
            ".map(l => l.getLayers()[0].options.fillOpacity)")
        assert opacities and max(opacities) < 0.25
        # the statistics count units per level
        page.keyboard.press("Escape")
        page.click("[data-panel='stats']")
        page.wait_for_selector("#stats-levels").scroll_into_view_if_needed()
        stats = page.eval_on_selector_all(
            "#stats-levels tbody tr",
            "rs => rs.map(r => [r.dataset.level, r.querySelector('td').textContent])")
        counts = Counter(str(f["properties"]["level"]) for f in _in_force(features))
        assert stats == [[n, str(counts.get(n, 0))] for n in ("1", "2", "3", "4")]
        page.screenshot(path=str(ARTIFACTS / "levels_phone_stats.png"))
        assert not errors, errors
    finally:
        context.close()


def test_near_me_says_the_level_of_your_area(browser, base_url, releases):
    unit = next(f for f in _in_force(releases["layers"][LEVELS]["features"])
                if f["properties"]["unit_code"] == "063")
    inside = shape(unit["geometry"]).representative_point()
    context, page, errors = _phone(
        browser, geolocation={"longitude": round(inside.x, 6), "latitude": round(inside.y, 6)},
        permissions=["geolocation"])
    try:
        open_map(page, base_url + "/")
        page.click("[data-panel='nearme']")
        page.click("#nearme-locate")
        page.wait_for_selector("#nearme-level")
        p = unit["properties"]
        assert page.text_content("#nearme-level").strip() == (
            f"3 Huyện của bạn (Bạch Thông): cấp 3 — nguy cơ cao, từ "
            f"{_dmy(p['effective_from'])} đến {_dmy(p['effective_until'])}")
        assert page.get_attribute("#nearme-level", "data-level") == "3"
        page.screenshot(path=str(ARTIFACTS / "levels_phone_nearme.png"))
        assert not errors, errors
    finally:
        context.close()
