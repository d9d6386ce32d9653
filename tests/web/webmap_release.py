"""Releases for the web map tests, written file by file per
docs/release-format.md, and a small loopback server for them.

The server plays the endpoint's public side: ``/`` from publish/web/dist,
``/data/...`` from a release directory, with the endpoint's security headers
(Content-Security-Policy among them).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

from webmap_data import FeatureCollection, blob_bytes, layer_bbox

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.manifest_meta import layer_meta
from covidmaps_plugin.model.profile import ProvinceProfile


def _write_blob(data_dir: Path, fc: FeatureCollection) -> Dict[str, Any]:
    data = blob_bytes(fc)
    sha = hashlib.sha256(data).hexdigest()
    path = data_dir / "blobs" / f"{sha}.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"sha256": sha, "size": len(data), "href": f"blobs/{sha}.geojson"}


def write_release(
    data_dir: Path,
    profile: ProvinceProfile,
    layers: Dict[str, FeatureCollection],
    reference: Dict[str, FeatureCollection],
    *,
    sequence: int,
    created_at: str,
    data_updated_at: str,
    parent_id: Optional[str] = None,
    tiles: Optional[Dict[str, Dict[str, Any]]] = None,
    current: bool = True,
    older_format: bool = False,
    extra: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """Write blobs and the manifest of one release; returns the manifest.
    ``older_format``: as written before the manifest carried display hints
    (no ``display``, no ``levels.fields``); ``extra``: more manifest members
    (a rollback's ``kind`` and ``rolled_back_to``)."""
    layer_entries: List[Dict[str, Any]] = []
    for layer_def in MODEL.layers:
        # a release made before a layer existed carries it empty
        fc = layers.get(layer_def.name) or {"type": "FeatureCollection", "features": []}
        entry = layer_meta(layer_def)
        if older_format:
            entry.pop("display")
            if "levels" in entry:
                entry["levels"] = {k: v for k, v in entry["levels"].items()
                                   if k in ("default_scheme", "schemes")}
        entry.update(
            {
                "feature_count": len(fc["features"]),
                "bbox": layer_bbox(fc),
                "blob": _write_blob(data_dir, fc),
                "tiles": (tiles or {}).get(layer_def.name),
            }
        )
        layer_entries.append(entry)
    ref_entries = [
        {"id": ref_id, "title": {"vi": ref_id, "en": ref_id}, "blob": _write_blob(data_dir, fc)}
        for ref_id, fc in reference.items()
    ]
    body = json.dumps([layer_entries, sequence, created_at]).encode()
    release_id = f"{sequence:06d}-{hashlib.sha256(body).hexdigest()[:8]}"
    manifest = {
        "format": "covidmaps-release/1",
        "release_id": release_id,
        "parent_id": parent_id,
        "sequence": sequence,
        "created_at": created_at,
        "publisher": "so-y-te-test",
        "message": "test",
        "kind": "publish",
        "model_version": MODEL.version,
        "data_updated_at": data_updated_at,
        "profile": profile.summary(),
        "layers": layer_entries,
        "reference": ref_entries,
        "changes": {},
        **(extra or {}),
    }
    data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    (data_dir / "releases").mkdir(parents=True, exist_ok=True)
    (data_dir / "releases" / f"{release_id}.json").write_bytes(data)
    if current:
        (data_dir / "manifest.json").write_bytes(data)
    return manifest


TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".pbf": "application/x-protobuf",
    ".png": "image/png",
}


def _security_headers(web_dir: Path) -> List[Tuple[str, str]]:
    """The endpoint's own headers, its CSP allowing the basemap of the web
    directory's config.json as the endpoint does."""
    from covidmaps_publish.web import basemap_origin_of, security_headers

    return list(security_headers(basemap_origin_of(web_dir)))


class _Handler(BaseHTTPRequestHandler):
    web_dir: Path
    data_dir: Path
    extra_routes: Dict[str, Tuple[str, bytes]]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
        return

    def _resolve(self) -> Optional[Path]:
        path = unquote(urlsplit(self.path).path)
        if ".." in path.split("/"):
            return None
        if path.startswith("/data/"):
            return self.data_dir / path[len("/data/") :]
        rel = path.lstrip("/") or "index.html"
        return self.web_dir / rel

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in self.extra_routes:
            ctype, body = self.extra_routes[path]
            return self._send(200, ctype, body)
        target = self._resolve()
        if target is None or not target.is_file():
            return self._send(404, "text/plain", b"not found")
        ctype = (
            TYPES.get(target.suffix)
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        self._send(200, ctype, target.read_bytes())

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in _security_headers(self.web_dir):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serve(
    web_dir: Path, data_dir: Path, extra_routes: Optional[Dict[str, Tuple[str, bytes]]] = None
) -> Iterator[str]:
    """Serve the web map and a release directory on 127.0.0.1 (random port)."""
    handler = type(
        "Handler",
        (_Handler,),
        {"web_dir": web_dir, "data_dir": data_dir, "extra_routes": dict(extra_routes or {})},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Recorder(BaseHTTPRequestHandler):
    hits: List[str]
    status: int
    ctype: str
    body: bytes

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
        return

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(self.status)
        self.send_header("Content-Type", self.ctype)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def do_POST(self) -> None:
        self.do_GET()


@contextlib.contextmanager
def recorder(
    status: int = 204, ctype: str = "text/plain", body: bytes = b""
) -> Iterator[Tuple[str, List[str]]]:
    """A loopback server that answers every request alike and records its
    path: (base URL, list of paths)."""
    hits: List[str] = []
    handler = type(
        "Recorder", (_Recorder,), {"hits": hits, "status": status, "ctype": ctype, "body": body}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
