"""Export of the public map: the canonical GeoJSON of each layer.

Only approved features that are currently visible (``model.visibility``),
only public fields, WGS 84 per RFC 7946, deterministic bytes
(``model.geojson``). The source layers are read, never modified.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
from array import array
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeedback,
    QgsGeometry,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ..model import (
    MODEL,
    PROVINCE_TZ,
    FieldType,
    LayerDef,
    hidden_reason,
    hidden_reasons,
    parse_instant,
)
from ..model import geojson as cgj
from ..model.bulk import collector_paused
from .rows import ROWS, Rows

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
# the model field that records when a feature was last updated (public,
# a date and time: publishing/freshness.py checks it)
UPDATED_FIELD = "updated_at"


class ExportCancelledError(Exception):
    """The officer cancelled; nothing was produced."""


@dataclass(frozen=True)
class LayerExport:
    layer: str
    data: bytes
    sha256: str
    feature_count: int
    uids: Tuple[str, ...]
    # why the other features were left out, by uid:
    # not_approved / status / expired / no_geometry
    hidden: Mapping[str, str] = field(default_factory=dict)
    # the export is the same at every later time up to this one (the
    # earliest end of visibility among its features; None: for ever):
    # what lets an unchanged layer be reused (export_cache.py)
    stable_until: Optional[dt.datetime] = None
    # the newest ``updated_at`` of the shown features, when worked out from
    # the rows the export read (``newest_update_known``); otherwise
    # publishing/freshness.py reads it from the bytes
    newest_update: Optional[dt.datetime] = None
    newest_update_known: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    @classmethod
    def of_features(cls, layer: str, features: List[Dict[str, Any]],
                    hidden: Optional[Mapping[str, str]] = None,
                    stable_until: Optional[dt.datetime] = None) -> LayerExport:
        """The canonical bytes of ``features`` and what describes them."""
        data = cgj.canonical_bytes(features)
        return cls(layer=layer, data=data, sha256=cgj.sha256_hex(data),
                   feature_count=len(features),
                   uids=tuple(sorted(f["id"] for f in features)),
                   hidden=dict(hidden or {}), stable_until=stable_until)


def to_json_value(value: Any, field_type: FieldType) -> Any:
    """A QGIS attribute value as the JSON value the release contract wants."""
    if value is None:
        return None
    if type(value) is str and field_type in _TEXT_TYPES:  # the common case, first
        return value if value != "" else None
    if isinstance(value, QDateTime):
        if value.isNull() or not value.isValid():
            return None
        # ISO text keeps the offset (UTC or fixed offset); a naive local
        # time is read as province time by parse_instant.
        value = value.toString(Qt.DateFormat.ISODate)
    elif isinstance(value, QDate):
        if value.isNull() or not value.isValid():
            return None
        value = value.toPyDate()
    elif hasattr(value, "isNull") and value.isNull():  # QVariant NULL
        return None
    if field_type is FieldType.DATETIME:
        return _iso_instant(value)
    if field_type is FieldType.DATE:
        if isinstance(value, dt.datetime):
            return value.astimezone(PROVINCE_TZ).date().isoformat() if value.tzinfo else (
                value.date().isoformat())
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)[:10]
    if field_type is FieldType.BOOLEAN:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "t", "yes")
        return bool(value)
    if field_type is FieldType.INTEGER:
        return int(value)
    if field_type is FieldType.REAL:
        return float(value)
    text = str(value)
    return text if text != "" else None


_TEXT_TYPES = (FieldType.STRING, FieldType.UUID)


def _iso_instant(value: Any) -> Optional[str]:
    if isinstance(value, str):  # dates repeat a lot in a layer: parse each text once
        return _iso_instant_text(value)
    return _iso_instant_uncached(value)


@functools.lru_cache(maxsize=4096)
def _iso_instant_text(text: str) -> Optional[str]:
    return _iso_instant_uncached(text)


def _iso_instant_uncached(value: Any) -> Optional[str]:
    instant = parse_instant(value)
    if instant is None:
        return None
    return instant.astimezone(PROVINCE_TZ).isoformat(timespec="seconds")


def _geometry_json(geom: QgsGeometry) -> Optional[Dict[str, Any]]:
    if geom is None or geom.isNull() or geom.isEmpty():
        return None
    if QgsWkbTypes.geometryType(geom.wkbType()) == QgsWkbTypes.GeometryType.PointGeometry:
        pt = geom.asPoint() if not geom.isMultipart() else geom.asMultiPoint()[0]
        return cgj.canonical_point(pt.x(), pt.y())
    polygons = geom.asMultiPolygon() if geom.isMultipart() else [geom.asPolygon()]
    return cgj.canonical_multipolygon(
        [[(p.x(), p.y()) for p in ring] for ring in rings] for rings in polygons
    )


def export_layer(
    layer_def: LayerDef,
    layer: QgsVectorLayer,
    now: dt.datetime,
    feedback: Optional[QgsFeedback] = None,
    bulk: bool = True,
) -> LayerExport:
    """The public GeoJSON of one layer as of ``now`` (an aware datetime).

    A saved GeoPackage layer in WGS 84 (what workspaces are) is read in one
    bulk query (``bulk``: the session's rows, ``core.rows``, shared with the
    validator); anything else, or ``bulk=False``, feature by feature through
    QGIS. Both give the same bytes.
    """
    with collector_paused():  # many small acyclic objects: see model.bulk
        rows = bulk_rows(layer_def, layer) if bulk else None
        if rows is not None:
            return export_rows(layer_def, rows, now, feedback)[0]
        return _export_layer(layer_def, layer, now, feedback)


def _export_layer(layer_def: LayerDef, layer: QgsVectorLayer, now: dt.datetime,
                  feedback: Optional[QgsFeedback]) -> LayerExport:
    fields = layer.fields()
    # (name, type) of the model fields the layer has
    columns = [(f.name, f.type) for f in layer_def.fields if fields.indexOf(f.name) >= 0]
    public = [f.name for f in layer_def.public_fields]
    total = max(layer.featureCount(), 1)
    features: List[Dict[str, Any]] = []
    hidden: Dict[str, str] = {}
    # a shown feature leaves the map once ``now`` passes its hide-after time
    # (model.visibility): the earliest such time bounds the export's validity
    hide_after = layer_def.hide_after_field
    ends: Dict[Any, Optional[dt.datetime]] = {}
    for i, (values, geometry_of) in enumerate(_feature_rows(layer, columns)):
        if feedback is not None and i % 500 == 0:
            if feedback.isCanceled():
                raise ExportCancelledError(layer_def.name)
            feedback.setProgress(100.0 * i / total)
        reason = hidden_reason(layer_def, values, now)
        if reason is not None:
            hidden[str(values.get("uid"))] = reason
            continue
        geometry = geometry_of()
        if geometry is None:
            hidden[str(values.get("uid"))] = "no_geometry"
            continue
        uid = str(values["uid"])
        properties = dict(zip(public, map(values.get, public)))  # missing fields: None
        features.append(cgj.feature(uid, geometry, properties))
        if hide_after:
            value = values.get(hide_after)
            if value not in ends:  # few distinct times in a layer: each parsed once
                ends[value] = parse_instant(value)
    stable_until = min((e for e in ends.values() if e is not None), default=None)
    return LayerExport.of_features(layer_def.name, features, hidden, stable_until)


def bulk_rows(layer_def: LayerDef, layer: QgsVectorLayer) -> Optional[Rows]:
    """The model fields and geometry of a saved GeoPackage layer in WGS 84
    from the session's rows (``core.rows``), or None when that does not
    apply (a transform, or edits only QGIS sees: the feature path)."""
    if layer.crs() != WGS84:
        return None
    fields = layer.fields()
    names = [f.name for f in layer_def.fields if fields.indexOf(f.name) >= 0]
    return ROWS.read(layer, layer_def, names, True)


@dataclass(frozen=True)
class FeatureParts:
    """Where each shown feature's canonical bytes (after
    ``model.geojson.FEATURE_PREFIX``) lie in an export's ``data``, and the
    version of the stored row they were made from (``core.rows``), in the
    data's order. Offsets, not a copy of each feature's bytes: a national
    layer's parts cost 32 B a feature instead of another 1 GB."""

    data: bytes
    fids: array
    starts: array
    ends: array
    versions: array
    reused: int = 0  # features spliced in from the previous export's data

    def index(self) -> Dict[int, int]:
        """fid -> position in the arrays."""
        return dict(zip(self.fids, range(len(self.fids))))


