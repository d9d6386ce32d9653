"""The plugin's thin GUI: toolbar and menu actions, dialogs, message bar.

Work is done by Processing algorithms (``processing_provider``) and the
QGIS-aware logic in ``core``; widgets here only collect input and report.
"""
