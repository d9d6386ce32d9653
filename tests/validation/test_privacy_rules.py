"""Privacy rules: personal data in public text, with the false positives
that must stay quiet (decision numbers, dates, landlines, counts)."""

from __future__ import annotations

import unicodedata

import pytest
from validation_helpers import codes, make_layer, point, run, sound_attributes, sound_layers

from covidmaps_plugin.core.validation.privacy_patterns import (
    CITIZEN_ID,
    PATIENT_CODE,
    PHONE,
    RESIDENCE,
    find_personal_data,
    mask,
)


def kinds(text, **kwargs):
    return [m.kind for m in find_personal_data(text, **kwargs)]


@pytest.mark.parametrize("text", [
    "Liên hệ anh Nam 0912345678", "SĐT: 0912 345 678", "0912.345.678", "091-234-5678",
    "+84 912 345 678", "+84912345678", "(+84) 987 654 321", "0084 356 789 012",
    "gọi 0356789012.", "ĐT:0779123456", "số 0865 12 34 56",
])
def test_mobile_numbers(text):
    assert kinds(text) == [PHONE]


@pytest.mark.parametrize("text", [
    "Quyết định 123/QĐ-UBND ngày 05/06/2021", "Từ 05-06-2021 08:00 đến 07-06-2021",
    "08.06.2021", "Đường dây nóng 1900 9095", "Trạm y tế: 0209 3870 123", "0209.3870.115",
    "Tổ 5, phường Đức Xuân", "2021-06-05T08:00:00+07:00", "có 3 ca bệnh liên quan",
    "Thông báo số 0912345678/TB-SYT", "Giá 120.000.000 đồng", "Nhà văn hóa tổ 3",
    "Nhà hàng Hương Sen", "Nhà thờ Bắc Kạn", "TBN 12", "Km 12+500 QL3",
])
def test_not_personal_data(text):
    assert kinds(text, house_numbers=True) == []


def test_citizen_ids():
    assert kinds("CCCD 001201012345") == [CITIZEN_ID]
    assert kinds("CMND: 095123456") == [CITIZEN_ID]
    assert kinds("mã 0012010123456") == []  # 13 digits: not an ID


@pytest.mark.parametrize("text", [
    "BN1234", "Bệnh nhân BN 1234 đã đến", "liên quan BN-17", "bệnh nhân 1234",
    "Bệnh nhân số 56", "benh nhan 99", "ca bệnh số 3012", "các BN: 12",
])
def test_patient_codes(text):
    assert PATIENT_CODE in kinds(text)


@pytest.mark.parametrize("text, house_numbers", [
    ("Nhà ông Nguyễn Văn A, tổ 5", False), ("nhà bà Lan", False),
    ("Gia đình anh Hùng", False), ("tư gia", False), ("Số nhà 12, tổ 3", True),
    ("SN 12 ngõ 4", True), ("nhà số 7 đường Trường Chinh", True),
])
def test_residences(text, house_numbers):
    assert kinds(text, house_numbers=house_numbers) == [RESIDENCE]


def test_house_numbers_only_where_homes_do_not_belong():
    assert kinds("Số nhà 12, tổ 3") == []


def test_decomposed_unicode_is_matched_too():
    text = unicodedata.normalize("NFD", "Nhà ông Ba")
    assert kinds(text) == [RESIDENCE]


def test_duty_lines_may_hold_a_phone():
    assert kinds("0912 345 678", phones=False) == []


def test_mask_hides_the_middle_digits():
    assert mask("0912 345 678") == "091• ••• •78"
    assert "345" not in mask("0912345678")


def _risk(**overrides):
    return {"risk_points": make_layer("risk_points", [
        (point(), sound_attributes("risk_points", **overrides))])}


def test_rule_reports_each_field_and_kind():
    report = run(_risk(name="Nhà ông Tư", address="Số nhà 12, tổ 5",
                       advice="Liên hệ 0912345678, BN1234"))
    found = sorted((f.field, f.code.value) for f in report.findings)
    assert found == [("address", "PRIVACY_RESIDENCE"), ("advice", "PRIVACY_PATIENT_CODE"),
                     ("advice", "PRIVACY_PHONE"), ("name", "PRIVACY_RESIDENCE")]
    assert report.blocking
    phone = next(f for f in report.findings if f.code.value == "PRIVACY_PHONE")
    assert "0912345678" not in phone.message_vi  # the report does not spread it either


def test_internal_fields_and_duty_phones_are_not_checked():
    """The sound fixture has BN codes and mobiles in case_refs / commander
    (internal) and a mobile in a facility's duty_phone (institutional)."""
    assert codes(run(sound_layers())) == []


def test_a_mobile_in_another_public_field_of_a_checkpoint():
    layers = {"checkpoints": make_layer("checkpoints", [(point(), sound_attributes(
        "checkpoints", requirements="Gọi chỉ huy chốt 0987 654 321"))])}
    assert codes(run(layers)) == ["PRIVACY_PHONE"]


def test_residence_in_a_zone_name():
    from validation_helpers import ZONE_WKT

    layers = {"isolation_zones": make_layer("isolation_zones", [(ZONE_WKT, sound_attributes(
        "isolation_zones", name="Phong tỏa nhà bà Hoa"))])}
    assert codes(run(layers)) == ["PRIVACY_RESIDENCE"]