def export_rows(layer_def: LayerDef, rows: Rows, now: dt.datetime,
                feedback: Optional[QgsFeedback] = None, reuse: Optional[FeatureParts] = None
                ) -> Tuple[LayerExport, FeatureParts]:
    """The export of rows read in bulk, and where each shown feature's
    bytes lie in it.

    A feature's bytes are a function of its stored row alone, so a shown
    feature whose row has the version it had in ``reuse`` (a previous
    export's parts) is not encoded again: its bytes are spliced in from
    that export's data (runs of neighbours in one slice).
    Which features are shown (``model.visibility`` at ``now``) is decided
    again for every row.
    """
    fids, raw_columns, wkbs = rows.raw
    kinds = {f.name: f.type for f in layer_def.fields}
    column = {name: json_column(values, kinds[name]) if name in _VISIBILITY_INPUTS
              or name == layer_def.hide_after_field else values
              for name, values in raw_columns.items()}
    count = len(fids)
    empty = [None] * count
    hide_after = layer_def.hide_after_field
    reasons = hidden_reasons(layer_def, column.get("approved", empty),
                             column.get("status", empty),
                             column.get(hide_after, empty) if hide_after else None, now)
    uids = [str(v) for v in column.get("uid", empty)]
    hidden_rows = [(row, reason) for row, reason in enumerate(reasons) if reason is not None]
    # rows to show, if they have a geometry
    candidates = [row for row, reason in enumerate(reasons) if reason is None]
    candidates.sort(key=uids.__getitem__)  # stable: equal ids keep row order, as sorted() does
    at = _reused_at(rows, candidates, reuse)
    if reuse is not None and int((at < 0).sum()) <= _SPLICE_MAX_ENCODED:
        parts, shown, no_geometry = _splice(layer_def, rows, candidates, uids, at, reuse)
    else:
        source = {row: int(position) for row, position in zip(candidates, at.tolist())
                  if position >= 0}
        parts, shown, no_geometry = _write(layer_def, rows, candidates, uids, source, reuse,
                                           feedback)
    hidden_rows += ((row, "no_geometry") for row in no_geometry)
    hidden_rows.sort()  # by row: of two rows with one uid, the later one tells why
    hidden = {uids[row]: reason for row, reason in hidden_rows}
    stable_until = None
    if hide_after:
        times = column.get(hide_after, empty)
        ends = {times[row] for row in shown}
        stable_until = min((e for e in map(parse_instant, ends) if e is not None),
                           default=None)
    data = parts.data
    export = LayerExport(layer=layer_def.name, data=data, sha256=cgj.sha256_hex(data),
                         feature_count=len(shown), uids=tuple(map(uids.__getitem__, shown)),
                         hidden=hidden, stable_until=stable_until,
                         newest_update=_newest_update(raw_columns.get(UPDATED_FIELD), shown),
                         newest_update_known=True)
    return export, parts


