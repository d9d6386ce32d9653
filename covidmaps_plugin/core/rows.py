"""The stored rows of a workspace layer, read in bulk and reused row by row.

The validator and the export read the same GeoPackage table (the model's
fields and the geometry). A publish reads it once, and a republish reads
again only the rows that changed since: :data:`ROWS` keeps the rows it read
for the QGIS session, with a copy of the stored rows in a scratch SQLite
file, and finds the changed ones by comparing the table with that copy in
SQLite (:class:`RowCache`). Any write by any program shows there.

Anything that makes the kept rows unreliable means a full read: a table
whose columns or geometry column changed, another set of fields asked
for, most rows changed, a read that fails or does not give the rows the
table lists, a write while reading, or a layer with edits only QGIS holds
(not a GeoPackage read at all).
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import os
import sqlite3
import sys
import tempfile
import threading
from array import array
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

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
# scratch copies: covidmaps_rows_<pid>_<random>.sqlite in the temp directory
_SCRATCH_PREFIX = "covidmaps_rows_"


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


# -------------------------------------------------------------------- cache


@dataclass
class Rows:
    """A layer's rows as read, with a version of each row: a row keeps its
    version while its stored values stay the same (a new read of it gets a
    new one), so whoever derived something from a row can tell whether it
    still holds. Read only: the cache keeps the very same lists."""

    raw: Raw
    versions: List[int]
    definition: str  # the table's columns and geometry column
    reread: int  # rows read from the file this time (the others were reused)
    source: Tuple[str, str]  # (GeoPackage path, table)

    @property
    def fids(self) -> List[int]:
        return self.raw[0]

    def fingerprint(self) -> str:
        """The same string exactly when the table and every row are the same."""
        digest = hashlib.sha256(self.definition.encode("utf-8"))
        digest.update(array("q", self.fids).tobytes())
        digest.update(array("q", self.versions).tobytes())
        return digest.hexdigest()


@dataclass
class _Entry:
    definition: str
    request: Tuple[Any, ...]
    fids: List[int]
    versions: List[int]
    columns: Dict[str, List[Any]]
    wkbs: List[Optional[bytes]]


_VERSIONS = itertools.count(1)  # never reused in a session: a version names one read of a row


class RowCache:
    """Rows of saved GeoPackage layers by (path, table), reused while the
    stored rows are the same.

    Besides the rows as Python values, the cache keeps a copy of each
    table's stored rows in a scratch SQLite file: the rows changed since
    the last read are those that differ from the copy, found by one join
    in SQLite (every column compared exactly: storage class, bytes, the
    sign of a zero), without building a Python value per row.
    """

    def __init__(self, max_entries: int = 16) -> None:
        self._entries: Dict[Tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self._scratch: Optional[Path] = None
        self.max_entries = max_entries
        self.rows_read = 0  # rows read from files, and rows kept (tests and benchmarks)
        self.rows_kept = 0
        self.reads = 0  # reads that went to a file (not answered by a snapshot)
        self._snapshot = threading.local()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Within it, the calling thread's reads of a table give the rows its
        first read there gave (for the same columns), without looking at the
        file again. A publish exports and then validates the workspace: the
        validation checks the very rows the export encoded (an edit saved in
        between is not half-seen) and the changed rows are looked for once.
        Nested snapshots share the outermost one."""
        if getattr(self._snapshot, "rows", None) is not None:
            yield
            return
        self._snapshot.rows = {}
        try:
            yield
        finally:
            self._snapshot.rows = None

    def read(self, layer: QgsVectorLayer, layer_def: LayerDef, names: Sequence[str],
             with_geometry: bool) -> Optional[Rows]:
        """The rows of a saved GeoPackage layer (as :func:`read_arrow` gives
        them), re-reading only those changed since the last read; None when
        the layer is not one (edits only QGIS holds, another provider...)."""
        source = None if layer.isModified() else gpkg_table(layer)
        if source is None:
            return None
        types = {f.name: f.type.value for f in layer_def.fields}
        request = (tuple(names), with_geometry, tuple(types[n] for n in names))
        key = (str(source[0]), source[1])
        held: Optional[Dict[Any, Rows]] = getattr(self._snapshot, "rows", None)
        if held is not None and (key, request) in held:
            return held[(key, request)]
        with self._lock:  # one read at a time: the scratch copies are shared
            entry = self._entries.pop(key, None)
            try:
                with closing(sqlite3.connect(f"{source[0].as_uri()}?mode=ro", uri=True,
                                             timeout=10, isolation_level=None)) as db:
                    result = self._read(db, key, entry, request, layer, layer_def, names,
                                        with_geometry)
            except (sqlite3.Error, OSError):
                return None
            if result is None:
                return None
            rows, stored = result
            self.reads += 1
            if held is not None:
                held[(key, request)] = rows
            self.rows_read += rows.reread
            self.rows_kept += len(rows.fids) - rows.reread
            if stored is not None:
                self._entries[key] = stored
                while len(self._entries) > self.max_entries:
                    self._entries.pop(next(iter(self._entries)))
            return rows

    def _read(self, db: sqlite3.Connection, key: Tuple[str, str], entry: Optional[_Entry],
              request: Tuple[Any, ...], layer: QgsVectorLayer, layer_def: LayerDef,
              names: Sequence[str], with_geometry: bool
              ) -> Optional[Tuple[Rows, Optional[_Entry]]]:
        table = key[1]
        before = db.execute("PRAGMA data_version").fetchone()[0]
        info = db.execute(f"PRAGMA table_info({quote(table)})").fetchall()
        geometry = db.execute(
            "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
            " WHERE table_name = ?", (table,)).fetchall()
        keys = [row[1] for row in info if row[5]]
        if len(keys) != 1:
            return None  # not a GeoPackage feature table
        definition = repr((info, geometry))
        columns = [(row[1], str(row[2] or "")) for row in info if not row[5]]
        copy = "rows_" + hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:24]
        db.execute("ATTACH DATABASE ? AS scratch", (self._scratch_uri(),))
        db.execute("PRAGMA scratch.journal_mode = OFF")
        db.execute("PRAGMA scratch.synchronous = OFF")
        fid = quote(keys[0])
        # identifiers read from the table itself or made here, each one quoted
        fids = [row[0] for row in db.execute(
            f"SELECT {fid} FROM {quote(table)} ORDER BY {fid}")]  # noqa: S608  # nosec B608
        changed: Optional[List[int]] = None
        if entry is not None and entry.definition == definition and entry.request == request:
            changed = [row[0] for row in db.execute(_changed_sql(table, fid, columns, copy))]
            if len(changed) > _MAX_CHANGED_SHARE * len(fids):
                changed = None
        raw, versions = None, None
        if changed is not None and entry is not None:
            patched = _patched(entry, layer, layer_def, names, with_geometry, fids, changed)
            if patched is not None:
                raw, versions = patched
        reread = len(changed) if raw is not None and changed is not None else len(fids)
        if raw is None or versions is None:
            changed = None
            raw = read_arrow(layer, layer_def, names, with_geometry)
            if raw is None or raw[0] != fids:
                db.execute(f"DROP TABLE IF EXISTS scratch.{copy}")
                return None  # unreadable, or written to between the two reads
            versions = [next(_VERSIONS) for _ in fids]
        _refresh_copy(db, table, fid, columns, copy, changed,
                      sorted(set(entry.fids) - set(fids)) if changed is not None and entry
                      else [])
        rows = Rows(raw, versions, definition, reread, key)
        if db.execute("PRAGMA data_version").fetchone()[0] != before:
            # written to while being read: the copy and the rows may not
            # match; this read stands, the next one starts afresh
            db.execute(f"DROP TABLE IF EXISTS scratch.{copy}")
            return rows, None
        # the entry shares the lists it hands out (read only, for everyone:
        # a republish makes new ones, ``_patched``); a copy of each cost
        # 8 B a value, 200 MB for a national layer
        return rows, _Entry(definition, request, raw[0], versions, raw[1], raw[2])

    def _scratch_uri(self) -> str:
        if self._scratch is None or not self._scratch.exists():
            remove_orphaned_scratch()
            handle, name = tempfile.mkstemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}_",
                                            suffix=".sqlite")
            os.close(handle)
            self._scratch = Path(name)
        return self._scratch.as_uri()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        """Forget every row and remove the scratch copies. Called when the
        plugin unloads and at interpreter exit (``atexit``, before QGIS
        tears down): explicit, while the interpreter is whole, instead of a
        finalizer run at some point of the shutdown. No connection stays
        open between reads, so only the file goes. Reads after it start
        afresh."""
        with self._lock:
            self._entries.clear()
            scratch, self._scratch = self._scratch, None
        if scratch is not None:
            _remove(scratch)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def remove_orphaned_scratch(directory: Optional[Path] = None) -> int:
    """Remove the scratch copies of QGIS processes that died without their
    exit cleanup (their pid, in the name, is gone); returns how many. On
    Windows nothing is removed: there is no harmless probe of a pid
    (``os.kill(pid, 0)`` sends a signal there)."""
    if sys.platform.startswith("win"):
        return 0
    removed = 0
    for path in Path(directory or tempfile.gettempdir()).glob(f"{_SCRATCH_PREFIX}*.sqlite"):
        pid_text = path.name[len(_SCRATCH_PREFIX):].split("_", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:  # gone: its copy is nobody's
            _remove(path)
            removed += 1
        except OSError:  # alive (another user's, or not ours to signal)
            continue
    return removed


def _changed_sql(table: str, fid: str, columns: Sequence[Tuple[str, str]], copy: str) -> str:
    """The fids of the rows that are new or differ from the scratch copy.

    ``IS NOT`` (binary collation) is exact for text and blobs, but holds 1
    and 1.0, or 0.0 and -0.0, equal: each column is compared as exactly as
    its type affinity requires (SQLite's rules: an INTEGER or NUMERIC
    column stores an integral number as an integer, a TEXT column numbers
    as text; a REAL or untyped one keeps what it is given).
    """
    tests = []
    for i, (name, declared) in enumerate(columns):
        column = f"m.{quote(name)}"
        test = f"{column} IS NOT c.c{i} COLLATE BINARY"
        if _affinity(declared) in ("REAL", "BLOB"):
            test += (f" OR typeof({column}) <> typeof(c.c{i})"
                     f" OR (typeof({column}) = 'real' AND quote({column}) <> quote(c.c{i}))")
        tests.append(f"({test})")
    different = " OR ".join(tests)
    return (f"SELECT m.{fid} FROM {quote(table)} AS m LEFT JOIN scratch.{copy} AS c"  # noqa: S608  # nosec B608
            f" ON c.fid = m.{fid} WHERE c.fid IS NULL" + (f" OR {different}" if tests else ""))


def _affinity(declared: str) -> str:
    """A column's type affinity from its declared type (SQLite 3.1 rules)."""
    kind = declared.upper()
    if "INT" in kind:
        return "INTEGER"
    if "CHAR" in kind or "CLOB" in kind or "TEXT" in kind:
        return "TEXT"
    if "BLOB" in kind or not kind:
        return "BLOB"
    if "REAL" in kind or "FLOA" in kind or "DOUB" in kind:
        return "REAL"
    return "NUMERIC"


def _refresh_copy(db: sqlite3.Connection, table: str, fid: str,
                  columns: Sequence[Tuple[str, str]],
                  copy: str, changed: Optional[List[int]], deleted: List[int]) -> None:
    """Make the scratch copy hold the stored rows: all of them anew
    (``changed`` None), or the changed and deleted ones replaced."""
    select = ", ".join([fid] + [quote(name) for name, _declared in columns])
    if changed is None:
        db.execute(f"DROP TABLE IF EXISTS scratch.{copy}")
        db.execute(f"CREATE TABLE scratch.{copy} (fid INTEGER PRIMARY KEY"
                   + "".join(f", c{i}" for i in range(len(columns))) + ")")
        db.execute(f"INSERT INTO scratch.{copy} SELECT {select} FROM {quote(table)}")  # noqa: S608  # nosec B608
        return
    for chunk in _chunks(changed + deleted):
        db.execute(f"DELETE FROM scratch.{copy} WHERE fid IN ({','.join('?' * len(chunk))})",  # noqa: S608  # nosec B608
                   chunk)
    for chunk in _chunks(changed):
        db.execute(f"INSERT INTO scratch.{copy} SELECT {select} FROM {quote(table)}"  # noqa: S608  # nosec B608
                   f" WHERE {fid} IN ({','.join('?' * len(chunk))})", chunk)


def _chunks(values: List[int]) -> List[List[int]]:
    return [values[i:i + _FIDS_PER_QUERY] for i in range(0, len(values), _FIDS_PER_QUERY)]


def _patched(entry: _Entry, layer: QgsVectorLayer, layer_def: LayerDef, names: Sequence[str],
             with_geometry: bool, fids: List[int], changed: List[int]
             ) -> Optional[Tuple[Raw, List[int]]]:
    """The entry's rows with the ``changed`` ones read again, in stored
    order, and their versions; None when that cannot be done soundly."""
    if not changed and fids == entry.fids:  # nothing changed: the same lists, shared
        return (entry.fids, entry.columns, entry.wkbs), entry.versions
    fresh: Raw = ([], {n: [] for n in names}, [])
    if changed:
        got = read_arrow(layer, layer_def, names, with_geometry, changed)
        if got is None or sorted(got[0]) != sorted(changed):
            return None
        fresh = got
    fresh_row = {fid: row for row, fid in enumerate(fresh[0])}
    old_row = {fid: row for row, fid in enumerate(entry.fids)}
    if any(fid not in old_row and fid not in fresh_row for fid in fids):
        return None
    if fids == entry.fids:  # edits only: copy, then replace the changed rows
        columns = {n: list(entry.columns[n]) for n in names}
        wkbs = list(entry.wkbs)
        versions = list(entry.versions)
        for fid in changed:
            old, new = old_row[fid], fresh_row[fid]
            for name in names:
                columns[name][old] = fresh[1][name][new]
            wkbs[old] = fresh[2][new]
            versions[old] = next(_VERSIONS)
        return (list(fids), columns, wkbs), versions
    # rows added or deleted: (from the entry?, row) for each row, in stored order
    sources = [(False, fresh_row[fid]) if fid in fresh_row else (True, old_row[fid])
               for fid in fids]
    columns = {n: [entry.columns[n][row] if old else fresh[1][n][row] for old, row in sources]
               for n in names}
    wkbs = [entry.wkbs[row] if old else fresh[2][row] for old, row in sources]
    versions = [entry.versions[row] if old else next(_VERSIONS) for old, row in sources]
    return (list(fids), columns, wkbs), versions


# the plugin session's rows (the validator, the export and the publish task share them)
ROWS = RowCache()
atexit.register(ROWS.close)
