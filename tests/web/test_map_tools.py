"""Filters, search, near me, the list view with the keyboard, shared URLs
and earlier releases."""

from __future__ import annotations

from shapely.geometry import shape
from webmap_browser import legend_counts, new_context, open_map
from webmap_expect import ascii_fold, haversine_m, on_map


def test_filter_by_district_layer_and_status(page, base_url, releases):
    layers = releases["layers"]
    open_map(page, base_url + "/")
    page.click("[data-panel='filters']")
    page.select_option("#district-filter", "058")
    expected = {
        name: sum(f["properties"]["district_code"] == "058" for f in on_map(name, fc))
        for name, fc in layers.items()
    }
    assert legend_counts(page) == expected
    page.select_option("#district-filter", "")
    page.uncheck("#panel input[data-layer='checkpoints']:not([data-status])")
    assert legend_counts(page)["checkpoints"] == 0
    page.uncheck("#panel input[data-layer='quarantine_facilities'][data-status='operating']")
    expected_facilities = sum(
        f["properties"]["status"] != "operating"
        for f in layers["quarantine_facilities"]["features"]
    )
    assert legend_counts(page)["quarantine_facilities"] == expected_facilities
    assert "off=checkpoints" in page.url and "quarantine_facilities%3Aoperating" in page.url
    page.click("text=Bỏ lọc")
    assert legend_counts(page) == {n: len(on_map(n, fc)) for n, fc in layers.items()}


def test_search_is_accent_insensitive(page, base_url, releases):
    # a risk point whose name has Vietnamese diacritics, searched without them
    target = next(
        f["properties"]["name"]
        for f in releases["layers"]["risk_points"]["features"]
        if ascii_fold(f["properties"]["name"]) != f["properties"]["name"].lower()
    )
    query = ascii_fold(target)
    open_map(page, base_url + "/")
    page.click("[data-panel='filters']")
    page.fill("#search-input", query)
    expected = {
        name: sum(
            all(
                word in ascii_fold(f"{p['name']} {p.get('address') or ''} {p.get('road') or ''}")
                for word in query.split()
            )
            for p in (f["properties"] for f in on_map(name, fc))
        )
        for name, fc in releases["layers"].items()
    }
    page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=query)
    assert legend_counts(page) == expected
    assert expected["risk_points"] >= 1
    page.click("[data-panel='list']")
    names = page.eval_on_selector_all("#panel tbody th button", "b => b.map(x => x.textContent)")
    assert target in names and len(names) == sum(expected.values()), names
    page.wait_for_function("() => document.querySelector('#live').textContent !== ''")  # announced


def _near_me(browser, base_url, lon: float, lat: float, radius_km: str):
    context = new_context(
        browser, geolocation={"longitude": lon, "latitude": lat}, permissions=["geolocation"]
    )
    page = context.new_page()
    open_map(page, base_url + "/")
    requests: list = []
    # the browser fetches the web app manifest's icon by itself (to offer
    # installing the map) whenever it likes: not the map sending anything
    icon = base_url + "/icon.svg"
    page.on("request", lambda r: None if r.url == icon else requests.append(
        r.url + " " + (r.post_data or "")))
    page.click("[data-panel='nearme']")
    page.select_option("#nearme-radius", radius_km)
    page.click("#nearme-locate")
    page.wait_for_selector("#nearme-zone")
    return context, page, requests


def test_near_me_inside_a_zone_lists_nearest_first_and_sends_nothing(browser, base_url, releases):
    zone = next(
        f
        for f in releases["layers"]["isolation_zones"]["features"]
        if f["properties"]["status"] == "in_force"
    )
    inside = shape(zone["geometry"]).representative_point()
    lon, lat = round(inside.x, 6), round(inside.y, 6)
    context, page, requests = _near_me(browser, base_url, lon, lat, "2")
    try:
        assert page.get_attribute("#nearme-zone", "data-inside") == "1"
        assert zone["properties"]["name"] in page.text_content("#nearme-zone")
        near_points = sum(
            haversine_m(lon, lat, *f["geometry"]["coordinates"]) <= 2000
            for f in releases["layers"]["risk_points"]["features"]
        )
        shown_points = page.eval_on_selector_all(
            "#nearme-list li[data-layer='risk_points']", "li => li.length"
        )
        assert shown_points == near_points
        distances = page.eval_on_selector_all(
            "#nearme-list li", "li => li.map(x => Number(x.dataset.distance))"
        )
        assert distances == sorted(distances) and distances[0] == 0
        assert all(d <= 2000 for d in distances)
        layers = set(
            page.eval_on_selector_all("#nearme-list li", "li => li.map(x => x.dataset.layer)")
        )
        assert layers <= {"risk_points", "isolation_zones"}
        assert page.evaluate("document.activeElement.id") == "nearme-zone"
        # the location went nowhere: no request at all, not in the URL or storage
        assert requests == []
        for text in (page.url, page.evaluate("JSON.stringify(localStorage)")):
            assert f"{lat:.3f}" not in text and f"{lon:.3f}" not in text
    finally:
        context.close()


def test_near_me_outside_every_zone(browser, base_url, releases):
    lon, lat = 105.60, 22.70  # the far north of Pác Nặm
    zones = [shape(f["geometry"]) for f in releases["layers"]["isolation_zones"]["features"]]
    assert not any(z.contains(shape({"type": "Point", "coordinates": [lon, lat]})) for z in zones)
    near_points = sum(
        haversine_m(lon, lat, *f["geometry"]["coordinates"]) <= 5000
        for f in releases["layers"]["risk_points"]["features"]
    )
    context, page, requests = _near_me(browser, base_url, lon, lat, "5")
    try:
        assert page.get_attribute("#nearme-zone", "data-inside") == "0"
        shown = page.eval_on_selector_all(
            "#nearme-list li[data-layer='risk_points']", "li => li.length"
        )
        assert shown == near_points
        assert requests == []
    finally:
        context.close()