def _newest_update(stored: Optional[List[Any]], shown: List[int]) -> Optional[dt.datetime]:
    """The newest of the ``updated_at`` values the shown rows' features carry
    (the JSON values ``_encode_rows`` writes), each distinct text parsed once
    per session: a republish parses none again. A scan of the layer's bytes
    cost 0.07 s for 100,000 features on every publish."""
    if stored is None:
        return None  # no such column: no feature carries a value
    texts = set(json_column([stored[row] for row in shown], FieldType.DATETIME))
    instants = [instant for instant in map(_instant, texts) if instant is not None]
    return max(instants, default=None)


@functools.lru_cache(maxsize=1 << 18)
def _instant(text: Optional[str]) -> Optional[dt.datetime]:
    return parse_instant(text) if isinstance(text, str) else None


_SEPARATOR = b"," + cgj.FEATURE_PREFIX  # between two features of canonical bytes

# A republish that encodes at most this many features (the rest are the
# previous export's bytes) is written by ``_splice``: runs of reused
# neighbours found with array arithmetic, not row by row in Python (0.15 s
# for 100,000 features). More, and the encoding dominates: ``_write``.
_SPLICE_MAX_ENCODED = 4096


def _reused_at(rows: Rows, candidates: List[int], reuse: Optional[FeatureParts]) -> Any:
    """For each candidate row, its position in ``reuse`` when that export
    made its feature from the same version of the row, else -1 (an int64
    array)."""
    if reuse is None or not len(reuse.fids) or not candidates:
        return np.full(len(candidates), -1, dtype=np.int64)
    rows_at = np.asarray(candidates, dtype=np.int64)
    fids = np.asarray(rows.raw[0], dtype=np.int64)[rows_at]
    versions = np.asarray(rows.versions, dtype=np.int64)[rows_at]
    old_fids = np.frombuffer(reuse.fids, dtype=np.int64)
    order = np.argsort(old_fids, kind="stable")
    sorted_fids = old_fids[order]
    found = np.minimum(np.searchsorted(sorted_fids, fids), len(sorted_fids) - 1)
    at = order[found]
    same = (sorted_fids[found] == fids) & (
        np.frombuffer(reuse.versions, dtype=np.int64)[at] == versions)
    return np.where(same, at, -1)


