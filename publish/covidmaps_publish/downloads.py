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
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from covidmaps_plugin.model import MODEL, wire
from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model.manifest_meta import layer_meta

from .offload import Offload
from .representation import compressed_variants
from .storage.base import DamagedError, Storage, download_key, read_verified

log = logging.getLogger(__name__)

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


def _columns(layer_id: str) -> Tuple[List[Dict[str, Any]], bool, List[str]]:
    """(the layer's public fields, whether it is a point layer, the header)."""
    meta = layer_meta(MODEL.layer(layer_id))
    fields = meta["fields"]
    points = meta["geometry_type"] == "Point"
    header = ["id"] + (["lon", "lat"] if points else ["wkt"])
    for fld in fields:
        header.append(fld["name"])
        if fld.get("values"):
            header += [f"{fld['name']}_vi", f"{fld['name']}_en"]
    return fields, points, header


def _row(feature: Dict[str, Any], fields: List[Dict[str, Any]], points: bool) -> List[str]:
    """One feature's CSV cells (the one definition of a record: a whole
    build and a build from the base CSV write the same cells)."""
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
    return row


def _writer(out: io.StringIO) -> Any:
    return csv.writer(out, lineterminator="\r\n")


def _head(header: List[str]) -> bytes:
    """The BOM and the header record, as the CSV starts."""
    out = io.StringIO()
    out.write(BOM)
    _writer(out).writerow(header)
    return out.getvalue().encode("utf-8")


CSV_PIECE = 1 << 20  # characters of records encoded at a time


def layer_csv(layer_id: str, blob: bytes) -> bytes:
    """The CSV bytes of one layer blob (canonical GeoJSON).

    A blob in the canonical layout is read one feature at a time and its
    records encoded a piece at a time: parsed whole, a national layer of
    1 GB would become Python objects several times its size in the worker.
    Any other layout (the same features give the same CSV) is parsed whole.
    """
    out = io.BytesIO()
    _write_csv(layer_id, _blob_features(blob), out)
    return out.getvalue()


def layer_csv_file(layer_id: str, blob: Union[bytes, Path]) -> Union[bytes, Path]:
    """``layer_csv`` of the blob in a file (a worker's spilled argument,
    ``Offload.call(as_files=True)``), written to a new private file beside
    it, whose path is returned: the blob is read a slice at a time
    (model.geojson.canonical_slices) and the CSV written as it is made, so
    the worker holds neither (at national size, 1 GB of GeoJSON and 0.6 GB
    of CSV, then their join). Bytes (a small blob, or no worker) give bytes."""
    if isinstance(blob, bytes):
        return layer_csv(layer_id, blob)
    fd, name = tempfile.mkstemp(prefix="offload-", suffix=".csv.tmp", dir=str(blob.parent))
    try:
        with os.fdopen(fd, "wb") as out, open(blob, "rb") as source:
            try:
                _write_csv(layer_id, _sliced_features(source), out)
            except cgj.NotCanonicalLayoutError:  # another layout: parsed whole
                out.seek(0)
                out.truncate()
                _write_csv(layer_id, _blob_features(blob.read_bytes()), out)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _blob_features(blob: bytes) -> Iterable[Dict[str, Any]]:
    """The features of a blob: one at a time from the canonical layout,
    else parsed whole."""
    parts = cgj.iter_canonical_features(blob)
    return (json.loads(blob).get("features", ()) if parts is None
            else (json.loads(cgj.FEATURE_PREFIX + part) for part in parts))


def _sliced_features(source: IO[bytes]) -> Iterator[Dict[str, Any]]:
    """The features of a canonical blob in a file, a slice at a time
    (raises NotCanonicalLayoutError, maybe after some, for another layout)."""
    for piece in cgj.canonical_slices(source):
        yield from _blob_features(piece)


