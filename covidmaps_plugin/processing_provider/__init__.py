"""The CovidMaps Processing provider (toolbox, model builder, ``qgis_process``)."""
