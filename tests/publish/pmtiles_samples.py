"""Reading the server's PMTiles archives in tests: over HTTP byte ranges
(as a browser's ``pmtiles`` reader does) with the PyPI ``pmtiles`` reader,
tiles decoded with ``mapbox-vector-tile`` (both independent of tippecanoe)."""

from __future__ import annotations

import gzip
import random
from collections import defaultdict
from typing import Any, Callable, Dict, Iterator, List, Tuple

import requests
from mapbox_vector_tile import decode
from pmtiles.reader import Reader, all_tiles
from publish_samples import risk_point, zone

Tile = Tuple[int, int, int]


def http_source(url: str, session: requests.Session, log: List[Tuple[int, int]]
                ) -> Callable[[int, int], bytes]:
    """``get_bytes(offset, length)`` through Range requests; every answer must
    be a 206 with exactly the bytes asked for."""
    def get_bytes(offset: int, length: int) -> bytes:
        answer = session.get(url, headers={"Range": f"bytes={offset}-{offset + length - 1}",
                                           "Accept-Encoding": "gzip, br"}, timeout=30)
        assert answer.status_code == 206, answer.status_code
        assert "content-encoding" not in answer.headers
        log.append((offset, length))
        return answer.content

    return get_bytes


def memory_source(data: bytes) -> Callable[[int, int], bytes]:
    return lambda offset, length: data[offset:offset + length]


def _plain(tile: bytes) -> bytes:
    return gzip.decompress(tile) if tile[:2] == b"\x1f\x8b" else tile


def decoded_tiles(get_bytes: Callable[[int, int], bytes]) -> Iterator[Tuple[Tile, Dict[str, Any]]]:
    """Every tile of an archive: ((z, x, y), {layer: {"extent":, "features": [...]}})."""
    for (z, x, y), data in all_tiles(get_bytes):
        yield (z, x, y), decode(_plain(data), default_options={"y_coord_down": True})


def header(get_bytes: Callable[[int, int], bytes]) -> Dict[str, Any]:
    return Reader(get_bytes).header()


def inside(feature: Dict[str, Any], extent: int) -> bool:
    """Whether a point feature lies in its tile proper (not in the buffer
    tippecanoe adds around it, where neighbours' points are repeated)."""
    x, y = feature["geometry"]["coordinates"]
    return 0 <= x < extent and 0 <= y < extent


def by_zoom(get_bytes: Callable[[int, int], bytes], layer: str
            ) -> Dict[int, List[Tuple[Tile, Dict[str, Any], int]]]:
    """zoom -> [(tile, feature, extent)] of one MVT layer."""
    zooms: Dict[int, List[Tuple[Tile, Dict[str, Any], int]]] = defaultdict(list)
    for tile, layers in decoded_tiles(get_bytes):
        found = layers.get(layer)
        if found:
            zooms[tile[0]].extend((tile, f, found["extent"]) for f in found["features"])
    return zooms


# the only status risk points are published with (the others stay on the desktop)
STATUSES = ("active",)


def scattered_points(n: int, seed: int = 7) -> List[Dict[str, Any]]:
    """``n`` risk points spread over the middle of the province with every
    status (some clumped, so clusters form even at high zooms)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        if i % 5 == 0:  # a market street: twenty points a few metres apart
            lon, lat = 105.83 + rnd.uniform(0, 0.0005), 22.14 + rnd.uniform(0, 0.0005)
        else:
            lon, lat = rnd.uniform(105.65, 106.05), rnd.uniform(22.0, 22.5)
        out.append(risk_point(i, lon=round(lon, 6), lat=round(lat, 6),
                              status=STATUSES[i % len(STATUSES)]))
    return out


def zone_grid(n: int) -> List[Dict[str, Any]]:
    """``n`` zones of every scale: hamlets (~500 m) and single buildings (~20 m)."""
    out = []
    for i in range(n):
        x, y = 105.70 + 0.012 * (i % 25), 22.05 + 0.012 * (i // 25 % 25)
        d = 0.005 if i % 2 else 0.0002  # a building is a speck at zoom 4
        ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
        out.append(zone(i, ring=[[round(a, 6), round(b, 6)] for a, b in ring]))
    return out
