"""Every interface text is in the .ts files, translated into natural Vietnamese."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from covidmaps_plugin import i18n

from .installed_plugin import ROOT, vi_translations

sys.path.insert(0, str(ROOT / "tools"))
import update_translations  # noqa: E402

sys.path.pop(0)

PLACEHOLDER = re.compile(r"\{\d+\}")


def test_ts_files_match_the_code():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "update_translations.py"),
                             "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, (
        f"{result.stdout}run tools/update_translations.py and translate the new texts")


def test_texts_are_found_in_the_code():
    texts = update_translations.code_texts()
    assert "New workspace…" in texts  # a tr_later() text of an action spec
    assert "Create workspace" in texts  # a tr() text of the algorithm


@pytest.mark.parametrize("source, translation", sorted(
    (src, text) for src, (text, _) in update_translations.read_ts(
        update_translations.ts_path("vi")).items()))
def test_vietnamese_translation(source, translation):
    messages = update_translations.read_ts(update_translations.ts_path("vi"))
    assert messages[source][1], f"unfinished: {source!r}"
    assert translation.strip() and translation != source
    assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(source))
    assert translation.endswith("…") == source.endswith("…")
    # Vietnamese text carries Vietnamese letters
    assert re.search(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                     translation.lower())


def test_english_file_repeats_the_source():
    messages = update_translations.read_ts(update_translations.ts_path("en"))
    assert messages and all(text == source for source, (text, _) in messages.items())


def test_translator_is_installed_and_removed(qgis_app, tmp_path: Path, monkeypatch):
    qm = tmp_path / "covidmaps_vi.qm"
    subprocess.run(["lrelease", "-silent", str(update_translations.ts_path("vi")), "-qm", str(qm)],
                   check=True)
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    assert i18n.install_translator("en") is None  # English is the source language
    translator = i18n.install_translator("vi")
    assert translator is not None
    try:
        assert i18n.tr("Create workspace") == vi_translations()["Create workspace"]
    finally:
        i18n.remove_translator(translator)
    assert i18n.tr("Create workspace") == "Create workspace"
