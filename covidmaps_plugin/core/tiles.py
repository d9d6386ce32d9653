"""Vector tiles of a layer too large for plain GeoJSON on a phone.

Built by QGIS's own :class:`QgsVectorTileWriter` from the layer's canonical
GeoJSON (the release blob itself), so the tiles hold exactly the published
features and their public properties; the MVT layer name is the layer id.
The writer's xyz output is packed into one deterministic tar archive (the
"tile set", docs/api.md and the tile-set wire contract):

- members ``"{z}/{x}/{y}.pbf"``, only the tiles the writer produced,
  sorted numerically by (z, x, y), then last ``metadata.json``;
- POSIX ustar, every member a regular file with mtime 0, uid/gid 0,
  empty uname/gname, mode 0o644; no directory members.

Same data -> same bytes -> same SHA-256, so an unchanged tile set is never
uploaded twice, whoever builds it. QGIS 3.22's writer is deterministic for
the same input: features are read in file order (GDAL's FlatGeobuf copy of
the blob, ordered by its spatial index: see :func:`web_mercator_file`),
keys in field order, values in order of first use (an ordered map,
not a hash seeded per process), and no timestamps; the tar headers are
fixed here. The tests build the same set in two processes.

Tile encoding: in xyz mode QgsVectorTileWriter writes each ``.pbf`` as the
RAW protobuf bytes of the Mapbox Vector Tile (first byte 0x1a, the
``layers`` field), NOT gzip-compressed; the server may compress them for
serving (``.gz``/``.br`` variants) and must send plain ``.pbf`` without a
``Content-Encoding``. Tile feature properties are the blob's public
properties with every value as text (see :func:`tile_value`); nulls are
absent (MVT has no null).
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsFeedback,
    QgsVectorLayer,
    QgsVectorTileWriter,
)

from ..model import geojson as cgj
from ..model.tile_archive import (  # noqa: F401 - the packing helpers are re-exported
    TILE_MEMBER,
    TileKey,
    pack_tile_archive,
    read_tile_archive,
    tile_metadata,
)
from .errors import WorkspaceError
from .export import LayerExport

# a canonical blob larger than this also gets vector tiles (1 MiB: beyond
# it a phone on a slow link waits too long for the whole layer)
TILE_THRESHOLD_BYTES = 1024 * 1024
DEFAULT_MINZOOM = 5
DEFAULT_MAXZOOM = 12  # the web map over-zooms past it
# GeoJSON bytes one tile may hold (estimated): its MVT is several times
# smaller, well under the endpoint's 512 KiB per tile
TILE_BUDGET_BYTES = 1024 * 1024
MERCATOR_MAX_LAT = 85.0511287798
PHONE_VIEWPORT_PX = (390, 844)  # CSS pixels of a common phone in portrait


class TilesCancelledError(Exception):
    """The officer cancelled while the tiles were being written."""


class TileBuildError(WorkspaceError):
    """QGIS could not write a layer's tiles; nothing was sent."""

    def __init__(self, layer_id: str, reason: str) -> None:
        super().__init__(
            f"Không tạo được lớp ô vectơ (vector tiles) cho lớp {layer_id}: {reason}. Chưa có gì "
            "được gửi đi; bản đồ công khai không thay đổi. Kiểm tra dữ liệu của lớp rồi thử lại.",
            f"Could not make the vector tiles of layer {layer_id}: {reason}. Nothing was sent; "
            "the public map did not change. Check the layer's data and try again.",
        )
        self.layer_id = layer_id


@dataclass(frozen=True)
class TileArchive:
    """One layer's tile set, ready to upload."""

    layer: str
    data: bytes  # the ustar archive
    sha256: str  # of ``data``
    tile_count: int
    minzoom: int
    maxzoom: int
    bounds: Tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    blob_sha256: str  # the layer's GeoJSON blob the tiles were made from

    @property
    def size(self) -> int:
        return len(self.data)


def needs_tiles(export: LayerExport, threshold_bytes: int = TILE_THRESHOLD_BYTES) -> bool:
    """Whether a layer's canonical GeoJSON is too large for a phone."""
    return export.feature_count > 0 and export.size > threshold_bytes


