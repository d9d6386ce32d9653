"""The change preview an officer reads before publishing."""

from covidmaps_plugin.core.publishing.changes import summarize
from covidmaps_plugin.model import geojson as cgj


def _blob(*features):
    return cgj.canonical_bytes(list(features))


def _pt(uid, name, x=105.8):
    return cgj.feature(uid, cgj.canonical_point(x, 22.1), {"name": name})


def test_added_changed_and_removed_by_reason():
    before = {
        "risk_points": _blob(_pt("a", "Chợ A"), _pt("b", "Chợ B"), _pt("c", "Chợ C"),
                             _pt("d", "Chợ D")),
        "isolation_zones": None,
    }
    after = {
        "risk_points": _blob(_pt("a", "Chợ A"), _pt("b", "Chợ B mới"), _pt("e", "Chợ E")),
        "isolation_zones": _blob(),
    }
    hidden = {"risk_points": {"c": "expired"}}
    summary = summarize(before, after, hidden)
    rp = summary.layer("risk_points")
    assert rp.added == ("e",)
    assert rp.changed == ("b",)
    assert rp.removed == {"expired": ("c",), "deleted": ("d",)}
    assert rp.unchanged == 1
    assert summary.layer("isolation_zones").is_empty
    vi = summary.sentences("vi")
    assert "1 điểm nguy cơ mới" in vi
    assert "1 điểm nguy cơ hết hạn và sẽ bị ẩn" in vi
    en = summary.sentences("en")
    assert "1 new risk point" in en and "1 risk point changed" in en
    assert "1 risk point expires and will be hidden" in en


def test_a_lifted_zone_is_reported_as_lifted():
    zone = cgj.feature("z", cgj.canonical_multipolygon(
        [[[(105.8, 22.1), (105.81, 22.1), (105.81, 22.11)]]]), {"name": "Thôn Nà Pài"})
    summary = summarize({"isolation_zones": _blob(zone)}, {"isolation_zones": _blob()},
                        {"isolation_zones": {"z": "status"}})
    assert summary.sentences("vi") == ["1 vùng cách ly được dỡ bỏ"]
    assert summary.sentences("en") == ["1 isolation zone lifted"]


def test_nothing_to_publish_says_so():
    same = {"checkpoints": _blob(_pt("k", "Chốt QL3"))}
    summary = summarize(same, same, {})
    assert summary.is_empty
    assert summary.sentences("en") == ["Nothing changes on the public map."]


def test_the_change_list_names_the_features():
    before = {"risk_points": _blob(_pt("a", "Chợ A"), _pt("c", "Chợ C"), _pt("d", "Chợ D"))}
    after = {"risk_points": _blob(_pt("a", "Chợ A sửa"), _pt("e", "Chợ E"), _pt("f", "Chợ F"))}
    summary = summarize(before, after, {"risk_points": {"c": "expired"}})
    vi = summary.listed("vi")
    assert "2 điểm nguy cơ mới: «Chợ E», «Chợ F»" in vi
    assert "1 điểm nguy cơ thay đổi: «Chợ A sửa»" in vi
    assert "1 điểm nguy cơ hết hạn và sẽ bị ẩn: «Chợ C»" in vi
    assert "1 điểm nguy cơ bị xoá khỏi bản đồ: «Chợ D»" in vi
    en = summary.listed("en", limit=1)
    assert "2 new risk points: «Chợ E» and 1 more" in en
    assert summarize({}, {"risk_points": _blob()}, {}).listed("en") == [
        "Nothing changes on the public map."]


def test_a_release_change_summary_reads_as_words():
    from covidmaps_plugin.core.publishing.changes import release_changes_text

    changes = {"isolation_zones": {"changed": 1},
               "risk_points": {"added": 3, "removed": 1, "changed": 0}}
    assert release_changes_text(changes, "vi") == (
        "điểm nguy cơ: 3 mới, 1 bỏ khỏi bản đồ; vùng cách ly: 1 thay đổi")
    assert release_changes_text(changes, "en") == (
        "risk points: 3 new, 1 removed; isolation zone: 1 changed")
    assert release_changes_text(None, "en") == ""
