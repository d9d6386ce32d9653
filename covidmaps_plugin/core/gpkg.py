"""Low-level GeoPackage access: writing layers, the ``covidmaps_meta`` table.

The meta table is a registered GeoPackage *attributes* table (key/value
text) holding the model version and the province profile, so a workspace
file carries everything needed to open, upgrade and publish it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
import struct
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsVectorFileWriter,
)

from ..model import FieldDef, FieldType
from .errors import WorkspaceError

META_TABLE = "covidmaps_meta"
PROJECT_NAME = "covidmaps"
SQLITE_MAGIC = b"SQLite format 3\x00"


def write_layer(path: Path, name: str, fields: QgsFields, wkb_type: int, crs: str,
                features: Iterable[QgsFeature] = (), *, new_file: bool = False,
                title: str = "", description: str = "") -> None:
    """Create (or replace) one layer of the GeoPackage and add features."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.fileEncoding = "UTF-8"
    on_existing = QgsVectorFileWriter.ActionOnExistingFile
    options.actionOnExistingFile = (on_existing.CreateOrOverwriteFile if new_file
                                    else on_existing.CreateOrOverwriteLayer)
    options.layerOptions = ["FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES",
                            f"IDENTIFIER={title or name}", f"DESCRIPTION={description}"]
    writer = QgsVectorFileWriter.create(str(path), fields, wkb_type,
                                        QgsCoordinateReferenceSystem(crs),
                                        QgsCoordinateTransformContext(), options)
    try:
        if writer.hasError() != QgsVectorFileWriter.WriterError.NoError:
            raise WorkspaceError(f"Không tạo được lớp {name}: {writer.errorMessage()}",
                                 f"Cannot create layer {name}: {writer.errorMessage()}")
        batch = list(features)
        if batch and not writer.addFeatures(batch, QgsFeatureSink.Flag.FastInsert):
            raise WorkspaceError(f"Không ghi được dữ liệu lớp {name}: {writer.errorMessage()}",
                                 f"Cannot write features of {name}: {writer.errorMessage()}")
    finally:
        del writer  # closes the file


@contextlib.contextmanager
def _connect(path: Path):
    connection = sqlite3.connect(str(path), timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def is_geopackage(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return False
    # application_id "GPKG" (or "GP10"/"GP11" of old files) at offset 68
    return header[:16] == SQLITE_MAGIC and header[68:70] == b"GP"


def table_names(path: Path) -> List[str]:
    with _connect(path) as db:
        rows = db.execute("SELECT table_name FROM gpkg_contents").fetchall()
    return [r[0] for r in rows]


def read_meta(path: Path) -> Optional[Dict[str, str]]:
    """The meta table as a dict, or None when the file has none."""
    with _connect(path) as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                            (META_TABLE,)).fetchone()
        if not exists:
            return None
        return dict(db.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())  # noqa: S608  # nosec B608 - constant table name


def write_meta(path: Path, values: Dict[str, str]) -> None:
    """Create the meta table if needed and upsert ``values`` (one transaction)."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with _connect(path) as db, db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} ("  # noqa: S608  # nosec B608 - constant table name
                   "fid INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "key TEXT NOT NULL UNIQUE, value TEXT NOT NULL)")
        db.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                   "description, last_change) VALUES (?, 'attributes', ?, ?, ?)",
                   (META_TABLE, META_TABLE, "CovidMaps workspace metadata", now))
        db.executemany(f"INSERT INTO {META_TABLE} (key, value) VALUES (?, ?) "  # noqa: S608  # nosec B608 - constant table name
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       list(values.items()))


_SQL_TYPES = {
    FieldType.UUID: "TEXT(36)",
    FieldType.STRING: "TEXT",
    FieldType.INTEGER: "INTEGER",
    FieldType.REAL: "REAL",
    FieldType.BOOLEAN: "BOOLEAN",
    FieldType.DATE: "DATE",
    FieldType.DATETIME: "TEXT(25)",  # see fields.py: ISO text with offset
}


def sql_type(fld: FieldDef) -> str:
    if fld.type is FieldType.STRING and fld.max_length:
        return f"TEXT({fld.max_length})"
    return _SQL_TYPES[fld.type]


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")  # fullmatch: "$" accepts a final \n


def identifier(name: str) -> str:
    """A quoted SQL identifier; only model-style snake_case names are accepted."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a valid table or field name: {name!r}")
    return f'"{name}"'


def add_columns(path: Path, table: str, fields: Iterable[FieldDef]) -> None:
    """Add nullable columns to a GeoPackage table (one transaction)."""
    with _connect(path) as db, db:
        present = {row[1] for row in db.execute(f"PRAGMA table_info({identifier(table)})")}
        for fld in fields:
            if fld.name not in present:
                db.execute(f"ALTER TABLE {identifier(table)} "  # nosec B608 - checked names
                           f"ADD COLUMN {identifier(fld.name)} {sql_type(fld)}")