def build_tile_archive(layer_id: str, geojson: bytes, blob_sha256: str,
                       minzoom: int = DEFAULT_MINZOOM, maxzoom: int = DEFAULT_MAXZOOM,
                       feedback: Optional[QgsFeedback] = None,
                       tile_budget_bytes: int = TILE_BUDGET_BYTES) -> TileArchive:
    """The tile set of one layer from its canonical GeoJSON bytes.

    ``minzoom`` is raised as far as needed (at most to ``maxzoom``) for no
    tile to hold more than about ``tile_budget_bytes`` of the layer's
    GeoJSON (see :func:`lowest_zoom_within_budget`).

    Raises :class:`TilesCancelledError` on a cancel through ``feedback`` and
    :class:`TileBuildError` when the layer has no features or QGIS fails."""
    if not 0 <= minzoom <= maxzoom <= 24:
        raise ValueError(f"zoom range {minzoom}-{maxzoom} is not within 0-24")
    collection = json.loads(geojson)
    features = collection.get("features") or []
    box = cgj.bbox_of(features)
    if box is None:
        raise TileBuildError(layer_id, "no features")
    minzoom = lowest_zoom_within_budget(features, len(geojson), minzoom, maxzoom,
                                        tile_budget_bytes)
    with tempfile.TemporaryDirectory(prefix="covidmaps-tiles-") as tmp:
        source = Path(tmp) / "source.geojson"
        source.write_bytes(geojson)  # as it is: GDAL reads it and spells values as text
        out = Path(tmp) / "xyz"
        write_xyz_tiles(source, layer_id, out, minzoom, maxzoom, feedback)
        tiles = read_xyz_dir(out)
    metadata = tile_metadata(layer_id, blob_sha256, minzoom, maxzoom, box)
    data = pack_tile_archive(tiles, metadata)
    return TileArchive(layer=layer_id, data=data, sha256=hashlib.sha256(data).hexdigest(),
                       tile_count=len(tiles), minzoom=minzoom, maxzoom=maxzoom,
                       bounds=(box[0], box[1], box[2], box[3]), blob_sha256=blob_sha256)


