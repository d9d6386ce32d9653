"""CovidMaps QGIS plugin.

Importing this package must not require QGIS (the publishing server imports
``covidmaps_plugin.model``), so the plugin class is imported lazily.
"""


def classFactory(iface):  # noqa: N802 - name fixed by QGIS
    from .plugin import CovidMapsPlugin

    return CovidMapsPlugin(iface)
