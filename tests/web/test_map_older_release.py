"""A release written before the manifest carried display hints (no
`display` member, no `levels.fields`) is still drawn, also when a rollback
makes it current again: every layer with its count, popups titled by the
feature, search over the free-text summary fields, the district filter.
What needs the hints (the one-row exposure window, free places, tel: links,
the age scale, the levels' choropleth) is left out, as
docs/release-format.md says; the same data with hints has them."""

from __future__ import annotations

from test_map_basics import open_from_list, popup_fields
from webmap_browser import legend_counts, open_map
from webmap_data import UPDATED_AT
from webmap_expect import ascii_fold, first_with, vn_datetime
from webmap_release import serve, write_release


def _releases(tmp_path, profile, layers, reference):
    """1: older format; 2: with hints; 3: the rollback to 1 (current)."""
    first = write_release(tmp_path, profile, layers, reference, sequence=1, current=False,
                          created_at=UPDATED_AT, data_updated_at=UPDATED_AT,
                          older_format=True)
    second = write_release(tmp_path, profile, layers, reference, sequence=2, current=False,
                           parent_id=first["release_id"], created_at=UPDATED_AT,
                           data_updated_at=UPDATED_AT)
    back = write_release(tmp_path, profile, layers, reference, sequence=3,
                         parent_id=second["release_id"], created_at=UPDATED_AT,
                         data_updated_at=UPDATED_AT, older_format=True,
                         extra={"kind": "rollback", "rolled_back_to": first["release_id"]})
    return first, second, back


def test_rollback_to_a_release_without_hints_still_renders(page, web_dist, profile, reference,
                                                          releases, tmp_path):
    layers = releases["layers"]
    first, second, back = _releases(tmp_path, profile, layers, reference)
    assert all("display" not in e for e in back["layers"])
    point = first_with(layers, "risk_points", "exposure_start", "address", "advice")
    facility = first_with(layers, "quarantine_facilities", "capacity", "occupancy", "duty_phone")
    with serve(web_dist, tmp_path) as base:
        open_map(page, base + "/")
        assert page.get_attribute("html", "data-ready") == "1"
        page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
        assert page.evaluate("() => covidmapsApp.manifest.release_id") == back["release_id"]
        # every layer is drawn with its count, the levels as an ordinary area layer
        counts = legend_counts(page)
        assert counts == {lid: len(fc["features"]) for lid, fc in layers.items()}, counts
        assert page.query_selector(".legend-levels") is None
        assert page.query_selector(".legend-age") is None

        # a popup is titled by the feature and lists its fields one by one
        open_from_list(page, point["name"])
        fields = popup_fields(page)
        assert page.text_content(".leaflet-popup .popup-title") == point["name"]
        assert "Thời gian nguy cơ" not in fields
        assert fields["Thời gian nguy cơ từ"] == vn_datetime(point["exposure_start"])
        assert fields["Địa chỉ"] == point["address"]
        page.click(".leaflet-popup-close-button")
        open_from_list(page, facility["name"])
        fields = popup_fields(page)
        assert "Còn trống" not in fields
        assert fields["Sức chứa (người)"] == str(facility["capacity"])
        page.click(".leaflet-popup-close-button")

        # search reads the free-text summary fields: an address finds its point
        page.click("[data-panel='filters']")
        page.fill("#search-input", ascii_fold(point["address"]))
        page.wait_for_selector(".search-list")
        found = page.eval_on_selector_all(".search-list button", "bs => bs.map(b => b.textContent)")
        assert point["name"] in found

        # the same data with hints: the exposure window on one row, free places
        open_map(page, f"{base}/?release={second['release_id']}")
        page.wait_for_function("() => document.documentElement.dataset.featuresDrawn === '1'")
        assert page.query_selector(".legend-age") is not None
        open_from_list(page, point["name"])
        assert popup_fields(page)["Thời gian nguy cơ"] == (
            f"{vn_datetime(point['exposure_start'])} – {vn_datetime(point['exposure_end'])}")
        page.click(".leaflet-popup-close-button")
        open_from_list(page, facility["name"])
        assert popup_fields(page)["Còn trống"] == str(facility["capacity"] - facility["occupancy"])
