"""QGIS-aware CovidMaps logic without widgets (imports ``qgis.core`` only).

The GUI, the Processing provider, the validator and the editing tools build
on this library; its public entry points are re-exported here.
"""

from .errors import WorkspaceError
from .i18n import current_language
from .workspace import Workspace, create_workspace, is_workspace, open_workspace

__all__ = ["Workspace", "WorkspaceError", "create_workspace", "current_language",
           "is_workspace", "open_workspace"]