def _splice(layer_def: LayerDef, rows: Rows, candidates: List[int], uids: List[str],
            at: Any, reuse: FeatureParts) -> Tuple[FeatureParts, List[int], List[int]]:
    """What ``_write`` gives, for an export that encodes few features: the
    others are copied from ``reuse``'s data in runs of old neighbours (both
    exports are sorted by id, so a run keeps its separators), and where
    each feature lies is summed with arrays."""
    encoded_rows = [row for row, position in zip(candidates, at.tolist()) if position < 0]
    made = _encode_rows(layer_def, rows, encoded_rows, uids)
    no_geometry = [row for row in encoded_rows if row not in made]
    rows_at = np.asarray(candidates, dtype=np.int64)
    keep = at >= 0
    if no_geometry:
        keep |= np.isin(rows_at, np.asarray(list(made), dtype=np.int64))
    else:
        keep[:] = True
    rows_at, at = rows_at[keep], at[keep]
    old_starts = np.frombuffer(reuse.starts, dtype=np.int64)
    old_ends = np.frombuffer(reuse.ends, dtype=np.int64)
    reused = at >= 0
    sizes = np.zeros(len(at), dtype=np.int64)
    sizes[reused] = old_ends[at[reused]] - old_starts[at[reused]]
    new_rows = rows_at[~reused].tolist()
    sizes[~reused] = [len(made[row]) for row in new_rows]
    leads = np.full(len(at), len(_SEPARATOR), dtype=np.int64)
    if len(leads):
        leads[0] = len(cgj.FEATURE_PREFIX)
    ends = len(cgj.CANONICAL_HEAD) + np.cumsum(leads + sizes)
    starts = ends - sizes
    # a run: features whose old positions follow each other (separators between
    # them are the old data's own); every new feature is a run of its own
    joined = reused[1:] & reused[:-1] & (at[1:] == at[:-1] + 1)
    breaks = np.flatnonzero(~joined) + 1
    firsts = [0] + breaks.tolist()
    lasts = (breaks - 1).tolist() + [len(at) - 1]
    out = io.BytesIO()
    out.write(cgj.CANONICAL_HEAD)
    view = memoryview(reuse.data)
    position_of = at.tolist()
    row_of = rows_at.tolist()
    for first, last in zip(firsts, lasts) if len(at) else ():
        out.write(cgj.FEATURE_PREFIX if first == 0 else _SEPARATOR)
        if position_of[first] >= 0:
            out.write(view[int(old_starts[position_of[first]]):int(old_ends[position_of[last]])])
        else:
            out.write(made[row_of[first]])
    del view
    out.write(cgj.CANONICAL_TAIL)
    data = out.getvalue()
    total = int(ends[-1]) if len(ends) else len(cgj.CANONICAL_HEAD)
    if len(data) != total + len(cgj.CANONICAL_TAIL):
        raise AssertionError("export offsets disagree with the bytes written")
    versions = np.asarray(rows.versions, dtype=np.int64)[rows_at]
    fids = np.asarray(rows.raw[0], dtype=np.int64)[rows_at]
    return (FeatureParts(data, _int64s(fids), _int64s(starts), _int64s(ends), _int64s(versions),
                         int(reused.sum())), row_of, no_geometry)


def _int64s(values: Any) -> array:
    """An ``array("q")`` of an int64 numpy array (what FeatureParts holds)."""
    out = array("q")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())
    return out


