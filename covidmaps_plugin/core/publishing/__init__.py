"""Publishing from QGIS: change preview, HTTP client, the publish task."""
