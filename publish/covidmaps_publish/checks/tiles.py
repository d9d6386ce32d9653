"""Check an uploaded vector tile archive (the tile-set wire contract of
docs/api.md, "Uploading vector tiles") before anything of it is stored.

The archive is an uncompressed POSIX tar: members ``{z}/{x}/{y}.pbf`` and,
last, ``metadata.json``. It is read from memory with ``tarfile`` and never
extracted: member names are matched against a strict pattern (so links,
directories, absolute or ``..`` paths cannot name anything), sizes and counts
are bounded from the headers before a byte of content is read, and a gzipped
tile is inflated with a size cap. Each tile is parsed with the Mapbox Vector
Tile protobuf schema of the ``mapbox-vector-tile`` package; its only layer
must be the layer id and its property keys public fields of that layer (a
tile must never carry an internal field the GeoJSON check would drop).
"""

from __future__ import annotations

import io
import math
import tarfile
import zlib
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Optional, Set, Tuple

from covidmaps_plugin.model import MODEL, ProvinceProfile

from ..config import Limits
from ..grammar import MAX_MEMBER_NAME, is_sha256, tile_member
from ..problems import FieldError, ProblemError
from .boundary import input_stage
from .jsonparse import parse_json
from .numbers import is_number

FORMAT = "covidmaps-tiles/1"
METADATA = "metadata.json"
MAX_ZOOM = 16
MAX_METADATA_BYTES = 64 * 1024
METADATA_KEYS = frozenset(("format", "layer", "blob_sha256", "minzoom", "maxzoom", "bounds"))
_GZIP_MAGIC = b"\x1f\x8b"
_MERCATOR_MAX_LAT = 85.0511287798

TileId = Tuple[int, int, int]


@dataclass(frozen=True)
class CheckedTileSet:
    """A tile archive that passed every check; tiles hold raw (un-gzipped) MVT bytes."""

    layer: str
    sha256: str  # of the archive
    blob_sha256: str  # the layer GeoJSON the tiles were made from
    minzoom: int
    maxzoom: int
    bounds: List[float]
    tiles: Tuple[Tuple[TileId, bytes], ...]  # sorted by (z, x, y)

    @property
    def tile_count(self) -> int:
        return len(self.tiles)


def refuse(layer: str, code: str, message: str, member: Optional[str] = None) -> ProblemError:
    """A 422 for a bad archive; ``errors[0].code`` says what was wrong."""
    where = f" (member {member[:80]!r})" if member else ""
    return ProblemError(422, "invalid-tiles", "The vector tile archive is not valid",
                        f"Tile set of layer {layer!r}: {message}{where}",
                        errors=[FieldError(code, message, layer=layer,
                                           field=member[:80] if member else None)],
                        extra={"layer": layer})


def tile_bounds(z: int, x: int, y: int) -> Tuple[float, float, float, float]:
    """(west, south, east, north) of an XYZ (Web Mercator) tile in degrees."""
    n = 2 ** z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def public_keys(layer: str) -> FrozenSet[str]:
    """Property names a tile of ``layer`` may carry: the layer's public fields."""
    return frozenset(f.name for f in MODEL.layer(layer).public_fields)


