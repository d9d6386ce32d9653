"""Small hand-made inputs for the hardening and fuzz tests: a Mapbox Vector
Tile made with mapbox-vector-tile (no QGIS needed), tile archives and
tile-set patches with any member names, and a raw HTTP exchange."""

from __future__ import annotations

import io
import json
import math
import socket
import tarfile
from typing import Any, Dict, List, Optional, Sequence, Tuple

import mapbox_vector_tile

LAYER = "risk_points"
ZOOM = 9
LON, LAT = 105.83, 22.14  # inside Bắc Kạn


def tile_of(lon: float, lat: float, z: int) -> Tuple[int, int, int]:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return z, x, y


TILE = tile_of(LON, LAT, ZOOM)
TILE_NAME = "{}/{}/{}.pbf".format(*TILE)


def mvt(layer: str = LAYER, name: str = "Chợ") -> bytes:
    return mapbox_vector_tile.encode([{"name": layer, "features": [
        {"geometry": "POINT(2048 2048)", "properties": {"name": name}}]}])


def metadata(blob_sha: str = "a" * 64, **over: Any) -> bytes:
    doc: Dict[str, Any] = {"format": "covidmaps-tiles/1", "layer": LAYER,
                           "blob_sha256": blob_sha, "minzoom": ZOOM, "maxzoom": ZOOM,
                           "bounds": [105.4, 21.8, 106.3, 22.8]}
    doc.update(over)
    return json.dumps(doc).encode()


def tar(members: Sequence[Tuple[str, bytes]], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """An archive of ``(name, bytes)`` regular files, names exactly as given."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime, info.mode, info.size = 0, 0o644, len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def tile_archive(extra: Sequence[Tuple[str, bytes]] = (), meta: Optional[bytes] = None
                 ) -> bytes:
    return tar([(TILE_NAME, mvt()), *extra, ("metadata.json", meta or metadata())])


def tiles_patch(head: bytes, tiles: Sequence[Tuple[str, bytes]] = ()) -> bytes:
    return tar([("patch.json", head), *tiles, ("metadata.json", metadata())])


def raw_exchange(port: int, request: bytes, timeout: float = 30.0) -> bytes:
    """Send ``request`` on a new connection; everything the server answers
    until it closes the connection (or ``timeout`` passes: then b"TIMEOUT")."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole request was sent: read the answer
        chunks: List[bytes] = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            return b"TIMEOUT"
        except ConnectionResetError:
            pass
    return b"".join(chunks)
