"""CovidMaps publishing endpoint: immutable releases over a storage backend,
an authenticated write API and a fast in-memory public read path."""

__version__ = "0.1.0"
