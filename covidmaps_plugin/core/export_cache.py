"""Reuse what a previous export of a layer made, as far as it is provably
the same.

A republish usually changes one layer (today's figures of a facility) or
a few features of a big one (one risk point); encoding the 100,000
features of a layer again costs seconds for the same bytes. A feature's
canonical bytes are a function of its stored row alone, and which
features are shown a function of the rows and of "now"
(``model.visibility``), so:

- a layer whose table is unchanged (its definition, and every row since
  it was read: ``core.rows``) and whose shown features are the same at ``now``
  (``now`` not before the export's time and not after its
  ``stable_until``, the earliest end of visibility among its features)
  gets the same export back;
- otherwise the layer is exported again, with the bytes of each shown
  feature whose row is unchanged since they were made spliced in, and only
  the changed or newly shown features encoded (``export.export_rows``).

A layer with edits only QGIS holds, in another CRS or not in a GeoPackage
is always exported in full. The cache lives as long as the QGIS session
(a few layers, the bytes of each).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple

from qgis.core import QgsFeedback, QgsVectorLayer

from ..model import MODEL
from ..model.bulk import collector_paused
from .export import FeatureParts, LayerExport, bulk_rows, export_layer, export_layers, export_rows
from .rows import gpkg_table


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    made_at: dt.datetime
    export: LayerExport
    parts: FeatureParts


class ExportCache:
    """Exports by (GeoPackage path, table), reused while provably current."""

    def __init__(self, max_entries: int = 32) -> None:
        self._entries: Dict[Tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.hits = 0  # whole layers reused (tests and the benchmark read these)
        self.misses = 0  # layers exported again
        self.features_reused = 0  # of those, features whose bytes were spliced in
        self.features_encoded = 0

    def export(self, layer_name: str, layer: QgsVectorLayer, now: dt.datetime,
               feedback: Optional[QgsFeedback] = None) -> LayerExport:
        """``export_layer`` of the model layer ``layer_name``, or the same
        bytes made (in whole or feature by feature) earlier when provably current."""
        layer_def = MODEL.layer(layer_name)
        source = gpkg_table(layer)
        with collector_paused():
            rows = bulk_rows(layer_def, layer) if source is not None else None
            if rows is None:
                made = export_layer(layer_def, layer, now, feedback)
                with self._lock:
                    self.misses += 1
                return made
            key = (str(source[0]), source[1])  # type: ignore[index]
            fingerprint = rows.fingerprint()
            with self._lock:
                entry = self._entries.get(key)
            if entry is not None and entry.fingerprint == fingerprint and _still_shows(
                    entry, now):
                with self._lock:
                    self.hits += 1
                return entry.export
            made, parts = export_rows(layer_def, rows, now, feedback,
                                      entry.parts if entry is not None else None)
        reused = parts.reused
        with self._lock:
            self.misses += 1
            self.features_reused += reused
            self.features_encoded += made.feature_count - reused
            self._entries.pop(key, None)
            self._entries[key] = _Entry(fingerprint, now, made, parts)
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))
        return made

    def last_export(self, layer: QgsVectorLayer) -> Optional[LayerExport]:
        """The export this cache holds for the layer's table, current or not
        (a republish diffs its new export against it when it is the base
        release's blob: no download of the base)."""
        source = gpkg_table(layer)
        if source is None:
            return None
        with self._lock:
            entry = self._entries.get((str(source[0]), source[1]))
        return entry.export if entry is not None else None

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


# the plugin session's cache (the publish task and Processing share it)
EXPORTS = ExportCache()
