"""Stored vector tile sets: ``tiles/<sha>/{z}/{x}/{y}.pbf`` (+ ``.gz`` and
``.br`` variants) and ``tiles/<sha>/tiles.json``, the TileJSON 3.0.0
document written LAST, so "stored" means "tiles.json exists" and a crash
mid-upload leaves only unreferenced immutable files (a retry completes them).

tiles.json carries, besides the TileJSON members, a ``covidmaps`` member
with the SHA-256 of every tile: the read side refuses a damaged tile and
``verify`` checks every stored tile against it.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, Optional, Tuple

import brotli

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.schema import FieldType

from .checks.tiles import FORMAT, CheckedTileSet, TileId
from .representation import MIN_COMPRESS, gzip_bytes
from .storage.base import Storage, tile_key, tilejson_key

TILE_TYPE = "application/vnd.mapbox-vector-tile"
TILEJSON_VERSION = "3.0.0"
# Compression runs in brotli/zlib with the GIL released, and S3 puts wait on
# the network: a few threads store a tile set several times faster.
STORE_WORKERS = 4
# Brotli level by the size of the whole set. Measured on 5.3 MB of tiles
# (20,000 points, z5-12), CPU seconds / bytes: 11: 6.0 s / 1.70 MB, 10: 2.3 s
# / 1.72 MB, 9: 2.4 s / 1.92 MB, 5: 0.13 s / 1.93 MB. Level 9 buys nothing
# on tile-sized inputs, so large sets go straight to 5.
_MIB = 1024 * 1024
_TILE_BROTLI = ((1 * _MIB, 11), (4 * _MIB, 10))  # (set size below, quality)
_TILE_BROTLI_LARGE = 5
_TILEJSON_TYPES = {FieldType.INTEGER: "Number", FieldType.REAL: "Number",
                   FieldType.BOOLEAN: "Boolean"}


def tile_brotli_quality(set_bytes: int) -> int:
    return next((q for below, q in _TILE_BROTLI if set_bytes < below), _TILE_BROTLI_LARGE)


def has_variants(size: int) -> bool:
    """Whether a tile of ``size`` bytes is stored with .gz/.br twins (as the
    in-memory representations: below MIN_COMPRESS compression does not pay)."""
    return size >= MIN_COMPRESS


def tile_name(tile: TileId) -> str:
    return "{}/{}/{}".format(*tile)


def parse_tile_name(name: str) -> TileId:
    z, x, y = (int(part) for part in name.split("/"))
    return z, x, y


def tilejson(checked: CheckedTileSet) -> Dict[str, Any]:
    """The TileJSON 3.0.0 document of a checked tile set (tile URLs relative
    to tiles.json itself)."""
    layer = MODEL.layer(checked.layer)
    fields = {f.name: _TILEJSON_TYPES.get(f.type, "String") for f in layer.public_fields}
    return {
        "tilejson": TILEJSON_VERSION, "name": checked.layer, "scheme": "xyz",
        "tiles": ["{z}/{x}/{y}.pbf"], "minzoom": checked.minzoom, "maxzoom": checked.maxzoom,
        "bounds": checked.bounds,
        "vector_layers": [{"id": checked.layer, "fields": fields,
                           "minzoom": checked.minzoom, "maxzoom": checked.maxzoom}],
        "covidmaps": {"format": FORMAT, "archive_sha256": checked.sha256,
                      "blob_sha256": checked.blob_sha256, "tile_count": checked.tile_count,
                      "tiles": {tile_name(t): hashlib.sha256(data).hexdigest()
                                for t, data in checked.tiles}},
    }


def encode_tilejson(doc: Dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def store_tileset(storage: Storage, checked: CheckedTileSet) -> Dict[str, Any]:
    """Write every tile (variants first), then tiles.json; returns tiles.json."""
    sha = checked.sha256
    quality = tile_brotli_quality(sum(len(data) for _, data in checked.tiles))

    def store(item: Tuple[TileId, bytes]) -> None:
        (z, x, y), data = item
        if has_variants(len(data)):
            storage.put_immutable(tile_key(sha, z, x, y, ".gz"), gzip_bytes(data))
            storage.put_immutable(tile_key(sha, z, x, y, ".br"),
                                  brotli.compress(data, quality=quality))
        storage.put_immutable(tile_key(sha, z, x, y), data)

    with ThreadPoolExecutor(STORE_WORKERS, thread_name_prefix="tiles") as pool:
        for _ in pool.map(store, checked.tiles):  # re-raises the first failure
            pass
    doc = tilejson(checked)
    storage.put_immutable(tilejson_key(sha), encode_tilejson(doc))
    return doc


def load_tilejson(storage: Storage, sha: str) -> Optional[Dict[str, Any]]:
    """A stored (complete) tile set's tiles.json, None if it is not stored."""
    data = storage.get(tilejson_key(sha))
    return json.loads(data) if data is not None else None


def tile_hashes(doc: Dict[str, Any]) -> Dict[str, str]:
    """``{"z/x/y": sha256}`` of every tile of a stored set (the document's
    own mapping, read-only: a lookup must not copy thousands of entries)."""
    return doc.get("covidmaps", {}).get("tiles", {})


def iter_tiles(doc: Dict[str, Any]) -> Iterator[Tuple[TileId, str]]:
    for name, digest in tile_hashes(doc).items():
        yield parse_tile_name(name), digest


def tileset_layer(doc: Dict[str, Any]) -> Optional[str]:
    return doc.get("name")


def tileset_blob(doc: Dict[str, Any]) -> Optional[str]:
    return doc.get("covidmaps", {}).get("blob_sha256")


def manifest_entry(sha: str, doc: Dict[str, Any]) -> Dict[str, Any]:
    """The manifest layer's ``tiles`` member for a stored set."""
    return {"href": f"tiles/{sha}/{{z}}/{{x}}/{{y}}.pbf", "minzoom": doc["minzoom"],
            "maxzoom": doc["maxzoom"], "layer": doc["name"], "sha256": sha,
            "tile_count": doc["covidmaps"]["tile_count"],
            "tilejson": f"tiles/{sha}/tiles.json"}


def put_answer(sha: str, doc: Dict[str, Any]) -> Dict[str, Any]:
    """The body of a successful tile PUT."""
    return {"layer": doc["name"], "sha256": sha, "tile_count": doc["covidmaps"]["tile_count"],
            "minzoom": doc["minzoom"], "maxzoom": doc["maxzoom"], "bounds": doc["bounds"],
            "href": f"/data/tiles/{sha}/{{z}}/{{x}}/{{y}}.pbf",
            "tilejson": f"/data/tiles/{sha}/tiles.json"}