def test_list_view_with_the_keyboard(page, base_url, releases):
    open_map(page, base_url + "/")
    page.focus("[data-panel='list']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "panel-title"
    tables = page.eval_on_selector_all("#panel table", "t => t.length")
    assert tables == len(releases["layers"])
    headers = page.eval_on_selector_all(
        "#panel table:first-of-type thead th", "t => t.map(x => x.scope)"
    )
    assert set(headers) == {"col"}
    page.keyboard.press("Tab")  # the close button
    page.keyboard.press("Tab")  # the first name in the first table
    first = page.evaluate("document.activeElement.textContent")
    assert page.evaluate("document.activeElement.closest('tbody') !== null")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup")
    assert page.evaluate("document.activeElement.textContent") == first
    assert page.evaluate("document.activeElement.classList.contains('popup-title')")
    page.keyboard.press("Escape")  # Leaflet closes the popup; the focus returns to the row
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("document.activeElement.textContent") == first
    page.keyboard.press("Escape")  # closes the panel; the focus returns to its button
    assert page.is_hidden("#panel")
    assert page.evaluate("document.activeElement.dataset.panel") == "list"


def test_shared_url_restores_the_view(page, base_url, desktop):
    open_map(page, base_url + "/")
    page.click("[data-panel='filters']")
    page.select_option("#district-filter", "065")
    page.fill("#search-input", "chot")
    page.wait_for_function("() => location.search.includes('q=chot')")
    page.evaluate("window.covidmapsApp.map.setView([22.0, 105.9], 11)")
    page.wait_for_function("() => location.search.includes('z=11')")
    shared = page.url
    other = desktop.new_page()
    try:
        open_map(other, shared)
        assert other.input_value("#district-filter") == "065"
        assert other.input_value("#search-input") == "chot"
        assert other.evaluate("window.covidmapsApp.map.getZoom()") == 11
        assert legend_counts(other) == legend_counts(page)
    finally:
        other.close()


def test_a_link_to_the_current_release_says_nothing_of_old_data(page, base_url, releases):
    """A shared link or the history may pin the release that is still the
    current one: it is not "earlier data"."""
    current = releases["current"]["release_id"]
    open_map(page, f"{base_url}/?release={current}")
    page.wait_for_selector("#old-release[data-checked='1']", state="attached")
    assert page.is_hidden("#old-release")
    earlier = releases["earlier"]["release_id"]
    open_map(page, f"{base_url}/?release={earlier}")
    page.wait_for_selector("#old-release[data-checked='1']", state="attached")
    assert page.is_visible("#old-release")


def test_earlier_release_shows_a_banner_and_its_own_data(page, base_url, releases):
    earlier = releases["earlier"]
    open_map(page, f"{base_url}/?release={earlier['release_id']}")
    assert page.is_visible("#old-release")
    # when the data was current (the header's time), not a technical id
    banner = page.text_content("#old-release")
    assert earlier["release_id"] not in banner
    assert page.text_content("#updated-time") in banner
    counts = legend_counts(page)
    # levels count the units in force on the day that release was current
    day = earlier["data_updated_at"][:10]
    assert counts == {layer["id"]: layer["feature_count"] if layer["id"] != "epidemic_levels"
                      else len(on_map("epidemic_levels", releases["layers"]["epidemic_levels"],
                                      day))
                      for layer in earlier["layers"]}
    assert counts != {
        layer["id"]: layer["feature_count"] for layer in releases["current"]["layers"]
    }
    page.click("#old-release a")
    page.wait_for_selector("html[data-ready='1']")
    assert page.is_hidden("#old-release")
    # the current release links to the earlier one (statistics panel)
    page.click("[data-panel='stats']")
    page.click("#previous-release")
    page.wait_for_selector("#old-release:not([hidden])")


def test_unknown_release_is_reported(page, base_url):
    open_map(page, f"{base_url}/?release=999999-deadbeef")
    assert page.is_visible("#load-error")
    assert "999999-deadbeef" in page.text_content("#load-error")


def test_statistics_count_by_district_and_free_places(page, base_url, releases):
    open_map(page, base_url + "/")
    page.click("[data-panel='stats']")
    page.wait_for_selector("#stats table")
    facilities = [f["properties"] for f in releases["layers"]["quarantine_facilities"]["features"]]
    totals = page.eval_on_selector_all(
        "#stats table",
        "t => t.map(x => [...x.querySelectorAll('tfoot td')].map(td => td.textContent))",
    )
    by_district, capacity = totals[0], totals[1]
    # (epidemic levels have their own table: units per level)
    assert by_district == [str(len(fc["features"])) for name, fc in releases["layers"].items()
                           if name != "epidemic_levels"]
    free = sum(p["capacity"] - p["occupancy"] for p in facilities)
    assert capacity[2].replace(".", "") == str(free)
    assert capacity[0].replace(".", "") == str(sum(p["capacity"] for p in facilities))


def test_share_button_copies_the_link_of_this_view(browser, base_url):
    context = new_context(browser, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        open_map(page, base_url + "/?lang=en&d=058")
        page.click("#share-button")
        page.wait_for_selector(".toast")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.url
        assert "d=058" in copied and "lang=en" in copied
    finally:
        context.close()
