"""CSV downloads of a layer blob (docs/release-format.md, "Downloads").

One CSV per layer blob, derived from the canonical GeoJSON alone (same blob,
same CSV bytes, same name ``downloads/<sha256 of the CSV>.csv``):

- UTF-8 with a byte-order mark and CRLF line ends, so Excel opens Vietnamese
  text correctly by double-click;
- columns: ``id``, then ``lon`` and ``lat`` for point layers or ``wkt`` for
  area layers (the GeoJSON's coordinates as they are, 6 decimals), then the
  layer's public fields in model order, exactly the blob's properties; a
  field with a value list is followed by ``<field>_vi`` and ``<field>_en``
  columns holding its labels, the same the map and the manifest show;
- a text cell that a spreadsheet would run as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with
  ``'`` (attribute text is untrusted: no CSV injection).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Dict, List, Optional

from covidmaps_plugin.model import MODEL, wire
from covidmaps_plugin.model.manifest_meta import layer_meta

from .offload import Offload
from .representation import compressed_variants
from .storage.base import Storage, download_key

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _ring(ring: List[List[float]]) -> str:
    return "(" + ", ".join(f"{_number(p[0])} {_number(p[1])}" for p in ring) + ")"


def wkt(geometry: Dict[str, Any]) -> str:
    """WKT of a GeoJSON Point, Polygon or MultiPolygon (coordinates as given)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return f"POINT ({_number(coords[0])} {_number(coords[1])})"
    if kind == "Polygon":
        return "POLYGON (" + ", ".join(_ring(r) for r in coords) + ")"
    if kind == "MultiPolygon":
        return "MULTIPOLYGON (" + ", ".join(
            "(" + ", ".join(_ring(r) for r in poly) + ")" for poly in coords) + ")"
    raise ValueError(f"no WKT for geometry type {kind!r}")


def layer_csv(layer_id: str, blob: bytes) -> bytes:
    """The CSV bytes of one layer blob (canonical GeoJSON)."""
    meta = layer_meta(MODEL.layer(layer_id))
    fields = meta["fields"]
    points = meta["geometry_type"] == "Point"
    header = ["id"] + (["lon", "lat"] if points else ["wkt"])
    for fld in fields:
        header.append(fld["name"])
        if fld.get("values"):
            header += [f"{fld['name']}_vi", f"{fld['name']}_en"]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for feature in json.loads(blob).get("features", ()):
        geometry = feature.get("geometry") or {}
        props = feature.get("properties") or {}
        if points:
            lon, lat = geometry.get("coordinates", (None, None))[:2]
            row = [_text(feature.get("id")), _number(lon), _number(lat)]
        else:
            row = [_text(feature.get("id")), wkt(geometry)]
        for fld in fields:
            value = props.get(fld["name"])
            row.append(_text(value))
            if fld.get("values"):
                label = fld["values"].get(value) if isinstance(value, str) else None
                row += [_text(label["vi"]) if label else "", _text(label["en"]) if label else ""]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


class Downloads:
    """Writes each layer blob's CSV once and names it in the manifest."""

    def __init__(self, storage: Storage, offload: Optional[Offload] = None) -> None:
        self.storage = storage
        # big layers: the CSV and its variants are made in worker processes
        self.offload = offload
        # (layer, blob sha) -> manifest "downloads" (an empty blob is shared by
        # every layer; its CSVs differ by their columns)
        self._refs: Dict[Any, Dict[str, Any]] = {}
        # (layer, blob sha) -> the CSV being made since the blob's upload
        self._pending: Dict[Any, Future] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="downloads")

    def prepare(self, layer_id: str, blob_sha: str, blob: bytes) -> None:
        """Start making the CSV of an accepted blob in the background (at
        upload time, like its tiles): the commit then finds it stored."""
        key = (layer_id, blob_sha)
        with self._lock:
            if key in self._refs or key in self._pending:
                return
            future = self._pending[key] = self._pool.submit(self._make, layer_id, blob)
        future.add_done_callback(lambda done: self._settle(key, done))

    def _settle(self, key: Any, done: Future) -> None:
        """A finished CSV joins the made ones (a failed one is made again
        by the commit, which then reports the failure)."""
        with self._lock:
            self._pending.pop(key, None)
            if done.exception() is None:
                self._keep(key, done.result())

    def _keep(self, key: Any, entry: Dict[str, Any]) -> None:
        self._refs[key] = entry
        while len(self._refs) > 64:
            self._refs.pop(next(iter(self._refs)))

    def prepared(self, layer_id: str, blob_sha: str) -> Optional[Dict[str, Any]]:
        """The entry of a CSV made (or being made: waited for) since its
        blob's upload, else None."""
        key = (layer_id, blob_sha)
        with self._lock:
            made, pending = self._refs.get(key), self._pending.get(key)
        if made is not None:
            return made
        if pending is not None:
            try:
                return pending.result()
            except Exception:  # noqa: BLE001 - made again by the caller, which reports it
                return None
        return None

    def _make(self, layer_id: str, blob: bytes) -> Dict[str, Any]:
        if self.offload is not None:
            data = self.offload.call(len(blob), layer_csv, layer_id, blob)
        else:
            data = layer_csv(layer_id, blob)
        sha = hashlib.sha256(data).hexdigest()
        if not self.storage.exists(download_key(sha)):
            gz, br = compressed_variants(data)
            self.storage.put_immutable(download_key(sha, ".gz"), gz)
            self.storage.put_immutable(download_key(sha, ".br"), br)
            self.storage.put_immutable(download_key(sha), data)
        return {"csv": {"sha256": sha, "size": len(data), "href": wire.DOWNLOAD.name(sha)}}

    def entry(self, layer_id: str, blob_sha: str, blob: bytes,
              parent_entry: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The layer's manifest member ``downloads``; writes the CSV (variants
        first) unless it is already stored. An unchanged blob reuses the
        parent's entry without building the CSV again."""
        cached = self.prepared(layer_id, blob_sha)
        if cached is None and parent_entry and (parent_entry.get("blob") or {}).get(
                "sha256") == blob_sha and parent_entry.get("downloads"):
            cached = parent_entry["downloads"]
        if cached is None:
            cached = self._make(layer_id, blob)
        with self._lock:
            self._keep((layer_id, blob_sha), cached)
        return cached

    def close(self) -> None:
        self._pool.shutdown(wait=True)
