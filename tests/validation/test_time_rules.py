"""Time rules: what publishing will hide, and statuses the dates contradict."""

from __future__ import annotations

import datetime as dt

from validation_helpers import NOW, ZONE_WKT, codes, make_layer, point, run, sound_attributes

from covidmaps_plugin.core.validation import FindingCode, Severity


def _risk(**overrides):
    return {"risk_points": make_layer("risk_points", [
        (point(), sound_attributes("risk_points", **overrides))])}


def test_expired_risk_point_will_be_hidden():
    report = run(_risk(visible_until="2021-06-09T11:00:00+07:00"))
    assert codes(report) == ["TIME_EXPIRED_HIDDEN"]
    finding = report.findings[0]
    assert finding.severity is Severity.WARNING and finding.field == "visible_until"
    assert "09/06/2021 11:00" in finding.message_vi  # dd/mm/yyyy, as officers write


def test_expiry_is_decided_in_province_time():
    """visible until 10:30+07:00 is still visible at 10:00+07:00 = 03:00Z."""
    now = dt.datetime(2021, 6, 10, 3, 0, tzinfo=dt.timezone.utc)
    assert codes(run(_risk(visible_until="2021-06-10T10:30:00+07:00"), now=now)) == []
    assert codes(run(_risk(visible_until="2021-06-10T09:30:00+07:00"), now=now)) == [
        "TIME_EXPIRED_HIDDEN"]


def test_expired_but_not_published_anyway_is_not_reported():
    assert codes(run(_risk(visible_until="2021-06-09T11:00:00+07:00", status="expired"))) == []
    assert codes(run(_risk(visible_until="2021-06-09T11:00:00+07:00", approved=False))) == []


def test_closing_date_passed_but_status_still_open():
    layers = {"quarantine_facilities": make_layer("quarantine_facilities", [
        (point(), sound_attributes("quarantine_facilities", closed_on="2021-06-08")),
        (point(), sound_attributes("quarantine_facilities", closed_on="2021-06-08",
                                   status="closed", name="Khác")),
        (point(), sound_attributes("quarantine_facilities", closed_on="2021-06-30",
                                   name="Sắp đóng")),
    ])}
    report = run(layers)
    assert codes(report) == ["TIME_STATUS_STALE"]
    assert report.findings[0].fid == 1
    assert "Đã đóng" in report.findings[0].message_vi


def test_zone_period_ended_but_still_in_force():
    def zones(**overrides):
        return {"isolation_zones": make_layer("isolation_zones", [
            (ZONE_WKT, sound_attributes("isolation_zones", **overrides))])}

    report = run(zones(effective_until="2021-06-09T00:00:00+07:00"))
    assert [f.code for f in report.findings] == [FindingCode.TIME_PERIOD_ENDED]
    assert codes(run(zones(effective_until="2021-06-11T00:00:00+07:00"))) == []
    assert codes(run(zones(effective_until=None))) == []


def test_now_defaults_to_the_current_time():
    report = run(_risk(), now=None)
    assert "TIME_EXPIRED_HIDDEN" in codes(report)  # 2021 is long past
    assert NOW < dt.datetime.now(dt.timezone.utc)
