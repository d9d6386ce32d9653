"""Reuse the export of a layer that has not changed since it was made.

A republish usually changes one layer (today's figures of a facility, one
risk point); exporting the 100,000 features of an untouched layer again
costs seconds for the same bytes. An export is a pure function of the
layer's stored rows and of "now" (``model.visibility``), so it is reused
when both are provably the same:

- the rows: a fingerprint of the GeoPackage table read through SQLite
  (its columns, its geometry column's CRS, every row's values as stored)
  equals the one taken when the export was made. Reading rows raw costs a
  small part of an export (no QGIS features, no JSON); any write by any
  program changes it. A layer with edits only QGIS holds is not a
  GeoPackage table's content: it is always exported;
- the time: ``now`` is not before the export's time and not after its
  ``stable_until`` (the earliest end of visibility among its features:
  until then, the same features are shown).

The cache lives as long as the QGIS session (a few layers, bytes of each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle  # nosec B403 - only dumps, of rows read here, to hash them
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from qgis.core import QgsFeedback, QgsProviderRegistry, QgsVectorLayer

from ..model import MODEL
from .export import LayerExport, export_layer, export_layers

_ROWS_PER_CHUNK = 5000


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    made_at: dt.datetime
    export: LayerExport


class ExportCache:
    """Exports by (GeoPackage path, table), reused while provably current."""

    def __init__(self, max_entries: int = 32) -> None:
        self._entries: Dict[Tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.hits = 0  # tests and the benchmark read these
        self.misses = 0

    def export(self, layer_name: str, layer: QgsVectorLayer, now: dt.datetime,
               feedback: Optional[QgsFeedback] = None) -> LayerExport:
        """``export_layer`` of the model layer ``layer_name``, or the same
        bytes made earlier when neither the rows nor what ``now`` shows changed."""
        layer_def = MODEL.layer(layer_name)
        key, fingerprint = _source_key(layer), None
        if key is not None:
            fingerprint = table_fingerprint(Path(key[0]), key[1])
        if key is not None and fingerprint is not None:
            with self._lock:
                entry = self._entries.get(key)
            if entry is not None and entry.fingerprint == fingerprint and _still_shows(
                    entry, now):
                with self._lock:
                    self.hits += 1
                return entry.export
        made = export_layer(layer_def, layer, now, feedback)
        with self._lock:
            self.misses += 1
            if key is not None and fingerprint is not None:
                self._entries[key] = _Entry(fingerprint, now, made)
                while len(self._entries) > self.max_entries:
                    self._entries.pop(next(iter(self._entries)))
        return made

    def export_layers(self, layers: Mapping[str, QgsVectorLayer],
                      now: Optional[dt.datetime] = None,
                      feedback: Optional[QgsFeedback] = None) -> Dict[str, LayerExport]:
        """``export.export_layers`` through the cache."""
        return export_layers(layers, now, feedback, lambda layer_def, layer, when, step:
                             self.export(layer_def.name, layer, when, step))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _still_shows(entry: _Entry, now: dt.datetime) -> bool:
    """Whether the features shown at ``entry.made_at`` are those shown at ``now``."""
    if now < entry.made_at:
        return False
    until = entry.export.stable_until
    return until is None or now <= until


def _source_key(layer: QgsVectorLayer) -> Optional[Tuple[str, str]]:
    """(GeoPackage path, table) of a saved layer without pending edits, else None."""
    if layer.providerType() != "ogr" or layer.isModified() or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, table = str(parts.get("path") or ""), str(parts.get("layerName") or "")
    if not path.lower().endswith(".gpkg") or not table.isidentifier():
        return None
    return str(Path(path).resolve()), table


def table_fingerprint(gpkg: Path, table: str) -> Optional[str]:
    """SHA-256 of a GeoPackage table's definition and rows as stored, or
    None when it cannot be read (the caller then exports)."""
    if not table.isidentifier():
        return None
    digest = hashlib.sha256()
    try:
        with closing(sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True, timeout=5)) as db:
            digest.update(repr(db.execute(f'PRAGMA table_info("{table}")').fetchall()).encode())
            digest.update(repr(db.execute(
                "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
                " WHERE table_name = ?", (table,)).fetchall()).encode())
            # the table is an identifier (checked above), quoted as one
            cursor = db.execute(f'SELECT * FROM "{table}"')  # noqa: S608  # nosec B608
            while True:
                rows = cursor.fetchmany(_ROWS_PER_CHUNK)
                if not rows:
                    break
                digest.update(pickle.dumps(rows, protocol=5))
    except sqlite3.Error:
        return None
    return digest.hexdigest()


# the plugin session's cache (the publish task and Processing share it)
EXPORTS = ExportCache()