@input_stage("tiles", 422)
def check_tile_archive(layer: str, sha256: str, body: bytes, profile: ProvinceProfile,
                       limits: Limits) -> CheckedTileSet:
    """Check ``body`` as the tile archive of ``layer``; raise a ProblemError on bad input."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(body), mode="r:")  # noqa: SIM115 - closed below
    except (tarfile.TarError, EOFError, OSError, ValueError):
        raise refuse(layer, "bad-archive", "the body is not an uncompressed tar archive "
                     "(POSIX ustar, as Python's tarfile writes it)") from None
    try:
        tiles, metadata = _read_members(tar, layer, profile, limits)
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error):
        raise refuse(layer, "bad-archive", "the tar archive is damaged or truncated") from None
    finally:
        tar.close()
    if metadata is None:
        raise refuse(layer, "metadata-missing", "the last member must be metadata.json")
    if not tiles:
        raise refuse(layer, "no-tiles", "the archive holds no tile")
    minzoom, maxzoom = metadata["minzoom"], metadata["maxzoom"]
    for (z, x, y) in tiles:
        if not minzoom <= z <= maxzoom:
            raise refuse(layer, "tile-out-of-range",
                         f"zoom {z} is outside metadata minzoom..maxzoom {minzoom}..{maxzoom}",
                         f"{z}/{x}/{y}.pbf")
    return CheckedTileSet(layer, sha256, metadata["blob_sha256"], minzoom, maxzoom,
                          metadata["bounds"], tuple(sorted(tiles.items())))


def _read_members(tar: tarfile.TarFile, layer: str, profile: ProvinceProfile, limits: Limits
                  ) -> Tuple[Dict[TileId, bytes], Optional[Dict[str, Any]]]:
    tiles: Dict[TileId, bytes] = {}
    seen: Set[str] = set()
    metadata: Optional[Dict[str, Any]] = None
    total = 0
    keys = public_keys(layer)
    for member in tar:  # headers are read one at a time: the count is bounded early
        name = member.name
        if len(name) > MAX_MEMBER_NAME:
            raise refuse(layer, "bad-member", f"a member name longer than {MAX_MEMBER_NAME} "
                         "characters", name)
        if metadata is not None:
            raise refuse(layer, "metadata-not-last", "metadata.json must be the last member",
                         name)
        if name in seen:
            raise refuse(layer, "duplicate-member", "the archive holds this name twice", name)
        seen.add(name)
        if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise refuse(layer, "bad-member", "only regular files are allowed (no links, "
                         "directories or devices)", name)
        if name == METADATA:
            if member.size > MAX_METADATA_BYTES:
                raise refuse(layer, "metadata-invalid", "metadata.json is too large", name)
            metadata = _check_metadata(_read(tar, member), layer, profile)
            continue
        tile_id = _tile_id(name, layer)
        if len(tiles) >= limits.max_tiles:
            raise refuse(layer, "too-many-tiles",
                         f"more than {limits.max_tiles} tiles; lower the maximum zoom", name)
        if member.size > limits.max_tile_bytes:
            raise refuse(layer, "tile-too-large", f"{member.size} bytes; at most "
                         f"{limits.max_tile_bytes} per tile", name)
        data = _inflate(_read(tar, member), limits.max_tile_bytes, layer, name)
        total += len(data)
        if total > limits.max_tiles_total_bytes:
            raise refuse(layer, "tiles-too-large", f"the tiles add up to more than "
                         f"{limits.max_tiles_total_bytes} bytes; lower the maximum zoom", name)
        _check_tile(data, layer, keys, name)
        if not _intersects(tile_bounds(*tile_id), profile):
            raise refuse(layer, "tile-outside-province",
                         "the tile does not overlap the province", name)
        tiles[tile_id] = data
    return tiles, metadata


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:  # not a regular file; excluded above, kept for type safety
        raise ValueError(member.name)
    data = handle.read()
    if len(data) != member.size:
        raise EOFError(member.name)
    return data


def _tile_id(name: str, layer: str) -> TileId:
    tile = tile_member(name)
    if tile is None:
        raise refuse(layer, "bad-member", "member names must be {z}/{x}/{y}.pbf (decimal, "
                     "no leading zeros) or metadata.json", name)
    z, x, y = tile
    if z > MAX_ZOOM or x >= 2 ** z or y >= 2 ** z:
        raise refuse(layer, "tile-out-of-range", f"zoom at most {MAX_ZOOM}, x and y below "
                     "2^zoom", name)
    return z, x, y


def _inflate(data: bytes, cap: int, layer: str, name: str) -> bytes:
    """A gzipped tile's raw bytes (at most ``cap``); other tiles as they are."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    raw = inflater.decompress(data, cap + 1)
    if len(raw) > cap:
        raise refuse(layer, "tile-too-large", f"more than {cap} bytes once decompressed", name)
    if not inflater.eof or inflater.unused_data:
        raise refuse(layer, "not-a-vector-tile", "damaged gzip data", name)
    return raw


