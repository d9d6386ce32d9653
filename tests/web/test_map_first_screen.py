"""The first screen a citizen sees, on a phone and a desktop, in Vietnamese
and English: streets (a basemap), every layer visible (zones measured in
pixels at the initial zoom), honest boundaries, what to do (hotline and
advice from the release), points that say how recent they are, and the
small defects seen in use. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from PIL import Image, ImageChops
from webmap_browser import ARTIFACTS, legend_counts, new_context, open_map
from webmap_data import UPDATED_AT, earlier_of, plugin_sample_layers, shift
from webmap_publish import endpoint

from covidmaps_plugin.model import PROVINCE_TZ

NOTICE = {
    "hotline": "0209 3870 115 (trực 24/24)",
    "advice": {
        "vi": "Ở nhà nếu có thể; đeo khẩu trang khi ra ngoài.",
        "en": "Stay home if you can; wear a mask outside.",
    },
}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
MOVED_TO = "066"  # a risk point is put inside Na Rì's cell, its code says otherwise


def _iso(when: dt.datetime) -> str:
    return when.replace(microsecond=0).isoformat()


@pytest.fixture(scope="module")
def first(tmp_path_factory, web_dist, reference, profile):
    layers = plugin_sample_layers()
    now = dt.datetime.now(PROVINCE_TZ)
    risk = layers["risk_points"]["features"]
    # the age scale: one exposure ended 10 days ago, one yesterday
    risk[0]["properties"].update(
        exposure_start=_iso(now - dt.timedelta(days=11)),
        exposure_end=_iso(now - dt.timedelta(days=10)),
    )
    risk[1]["properties"].update(
        exposure_start=_iso(now - dt.timedelta(days=2)),
        exposure_end=_iso(now - dt.timedelta(days=1)),
    )
    # a point whose district_code disagrees with the approximate polygon it is in
    moved = next(f for f in risk[2:] if f["properties"]["district_code"] != MOVED_TO)
    moved["geometry"]["coordinates"] = profile.extra["approximate_district_seeds"][MOVED_TO]
    data = tmp_path_factory.mktemp("webmap-first")
    with endpoint(data, web_dist) as ep:
        earlier = ep.publish(earlier_of(layers), reference, shift("2026-11-24T09:00:00+07:00"))
        current = ep.publish(layers, {}, UPDATED_AT, notice=NOTICE)
        yield {
            "base": ep.base,
            "layers": layers,
            "moved": moved,
            "earlier": earlier,
            "current": current,
            "fresh": risk[1],
            "old": risk[0],
        }


def _context(browser, size, **kwargs):
    return new_context(
        browser,
        viewport=SIZES[size],
        is_mobile=size == "phone",
        has_touch=size == "phone",
        device_scale_factor=1,
        **kwargs,
    )


def _box(page, selector):
    return page.locator(selector).bounding_box()


def _zone_pixels(page) -> list:
    """Pixels a zone changes on the page, around its centre: the map with
    the zones and without them, compared."""
    anchors = page.evaluate("""() => {
      const app = covidmapsApp, map = app.map, r = map.getContainer().getBoundingClientRect();
      return [...app.layers.get('isolation_zones').leaflet.values()].map(l => {
        const p = map.latLngToContainerPoint(l.getBounds().getCenter());
        return [Math.round(p.x + r.left), Math.round(p.y + r.top)];
      });
    }""")
    shown = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.evaluate(
        "() => { covidmapsApp.state.hiddenLayers.add('isolation_zones');"
        " covidmapsApp.refresh({announce: false}); }"
    )
    page.wait_for_timeout(100)
    hidden = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.evaluate(
        "() => { covidmapsApp.state.hiddenLayers.delete('isolation_zones');"
        " covidmapsApp.refresh({announce: false}); }"
    )
    diff = ImageChops.difference(shown, hidden).convert("L").point(lambda v: 255 if v > 24 else 0)
    out = []
    for x, y in anchors:
        box = diff.crop((x - 20, y - 20, x + 20, y + 20))
        out.append(sum(1 for v in box.getdata() if v))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", list(SIZES))
def test_first_screen(browser, first, size, lang):
    context = _context(browser, size)
    try:
        page = context.new_page()
        open_map(page, f"{first['base']}/?lang={lang}")
        page.wait_for_selector("html[data-basemap='on']")
        page.wait_for_function(
            "() => document.querySelectorAll('img.leaflet-tile-loaded').length > 3"
        )
        page.wait_for_timeout(400)
        page.screenshot(path=str(ARTIFACTS / f"first-screen-{size}-{lang}.png"))
        viewport = SIZES[size]
        map_box = _box(page, "#map")

        # what to do: hotline and advice from the release, above the map
        notice = _box(page, "#notice")
        assert notice["y"] + notice["height"] <= map_box["y"] + 1
        phone = page.locator("#notice-phone")
        assert phone.text_content() == "0209 3870 115"
        assert phone.get_attribute("href") == "tel:02093870115"
        assert page.text_content("#notice-advice") == NOTICE["advice"][lang]
        # and still the time of the data, at the top
        assert _box(page, "#updated-time")["y"] < notice["y"]

        # honest boundaries: said on the page, in the legend
        note = page.locator("#boundary-note")
        assert note.is_visible()
        assert (
            note.text_content()
            == {
                "vi": "Ranh giới huyện minh hoạ, không chính xác",
                "en": "Approximate district boundaries, not exact",
            }[lang]
        )

        # every zone visible at the initial zoom, counted honestly
        zones = len(first["layers"]["isolation_zones"]["features"])
        assert legend_counts(page)["isolation_zones"] == zones
        pixels = _zone_pixels(page)
        assert len(pixels) == zones
        # a 26 px frame that shows around the points of a town (they are
        # drawn above it), where the zone alone is "a few pink pixels"
        assert min(pixels) >= 120, pixels

        # the legend leaves the province visible (its south included)
        south = page.evaluate("""() => {
          const b = covidmapsApp.manifest.profile.bbox, m = covidmapsApp.map;
          return m.latLngToContainerPoint([b[1], (b[0] + b[2]) / 2]).y
            + m.getContainer().getBoundingClientRect().top; }""")
        legend = _box(page, "#legend")
        if legend["width"] > viewport["width"] / 2:
            assert south <= legend["y"] + 4
        assert map_box["height"] > 0.5 * viewport["height"] if size == "desktop" else True
    finally:
        context.close()


def test_zone_rings_go_when_the_zone_is_large_enough(page, first):
    open_map(page, first["base"] + "/")
    ring_count = (
        "() => [...covidmapsApp.layers.get('isolation_zones').markers.values()]"
        ".filter(m => covidmapsApp.map.hasLayer(m)).length"
    )
    zones = len(first["layers"]["isolation_zones"]["features"])
    at_province = page.evaluate(ring_count)
    assert zones - 1 <= at_province <= zones  # nearly all small at the province's zoom
    zone = first["layers"]["isolation_zones"]["features"][0]
    page.evaluate(
        f"() => covidmapsApp.openFeature('isolation_zones',"
        f" covidmapsApp.layers.get('isolation_zones').features"
        f".find(f => f.id === {json.dumps(zone['id'])}))"
    )
    assert page.evaluate(ring_count) < at_province  # zoomed in: the zone itself shows


def test_district_names_are_drawn_above_the_points(page, first):
    open_map(page, first["base"] + "/")
    z = page.evaluate(
        "() => ['labelsPane', 'pointsPane', 'areasPane'].map("
        "n => Number(covidmapsApp.map.getPane(n).style.zIndex))"
    )
    assert z[0] > z[1] > z[2]
    # a label over a marker is what the eye meets; taps still reach the marker
    label = page.locator(".district-label").first
    box = label.bounding_box()
    top = page.evaluate(
        f"() => document.elementFromPoint({box['x'] + box['width'] / 2},"
        f" {box['y'] + box['height'] / 2}).closest('.leaflet-pane').className"
    )
    assert "labelsPane" not in top  # pointer-events: none lets the tap through
    assert (
        page.evaluate(
            "() => getComputedStyle(covidmapsApp.map.getPane('labelsPane')).pointerEvents"
        )
        == "none"
    )


def test_district_filter_and_statistics_use_the_district_code(page, first):
    moved = first["moved"]
    code = moved["properties"]["district_code"]
    name = moved["properties"]["name"]
    open_map(page, f"{first['base']}/?d={MOVED_TO}&panel=list")
    names = page.eval_on_selector_all(
        "section[data-layer='risk_points'] tbody th", "n => n.map(e => e.textContent)"
    )
    assert name not in names  # inside Na Rì's polygon, but not a Na Rì point
    open_map(page, f"{first['base']}/?d={code}&panel=list")
    names = page.eval_on_selector_all(
        "section[data-layer='risk_points'] tbody th", "n => n.map(e => e.textContent)"
    )
    assert name in names
    expected = sum(
        1
        for f in first["layers"]["risk_points"]["features"]
        if f["properties"]["district_code"] == MOVED_TO
    )
    page.click("[data-panel='stats']")
    page.wait_for_selector("#stats table")
    row = page.evaluate(f"""() => {{
      const name = covidmapsApp.districts.get({json.dumps(MOVED_TO)});
      const tr = [...document.querySelectorAll('#stats table:first-of-type tbody tr')]
        .find(r => r.querySelector('th').textContent === name);
      return Number(tr.querySelector('td').textContent); }}""")
    assert row == expected


def test_official_boundaries_drop_the_approximate_note(page, tmp_path, web_dist, reference):
    official = json.loads(json.dumps(reference))
    for fc in official.values():
        for f in fc["features"]:
            f["properties"]["accuracy"] = "official"
    with endpoint(tmp_path / "data", web_dist) as ep:
        manifest = ep.publish(plugin_sample_layers(), official, UPDATED_AT)
        assert {r["id"]: r["accuracy"] for r in manifest["reference"]} == {
            "province": "official",
            "districts": "official",
        }
        open_map(page, ep.base + "/")
        assert page.locator("#boundary-note").is_hidden()
        # the notice falls back to the server's profile when a publish names none
        assert page.text_content("#notice-phone") == "1900 9095"


def test_risk_points_say_how_recent_they_are(page, first):
    open_map(page, first["base"] + "/")
    ages = page.evaluate(
        """(ids) => {
      const e = covidmapsApp.layers.get('risk_points');
      return ids.map(id => { const f = e.features.find(x => x.id === id);
        return e.leaflet.get(f).options.fillOpacity; }); }""",
        [first["fresh"]["id"], first["old"]["id"]],
    )
    assert ages[0] > 0.9 and ages[1] < 0.5
    rows = page.eval_on_selector_all(
        ".legend-age li", "n => n.map(e => [e.dataset.age, e.textContent])"
    )
    assert rows == [["fresh", "Trong 7 ngày qua"], ["old", "Đã qua hơn 7 ngày"]]


def test_legend_and_filters_list_only_published_statuses(page, first):
    open_map(page, first["base"] + "/")
    published = {
        (name, f["properties"]["status"])
        for name, fc in first["layers"].items()
        for f in fc["features"]
    }
    page.click("[data-panel='filters']")
    offered = page.eval_on_selector_all(
        "#panel .filter-statuses input", "n => n.map(i => [i.dataset.layer, i.dataset.status])"
    )
    assert {tuple(x) for x in offered} == published
    legend = page.eval_on_selector_all(
        ".legend-layer",
        "n => n.flatMap(li => [...li.querySelectorAll('.legend-statuses li')]"
        ".map(s => [li.dataset.layer, s.dataset.status]))",
    )
    assert {tuple(x) for x in legend} <= published


def test_zone_colour_is_the_same_in_legend_list_and_statistics(page, first):
    open_map(page, first["base"] + "/")
    legend = page.get_attribute("li[data-layer='isolation_zones'] .legend-row .swatch rect", "fill")
    page.click("[data-panel='list']")
    listed = page.get_attribute("section[data-layer='isolation_zones'] h3 .swatch rect", "fill")
    page.click("[data-panel='stats']")
    page.wait_for_selector("#stats table")
    heads = page.eval_on_selector_all(
        "#stats thead .layer-head .swatch rect", "n => n.map(e => e.getAttribute('fill'))"
    )
    assert legend == listed and legend in heads


def test_search_lists_matches_and_moves_the_map(page, first):
    target = first["layers"]["checkpoints"]["features"][0]
    name = target["properties"]["name"]
    open_map(page, first["base"] + "/")
    page.click("[data-panel='filters']")
    page.fill("#search-input", name)
    page.wait_for_selector("#search-results li")
    listed = page.eval_on_selector_all(
        "#search-results li button", "n => n.map(e => e.textContent)"
    )
    assert name in listed
    lon, lat = target["geometry"]["coordinates"]
    assert page.evaluate(f"() => covidmapsApp.map.getBounds().contains([{lat}, {lon}])")
    assert page.evaluate("() => covidmapsApp.map.getZoom()") > 10  # moved to it, not the province
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_selector(".leaflet-popup .popup-title")
    assert page.text_content(".leaflet-popup .popup-title") == name


def test_one_is_singular_in_english(page, first):
    name = first["layers"]["checkpoints"]["features"][0]["properties"]["name"]
    open_map(page, first["base"] + "/?lang=en")
    page.click("[data-panel='filters']")
    page.fill("#search-input", name)
    page.wait_for_selector("#search-results li")
    assert page.text_content("#filter-summary") == "Showing 1 feature."


def test_panels_open_at_their_top_and_cover_the_scale_bar(browser, first):
    context = _context(browser, "phone")
    try:
        page = context.new_page()
        open_map(page, first["base"] + "/")
        page.click("[data-panel='list']")
        page.eval_on_selector("#panel-body", "b => { b.scrollTop = b.scrollHeight; }")
        assert page.eval_on_selector("#panel-body", "b => b.scrollTop") > 0
        page.click("[data-panel='filters']")
        assert page.eval_on_selector("#panel-body", "b => b.scrollTop") == 0
        # on a phone the scale bar sits at the top, clear of the legend and panel
        scale = _box(page, ".leaflet-control-scale")
        assert scale["y"] + scale["height"] < _box(page, "#panel")["y"]
        # and whatever control reaches the panel's area is drawn under it:
        # the scale bar moved to the bottom corner, where it used to be
        page.evaluate(
            "() => document.querySelector('.leaflet-bottom.leaflet-right')"
            ".append(document.querySelector('.leaflet-control-scale'))"
        )
        scale = _box(page, ".leaflet-control-scale")
        top = page.evaluate(
            f"() => document.elementFromPoint({scale['x'] + scale['width'] / 2},"
            f" {scale['y'] + scale['height'] / 2}).closest('#panel') !== null"
        )
        assert top  # the panel is above the scale bar, not under it
    finally:
        context.close()


def test_popup_title_is_clear_of_the_zoom_buttons_on_a_phone(browser, first):
    context = _context(browser, "phone")
    try:
        page = context.new_page()
        open_map(page, first["base"] + "/")
        zoom = _box(page, ".leaflet-control-zoom")
        for index in range(3):
            page.click("[data-panel='list']")
            page.click(f"#panel tbody th button >> nth={index}")
            page.wait_for_selector(".leaflet-popup .popup-title")
            page.wait_for_timeout(350)
            title = _box(page, ".leaflet-popup .popup-title")
            overlap_x = min(title["x"] + title["width"], zoom["x"] + zoom["width"]) - max(
                title["x"], zoom["x"]
            )
            overlap_y = min(title["y"] + title["height"], zoom["y"] + zoom["height"]) - max(
                title["y"], zoom["y"]
            )
            assert overlap_x <= 0 or overlap_y <= 0, (title, zoom)
            # nor is its close button under the scale bar (top right on a phone)
            close, scale = (
                _box(page, ".leaflet-popup-close-button"),
                _box(page, ".leaflet-control-scale"),
            )
            assert (
                close["y"] >= scale["y"] + scale["height"]
                or close["x"] + close["width"] <= scale["x"]
            )
            # the legend steps aside: the feature the popup points at is not under it
            assert page.locator("#legend").is_hidden()
            page.screenshot(path=str(ARTIFACTS / f"first-screen-phone-popup-{index}.png"))
            page.keyboard.press("Escape")
            page.wait_for_selector(".leaflet-popup", state="detached")
            assert page.locator("#legend").is_visible()
    finally:
        context.close()


def test_earlier_release_banner_says_when_not_which(browser, first):
    context = _context(browser, "phone")
    try:
        page = context.new_page()
        open_map(page, f"{first['base']}/?release={first['earlier']['release_id']}")
        banner = page.text_content("#old-release")
        assert first["earlier"]["release_id"] not in banner
        assert page.text_content("#updated-time") in banner  # the header's time, the same
        south = page.evaluate("""() => {
          const b = covidmapsApp.manifest.profile.bbox, m = covidmapsApp.map;
          return m.latLngToContainerPoint([b[1], (b[0] + b[2]) / 2]).y
            + m.getContainer().getBoundingClientRect().top; }""")
        assert south <= _box(page, "#legend")["y"] + 4  # the legend does not cover the south
        page.screenshot(path=str(ARTIFACTS / "first-screen-phone-earlier-release.png"))
    finally:
        context.close()


def test_hotline_and_advice_are_not_in_the_code(built_dist):
    """They come from the release only: no phone number or advice text is
    built into the map."""
    info = json.loads((built_dist / "build-info.json").read_text(encoding="utf-8"))
    code = (built_dist / info["js"]).read_text(encoding="utf-8")
    for text in ("1900 9095", "0209", "theo dõi sức khoẻ", "Watch your health"):
        assert text not in code


def test_phone_first_view_has_no_accessibility_violation(browser, first):
    from test_map_accessibility import audit

    context = _context(browser, "phone", bypass_csp=True)
    try:
        page = context.new_page()
        open_map(page, first["base"] + "/")
        page.wait_for_selector("html[data-basemap='on']")
        assert audit(page) == []
    finally:
        context.close()


SPOT_ON_FRAME = """(id) => {
  const app = covidmapsApp, map = app.map, r = map.getContainer().getBoundingClientRect();
  const visible = (layers) => layers.filter(l => map.hasLayer(l));
  const at = (l) => map.latLngToContainerPoint(l.getLatLng());
  const points = [...app.layers.values()].filter(x => x.meta.geometry_type === 'Point')
    .flatMap(x => visible([...x.leaflet.values()]).map(at));
  const frames = [...app.layers.get('isolation_zones').markers]
    .filter(([, m]) => map.hasLayer(m)).map(([f, m]) => [f.id, at(m)]);
  const mine = frames.find(([o]) => o === id);
  if (!mine) return null;
  const c = mine[1];
  for (const [dx, dy] of [[-9, -9], [9, -9], [-9, 9], [9, 9], [0, -10], [0, 10]]) {
    const p = {x: c.x + dx, y: c.y + dy};
    const clear = points.every(q => Math.hypot(q.x - p.x, q.y - p.y) > 16)
      && frames.every(([o, q]) => o === id || Math.hypot(q.x - p.x, q.y - p.y) > 24);
    if (clear) return [p.x + r.left, p.y + r.top];
  }
  return null;
}"""


def test_a_tap_on_a_zone_frame_opens_the_zone(page, first):
    open_map(page, first["base"] + "/")
    view = page.evaluate("() => [covidmapsApp.map.getCenter(), covidmapsApp.map.getZoom()]")
    tapped = []
    for zone in first["layers"]["isolation_zones"]["features"]:
        # the popup's pan moved the map: back to the first view each time
        page.evaluate("(v) => covidmapsApp.map.setView(v[0], v[1], {animate: false})", view)
        spot = page.evaluate(SPOT_ON_FRAME, zone["id"])
        if spot is None:
            continue  # its frame is among points or other frames: tested from the list
        page.mouse.click(*spot)
        page.wait_for_selector(".leaflet-popup .popup")
        assert page.get_attribute(".leaflet-popup .popup", "data-uid") == zone["id"]
        page.evaluate("() => covidmapsApp.map.closePopup()")
        tapped.append(zone["id"])
    assert tapped, "no zone frame stands clear of the points"


def test_a_tap_inside_a_zone_opens_it_and_points_stay_on_top(page, first):
    """Zones share the points' canvas: a tap inside a zone opens the zone,
    a tap on a point over it opens the point."""
    zone = first["layers"]["isolation_zones"]["features"][2]
    open_map(page, first["base"] + "/")
    page.evaluate(
        "(id) => { const e = covidmapsApp.layers.get('isolation_zones');"
        " const f = e.features.find(x => x.id === id);"
        " covidmapsApp.map.fitBounds(e.leaflet.get(f).getBounds(),"
        " {maxZoom: 16, animate: false}); }",
        zone["id"],
    )
    page.wait_for_timeout(200)
    # a spot inside the zone with no point on it
    spot = page.evaluate(
        """(id) => {
      const app = covidmapsApp, map = app.map, r = map.getContainer().getBoundingClientRect();
      const e = app.layers.get('isolation_zones'), f = e.features.find(x => x.id === id);
      const poly = e.leaflet.get(f), b = poly.getBounds();
      const points = [...app.layers.values()].filter(x => x.meta.geometry_type === 'Point')
        .flatMap(x => [...x.leaflet.values()].filter(l => map.hasLayer(l))
        .map(l => map.latLngToContainerPoint(l.getLatLng())));
      for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
        const ll = L_ll(b, i / 20, j / 20);
        const p = map.latLngToContainerPoint(ll);
        const inside = poly.getLayers()[0]._containsPoint(p);
        if (inside && points.every(q => Math.hypot(q.x - p.x, q.y - p.y) > 20)) {
          return [p.x + r.left, p.y + r.top];
        }
      }
      return null;
      function L_ll(b, u, v) {
        return [b.getSouth() + (b.getNorth() - b.getSouth()) * v,
                b.getWest() + (b.getEast() - b.getWest()) * u];
      }
    }""",
        zone["id"],
    )
    assert spot, "no free spot inside the zone"
    page.mouse.click(*spot)
    page.wait_for_selector(".leaflet-popup .popup")
    assert page.get_attribute(".leaflet-popup .popup", "data-uid") == zone["id"]