def mercator_unit(lon: float, lat: float) -> Tuple[float, float]:
    """A position on the Web Mercator square as fractions 0..1 from the
    north-west corner (x east, y south), as XYZ tiles count."""
    rad = math.radians(max(-MERCATOR_MAX_LAT, min(MERCATOR_MAX_LAT, lat)))
    return (lon + 180.0) / 360.0, (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0


def tile_xy(lon: float, lat: float, zoom: int) -> Tuple[int, int]:
    """The XYZ (Web Mercator) tile holding a position."""
    n = 2 ** zoom
    fx, fy = mercator_unit(lon, lat)
    return min(max(int(fx * n), 0), n - 1), min(max(int(fy * n), 0), n - 1)


def tiles_for_view(profile: Mapping[str, Any], minzoom: int, maxzoom: int,
                   viewport_px: Tuple[int, int] = PHONE_VIEWPORT_PX) -> List[TileKey]:
    """The data tiles a phone fetches for the map's first view: the
    manifest profile's ``initial_view`` (centre, zoom) in a viewport of
    ``viewport_px`` CSS pixels. Above ``maxzoom`` the map magnifies the
    ``maxzoom`` tiles; below ``minzoom`` it fetches none (for benchmarks)."""
    view = profile.get("initial_view") or {}
    lon, lat = view.get("center") or profile.get("initial_center") or (0.0, 0.0)
    zoom = int(view.get("zoom", profile.get("initial_zoom", 9)))
    if zoom < minzoom:
        return []
    size = 256 * 2 ** zoom  # the world in CSS pixels at that zoom
    fx, fy = mercator_unit(lon, lat)
    cx, cy = fx * size, fy * size
    half_w, half_h = viewport_px[0] / 2, viewport_px[1] / 2
    data_zoom = min(zoom, maxzoom)
    shift = zoom - data_zoom
    last = 2 ** data_zoom - 1

    def span(low: float, high: float) -> range:
        first = max(0, int(low // 256) >> shift)
        return range(first, min(last, int(high // 256) >> shift) + 1)

    return [(data_zoom, x, y) for x in span(cx - half_w, cx + half_w)
            for y in span(cy - half_h, cy + half_h)]


def lowest_zoom_within_budget(features: List[Dict[str, Any]], geojson_bytes: int,
                              minzoom: int, maxzoom: int, budget_bytes: int) -> int:
    """The lowest zoom >= ``minzoom`` whose fullest tile holds at most
    ``budget_bytes`` of GeoJSON (the features' mean size times their count);
    ``maxzoom`` if none does.

    Why: QGIS's writer puts every feature into every zoom (no thinning), so
    a low-zoom tile of a dense layer would hold all of it: megabytes no
    phone should download and the endpoint refuses. Below the tile set's
    minzoom the web map does not draw the layer; at such zooms it would be
    a solid mass of symbols anyway. Counted at ``maxzoom`` from each
    feature's bounding box, then summed up the pyramid (a feature spanning
    several tiles is counted in each: an estimate on the safe side)."""
    mean = geojson_bytes / max(1, len(features))
    counts: Dict[Tuple[int, int], int] = {}
    for feature in features:
        geometry = feature.get("geometry")
        if geometry and geometry.get("type") == "Point":  # most of a large layer: one tile
            key = tile_xy(*geometry["coordinates"][:2], maxzoom)
            counts[key] = counts.get(key, 0) + 1
            continue
        box = cgj.bbox_of([feature])
        if box is None:
            continue
        x0, y0 = tile_xy(box[0], box[3], maxzoom)  # north-west corner: smallest x, y
        x1, y1 = tile_xy(box[2], box[1], maxzoom)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                counts[(x, y)] = counts.get((x, y), 0) + 1
    zoom = maxzoom
    fits = {maxzoom: max(counts.values(), default=0) * mean <= budget_bytes}
    while zoom > minzoom:
        parents: Dict[Tuple[int, int], int] = {}
        for (x, y), count in counts.items():
            parents[(x >> 1, y >> 1)] = parents.get((x >> 1, y >> 1), 0) + count
        zoom, counts = zoom - 1, parents
        fits[zoom] = max(counts.values()) * mean <= budget_bytes
    # the lowest zoom from which every zoom up to maxzoom fits
    chosen = maxzoom
    for z in range(maxzoom, minzoom - 1, -1):
        if not fits[z]:
            break
        chosen = z
    return chosen


def _ogr_input(features: List[Dict[str, Any]]) -> bytes:
    """The features as OGR should read them, in the same order:

    - the top-level ``id`` is left out (the uid is also a public property;
      OGR would add it to every tile feature as an extra ``id`` attribute);
    - every non-null property value becomes its JSON text (``true``,
      ``3``, ``"Chợ"`` -> ``Chợ``): QGIS 3.22's MVT encoder shares equal
      values within a tile through a map keyed by QVariant, whose
      comparison converts across types (true == "any text", 66 == "066"),
      so mixed-type values would be written as each other's values. With
      one type the map is exact; the web map reads values as text anyway
      (``Number(...)``, ``'true'``)."""
    rows = [{"type": "Feature", "geometry": f["geometry"],
             "properties": {k: v if v is None or v.__class__ is str else tile_value(v)
                            for k, v in (f.get("properties") or {}).items()}}
            for f in features]
    return json.dumps({"type": "FeatureCollection", "features": rows},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def tile_value(value: Any) -> Optional[str]:
    """A GeoJSON property value as the text the tiles carry (None: absent)."""
    if value is None or isinstance(value, str):
        return value
    if value is True or value is False:  # the common cases without json.dumps
        return "true" if value else "false"
    if value.__class__ is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_xyz_tiles(source: Path, layer_id: str, out_dir: Path, minzoom: int, maxzoom: int,
                    feedback: Optional[QgsFeedback] = None) -> None:
    """QgsVectorTileWriter's xyz output of the GeoJSON file ``source``."""
    mercator = web_mercator_file(source, out_dir.parent / "source-3857.fgb", layer_id,
                                 feedback)
    layer = QgsVectorLayer(mercator.as_posix(), layer_id, "ogr")
    if not layer.isValid():
        raise TileBuildError(layer_id, "QGIS cannot read the reprojected features")
    writer = QgsVectorTileWriter()
    writer.setDestinationUri(f"type=xyz&url=file://{out_dir.as_posix()}/{{z}}/{{x}}/{{y}}.pbf")
    writer.setMinZoom(minzoom)
    writer.setMaxZoom(maxzoom)
    writer.setTransformContext(QgsCoordinateTransformContext())
    tile_layer = QgsVectorTileWriter.Layer(layer)
    tile_layer.setLayerName(layer_id)
    writer.setLayers([tile_layer])
    ok = writer.writeTiles(feedback)
    error = writer.errorMessage()
    del tile_layer, writer, layer  # closes the file before the temporary folder goes
    if feedback is not None and feedback.isCanceled():
        raise TilesCancelledError()
    if not ok:
        raise TileBuildError(layer_id, error or "QgsVectorTileWriter failed")


def web_mercator_file(source: Path, target: Path, layer_id: str,
                      feedback: Optional[QgsFeedback] = None) -> Path:
    """The GeoJSON file ``source`` as a FlatGeobuf file in EPSG:3857 with a
    spatial index and every property as text (:func:`text_columns_query`),
    made by GDAL (C++: no Python per feature).

    Why EPSG:3857: QGIS 3.22's MVT encoder selects a tile's features with a
    buffer grown in the *layer's* CRS by the larger side of the tile, but
    clips them with a buffer grown in EPSG:3857; for a WGS 84 layer a point
    in the difference is clipped away and still written, as a feature with
    an empty geometry of type UNKNOWN. In the tiles' own CRS both buffers
    are the same square.

    Why an OGR file, not a memory layer: the encoder asks for the features
    whose *bounding box* meets the buffered tile and writes every one of
    them, even when clipping leaves nothing (a zone's corner cut off by the
    tile edge: again an UNKNOWN feature with no geometry, which the endpoint
    refuses). QGIS's memory provider filters by bounding box only; OGR tests
    the geometry itself (GEOS) against the filter rectangle, so the encoder
    only gets features that really reach into the tile.

    Why FlatGeobuf: its packed R-tree answers the encoder's query per tile
    without a scan. Features are stored in the order of that index (Hilbert
    curve of their boxes), deterministic for the same input; the tile
    feature ids are their positions there."""
    from osgeo import gdal  # QGIS's own GDAL; imported here: only needed to build tiles

    src = _open_geojson(source, layer_id)
    query = text_columns_query(src.GetLayer(0))
    if query is None:  # real numbers or lists: only Python spells them as the blob does
        del src
        source.write_bytes(_ogr_input(json.loads(source.read_bytes())["features"]))
        src = _open_geojson(source, layer_id)
        query = text_columns_query(src.GetLayer(0))  # all text now
    options = gdal.VectorTranslateOptions(
        format="FlatGeobuf", dstSRS="EPSG:3857", layerName=layer_id, SQLStatement=query,
        SQLDialect="SQLITE", layerCreationOptions=["SPATIAL_INDEX=YES"])
    if feedback is not None and feedback.isCanceled():  # GDAL reports no progress on SQL
        raise TilesCancelledError()
    out = gdal.VectorTranslate(target.as_posix(), src, options=options)
    ok = out is not None
    del out, src  # FlatGeobuf writes its index and header on close
    if feedback is not None and feedback.isCanceled():
        raise TilesCancelledError()
    if not ok:
        raise TileBuildError(layer_id, "GDAL cannot reproject the features: "
                             + (gdal.GetLastErrorMsg() or "unknown error"))
    return target


def _open_geojson(source: Path, layer_id: str) -> Any:
    from osgeo import gdal

    # DATE_AS_STRING: dates and times stay the exact ISO text of the blob
    # (OGR would otherwise parse them and QGIS re-format them)
    src = gdal.OpenEx(source.as_posix(), gdal.OF_VECTOR, open_options=["DATE_AS_STRING=YES"])
    if src is None:
        raise TileBuildError(layer_id, "GDAL cannot read the exported GeoJSON")
    return src


def text_columns_query(layer: Any) -> Optional[str]:
    """An SQL (SQLite dialect) SELECT of an OGR layer read from GeoJSON that
    gives every property as :func:`tile_value` spells it (text, null stays
    null) and leaves out the features' top-level ``id`` (the uid, also a
    property: see :func:`_ogr_input`), fields in the same order. None when
    a field is of a type SQL cannot spell exactly like JSON (real numbers,
    lists, objects): then :func:`_ogr_input` does it in Python. (A blob's
    field holds one JSON type: the model's; OGR would spell mixed ones.)"""
    from osgeo import ogr

    definition = layer.GetLayerDefn()
    columns = []
    for i in range(definition.GetFieldCount()):
        field = definition.GetFieldDefn(i)
        name = field.GetName()
        if name == "id":
            continue
        column = _sql_name(name)
        if field.GetType() == ogr.OFTString and field.GetSubType() == ogr.OFSTNone:
            columns.append(column)  # (OFSTJSON: an object, in OGR's own spelling)
        elif field.GetSubType() == ogr.OFSTBoolean:
            columns.append(f"CASE {column} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END AS {column}")
        elif field.GetType() in (ogr.OFTInteger, ogr.OFTInteger64):
            columns.append(f"CAST({column} AS TEXT) AS {column}")
        else:
            return None
    columns.append(_sql_name(layer.GetGeometryColumn() or "GEOMETRY"))
    # identifiers quoted; no value is ever part of the statement
    return f"SELECT {', '.join(columns)} FROM {_sql_name(layer.GetName())}"  # noqa: S608  # nosec B608 - quoted identifiers only


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_xyz_dir(root: Path) -> Dict[TileKey, bytes]:
    """The non-empty ``{z}/{x}/{y}.pbf`` files under ``root``."""
    tiles: Dict[TileKey, bytes] = {}
    if not root.is_dir():
        return tiles
    for path in root.glob("*/*/*.pbf"):
        name = path.relative_to(root).as_posix()
        match = TILE_MEMBER.fullmatch(name)
        if match is None:
            continue
        data = path.read_bytes()
        if data:
            tiles[(int(match[1]), int(match[2]), int(match[3]))] = data
    return tiles
