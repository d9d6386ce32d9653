"""Tile-set patch uploads: a republish that changed a few features of a big
layer sends the tiles that changed, not the whole tile archive again.

The archive is a pure function of its tiles and metadata
(``covidmaps_plugin.model.tile_archive.pack_tile_archive``, the very function
the plugin packs with), so the server rebuilds the new archive from a tile
set it stores plus the patch, and the client's hash of the new archive
proves both sides got the same bytes. The rebuilt archive then goes through
``Publisher.put_tiles`` exactly as a full upload would (hash, every tile
check, storage): a patch can never store anything a full upload could not.

Wire format (``PUT /api/v1/layers/{layer}/tiles/{new sha}`` with
``Content-Type: application/vnd.covidmaps.tiles-patch+tar``): a ustar with
first ``patch.json`` = ``{"base": "<stored set sha256>", "delete": ["z/x/y"]}``,
then the new or changed ``{z}/{x}/{y}.pbf`` tiles, then last the new set's
``metadata.json``.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

from covidmaps_plugin.model.tile_archive import (
    METADATA_MEMBER,
    PATCH_MEMBER,
    TILES_PATCH_CONTENT_TYPE,
    TileKey,
    pack_tile_archive,
    tile_name,
)

from .checks.boundary import input_stage
from .checks.jsonparse import parse_json
from .config import Limits
from .grammar import MAX_MEMBER_NAME, is_sha256, tile_member
from .grammar import tile_name as parse_tile_name
from .patching import require_claimed_hash
from .problems import FieldError, ProblemError
from .storage.base import Storage, tile_key
from .tilesets import tile_hashes

_READ_WORKERS = 4  # S3 gets wait on the network
_HEAD_DEPTH = 2  # {"base": ..., "delete": [...]}


def is_tiles_patch(content_type: bytes) -> bool:
    """Whether a request's Content-Type names a tile-set patch (parameters ignored)."""
    media = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    return media == TILES_PATCH_CONTENT_TYPE


def _bad_patch(layer: str, message: str, member: Optional[str] = None) -> ProblemError:
    return ProblemError(422, "invalid-tiles-patch", "The tile-set patch is not valid",
                        f"Tile-set patch of layer {layer!r}: {message}; upload the whole "
                        "tile archive instead.",
                        errors=[FieldError("invalid-tiles-patch", message, layer=layer,
                                           field=member[:80] if member else None)],
                        extra={"layer": layer})


def _base_not_found(layer: str, base: str, why: str) -> ProblemError:
    return ProblemError(404, "tiles-base-not-found", "The patch's base tile set is not stored",
                        f"Tile set {base[:64]!r} of layer {layer!r} {why}, so the patch cannot "
                        "be applied; upload the whole tile archive instead.",
                        extra={"layer": layer})


@input_stage("tiles-patch", 422)
def parse_tiles_patch(layer: str, body: bytes, limits: Limits
                      ) -> Tuple[str, List[str], Dict[TileKey, bytes], bytes]:
    """(base sha, tile names to delete, new or changed tiles, metadata bytes).
    Only the patch's shape is checked here; the tiles and the metadata are
    checked with the rebuilt archive, by the full upload's checks."""
    head: Optional[Dict[str, Any]] = None
    tiles: Dict[TileKey, bytes] = {}
    metadata: Optional[bytes] = None
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
            for member in tar:
                name = member.name
                if len(name) > MAX_MEMBER_NAME:  # a pax header can carry any length
                    raise _bad_patch(layer, f"a member name longer than {MAX_MEMBER_NAME} "
                                     "characters", name)
                if metadata is not None:
                    raise _bad_patch(layer, "metadata.json must be the last member", name)
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                    raise _bad_patch(layer, "only regular files are allowed", name)
                if len(tiles) > limits.max_tiles:
                    raise _bad_patch(layer, f"more than {limits.max_tiles} tiles", name)
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if head is None:
                    if name != PATCH_MEMBER:
                        raise _bad_patch(layer, "the first member must be patch.json", name)
                    head = _patch_head(layer, data)
                elif name == METADATA_MEMBER:
                    metadata = data
                else:
                    tile = tile_member(name)
                    if tile is None:
                        raise _bad_patch(layer, "members must be patch.json, {z}/{x}/{y}.pbf "
                                         "or metadata.json", name)
                    if tile in tiles:
                        raise _bad_patch(layer, "the patch holds this tile twice", name)
                    tiles[tile] = data
    except (tarfile.TarError, EOFError, OSError, ValueError):
        raise _bad_patch(layer, "the body is not an uncompressed tar archive") from None
    if head is None or metadata is None:
        raise _bad_patch(layer, "the patch needs patch.json first and metadata.json last")
    return head["base"], head["delete"], tiles, metadata


