"""The tile-set archive format (docs/api.md, "Uploading vector tiles") and
its patch (docs/api.md, "Uploading a changed tile set as a patch").

Pure Python, no QGIS import: the plugin packs the archive it builds with
these functions and the endpoint re-packs a patched tile set with the very
same ones, so both sides get the same bytes, hence the same SHA-256.

Archive: one POSIX ustar, members ``"{z}/{x}/{y}.pbf"`` sorted numerically
by (z, x, y), then last ``metadata.json``; every member a regular file with
mtime 0, uid/gid 0, empty uname/gname, mode 0o644; no directory members.

Patch: the same kind of tar, first ``patch.json`` (compact JSON
``{"base": "<base set sha256>", "delete": ["z/x/y", ...]}``), then the
new or changed tiles, then the new set's ``metadata.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from typing import Any, Dict, Iterable, List, Mapping, Tuple

TILES_FORMAT = "covidmaps-tiles/1"
METADATA_MEMBER = "metadata.json"
PATCH_MEMBER = "patch.json"
TILES_PATCH_CONTENT_TYPE = "application/vnd.covidmaps.tiles-patch+tar"
# matched whole (fullmatch): "$" would also accept a final newline
TILE_MEMBER = re.compile(r"(0|[1-9][0-9]?)/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)\.pbf")

TileKey = Tuple[int, int, int]  # (z, x, y)


def tile_name(tile: TileKey) -> str:
    """``"z/x/y"``: a tile's key in tiles.json and in a patch's ``delete``."""
    return "{}/{}/{}".format(*tile)


def tile_metadata(layer_id: str, blob_sha256: str, minzoom: int, maxzoom: int,
                  bounds: Iterable[float]) -> bytes:
    """``metadata.json``: compact UTF-8 JSON, keys sorted."""
    meta = {"format": TILES_FORMAT, "layer": layer_id, "blob_sha256": blob_sha256,
            "minzoom": minzoom, "maxzoom": maxzoom, "bounds": [float(v) for v in bounds]}
    return json.dumps(meta, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def pack_tile_archive(tiles: Mapping[TileKey, bytes], metadata: bytes) -> bytes:
    """The deterministic ustar archive: tiles by (z, x, y), metadata last."""
    return _pack([], tiles, metadata)


def pack_tiles_patch(base_sha256: str, tiles: Mapping[TileKey, bytes],
                     delete: Iterable[TileKey], metadata: bytes) -> bytes:
    """A tile-set patch: ``patch.json``, the new or changed ``tiles``, then
    the new set's ``metadata``."""
    head = json.dumps({"base": base_sha256, "delete": [tile_name(t) for t in sorted(delete)]},
                      separators=(",", ":")).encode("utf-8")
    return _pack([(PATCH_MEMBER, head)], tiles, metadata)


def tile_changes(base_hashes: Mapping[str, str], tiles: Mapping[TileKey, bytes]
                 ) -> Tuple[Dict[TileKey, bytes], List[TileKey]]:
    """What turns a stored set (its tiles.json ``{"z/x/y": sha256}``) into
    ``tiles``: (the new or changed tiles, the tiles to delete)."""
    changed = {t: data for t, data in tiles.items()
               if base_hashes.get(tile_name(t)) != hashlib.sha256(data).hexdigest()}
    names = {tile_name(t) for t in tiles}
    return changed, sorted(_key(name) for name in base_hashes if name not in names)


def tiles_patch_for(base_sha256: str, base_hashes: Mapping[str, str],
                    tiles: Mapping[TileKey, bytes], metadata: bytes) -> bytes:
    """The patch turning the stored set ``base_sha256`` (its tiles.json
    ``{"z/x/y": sha256}``) into the archive of ``tiles`` + ``metadata``."""
    changed, delete = tile_changes(base_hashes, tiles)
    return pack_tiles_patch(base_sha256, changed, delete, metadata)


def _key(name: str) -> TileKey:
    z, x, y = (int(part) for part in name.split("/"))
    return z, x, y


def _pack(first: List[Tuple[str, bytes]], tiles: Mapping[TileKey, bytes],
          metadata: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in first:
            _add_member(tar, name, data)
        for tile in sorted(tiles):
            _add_member(tar, f"{tile_name(tile)}.pbf", tiles[tile])
        _add_member(tar, METADATA_MEMBER, metadata)
    return buffer.getvalue()


def _add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    tar.addfile(info, io.BytesIO(data))


def read_tile_archive(data: bytes) -> Tuple[Dict[TileKey, bytes], Dict[str, Any]]:
    """The tiles and the metadata of an archive made by
    :func:`pack_tile_archive` (for tests and tools; the server checks
    archives with its own, stricter reader)."""
    tiles, metadata = archive_members(data)
    return tiles, (json.loads(metadata) if metadata else {})


def archive_members(data: bytes) -> Tuple[Dict[TileKey, bytes], bytes]:
    """The tiles and the exact ``metadata.json`` bytes of an archive made by
    :func:`pack_tile_archive` (empty if it has none)."""
    tiles: Dict[TileKey, bytes] = {}
    metadata = b""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar.getmembers():
            content = tar.extractfile(member)
            body = content.read() if content is not None else b""
            if member.name == METADATA_MEMBER:
                metadata = body
                continue
            match = TILE_MEMBER.fullmatch(member.name)
            if match is None:
                raise ValueError(f"unexpected member {member.name!r}")
            tiles[(int(match[1]), int(match[2]), int(match[3]))] = body
    return tiles, metadata
