"""Questions the plugin asks, with its own Yes/No words.

QGIS 3.22 ships no Vietnamese Qt translation, so a QMessageBox's standard
Yes/No buttons stay English in a Vietnamese QGIS. Our questions carry
buttons of their own whose texts come from the plugin's translations.
"""

from __future__ import annotations

from typing import Optional

from qgis.PyQt.QtWidgets import QMessageBox, QWidget

from ..i18n import tr


def question_box(parent: Optional[QWidget], title: str, text: str,
                 yes_text: str = "", no_text: str = "") -> QMessageBox:
    """A question with translated buttons (default: Yes / No); the "no"
    button is the default, so Enter never does something by accident."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("CovidMapsQuestion")
    box.covidmaps_yes = box.addButton(yes_text or tr("Yes"), QMessageBox.ButtonRole.YesRole)
    no = box.addButton(no_text or tr("No"), QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    return box


def ask(parent: Optional[QWidget], title: str, text: str, yes_text: str = "",
        no_text: str = "") -> bool:
    """Show the question; True when the officer answers yes."""
    box = question_box(parent, title, text, yes_text, no_text)
    box.exec()
    return box.clickedButton() is box.covidmaps_yes