def _write(layer_def: LayerDef, rows: Rows, candidates: List[int], uids: List[str],
           source: Dict[int, int], reuse: Optional[FeatureParts],
           feedback: Optional[QgsFeedback]) -> Tuple[FeatureParts, List[int], List[int]]:
    """``canonical_from_parts`` of the ``candidates``' features (sorted by
    id), written as they are made: (where each one lies, the rows shown,
    the rows left out for want of a geometry).

    The features are encoded a slice at a time, in the order they are
    written, and each slice goes into the output before the next is made:
    the layer's bytes are never alive beside a second copy (the features
    as parts, then joined; for a national layer that was 1 GB more at the
    peak). A feature in ``source`` is spliced from ``reuse``'s data;
    neighbours there stay neighbours (both are sorted by id), so a run of
    them is written as one slice, separators included."""
    fids = rows.raw[0]
    versions = rows.versions
    out = io.BytesIO()
    out.write(cgj.CANONICAL_HEAD)
    position = len(cgj.CANONICAL_HEAD)
    view = memoryview(reuse.data) if reuse is not None else None
    old_starts = reuse.starts if reuse is not None else array("q")
    old_ends = reuse.ends if reuse is not None else array("q")
    starts, ends, kept_fids, kept_versions = array("q"), array("q"), array("q"), array("q")
    shown: List[int] = []
    no_geometry: List[int] = []
    run_start = run_end = run_last = -1  # the run of reused features not yet written
    for first in range(0, len(candidates), _ENCODE_BATCH):
        if feedback is not None:
            if feedback.isCanceled():
                raise ExportCancelledError(layer_def.name)
            feedback.setProgress(80.0 * first / max(len(candidates), 1))
        window = candidates[first:first + _ENCODE_BATCH]
        made = _encode_rows(layer_def, rows, [row for row in window if row not in source],
                            uids)
        for row in window:
            at = source.get(row)
            lead = _SEPARATOR if shown else cgj.FEATURE_PREFIX
            if at is not None:
                start, end = old_starts[at], old_ends[at]
                if run_last >= 0 and at == run_last + 1:  # the separator is in the run
                    run_end, run_last = end, at
                else:
                    if run_last >= 0:
                        out.write(view[run_start:run_end])  # type: ignore[index]
                    out.write(lead)
                    run_start, run_end, run_last = start, end, at
                size = end - start
            else:
                part = made.get(row)
                if part is None:
                    no_geometry.append(row)
                    continue
                if run_last >= 0:
                    out.write(view[run_start:run_end])  # type: ignore[index]
                    run_last = -1
                out.write(lead)
                out.write(part)
                size = len(part)
            position += len(lead)
            starts.append(position)
            position += size
            ends.append(position)
            kept_fids.append(fids[row])
            kept_versions.append(versions[row])
            shown.append(row)
    if run_last >= 0:
        out.write(view[run_start:run_end])  # type: ignore[index]
    del view
    out.write(cgj.CANONICAL_TAIL)
    data = out.getvalue()  # the buffer itself, not a copy
    if len(data) != position + len(cgj.CANONICAL_TAIL):
        raise AssertionError("export offsets disagree with the bytes written")
    return (FeatureParts(data, kept_fids, starts, ends, kept_versions, len(source)), shown,
            no_geometry)


_VISIBILITY_INPUTS = ("uid", "approved", "status")


def _encode_rows(layer_def: LayerDef, rows: Rows, selected: List[int], uids: List[str]
                 ) -> Dict[int, bytes]:
    """The canonical bytes of the features of rows ``selected`` (a slice
    of the shown ones: see ``_write``), by row; a row without a geometry
    has none."""
    _fids, raw_columns, wkbs = rows.raw
    kinds = {f.name: f.type for f in layer_def.fields}
    public = [f.name for f in layer_def.public_fields]
    present = [name for name in public if name in raw_columns]
    # each public column as JSON values, for the selected rows only
    values = {name: json_column([raw_columns[name][row] for row in selected], kinds[name])
              for name in present}
    missing = [None] * len(selected)
    properties_of = [values.get(name, missing) for name in public]
    features: List[Dict[str, Any]] = []
    kept: List[int] = []
    for i, row in enumerate(selected):
        geometry = _wkb_geometry_json(wkbs[row])
        if geometry is None:
            continue
        features.append(cgj.feature(uids[row], geometry, dict(zip(
            public, [column[i] for column in properties_of]))))
        kept.append(row)
    return dict(zip(kept, cgj.feature_parts(features)))


# features encoded and written at a time (export_rows): the dicts of a whole
# national layer (1M features, ~1.5 KB each) are never alive at once
_ENCODE_BATCH = 4096


Row = Tuple[Dict[str, Any], Callable[[], Optional[Dict[str, Any]]]]  # values, geometry


