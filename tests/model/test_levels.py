"""Epidemic levels in the model: schemes, colours, the history rules (pure Python)."""

import datetime as dt
from collections import Counter

import pytest

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model import levels as lv
from covidmaps_plugin.model.manifest_meta import layer_meta

D = dt.date


def _luminance(hex_color):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_resolution_128_levels_colours_and_meanings():
    levels = lv.NQ128.levels
    assert [lvl.number for lvl in levels] == [1, 2, 3, 4]
    assert [lvl.colour_vi for lvl in levels] == ["xanh", "vàng", "cam", "đỏ"]
    assert levels[2].label("vi") == "Cấp 3 — nguy cơ cao"
    assert levels[0].meaning_vi == "nguy cơ thấp (bình thường mới)"
    assert levels[3].label("en") == "Level 4 — very high risk"
    assert lv.scheme(None) is lv.NQ128
    assert lv.scheme("qd2686").level(1).meaning_vi == "bình thường mới"


@pytest.mark.parametrize("level", lv.NQ128.levels + lv.QD2686.levels)
def test_level_number_is_readable_on_its_colour(level):
    a, b = _luminance(level.color), _luminance(level.text_color)
    ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
    assert ratio >= 4.5, (level.number, level.color, ratio)


def test_layer_in_model_and_manifest_carries_schemes():
    layer = MODEL.layer("epidemic_levels")
    assert layer.field("decision_no").required
    assert layer.field("level").min_value == 1 and layer.field("level").max_value == 4
    assert set(layer.field("scheme").value_list.values) == {"nq128", "qd2686"}
    meta = layer_meta(layer)
    assert meta["levels"]["default_scheme"] == "nq128"
    assert meta["levels"]["schemes"]["nq128"]["levels"]["4"]["color"] == lv.RED
    assert meta["levels"]["schemes"]["nq128"]["levels"]["3"]["meaning"]["vi"] == "nguy cơ cao"
    assert "levels" not in layer_meta(MODEL.layer("risk_points"))
    # only public fields leave the machine
    assert "internal_note" not in {f["name"] for f in meta["fields"]}


def _p(key, unit, level, start, end=None):
    return lv.Period(key, unit, level, start, end)


def test_change_ends_previous_the_day_before_and_keeps_history():
    current = [_p(1, "058", 2, D(2021, 10, 12)), _p(2, "060", 1, D(2021, 10, 12)),
               _p(3, "061", 1, D(2021, 10, 12), D(2021, 10, 20))]
    change = lv.Change(("058", "061"), 3, D(2021, 10, 25), "QĐ 1/QĐ-BCĐ")
    plan = lv.plan_change(change, current)
    assert plan.end == {1: D(2021, 10, 24)}  # 061's level already ended: untouched
    assert plan.withdraw == []
    assert plan.add == ["058", "061"]


def test_change_replaces_a_level_announced_for_the_same_or_a_later_day():
    current = [_p(1, "058", 2, D(2021, 10, 12), D(2021, 10, 24)),
               _p(2, "058", 3, D(2021, 10, 25))]
    plan = lv.plan_change(lv.Change(("058",), 4, D(2021, 10, 25), "QĐ 2"), current)
    assert plan.withdraw == [2]
    assert plan.end == {}


@pytest.mark.parametrize("change, words", [
    (lv.Change(("058",), 5, D(2021, 10, 1), "QĐ 1"), "Cấp 5 không có"),
    (lv.Change(("058",), 2, D(2021, 10, 1), "  "), "số quyết định"),
    (lv.Change(("999",), 2, D(2021, 10, 1), "QĐ 1"), "999"),
    (lv.Change((), 2, D(2021, 10, 1), "QĐ 1"), "ít nhất một"),
    (lv.Change(("058",), 2, D(2021, 10, 5), "QĐ 1", effective_until=D(2021, 10, 1)),
     "trước ngày"),
    (lv.Change(("058",), 2, D(2021, 10, 5), "QĐ 1", scheme="x"), "thang"),
])
def test_bad_changes_are_refused_with_a_reason(change, words):
    with pytest.raises(lv.ChangeError) as err:
        lv.check_change(change, ("058", "060"))
    assert words in err.value.message("vi")


def test_timeline_overlap_gap_missing_none_now():
    today = D(2021, 11, 1)
    periods = [
        _p("a1", "058", 2, D(2021, 10, 1), D(2021, 10, 15)),
        _p("a2", "058", 3, D(2021, 10, 15)),  # overlaps a1 on the 15th
        _p("b1", "060", 1, D(2021, 10, 1), D(2021, 10, 10)),
        _p("b2", "060", 2, D(2021, 10, 13)),  # gap 11–12
        _p("c1", "061", 1, D(2021, 10, 1), D(2021, 10, 30)),  # nothing after the 30th
    ]
    found = {(p.kind, p.unit_code, p.key, p.day)
             for p in lv.timeline_problems(periods, ("058", "060", "061", "062"), today)}
    assert found == {
        ("overlap", "058", "a2", D(2021, 10, 15)),
        ("gap", "060", "b2", D(2021, 10, 11)),
        ("none_now", "061", "c1", D(2021, 10, 31)),
        ("missing", "062", None, None),
    }


def test_no_levels_in_use_requires_nothing_and_a_clean_history_passes():
    assert lv.timeline_problems([], ("058", "060"), D(2021, 11, 1)) == []
    clean = [_p(1, "058", 2, D(2021, 10, 1), D(2021, 10, 14)), _p(2, "058", 1, D(2021, 10, 15))]
    assert lv.timeline_problems(clean, ("058",), D(2021, 11, 1)) == []


def test_in_force_counts_and_ending_soon():
    today = D(2021, 10, 20)
    periods = [
        _p(1, "058", 3, D(2021, 10, 12), D(2021, 10, 22)),  # ends in 2 days, no successor
        _p(2, "060", 1, D(2021, 10, 12), D(2021, 10, 21)),
        _p(3, "060", 2, D(2021, 10, 22)),  # 060's successor is announced
        _p(4, "061", 3, D(2021, 10, 12), D(2021, 11, 30)),  # ends much later
        _p(5, "062", 4, D(2021, 10, 1), D(2021, 10, 11)),  # over
    ]
    assert {k: p.key for k, p in lv.in_force(periods, today).items()} == {
        "058": 1, "060": 2, "061": 4}
    assert Counter(p.level for p in lv.in_force(periods, today).values()) == {3: 2, 1: 1}
    assert [p.key for p in lv.ending_soon(periods, today)] == [1]