def _write_csv(layer_id: str, features: Iterable[Dict[str, Any]], out: IO[bytes]) -> None:
    """The CSV of ``features``, its records encoded a piece at a time."""
    fields, points, header = _columns(layer_id)
    out.write(_head(header))
    text = io.StringIO()
    writer = _writer(text)
    for feature in features:
        writer.writerow(_row(feature, fields, points))
        if text.tell() >= CSV_PIECE:
            out.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    out.write(text.getvalue().encode("utf-8"))


def _records(data: bytes, start: int) -> Iterator[Tuple[int, int]]:
    """(start, end) of each CSV record of ``data`` from ``start`` on, its
    CRLF included. A CRLF ends a record only outside quotes: inside a
    quoted cell the quotes before it are odd in number (the opening one
    plus doubled ones), between cells they are even."""
    end = len(data)
    while start < end:
        stop = data.find(b"\r\n", start)
        while stop >= 0 and data.count(b'"', start, stop) % 2:
            stop = data.find(b"\r\n", stop + 2)
        if stop < 0:
            raise ValueError("a CSV record without its line end")
        yield start, stop + 2
        start = stop + 2


def _line_end(data: bytes, start: int, count: int) -> Optional[int]:
    """Where the ``count``-th CRLF from ``start`` ends, counted a MiB at a
    time in C (a record per CRLF: ``layer_csv_from_base``); None when
    there are fewer."""
    step = 1 << 20
    pos = start
    while count > 0:
        stop = min(pos + step, len(data))
        if data[stop - 1:stop + 1] == b"\r\n":
            stop += 1  # a step never ends between the two
        found = data.count(b"\r\n", pos, stop)
        if found < count and stop < len(data):
            count -= found
            pos = stop
            continue
        for _ in range(count):  # within this step
            pos = data.find(b"\r\n", pos)
            if pos < 0:
                return None
            pos += 2
        return pos
    return pos


# A CSV made from its base encodes at most this many features (in the
# server's process: a few tens of ms); a bigger change is built whole, in a
# worker process for a big layer.
FROM_BASE_MAX_ENCODED = 1000


