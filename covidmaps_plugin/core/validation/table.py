"""A model layer read once into columns, so every rule works on plain Python
values instead of iterating QgsFeatures again.

Two readers fill the same :class:`LayerTable`:

* a GeoPackage layer is read in bulk from its file through GDAL's
  Arrow interface (GDAL >= 3.6): one SQL query, numpy columns, no per-feature
  Python objects. This is what keeps the whole rule set faster than QGIS's
  own geometry check on large layers.
* pending edits of such a layer (the officer editing, the dock re-checking)
  are laid over the bulk read from the edit buffer, so unsaved edits are
  validated without reading every feature through QGIS;
* anything else (memory layers, field changes in the edit buffer, subset
  strings, older GDAL) goes through ``QgsVectorLayer.getFeatures`` with only
  the model's fields requested.

Values are normalized per field type: text -> ``str``, numbers, booleans,
and dates/datetimes -> POSIX seconds (a date means 00:00 province time, a
naive datetime is province time, like ``model.visibility.parse_instant``).
A value that cannot be read becomes :data:`BAD_VALUE`.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeatureRequest,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QVariant

from ...model import PROVINCE_TZ, FieldType, LayerDef, parse_instant
from ..rows import ROWS, Raw, Rows, read_arrow
from .spatial import WGS84

BAD_VALUE = math.nan  # a date/number that could not be read (nan != anything)

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_PROVINCE_OFFSET_S = int((PROVINCE_TZ.utcoffset(None) or dt.timedelta(0)).total_seconds())


@dataclass
class LayerTable:
    layer_def: LayerDef
    crs: QgsCoordinateReferenceSystem
    fids: List[int] = field(default_factory=list)
    columns: Dict[str, List[Any]] = field(default_factory=dict)
    wkb: List[Optional[bytes]] = field(default_factory=list)
    missing_fields: Tuple[str, ...] = ()
    reader: str = "features"  # or "arrow"
    present: bool = True  # False: the workspace lacks this layer
    # (field, row) -> the raw text of a value that could not be read
    bad_values: Dict[Tuple[str, int], str] = field(default_factory=dict)
    # read from a GeoPackage through the session's rows (core.rows): the
    # (path, table) and each row's version (unchanged while the row is)
    source: Optional[Tuple[str, str]] = None
    versions: Optional[List[int]] = None

    @property
    def name(self) -> str:
        return self.layer_def.name

    def subset(self, rows: Sequence[int]) -> LayerTable:
        """A table of the given rows only (in that order)."""
        position = {row: i for i, row in enumerate(rows)}
        return LayerTable(
            layer_def=self.layer_def, crs=self.crs, fids=[self.fids[r] for r in rows],
            columns={n: [values[r] for r in rows] for n, values in self.columns.items()},
            wkb=[self.wkb[r] for r in rows] if self.wkb else [],
            missing_fields=self.missing_fields, reader=self.reader, present=self.present,
            bad_values={(n, position[r]): text for (n, r), text in self.bad_values.items()
                        if r in position})

    def __len__(self) -> int:
        return len(self.fids)

    def column(self, name: str) -> List[Any]:
        """The values of ``name``; all None when the layer lacks the field."""
        return self.columns.get(name) or [None] * len(self.fids)

    def uid(self, row: int) -> Optional[str]:
        value = self.column("uid")[row]
        return value if isinstance(value, str) else None


# ------------------------------------------------------------ normalization

def date_to_epoch(value: dt.date) -> float:
    return float((value.toordinal() - _EPOCH_ORDINAL) * 86400 - _PROVINCE_OFFSET_S)


# how Vietnamese officers write dates (also in the English interface: the
# province's documents and the public map use it too)
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


def date_text(day: dt.date) -> str:
    return day.strftime(DATE_FORMAT)


def instant_text(value: Any) -> str:
    """An ISO 8601 instant (a manifest's created_at...) as officers read it:
    dd/mm/yyyy HH:MM, province time; anything unreadable as it is."""
    instant = parse_instant(value) if value else None
    if instant is None:
        return str(value or "")
    return instant.astimezone(PROVINCE_TZ).strftime(DATETIME_FORMAT)


def epoch_text(seconds: float, with_time: bool = True) -> str:
    """A normalized instant as the officer reads it (province time, dd/mm/yyyy HH:MM)."""
    when = dt.datetime.fromtimestamp(seconds, PROVINCE_TZ)
    return when.strftime(DATETIME_FORMAT if with_time else DATE_FORMAT)


def _instant(value: Any) -> Optional[float]:
    if isinstance(value, QDateTime):
        if not value.isValid():
            return None
        value = value.toString(Qt.DateFormat.ISODate)
    elif isinstance(value, QDate):
        return date_to_epoch(value.toPyDate()) if value.isValid() else None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date_to_epoch(value)
    if isinstance(value, str) and not value.strip():
        return None
    instant = parse_instant(value)
    return BAD_VALUE if instant is None else instant.timestamp()


def _date(value: Any) -> Optional[float]:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date_to_epoch(value)
    if isinstance(value, str):
        try:
            return date_to_epoch(dt.date.fromisoformat(value.strip()[:10]))
        except ValueError:
            return None if not value.strip() else BAD_VALUE
    return _instant(value)


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return BAD_VALUE


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "t", "yes")
    return bool(value)


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else str(value)


_NORMALIZERS: Dict[FieldType, Callable[[Any], Any]] = {
    FieldType.UUID: _text,
    FieldType.STRING: _text,
    FieldType.INTEGER: _number,
    FieldType.REAL: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.DATE: _date,
    FieldType.DATETIME: _instant,
}


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, QVariant) and value.isNull())


def normalize_column(values: Sequence[Any], field_type: FieldType) -> List[Any]:
    convert = _NORMALIZERS[field_type]
    if field_type in (FieldType.UUID, FieldType.STRING):
        # the common case (text, or NULL) without a function call per value
        return [v if type(v) is str or v is None else (None if _is_null(v) else convert(v))
                for v in values]
    if field_type in (FieldType.DATE, FieldType.DATETIME):
        # dates repeat a lot: parse each distinct value once
        cache: Dict[Any, Any] = {}
        result = []
        for v in values:
            if v is None:
                result.append(None)
                continue
            try:
                result.append(cache[v])
            except (KeyError, TypeError):  # TypeError: unhashable Qt values
                converted = None if _is_null(v) else convert(v)
                try:
                    cache[v] = converted
                except TypeError:
                    pass
                result.append(converted)
        return result
    if field_type in (FieldType.INTEGER, FieldType.REAL):
        return [v if type(v) is int or type(v) is float else (
            None if _is_null(v) else convert(v)) for v in values]
    return [v if type(v) is bool else (None if _is_null(v) else convert(v)) for v in values]


# ------------------------------------------------------------------ readers

def read_layer(
    layer_def: LayerDef,
    layer: QgsVectorLayer,
    *,
    with_geometry: bool = True,
    allow_arrow: bool = True,
) -> LayerTable:
    present = set(layer.fields().names())
    names = [f.name for f in layer_def.fields if f.name in present]
    table = LayerTable(
        layer_def=layer_def,
        # a layer without a usable CRS is read as the workspace's storage CRS
        crs=layer.crs() if layer.crs().isValid() else WGS84,
        missing_fields=tuple(f.name for f in layer_def.fields if f.name not in present),
    )
    types = {f.name: f.type for f in layer_def.fields}
    raw = None
    if allow_arrow and not layer.isModified():
        # the session's rows of the file: what changed since the last read
        # (by the export too) is all that is read and normalized again
        rows = ROWS.read(layer, layer_def, names, with_geometry)
        if rows is not None:
            table.reader = "arrow"
            table.fids, table.wkb = rows.raw[0], rows.raw[2]
            table.source, table.versions = rows.source, rows.versions
            _normalize_rows(table, rows, names, types)
            return table
        raw = read_arrow(layer, layer_def, names, with_geometry)
    elif allow_arrow and _edits_can_be_overlaid(layer):
        raw = read_arrow(layer, layer_def, names, with_geometry)
        if raw is not None:
            raw = _overlay_edits(layer, names, raw, with_geometry)
    if raw is None:
        raw = _read_features(layer, names, with_geometry)
    else:
        table.reader = "arrow"
    table.fids, columns, table.wkb = raw
    for name in names:
        table.columns[name] = _normalized(table, name, columns[name], types[name])
    return table


def _normalized(table: LayerTable, name: str, raw: List[Any], field_type: FieldType,
                rows: Optional[Sequence[int]] = None) -> List[Any]:
    """``raw`` normalized; unreadable values noted in ``table.bad_values``
    (of the ``rows`` given, else of every row)."""
    values = normalize_column(raw, field_type)
    if field_type in _CHECKED_TYPES:
        bad = [r for r, value in enumerate(values) if value != value]  # BAD_VALUE
        for row in bad:
            table.bad_values[(name, row if rows is None else rows[row])] = str(raw[row])
    return values


@dataclass
class _Normalized:
    names: Tuple[str, ...]
    fids: List[int]
    versions: List[int]
    columns: Dict[str, List[Any]]
    bad_values: Dict[Tuple[str, int], str]


# the normalized columns of each GeoPackage table's last read, by (path, table)
_LAST: Dict[Tuple[str, str], _Normalized] = {}
_LAST_LOCK = threading.Lock()


def _normalize_rows(table: LayerTable, rows: Rows, names: List[str],
                    types: Dict[str, FieldType]) -> None:
    """Fill ``table``'s columns from ``rows``: the rows unchanged since the
    table's last read keep their normalized values, the others are normalized."""
    raw = rows.raw[1]
    with _LAST_LOCK:
        last = _LAST.get(rows.source)
    changed: Optional[List[int]] = None
    if last is not None and last.names == tuple(names) and last.fids == rows.fids:
        changed = [row for row, (old, new) in enumerate(zip(last.versions, rows.versions))
                   if old != new]
    if last is None or changed is None or len(changed) > len(rows.fids) // 4:
        for name in names:
            table.columns[name] = _normalized(table, name, raw[name], types[name])
    else:
        again = set(changed)
        table.bad_values = {key: text for key, text in last.bad_values.items()
                            if key[1] not in again}
        for name in names:
            values = list(last.columns[name])
            fresh = _normalized(table, name, [raw[name][row] for row in changed],
                                types[name], changed)
            for row, value in zip(changed, fresh):
                values[row] = value
            table.columns[name] = values
        # the same order as a full read notes them
        table.bad_values = dict(sorted(table.bad_values.items(),
                                       key=lambda item: (names.index(item[0][0]), item[0][1])))
    with _LAST_LOCK:
        _LAST[rows.source] = _Normalized(tuple(names), list(rows.fids), list(rows.versions),
                                         dict(table.columns), dict(table.bad_values))


_CHECKED_TYPES = (FieldType.DATE, FieldType.DATETIME, FieldType.INTEGER, FieldType.REAL)


def _read_features(layer: QgsVectorLayer, names: List[str], with_geometry: bool) -> Raw:
    request = QgsFeatureRequest().setSubsetOfAttributes(names, layer.fields())
    if not with_geometry:
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    indexes = [layer.fields().indexOf(n) for n in names]
    fids: List[int] = []
    rows: List[List[Any]] = []
    wkbs: List[Optional[bytes]] = []
    for feature in layer.getFeatures(request):
        fids.append(feature.id())
        attributes = feature.attributes()
        rows.append([attributes[i] for i in indexes])
        if with_geometry:
            geometry = feature.geometry()
            wkbs.append(None if geometry.isNull() else bytes(geometry.asWkb()))
    if any(fid < 0 for fid in fids):
        # features added in the edit buffer (negative ids) go last, in the
        # order they were added, as the bulk reader lays them over the file:
        # QGIS 3.22 iterates them last and 3.40 first, and the report must
        # not depend on the version
        order = sorted(range(len(fids)), key=lambda row: (fids[row] < 0, -min(fids[row], 0)))
        fids = [fids[row] for row in order]
        rows = [rows[row] for row in order]
        wkbs = [wkbs[row] for row in order] if with_geometry else wkbs
    columns = {n: [row[i] for row in rows] for i, n in enumerate(names)}
    if not with_geometry:
        wkbs = [None] * len(fids)
    return fids, columns, wkbs


def _edits_can_be_overlaid(layer: QgsVectorLayer) -> bool:
    """Pending edits that only add, change or delete features (the officer
    editing in the dock) are laid over the file; field changes are not."""
    if not layer.isModified():
        return True
    # fields added, deleted or renamed in the buffer (or virtual/joined ones):
    # the file's columns are not the layer's
    return layer.fields().names() == layer.dataProvider().fields().names()


def _overlay_edits(layer: QgsVectorLayer, names: List[str], raw: Raw, with_geometry: bool
                   ) -> Raw:
    """The file's rows with the edit buffer applied, as ``getFeatures`` would
    return them: deleted rows dropped, changed values and geometries
    replaced, added features appended (with their negative ids)."""
    buffer = layer.editBuffer()
    fids, columns, wkbs = raw
    fields = layer.fields()
    deleted = set(buffer.deletedFeatureIds())
    row_of = {fid: row for row, fid in enumerate(fids)}
    for fid, changes in buffer.changedAttributeValues().items():
        row = row_of.get(fid)
        for index, value in changes.items() if row is not None else ():
            name = fields.at(index).name()
            if name in columns:
                columns[name][row] = value
    if with_geometry:
        for fid, geometry in buffer.changedGeometries().items():
            if fid in row_of:
                wkbs[row_of[fid]] = None if geometry.isNull() else bytes(geometry.asWkb())
    keep = [row for row, fid in enumerate(fids) if fid not in deleted]
    if len(keep) < len(fids):
        fids = [fids[row] for row in keep]
        columns = {name: [values[row] for row in keep] for name, values in columns.items()}
        wkbs = [wkbs[row] for row in keep]
    for fid, feature in sorted(buffer.addedFeatures().items(), reverse=True):
        fids.append(fid)
        for name in names:
            columns[name].append(feature[name])
        geometry = feature.geometry()
        wkbs.append(bytes(geometry.asWkb()) if with_geometry and not geometry.isNull()
                    else None)
    return fids, columns, wkbs
