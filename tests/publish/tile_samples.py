"""Vector tile archives for the tile-set tests, made by the plugin's own
builder (covidmaps_plugin.core.tiles: QGIS's QgsVectorTileWriter on the
layer's canonical GeoJSON blob), so client and server are tested against
each other; ``pack`` crafts the malformed archives no builder would make."""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config
from publish_samples import collection, risk_point, sha

from covidmaps_plugin.core.tiles import build_tile_archive, read_tile_archive

TileId = Tuple[int, int, int]
MINZOOM, MAXZOOM = 5, 9


def canonical_blob(layer: str, features: List[Dict[str, Any]]) -> bytes:
    """The bytes the server stores for ``features`` (what tiles are made from)."""
    config = Config(data_dir=Path(tempfile.gettempdir()))
    return check_blob(layer, collection(features), config.profile(), config.limits).data


def sample_points(n: int = 40, salt: int = 0) -> List[Dict[str, Any]]:
    return [risk_point(i + 1000 * salt, lon=round(105.5 + 0.015 * i, 6),
                       lat=round(21.9 + 0.015 * i, 6)) for i in range(n)]


def build_archive(layer: str, blob: bytes, minzoom: int = MINZOOM, maxzoom: int = MAXZOOM
                  ) -> bytes:
    """The plugin's archive of ``blob`` (needs a QgsApplication)."""
    return build_tile_archive(layer, blob, sha(blob), minzoom=minzoom, maxzoom=maxzoom).data


def archive_tiles(archive: bytes) -> Dict[TileId, bytes]:
    return read_tile_archive(archive)[0]


def pack(members: Sequence[Tuple[str, bytes]], kind: bytes = tarfile.REGTYPE,
         mode: str = "w", linkname: str = "") -> bytes:
    """A ustar archive of ``(name, bytes)`` members, all of type ``kind``."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime, info.mode, info.type, info.linkname = 0, 0o644, kind, linkname
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return out.getvalue()


def put_tiles(api: Any, layer: str, archive: bytes, digest: Optional[str] = None) -> Any:
    """PUT /api/v1/layers/{layer}/tiles/{sha} with ``api``'s session."""
    return api.session.put(f"{api.base}/api/v1/layers/{layer}/tiles/{digest or sha(archive)}",
                           data=archive, headers={"Content-Type": "application/x-tar"},
                           timeout=60)


def head_tiles(api: Any, layer: str, digest: str) -> Any:
    return api.session.head(f"{api.base}/api/v1/layers/{layer}/tiles/{digest}", timeout=10)


def tile_url(base: str, entry: Dict[str, Any], tile: TileId) -> str:
    z, x, y = tile
    href = entry["href"].replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    return f"{base}/data/{href}"