def layer_csv_from_base(layer_id: str, blob: bytes, base_blob: bytes, base_csv: bytes,
                        max_encoded: Optional[int] = None) -> Optional[bytes]:
    """``layer_csv(layer_id, blob)``, made from the CSV of another blob of
    the layer (the release's base): the record of a feature whose canonical
    bytes are the base's is copied from the base CSV, only the features that
    changed or came are encoded, so a republish pays for what it changed.
    Both blobs must be canonical (sorted by id: what the server's checks
    accept). None when this cannot be sure to give the whole build's bytes
    (a blob not in the canonical layout, ids with escapes, a CSV of other
    columns or other records, more than ``max_encoded`` features to
    encode): the caller then builds it whole."""
    changes = cgj.merge_canonical_changes(base_blob, blob)
    fields, points, header = _columns(layer_id)
    head = _head(header)
    if changes is None or not base_csv.startswith(head):
        return None
    # When every CRLF of the base CSV ends a record (no cell holds a line
    # break: the usual case), the records of the features both blobs start
    # and end with are found by counting CRLFs (in C) and copied as they
    # are; only the features between are walked. Else every one is.
    lined = base_csv.count(b"\r\n", len(head)) == changes.base_features
    if lined:
        merged, first = changes.merged, _line_end(base_csv, len(head), changes.head)
    else:
        merged, first = cgj.merge_canonical(base_blob, blob), len(head)
    if merged is None or first is None:
        return None
    records = _records(base_csv, first)
    view = memoryview(base_csv)  # runs are joined once, not copied first
    pieces: List[Any] = [head]
    run = [len(head), first]  # the base records being copied: [start, end)

    def take_base(keep: bool) -> None:
        """Consume the next base record: copy it, or leave it out."""
        _, end = next(records)
        if not keep:
            flush()
            run[0] = end
        run[1] = end

    def flush() -> None:
        if run[1] > run[0]:
            pieces.append(view[run[0]:run[1]])
        run[0] = run[1]

    out = io.StringIO()
    writer = _writer(out)
    encoded = 0
    try:
        for _, old, new in merged:
            if old is not None:  # the base's record: copied if the feature is the same
                take_base(old == new)
            if new is None or new == old:
                continue
            # changed or added: encoded here, as a whole build encodes it
            encoded += 1
            if max_encoded is not None and encoded > max_encoded:
                return None
            flush()
            writer.writerow(_row(json.loads(cgj.FEATURE_PREFIX + new), fields, points))
            pieces.append(out.getvalue().encode("utf-8"))
            out.seek(0)
            out.truncate()
        # the rest of the base CSV: the records of the features both end with
        # (lined: the CRLFs left are as many as the base features left)
        if lined and base_csv.endswith(b"\r\n"):
            run[1] = len(base_csv)
        flush()
        if next(_records(base_csv, run[1]), None) is not None:  # more records than features
            return None
    except (StopIteration, ValueError):  # fewer records; an id with escapes or out of order
        return None
    return b"".join(pieces)


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
        # SHA-256 of the CSVs this process made: only these are bases of a
        # CSV made from its base (one made by another version of the server
        # may have other labels or cells: it is not copied from)
        self._made: OrderedDict[str, None] = OrderedDict()

    def prepare(self, layer_id: str, blob_sha: str, blob: bytes,
                base: Optional[Tuple[bytes, str]] = None) -> None:
        """Start making the CSV of an accepted blob in the background (at
        upload time, like its tiles): the commit then finds it stored.
        ``base``: (the blob it was changed from, the SHA-256 of that blob's
        CSV): the CSV is then made from that one (``layer_csv_from_base``)."""
        key = (layer_id, blob_sha)
        with self._lock:
            if key in self._refs or key in self._pending:
                return
            future = self._pending[key] = self._pool.submit(self._make, layer_id, blob, base)
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

    def _make(self, layer_id: str, blob: bytes,
              base: Optional[Tuple[bytes, str]] = None) -> Dict[str, Any]:
        start = time.perf_counter()
        base_csv = self._base_csv(base[1]) if base is not None else None
        # (SHA-256, bytes) of the base CSV: its gzip variant's chunks are reused
        gzip_base = (base[1], base_csv) if base is not None and base_csv is not None else None
        data = None
        if base is not None and base_csv is not None:
            data = layer_csv_from_base(layer_id, blob, base[0], base_csv,
                                       FROM_BASE_MAX_ENCODED)
        if data is None:
            # a worker reads the blob's file and writes the CSV's: bytes back here
            data = (self.offload.call(len(blob), layer_csv_file, layer_id, blob, as_files=True)
                    if self.offload is not None else layer_csv(layer_id, blob))
        made = time.perf_counter()
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._made[sha] = None
            while len(self._made) > 64:
                self._made.popitem(last=False)
        if not self.storage.exists(download_key(sha)):
            gz, br = compressed_variants(data, sha, gzip_base)
            self.storage.put_immutable(download_key(sha, ".gz"), gz)
            self.storage.put_immutable(download_key(sha, ".br"), br)
            self.storage.put_immutable(download_key(sha), data)
        # wall seconds, for the benchmark's breakdown
        log.debug("CSV of %s: %d B", layer_id, len(data), extra={"timings": {
            "csv build": made - start, "csv compress and store": time.perf_counter() - made}})
        return {"csv": {"sha256": sha, "size": len(data), "href": wire.DOWNLOAD.name(sha)}}

    def _base_csv(self, base_csv_sha: str) -> Optional[bytes]:
        """The base CSV a CSV is made from (None: build it whole): only a
        CSV this process made, read back verified against its name."""
        with self._lock:
            if base_csv_sha not in self._made:
                return None
        try:
            base_csv = read_verified(self.storage, download_key(base_csv_sha), base_csv_sha)
        except DamagedError as exc:
            log.error("%s; the CSV is made whole", exc)
            return None
        return base_csv

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
