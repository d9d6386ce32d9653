"""The refusal the editing logic raises: bad input, nothing changed.

It is a :class:`~covidmaps_plugin.core.errors.WorkspaceError` (a workspace
could not be changed), so the GUI shows it like any other CovidMaps error,
in the interface language.
"""

from __future__ import annotations

from typing import Tuple

from ..errors import WorkspaceError


class EditRefusedError(WorkspaceError):
    """Bad input for an edit: nothing was changed."""


NOTHING_SELECTED = (
    "Chưa chọn đối tượng nào. Hãy chọn trên bản đồ hoặc trong bảng thuộc tính.",
    "Nothing is selected. Select features on the map or in the attribute table.",
)


def refuse(message: Tuple[str, str]) -> EditRefusedError:
    return EditRefusedError(*message)