def _check_tile(data: bytes, layer: str, keys: FrozenSet[str], name: str) -> None:
    """Parse with the MVT schema and check what a renderer relies on.

    Geometry command streams are not decoded: that would cost a Python loop
    per vertex, and a bad stream only spoils the drawing of this tile."""
    from google.protobuf.message import DecodeError
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    try:
        tile.ParseFromString(data)
    except DecodeError:
        raise refuse(layer, "not-a-vector-tile", "not a Mapbox Vector Tile", name) from None
    names = [mvt.name for mvt in tile.layers]
    if not names:
        raise refuse(layer, "not-a-vector-tile", "the tile is empty (no MVT layer)", name)
    if names != [layer]:
        raise refuse(layer, "wrong-tile-layer", f"the tile's layers are {names[:5]}; it must "
                     f"hold exactly one layer named {layer!r}", name)
    mvt = tile.layers[0]
    if mvt.version not in (1, 2) or mvt.extent <= 0 or not mvt.features:
        raise refuse(layer, "not-a-vector-tile", "an MVT layer needs version 2, a positive "
                     "extent and at least one feature", name)
    unknown = sorted(set(mvt.keys) - keys)
    if unknown:
        raise refuse(layer, "tile-unknown-field", f"properties {unknown[:5]} are not public "
                     f"fields of {layer!r}", name)
    key_count, value_count = len(mvt.keys), len(mvt.values)
    for feature in mvt.features:
        tags = feature.tags
        if (feature.type not in (1, 2, 3) or not feature.geometry or len(tags) % 2
                or (tags and (max(tags[::2]) >= key_count or max(tags[1::2]) >= value_count))):
            raise refuse(layer, "not-a-vector-tile", "a feature has no geometry, an unknown "
                         "type or property indexes out of range", name)


def _intersects(box: Tuple[float, float, float, float], profile: ProvinceProfile) -> bool:
    tol = profile.bbox_tolerance_deg
    x0, y0, x1, y1 = profile.bbox
    west, south, east, north = box
    return west <= x1 + tol and east >= x0 - tol and south <= y1 + tol and north >= y0 - tol


def _check_metadata(data: bytes, layer: str, profile: ProvinceProfile) -> Dict[str, Any]:
    def bad(message: str) -> ProblemError:
        return refuse(layer, "metadata-invalid", message, METADATA)

    try:
        doc = parse_json(data, 3, METADATA, layer)
    except ProblemError as problem:
        raise bad(problem.detail) from None
    if not isinstance(doc, dict) or set(doc) != METADATA_KEYS:
        raise bad(f"metadata.json must be an object with exactly {sorted(METADATA_KEYS)}")
    if doc["format"] != FORMAT:
        raise bad(f"'format' must be {FORMAT!r}")
    if doc["layer"] != layer:
        raise bad(f"'layer' is {str(doc['layer'])[:60]!r}; this upload is for {layer!r}")
    if not is_sha256(doc["blob_sha256"]):
        raise bad("'blob_sha256' must be the layer blob's SHA-256 (64 lower-case hex digits)")
    zooms = (doc["minzoom"], doc["maxzoom"])
    if not all(type(z) is int and 0 <= z <= MAX_ZOOM for z in zooms) or zooms[0] > zooms[1]:
        raise bad(f"'minzoom' and 'maxzoom' must be whole numbers 0..{MAX_ZOOM}, "
                  "minzoom <= maxzoom")
    bounds = doc["bounds"]
    if not _valid_bounds(bounds):
        raise bad("'bounds' must be [minlon, minlat, maxlon, maxlat] in degrees")
    if not _intersects(tuple(bounds), profile):  # type: ignore[arg-type]
        raise bad("'bounds' do not overlap the province")
    return doc


def _valid_bounds(bounds: Any) -> bool:
    if not (isinstance(bounds, list) and len(bounds) == 4 and all(
            is_number(v) for v in bounds)):
        return False
    west, south, east, north = bounds
    return (-180 <= west <= east <= 180
            and -_MERCATOR_MAX_LAT <= south <= north <= _MERCATOR_MAX_LAT)
