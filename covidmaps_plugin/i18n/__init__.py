"""Translations of the plugin's own interface texts.

English is the source language written in the code; Vietnamese comes from
``covidmaps_vi.ts`` (compiled to ``.qm`` by ``make i18n`` / the packager).
Every text uses one fixed Qt context, ``CovidMaps``, so a string is
translated once wherever it appears (the data model carries its own
Vietnamese/English labels and is not translated here). Which language QGIS
runs in is decided by ``core.i18n.current_language``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from ..core.errors import WorkspaceError
from ..core.i18n import current_language

CONTEXT = "CovidMaps"
I18N_DIR = Path(__file__).resolve().parent
SOURCE_LANGUAGE = "en"


def tr(text: str) -> str:
    """``text`` (English) in the language QGIS runs in."""
    return QCoreApplication.translate(CONTEXT, text)


def tr_later(text: str) -> str:
    """Mark ``text`` for the translation files without translating it now.

    For texts defined at import time (action specs), before the translator
    is installed; translate them with :func:`tr` when they are shown.
    """
    return text


def install_translator(language: Optional[str] = None) -> Optional[QTranslator]:
    """Load ``covidmaps_<lang>.qm`` into the application; None when not needed.

    Remove the returned translator with :func:`remove_translator` on unload.
    """
    language = current_language(language)
    qm = I18N_DIR / f"covidmaps_{language}.qm"
    if language == SOURCE_LANGUAGE or not qm.is_file():
        return None
    translator = QTranslator()
    if not translator.load(str(qm)):
        return None
    QCoreApplication.installTranslator(translator)
    return translator


def remove_translator(translator: Optional[QTranslator]) -> None:
    if translator is not None:
        QCoreApplication.removeTranslator(translator)


def error_text(exc: BaseException) -> str:
    """The message of ``exc`` in the interface language.

    Workspace errors carry a Vietnamese and an English message; any other
    exception falls back to its own text.
    """
    if isinstance(exc, WorkspaceError):
        return exc.message(current_language())
    return str(exc)
