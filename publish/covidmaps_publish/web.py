"""The public web map (``/``): the built files of publish/web/dist, loaded
into memory once with their compressed variants and the security headers."""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
from pathlib import Path
from typing import Dict, Optional
from urllib.parse import urlsplit

from .grammar import HASHED_ASSET, SAFE_HOST
from .representation import IMMUTABLE, Representation, decodes_to

# Content hashes in built file names (e.g. index-3f9a1c2b.js) make them immutable.
_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".json": "application/json; charset=utf-8", ".svg": "image/svg+xml",
          ".webmanifest": "application/manifest+json", ".wasm": "application/wasm",
          ".txt": "text/plain; charset=utf-8", ".pbf": "application/x-protobuf"}

PLACEHOLDER = (
    b"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
    b"<title>CovidMaps</title></head><body><h1>CovidMaps</h1>"
    b"<p>The web map is not built (publish/web/dist). Data: "
    b"<a href=\"/data/manifest.json\">/data/manifest.json</a></p></body></html>"
)


LOG = logging.getLogger(__name__)


def basemap_origin_of(web_dir: Optional[Path]) -> Optional[str]:
    """The origin of the raster basemap ``config.json`` (next to index.html)
    names, e.g. ``https://tile.openstreetmap.org``; None when there is no
    config, no basemap, it is switched off, or its URL is not one plain
    origin (a ``{s}`` subdomain placeholder cannot be allowed exactly)."""
    if web_dir is None:
        return None
    path = Path(web_dir) / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        LOG.warning("config.json of the web map is not readable JSON (%s): no basemap", exc)
        return None
    basemap = config.get("basemap") if isinstance(config, dict) else None
    if not isinstance(basemap, dict) or basemap.get("enabled") is False:
        return None
    url = basemap.get("url")
    if not isinstance(url, str) or url.startswith("/"):
        return None  # a basemap served by this site needs no extra origin
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not SAFE_HOST.fullmatch(parts.netloc):
        LOG.warning("basemap URL %r is not a plain http(s) origin: not allowed by the CSP", url)
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(basemap_origin: Optional[str]) -> str:
    """No inline script, everything from this origin; basemap tile images
    from the configured basemap origin only (img-src: raster tiles are
    images, nothing else may reach it); workers from blob: (map libraries
    build their workers that way) and the service worker from this origin;
    the web app manifest from this origin."""
    extra = f" {basemap_origin}" if basemap_origin else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: blob:{extra}; connect-src 'self'; "
        "font-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; "
        "manifest-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    )


def security_headers(basemap_origin: Optional[str]) -> list:
    return [("Content-Security-Policy", content_security_policy(basemap_origin)),
            ("Referrer-Policy", "strict-origin-when-cross-origin"),
            ("X-Frame-Options", "DENY"),
            ("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")]


def _sibling(path: Path, suffix: str, data: bytes) -> Optional[bytes]:
    """The build's precompressed ``path + suffix`` if it decodes to ``data``."""
    packed_path = path.with_name(path.name + suffix)
    if not packed_path.is_file():
        return None
    packed = packed_path.read_bytes()
    try:
        return packed if decodes_to(packed, suffix, data) else None
    except Exception:  # noqa: BLE001 - a damaged variant is ignored, not served
        return None


def load_web(web_dir: Optional[Path], basemap_origin: Optional[str]) -> Dict[str, Representation]:
    """URL path (without the leading /) -> representation; ``""`` is index.html.
    The CSP allows the basemap origin given, else the one ``config.json``
    names."""
    headers = security_headers(basemap_origin or basemap_origin_of(web_dir))
    files: Dict[str, Representation] = {}
    if web_dir is not None and Path(web_dir).is_dir():
        root = Path(web_dir).resolve()
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            if path.suffix in (".gz", ".br") and path.with_suffix("").is_file():
                continue  # a precompressed variant: served as Content-Encoding of its file
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            ctype = _TYPES.get(path.suffix.lower()) or (
                mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            if path.suffix.lower() == ".html" or path.name in ("sw.js", "manifest.webmanifest"):
                cache = "no-cache"  # the service worker is checked for updates at every visit
            elif HASHED_ASSET.fullmatch(path.name):
                cache = IMMUTABLE
            else:
                cache = "public, max-age=300"
            etag = hashlib.sha256(data).hexdigest()[:32]
            compress = not ctype.startswith(("image/png", "image/jpeg", "image/webp", "font/woff"))
            files[rel] = Representation(data, etag, ctype, cache, extra_headers=headers,
                                        compress=compress, gz=_sibling(path, ".gz", data),
                                        br=_sibling(path, ".br", data))
    if "index.html" not in files:
        files["index.html"] = Representation(
            PLACEHOLDER, hashlib.sha256(PLACEHOLDER).hexdigest()[:32],
            "text/html; charset=utf-8", "no-cache", extra_headers=headers)
    files[""] = files["index.html"]
    return files
