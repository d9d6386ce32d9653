"""A raster basemap on 127.0.0.1 for the web map tests (no test reaches the
internet): 256 px PNG tiles drawn here, a light street grid whose spacing
follows the zoom, so a screenshot shows where the basemap is; and a web
directory whose config.json points at it (the shipped one names
OpenStreetMap)."""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List

PAPER = (242, 239, 233)  # OpenStreetMap-like land colour
ROAD = (255, 255, 255)
ROAD_EDGE = (200, 196, 188)
BASEMAP_ATTRIBUTION = "© Bản đồ nền thử nghiệm (127.0.0.1)"


def _png(width: int, height: int, rows: List[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def tile_png(z: int, x: int, y: int) -> bytes:
    """A 256 x 256 tile: paper with roads every 64 px and, on every other
    tile, a diagonal."""
    return _tile((x + y + z) % 2)


@functools.lru_cache(maxsize=2)
def _tile(diagonal: int) -> bytes:
    rows = []
    for j in range(256):
        row = bytearray()
        for i in range(256):
            d = min(i % 64, j % 64, abs(i - j) if diagonal else 99)
            row += bytes(ROAD if d < 2 else ROAD_EDGE if d < 3 else PAPER)
        rows.append(bytes(row))
    return _png(256, 256, rows)


class _Tiles(BaseHTTPRequestHandler):
    hits: List[str]
    referers: List[str]
    state: dict

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.hits.append(self.path)
        self.referers.append(self.headers.get("Referer", ""))
        if self.state.get("delay"):
            time.sleep(float(self.state["delay"]))
        parts = self.path.strip("/").split("/")
        if self.state.get("fail") or len(parts) != 3 or not parts[2].endswith(".png"):
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        z, x, y = int(parts[0]), int(parts[1]), int(parts[2][:-4])
        body = tile_png(z, x, y)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")  # each test sees its server's answer
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def tile_server() -> Iterator[dict]:
    """{"url": base URL, "hits": paths asked, "referers": their Referer
    headers, "state": {"fail": bool, "delay": seconds before each answer}}."""
    hits: List[str] = []
    referers: List[str] = []
    state: dict = {"fail": False, "delay": 0}
    handler = type("Tiles", (_Tiles,), {"hits": hits, "referers": referers, "state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield {
            "url": f"http://127.0.0.1:{server.server_address[1]}",
            "hits": hits,
            "referers": referers,
            "state": state,
        }
    finally:
        server.shutdown()
        server.server_close()


def web_with_basemap(dist: Path, target: Path, tiles_url: str, **extra: object) -> Path:
    """A copy of the built map whose config.json names the loopback tiles."""
    shutil.copytree(dist, target)
    basemap = {
        "url": tiles_url + "/{z}/{x}/{y}.png",
        "attribution": BASEMAP_ATTRIBUTION,
        "attribution_url": "https://www.openstreetmap.org/copyright",
        "max_zoom": 19,
    }
    basemap.update(extra)
    (target / "config.json").write_text(json.dumps({"basemap": basemap}), encoding="utf-8")
    for variant in ("config.json.br", "config.json.gz"):
        (target / variant).unlink(missing_ok=True)  # would describe the shipped file
    return target