STYLE_TABLE = "layer_styles"


def write_default_styles(path: Path, styles: Dict[str, str], style_name: str,
                         geometry_column: str = "geom") -> None:
    """Store QML documents as the tables' default styles, in the same
    ``layer_styles`` table QGIS itself uses for GeoPackages.

    Written with SQL rather than through QGIS's OGR style saving: in QGIS
    3.22 that reopens the file in a second GDAL handle which breaks the
    project's open connections ("unable to open database file").
    """
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with _connect(path) as db, db:
        db.execute(f"CREATE TABLE IF NOT EXISTS {STYLE_TABLE} ("
                   "id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), "
                   "f_table_schema TEXT(256), f_table_name TEXT(256), "
                   "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, "
                   "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), "
                   "ui TEXT(30), update_time DATETIME DEFAULT CURRENT_TIMESTAMP)")
        db.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                   "description, last_change) VALUES (?, 'attributes', ?, '', ?)",
                   (STYLE_TABLE, STYLE_TABLE, now))
        for table, qml in styles.items():
            db.execute(f"UPDATE {STYLE_TABLE} SET useAsDefault = 0 "  # noqa: S608  # nosec B608 - constant table name
                       "WHERE f_table_name = ?", (table,))
            db.execute(f"DELETE FROM {STYLE_TABLE} WHERE f_table_name = ? "  # noqa: S608  # nosec B608 - constant table name
                       "AND styleName = ?", (table, style_name))
            db.execute(f"INSERT INTO {STYLE_TABLE} (f_table_catalog, f_table_schema, "  # noqa: S608  # nosec B608 - constant table name
                       "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                       "useAsDefault, description, owner, ui, update_time) "
                       "VALUES ('', '', ?, ?, ?, ?, '', 1, 'CovidMaps', '', '', ?)",
                       (table, geometry_column, style_name, qml, now))


# ------------------------------------------------- replacing a table's rows

Envelope = Tuple[float, float, float, float]  # min x, min y, max x, max y


def geometry_blob(wkb: bytes, srs_id: int, envelope: Envelope) -> bytes:
    """A GeoPackage geometry: "GP", version 0, flags (little endian, XY
    envelope), SRS id, envelope, then the WKB itself."""
    min_x, min_y, max_x, max_y = envelope
    return b"GP\x00\x03" + struct.pack("<i4d", srs_id, min_x, max_x, min_y, max_y) + wkb


def _blob_envelope(blob: Optional[bytes]) -> Optional[Tuple[float, float, float, float]]:
    """(min x, max x, min y, max y) from a geometry header, if it has one."""
    if not blob or len(blob) < 40 or (blob[3] >> 1) & 0x07 == 0:
        return None
    order = "<" if blob[3] & 0x01 else ">"
    return struct.unpack(order + "4d", blob[8:40])


def _register_rtree_functions(db: sqlite3.Connection) -> None:
    """The SQL functions GDAL's R-tree triggers call (GDAL registers them in
    its own connections), read from the envelope every blob here carries."""
    def extent_part(index: int):
        return lambda blob: (_blob_envelope(blob) or (None,) * 4)[index]

    db.create_function("ST_IsEmpty", 1,
                       lambda blob: 1 if not blob or (blob[3] >> 4) & 0x01 else 0,
                       deterministic=True)
    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        db.create_function(name, 1, extent_part(index), deterministic=True)


def replace_rows(path: Path, table: str, columns: Sequence[str],
                 rows: Sequence[Tuple[Sequence[object], bytes, Envelope]]) -> None:
    """Replace every row of a feature table in ONE transaction: readers see
    the old rows or the new ones, and a failure leaves the old ones."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    names = ", ".join(identifier(c) for c in (*columns, "geom"))
    marks = ", ".join("?" for _ in range(len(columns) + 1))
    with _connect(path) as db, db:
        _register_rtree_functions(db)
        (srs_id,) = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                               (table,)).fetchone()
        delete = f"DELETE FROM {identifier(table)}"  # noqa: S608  # nosec B608 - checked
        insert = f"INSERT INTO {identifier(table)} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608
        db.execute(delete)
        db.executemany(insert, [(*values, geometry_blob(wkb, srs_id, env))
                                for values, wkb, env in rows])
        if rows:
            envelopes = [env for _, _, env in rows]
            extent = (min(e[0] for e in envelopes), min(e[1] for e in envelopes),
                      max(e[2] for e in envelopes), max(e[3] for e in envelopes))
            db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                       "last_change = ? WHERE table_name = ?", (*extent, now, table))
