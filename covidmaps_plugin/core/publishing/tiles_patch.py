"""Republish a changed tile set as a patch of the set the server already
has: the tiles that changed, not the whole archive again.

Editing one point of a 100,000-point layer changes the one tile (per zoom)
holding it, yet the new archive is tens of megabytes. The base release's
public tiles.json lists the SHA-256 of each of its tiles, so the plugin
diffs without downloading a tile; the endpoint rebuilds the archive with the
same packing function (``model/tile_archive.py``), checks it hashes to the
new set's SHA-256 and runs the full upload's checks (docs/api.md,
"Uploading a changed tile set as a patch").
"""

from __future__ import annotations

from typing import Callable, Optional

from ...model.tile_archive import archive_members, pack_tiles_patch, tile_changes
from ..tiles import TileArchive
from .client import PublishClient
from .errors import PublishError
from .patch import PATCH_FETCH_MIN_BYTES, PATCH_MAX_FRACTION

Say = Callable[[str], None]


def tiles_patch(client: PublishClient, archive: TileArchive, base_sha: Optional[str]
                ) -> Optional[bytes]:
    """The patch body turning the stored set ``base_sha`` into ``archive``,
    or None when there is no usable base or the patch would not be much
    smaller than the archive."""
    # a small set: the tiles.json round trip costs more than the upload it saves
    if base_sha is None or archive.size < PATCH_FETCH_MIN_BYTES:
        return None
    try:
        hashes = client.tile_hashes(base_sha)
    except PublishError:  # an unreadable base only costs the whole upload
        return None
    if hashes is None:
        return None
    tiles, metadata = archive_members(archive.data)
    changed, delete = tile_changes(hashes, tiles)
    # tile bytes, not tar sizes: a small tar is padded to 10 KiB (gzip
    # removes the padding on the wire)
    if sum(map(len, changed.values())) > sum(map(len, tiles.values())) * PATCH_MAX_FRACTION:
        return None
    return pack_tiles_patch(base_sha, changed, delete, metadata)


def send_tiles(client: PublishClient, archive: TileArchive, base_sha: Optional[str],
               say: Say) -> bool:
    """Upload one tile set the server lacks, as a patch of the base
    release's set when that pays, else (also when the server cannot apply
    the patch) whole; True when the patch did it. Errors of the whole
    upload propagate as from ``client.upload_tiles``."""
    patch = tiles_patch(client, archive, base_sha)
    if patch is not None:
        start = client.bytes_sent
        if client.upload_tiles_patch(archive.layer, archive.sha256, patch):
            say(f"{archive.layer}: tiles patched, {client.bytes_sent - start} bytes sent for a "
                f"{archive.size}-byte tile set ({archive.sha256[:12]})")
            return True
        say(f"{archive.layer}: the server could not apply the tile patch; uploading the "
            "tile set")
    client.upload_tiles(archive.layer, archive.data, archive.sha256)
    return False