def _feature_rows(layer: QgsVectorLayer, columns: List[Tuple[str, FieldType]]
                  ) -> Iterator[Row]:
    """The rows through QGIS (any provider, pending edits, any CRS)."""
    transform = QgsCoordinateTransform(layer.crs(), WGS84, QgsProject.instance())
    same_crs = layer.crs() == WGS84  # workspaces store WGS 84: no transform at all
    fields = layer.fields()
    indexed = [(name, fields.indexOf(name), kind) for name, kind in columns]
    request = QgsFeatureRequest().setSubsetOfAttributes([c[1] for c in indexed])
    for feat in layer.getFeatures(request):
        attributes = feat.attributes()

        def geometry_of(feat: QgsFeature = feat) -> Optional[Dict[str, Any]]:
            geom = feat.geometry()
            if not same_crs and not geom.isNull():
                geom = QgsGeometry(geom)
                geom.transform(transform)
            return _geometry_json(geom)

        yield ({name: to_json_value(attributes[index], kind) for name, index, kind in indexed},
               geometry_of)


def json_column(values: List[Any], field_type: FieldType) -> List[Any]:
    """``[to_json_value(v, field_type) for v in values]`` with the common
    cases inline (a bulk read gives plain str/int/float/date/None values):
    no function call per value, and each distinct date converted once."""
    if field_type in _TEXT_TYPES:
        return [None if v is None or v == "" else (
            v if type(v) is str else to_json_value(v, field_type)) for v in values]
    if field_type is FieldType.INTEGER:
        return [v if v is None or type(v) is int else to_json_value(v, field_type)
                for v in values]
    if field_type is FieldType.BOOLEAN:
        return [None if v is None else (bool(v) if type(v) is int else to_json_value(
            v, field_type)) for v in values]
    if field_type in (FieldType.DATE, FieldType.DATETIME):
        try:
            distinct = {v: to_json_value(v, field_type) for v in set(values)}
        except TypeError:  # an unhashable value: convert each one
            return [to_json_value(v, field_type) for v in values]
        return [distinct[v] for v in values]
    return [to_json_value(v, field_type) for v in values]


_POINT_WKB = b"\x01\x01\x00\x00\x00"  # little-endian 2D Point (what GDAL gives for GeoPackage)
_XY = struct.Struct("<dd")


def _wkb_geometry_json(wkb: Optional[bytes]) -> Optional[Dict[str, Any]]:
    if wkb is None:
        return None
    if len(wkb) == 21 and wkb.startswith(_POINT_WKB):  # the common case, without QGIS
        x, y = _XY.unpack_from(wkb, 5)
        return None if x != x or y != y else cgj.canonical_point(x, y)  # NaN: empty point
    geom = QgsGeometry()
    geom.fromWkb(wkb)
    return _geometry_json(geom)


# profile_import writes "imported from <source>" in a reference row's source
OFFICIAL_SOURCE_PREFIX = "imported from "


def export_reference(
    name: str, layer: QgsVectorLayer, feedback: Optional[QgsFeedback] = None
) -> LayerExport:
    """A reference layer (``province``, ``districts``) as the release wants
    it: MultiPolygons in WGS 84, ``id`` = ``code``, properties code, name
    and ``accuracy``: "official" for boundaries the province imported
    (``profile_import``), "approximate" for what ships by default (Voronoi
    districts, Natural Earth outline), so the public map can say so."""
    transform = QgsCoordinateTransform(layer.crs(), WGS84, QgsProject.instance())
    has_source = "source" in layer.fields().names()
    features: List[Dict[str, Any]] = []
    for feat in layer.getFeatures():
        if feedback is not None and feedback.isCanceled():
            raise ExportCancelledError(name)
        code = to_json_value(feat["code"], FieldType.STRING)
        geom = QgsGeometry(feat.geometry())
        if code is None or geom.isNull() or geom.isEmpty():
            continue
        geom.transform(transform)
        geom.convertToMultiType()
        source = str(feat["source"] or "") if has_source else ""
        features.append(cgj.feature(code, _geometry_json(geom), {
            "code": code, "name": to_json_value(feat["name"], FieldType.STRING),
            "accuracy": "official" if source.startswith(OFFICIAL_SOURCE_PREFIX)
            else "approximate"}))
    return LayerExport.of_features(name, features)


def export_layers(
    layers: Mapping[str, QgsVectorLayer],
    now: Optional[dt.datetime] = None,
    feedback: Optional[QgsFeedback] = None,
    export_one: Callable[..., LayerExport] = export_layer,
) -> Dict[str, LayerExport]:
    """Every model layer present in ``layers``, in model order, each made
    by ``export_one(layer_def, layer, now, feedback)`` (``export_layer``,
    or the session's cache of it: export_cache.py)."""
    when = now or dt.datetime.now(PROVINCE_TZ)
    return {
        layer_def.name: export_one(layer_def, layers[layer_def.name], when, feedback)
        for layer_def in MODEL.layers
        if layer_def.name in layers
    }
