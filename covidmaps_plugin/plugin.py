"""The QGIS plugin object: what ``classFactory`` returns.

QGIS desktop calls ``initGui``/``unload``; ``qgis_process`` calls only
``initProcessing`` (then ``iface`` is None). Everything added here is taken
away again in ``unload`` so that reloading the plugin leaves no trace.
"""

from __future__ import annotations

from typing import Any, Optional

from qgis.core import QgsApplication

from .i18n import install_translator, remove_translator
from .processing_provider.provider import CovidMapsProvider


class CovidMapsPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        # before any widget or algorithm exists, so their texts are translated
        self.translator = install_translator()
        self.provider: Optional[CovidMapsProvider] = None
        self.ctx = None
        self.ui = None

    def initProcessing(self) -> None:  # noqa: N802 - name fixed by QGIS
        if self.provider is None:
            self.provider = CovidMapsProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - name fixed by QGIS
        from .gui.actions import build_ui
        from .gui.context import PluginContext

        self.initProcessing()
        self.ctx = PluginContext(self.iface)
        self.ui = build_ui(self.ctx)

    def unload(self) -> None:
        if self.ui is not None:
            self.ui.remove()
            self.ui = None
        if self.ctx is not None:
            self.ctx.unload()
            self.ctx = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator(self.translator)
        self.translator = None
        # the session's rows and exports (and the rows' scratch file) go
        # with the plugin: a reload starts afresh, and nothing is left to
        # a finalizer at QGIS's exit
        from .core.export_cache import EXPORTS
        from .core.rows import ROWS

        EXPORTS.clear()
        ROWS.close()