def _patch_head(layer: str, data: bytes) -> Dict[str, Any]:
    # the same strict parser as every other JSON document (depth, encoding,
    # duplicates, NaN, lone surrogates); a patch head nests 2 levels
    try:
        head: Any = parse_json(data, _HEAD_DEPTH, PATCH_MEMBER, layer)
    except ProblemError as problem:
        raise _bad_patch(layer, problem.detail, PATCH_MEMBER) from None
    if (not isinstance(head, dict) or set(head) != {"base", "delete"}
            or not is_sha256(head["base"]) or not isinstance(head["delete"], list)
            or not all(parse_tile_name(n) is not None for n in head["delete"])):
        raise _bad_patch(layer, "patch.json must be {\"base\": <a stored tile set's SHA-256>, "
                         "\"delete\": [\"z/x/y\", ...]}", PATCH_MEMBER)
    return head


def rebuild_tile_archive(layer: str, claimed_sha: str, body: bytes, limits: Limits,
                         storage: Storage,
                         stored_tileset: Callable[[str, str], Optional[Dict[str, Any]]]
                         ) -> bytes:
    """The new archive's bytes from a patch body. Raises 404
    ``tiles-base-not-found`` when the base set is not (completely and intact)
    stored for ``layer``, 422 ``invalid-tiles-patch`` for a malformed patch
    and 422 ``tiles-patch-mismatch`` when the result does not hash to
    ``claimed_sha``; nothing is stored in any case."""
    base, delete, changed, metadata = parse_tiles_patch(layer, body, limits)
    doc = stored_tileset(layer, base)
    if doc is None:
        raise _base_not_found(layer, base, "is not stored")
    hashes = tile_hashes(doc)
    for name in delete:
        if name not in hashes:
            raise _bad_patch(layer, "cannot delete a tile the base set does not have", name)
    if len(set(delete)) != len(delete) or set(delete) & {tile_name(t) for t in changed}:
        raise _bad_patch(layer, "a tile is named twice (deleted twice, or deleted and sent)")
    gone = set(delete) | {tile_name(t) for t in changed}
    kept = [name for name in hashes if name not in gone]

    def load(name: str) -> Tuple[TileKey, Optional[bytes]]:
        z, x, y = (int(part) for part in name.split("/"))
        data = storage.get(tile_key(base, z, x, y))
        if data is None or hashlib.sha256(data).hexdigest() != hashes[name]:
            return (z, x, y), None
        return (z, x, y), data

    tiles = dict(changed)
    with ThreadPoolExecutor(_READ_WORKERS, thread_name_prefix="tiles-patch") as pool:
        for tile, data in pool.map(load, kept):
            if data is None:  # the stored set is damaged: never build on it
                raise _base_not_found(layer, base, f"has a missing or damaged tile "
                                      f"{tile_name(tile)}")
            tiles[tile] = data
    rebuilt = pack_tile_archive(tiles, metadata)
    require_claimed_hash(rebuilt, claimed_sha, layer, "tiles-patch-mismatch",
                         f"tile set {base}", "an archive", "the whole tile archive")
    return rebuilt
