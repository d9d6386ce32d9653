"""The one error type of the workspace library, bilingual on purpose.

The GUI shows ``message("vi")`` to the officer; logs and tests read the
English text. ``str(error)`` is the English message.
"""

from __future__ import annotations


class WorkspaceError(Exception):
    """A workspace could not be created, opened, upgraded or changed."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def __str__(self) -> str:
        return self.message_en
