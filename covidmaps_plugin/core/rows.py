"""The stored rows of a workspace layer, read in bulk and reused row by row.

The validator and the export read the same GeoPackage table (the model's
fields and the geometry). A publish reads it once, and a republish reads
again only the rows that changed since: each row has a digest of its
stored bytes, taken in SQLite without building Python values
(:func:`row_digests`), and :data:`ROWS` keeps the rows it read with their
digests for the QGIS session. A row whose digest is unchanged is, byte for
byte, the row read before; any write by any program changes the digest.

Anything that makes the stored rows unreliable is read in full: a table
whose columns or geometry column changed, another set of fields asked for,
rows that moved, most rows changed, a digest query or a read that fails,
or a layer with edits only QGIS holds (not a GeoPackage read at all).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from qgis.core import QgsProviderRegistry, QgsVectorLayer

from ..model import FieldType, LayerDef

Raw = Tuple[List[int], Dict[str, List[Any]], List[Optional[bytes]]]  # fids, columns, WKB

# GDAL 3.6's Arrow export drops time zones (text keeps the offset) and
# garbles booleans (integers do not)
_ARROW_CASTS = {FieldType.DATETIME: "TEXT", FieldType.BOOLEAN: "INTEGER"}
# re-reading more than this share of a layer row by row costs more than reading it all
_MAX_CHANGED_SHARE = 0.25
# a GeoPackage limits an SQL statement's parameters (999 on older SQLite)
_FIDS_PER_QUERY = 900


def quote(identifier: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def gpkg_table(layer: QgsVectorLayer) -> Optional[Tuple[Path, str]]:
    """(GeoPackage path, table) of an OGR GeoPackage layer without a subset, else None."""
    if layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path, table = str(parts.get("path") or ""), str(parts.get("layerName") or "")
    if not path.lower().endswith(".gpkg") or not table:
        return None
    return Path(path).resolve(), table


def read_arrow(layer: QgsVectorLayer, layer_def: LayerDef, names: Sequence[str],
               with_geometry: bool, fids: Optional[Sequence[int]] = None) -> Optional[Raw]:
    """Bulk read of a GeoPackage layer's file (only the rows ``fids`` when
    given); None when not applicable (not a GeoPackage, GDAL < 3.6...)."""
    source_table = gpkg_table(layer)
    if source_table is None:
        return None
    path, table_name = source_table
    try:
        from osgeo import gdal, ogr
    except ImportError:
        return None
    if not hasattr(ogr.Layer, "GetArrowStreamAsNumPy"):
        return None  # GDAL < 3.6
    types = {f.name: f.type for f in layer_def.fields}
    use_exceptions = gdal.GetUseExceptions()
    gdal.UseExceptions()
    try:
        dataset = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
        source = dataset.GetLayerByName(table_name)
        if source is None:
            return None
        fid_column = quote(source.GetFIDColumn() or "fid")
        select = [fid_column]
        for name in names:
            cast = _ARROW_CASTS.get(types[name])
            select.append(f"CAST({quote(name)} AS {cast}) AS {quote(name)}" if cast
                          else quote(name))
        geometry_column = source.GetGeometryColumn()
        if with_geometry and geometry_column:
            select.append(quote(geometry_column))
        # identifiers come from the model and the file, each one quoted;
        # fids are integers
        sql = f"SELECT {', '.join(select)} FROM {quote(table_name)}"  # noqa: S608  # nosec B608
        queries = [sql] if fids is None else [
            f"{sql} WHERE {fid_column} IN ({','.join(str(int(f)) for f in chunk)})"
            for chunk in (fids[i:i + _FIDS_PER_QUERY]
                          for i in range(0, len(fids), _FIDS_PER_QUERY))]
        parts = []
        for query in queries:
            result = dataset.ExecuteSQL(query)
            try:
                parts.append(_collect_batches(result, names,
                                              with_geometry and bool(geometry_column)))
            finally:
                dataset.ReleaseResultSet(result)
        return _concat(parts, names) if len(parts) != 1 else parts[0]
    except RuntimeError:
        return None  # an unexpected file: the feature reader will tell
    finally:
        if not use_exceptions:
            gdal.DontUseExceptions()


def _concat(parts: List[Raw], names: Sequence[str]) -> Raw:
    fids: List[int] = []
    columns: Dict[str, List[Any]] = {n: [] for n in names}
    wkbs: List[Optional[bytes]] = []
    for part_fids, part_columns, part_wkbs in parts:
        fids.extend(part_fids)
        wkbs.extend(part_wkbs)
        for name in names:
            columns[name].extend(part_columns[name])
    return fids, columns, wkbs


def _collect_batches(result: Any, names: Sequence[str], with_geometry: bool) -> Raw:
    fids: List[int] = []
    columns: Dict[str, List[Any]] = {n: [] for n in names}
    wkbs: List[Optional[bytes]] = []
    geometry_key = result.GetGeometryColumn() or "wkb_geometry"
    fid_key = result.GetFIDColumn() or "OGC_FID"
    for batch in result.GetArrowStreamAsNumPy():
        count = len(batch[fid_key])
        fids.extend(batch[fid_key].tolist())
        for name in names:
            values = batch[name].tolist()
            if values and isinstance(next((v for v in values if v is not None), None), bytes):
                values = _decoded(values)
            columns[name].extend(values)
        if with_geometry:
            wkbs.extend(batch[geometry_key].tolist())
        else:
            wkbs.extend([None] * count)
    return fids, columns, wkbs


def _decoded(values: List[Any]) -> List[Any]:
    """UTF-8 text of a column of bytes; texts repeat a lot in a layer
    (statuses, advice, addresses): each distinct one is decoded once."""
    distinct = {v: v.decode("utf-8", "replace") for v in set(values) if v is not None}
    distinct[None] = None  # type: ignore[index]
    return [distinct[v] for v in values]


# ------------------------------------------------------------------ digests

_DIGEST_SIZE = 16


def row_digests(gpkg: Path, table: str) -> Optional[Tuple[str, List[int], List[bytes]]]:
    """(the table's definition, its fids in stored order, a digest of each
    row's stored values), or None when it cannot be read.

    SQLite's ``quote()`` writes each value exactly (text quoted, blobs in
    hex, reals with as many digits as round-trip), so two rows have the
    same digest only if every column holds the same bytes.
    """
    try:
        with closing(sqlite3.connect(f"{gpkg.as_uri()}?mode=ro", uri=True, timeout=5)) as db:
            info = db.execute(f"PRAGMA table_info({quote(table)})").fetchall()
            geometry = db.execute(
                "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
                " WHERE table_name = ?", (table,)).fetchall()
            keys = [row[1] for row in info if row[5]]
            if len(keys) != 1:
                return None  # not a GeoPackage feature table
            values = "||','||".join(f"quote({quote(row[1])})" for row in info)
            # identifiers read from the table itself, each one quoted
            sql = f"SELECT {quote(keys[0])}, {values} FROM {quote(table)}"  # noqa: S608  # nosec B608
            cursor = db.execute(sql)
            fids: List[int] = []
            digests: List[bytes] = []
            blake = hashlib.blake2b
            for fid, text in cursor:
                fids.append(fid)
                digests.append(blake(text.encode("utf-8", "surrogatepass"),
                                     digest_size=_DIGEST_SIZE).digest())
    except (sqlite3.Error, ValueError):
        return None
    return repr((info, geometry)), fids, digests


def table_digest(definition: str, digests: Sequence[bytes], fids: Sequence[int]) -> str:
    """One digest of a whole table: its definition, fids and rows."""
    digest = hashlib.sha256(definition.encode("utf-8"))
    digest.update(repr(list(fids)).encode("ascii"))
    digest.update(b"".join(digests))
    return digest.hexdigest()


# -------------------------------------------------------------------- cache


@dataclass
class Rows:
    """A layer's rows as read, with each row's digest."""

    raw: Raw
    digests: List[bytes]
    definition: str  # the table's columns and geometry column
    reread: int  # rows read from the file this time (the others were reused)

    @property
    def fids(self) -> List[int]:
        return self.raw[0]

    def fingerprint(self) -> str:
        return table_digest(self.definition, self.digests, self.fids)


@dataclass
class _Entry:
    definition: str
    request: Tuple[Tuple[str, ...], bool, Tuple[Tuple[str, str], ...]]
    fids: List[int]
    digests: List[bytes]
    columns: Dict[str, List[Any]]
    wkbs: List[Optional[bytes]]


class RowCache:
    """Rows of saved GeoPackage layers by (path, table), reused while their
    digests are unchanged."""

    def __init__(self, max_entries: int = 16) -> None:
        self._entries: Dict[Tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def read(self, layer: QgsVectorLayer, layer_def: LayerDef, names: Sequence[str],
             with_geometry: bool) -> Optional[Rows]:
        """The rows of a saved GeoPackage layer (as :func:`read_arrow` gives
        them), re-reading only those changed since the last read; None when
        the layer is not one (edits only QGIS holds, another provider...)."""
        source = None if layer.isModified() else gpkg_table(layer)
        if source is None:
            return None
        digested = row_digests(*source)
        if digested is None:
            return None
        definition, fids, digests = digested
        types = {f.name: f.type.value for f in layer_def.fields}
        request = (tuple(names), with_geometry, tuple((n, types[n]) for n in names))
        key = (str(source[0]), source[1])
        with self._lock:
            entry = self._entries.get(key)
        raw, reread = None, len(fids)
        if entry is not None and entry.definition == definition and entry.request == request:
            raw, reread = _patched(entry, layer, layer_def, names, with_geometry, fids, digests)
        if raw is None:
            raw = read_arrow(layer, layer_def, names, with_geometry)
            if raw is None or raw[0] != fids:
                return None  # unreadable, or written to between the two reads
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = _Entry(definition, request, list(fids), list(digests),
                                        {n: list(v) for n, v in raw[1].items()}, list(raw[2]))
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))
        return Rows(raw, digests, definition, reread)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _patched(entry: _Entry, layer: QgsVectorLayer, layer_def: LayerDef, names: Sequence[str],
             with_geometry: bool, fids: List[int], digests: List[bytes]
             ) -> Tuple[Optional[Raw], int]:
    """The entry's rows with the changed ones read again, in stored order;
    (None, 0) when reading the layer whole is the better (or only sound) way."""
    known = dict(zip(entry.fids, zip(entry.digests, range(len(entry.fids)))))
    changed = [fid for fid, digest in zip(fids, digests)
               if known.get(fid, (None,))[0] != digest]
    if len(changed) > _MAX_CHANGED_SHARE * len(fids):
        return None, 0
    fresh: Raw = ([], {n: [] for n in names}, [])
    if changed:
        got = read_arrow(layer, layer_def, names, with_geometry, changed)
        if got is None or sorted(got[0]) != sorted(changed):
            return None, 0
        fresh = got
    fresh_row = {fid: row for row, fid in enumerate(fresh[0])}
    if fids == entry.fids:  # edits only: copy, then replace the changed rows
        columns = {n: list(entry.columns[n]) for n in names}
        wkbs = list(entry.wkbs)
        for fid in changed:
            old, new = known[fid][1], fresh_row[fid]
            for name in names:
                columns[name][old] = fresh[1][name][new]
            wkbs[old] = fresh[2][new]
        return (list(fids), columns, wkbs), len(changed)
    # rows added or deleted: (from the entry?, row) for each row, in stored order
    sources = [(False, fresh_row[fid]) if fid in fresh_row else (True, known[fid][1])
               for fid in fids]
    columns = {n: [entry.columns[n][row] if old else fresh[1][n][row] for old, row in sources]
               for n in names}
    wkbs = [entry.wkbs[row] if old else fresh[2][row] for old, row in sources]
    return (list(fids), columns, wkbs), len(changed)


# the plugin session's rows (the validator, the export and the publish task share them)
ROWS = RowCache()
