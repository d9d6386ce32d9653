"""The kind of place guessed from its name (model/guesses.py)."""

from __future__ import annotations

import unicodedata

import pytest

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.guesses import PLACE_TYPE_WORDS, place_type_from_name


@pytest.mark.parametrize("name, code", [
    ("Chợ phiên xã Bằng Vân", "market"),
    ("CHỢ TRUNG TÂM", "market"),
    ("Quán phở Hương Giang", "restaurant"),
    ("Nhà hàng Tùng Anh", "restaurant"),
    ("Trường THCS Cốc Đán", "school"),
    ("Bệnh viện Đa khoa tỉnh", "health_facility"),
    ("Trạm y tế xã Thượng Quan", "health_facility"),
    ("Chùa Thạch Long", "religious_site"),
    ("Nhà thờ Bắc Kạn", "religious_site"),
    ("Bến xe khách Bắc Kạn", "transport"),
    ("Siêu thị Điện máy Xanh", "shop"),
    ("Cửa hàng tạp hóa Lan", "shop"),
    ("Bus station of Bac Kan", "transport"),
    # the first word that names a kind wins
    ("Quán cơm chợ Phủ Thông", "restaurant"),
    ("Chợ Phủ Thông (quán nước)", "market"),
])
def test_the_name_tells_the_kind_of_place(name, code):
    assert place_type_from_name(name) == code


@pytest.mark.parametrize("name", [
    "", "   ", None, 42, "Nhà ông Nguyễn Văn A",
    "Cho Phu Thong",  # no tone marks: "cho" is also "for"
    "Chợa",  # a word is matched whole
    "Khu tập thể Đường Sắt",
])
def test_no_guess_without_a_telling_word(name):
    assert place_type_from_name(name) is None


def test_decomposed_letters_are_the_same_word():
    assert place_type_from_name(unicodedata.normalize("NFD", "Chợ Đồn")) == "market"


def test_every_guess_is_a_choice_of_the_list():
    codes = set(MODEL.layer("risk_points").field("place_type").value_list.values)
    assert {code for code, _words in PLACE_TYPE_WORDS} <= codes
    assert MODEL.layer("risk_points").field("place_type").guessed_from == "name"
