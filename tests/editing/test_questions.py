"""The plugin's own questions answer Có / Không in a Vietnamese QGIS (Qt's
standard Yes/No buttons stay English there: QGIS ships no Qt translation)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication

from covidmaps_plugin import i18n
from covidmaps_plugin.gui.ask import ask, question_box

TS = Path(i18n.__file__).with_name("covidmaps_vi.ts")


def _vietnamese(tmp_path: Path, monkeypatch):
    qm = tmp_path / "covidmaps_vi.qm"
    subprocess.run(["lrelease", "-silent", str(TS), "-qm", str(qm)], check=True)
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    return i18n.install_translator("vi")


def test_questions_say_co_khong_in_vietnamese(qgis_app, tmp_path, monkeypatch):
    translator = _vietnamese(tmp_path, monkeypatch)
    try:
        box = question_box(None, "CovidMaps", "Chuyển sang hết hạn?")
        assert sorted(b.text() for b in box.buttons()) == ["Có", "Không"]
        assert box.defaultButton().text() == "Không"  # Enter never acts by accident
    finally:
        i18n.remove_translator(translator)
    english = question_box(None, "CovidMaps", "Expire?")
    assert sorted(b.text() for b in english.buttons()) == ["No", "Yes"]


def test_ask_returns_the_answer(qgis_app):
    def answer(text: str) -> None:
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if b.text() == text).click()

    QTimer.singleShot(50, lambda: answer("Yes"))
    assert ask(None, "CovidMaps", "Expire?") is True
    QTimer.singleShot(50, lambda: answer("No"))
    assert ask(None, "CovidMaps", "Expire?") is False
