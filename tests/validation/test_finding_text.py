"""What a finding says when it is shown outside the dock's two columns (the
publish dialog, the Processing log): which layer and feature it is about,
and dates as officers write them (dd/mm/yyyy HH:MM), in both languages."""

from __future__ import annotations

from validation_helpers import codes, make_layer, point, run, sound_attributes

from covidmaps_plugin.model import MODEL

RISK = MODEL.layer("risk_points")


def _expired(**overrides):
    attributes = sound_attributes("risk_points", visible_until="2021-06-09T18:00:00+07:00",
                                  **overrides)
    return run({"risk_points": make_layer("risk_points", [(point(), attributes)])})


def test_a_finding_names_its_layer_and_feature_and_dates_read_dd_mm_yyyy():
    report = _expired(name="Chợ Đức Xuân")
    assert codes(report) == ["TIME_EXPIRED_HIDDEN"]  # the code is unchanged
    finding = report.findings[0]
    assert finding.feature_name == "Chợ Đức Xuân"
    assert finding.described("vi") == (
        f"{RISK.title_vi} «Chợ Đức Xuân»: «Hiển thị đến» (09/06/2021 18:00) đã qua: "
        "đối tượng sẽ bị ẩn khi công bố. Hãy chuyển trạng thái hoặc gia hạn.")
    english = finding.described("en")
    assert english.startswith(f"{RISK.title_en} «Chợ Đức Xuân»: ")
    assert "(09/06/2021 18:00) has passed" in english
    assert "2021-06-09" not in finding.message_vi + finding.message_en


def test_a_feature_without_a_name_is_named_by_its_id_as_in_the_dock():
    report = _expired(name=None)
    finding = next(f for f in report.findings if f.code.value == "TIME_EXPIRED_HIDDEN")
    assert finding.feature_name is None and finding.fid is not None
    assert finding.feature_label() == f"#{finding.fid}"
    assert finding.described("en").startswith(f"{RISK.title_en} «#{finding.fid}»: ")


def test_limits_in_messages_are_dates_dd_mm_yyyy():
    report = _expired(name="Chợ", announced_on="2019-12-31")
    too_old = next(f for f in report.findings if f.code.value == "ATTR_DATE_TOO_OLD")
    assert "31/12/2019" in too_old.message_vi and "01/01/2020" in too_old.message_en
