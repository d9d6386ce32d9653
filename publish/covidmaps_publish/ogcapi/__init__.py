"""OGC API – Features Part 1 (Core, GeoJSON, OAS 3.0) over the current release.

Mounted by the app at ``/ogcapi``; read-only, JSON only (``f=json``; an
``Accept: text/html`` gets JSON too). Items are answered from a per-blob
index (see ``index.py``), so a query never re-parses a layer.

``datetime`` is matched against each layer's validity interval, which the
model defines (``index.temporal_fields``): risk points exposure_start ..
exposure_end, isolation zones effective_from .. effective_until, facilities
and checkpoints opened_on .. closed_on. An empty end is open; dates cover the
whole day in the province's time zone; a feature matches when its interval
intersects the requested instant or interval.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlencode

from ..boundary import input_stage
from ..grammar import SAFE_HOST
from ..http import Receive, Scope, Send, header, send_bytes, send_problem
from ..problems import ProblemError
from . import documents
from .index import IndexCache, LayerIndex
from .query import (
    check_format,
    check_known,
    page_params,
    parse_items_query,
    parse_query,
)

__all__ = ["MOUNT", "handle"]

MOUNT = "/ogcapi"
_CACHE = IndexCache()


class _Request:
    """What the handlers need from one ASGI request."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.head = scope.get("method") == "HEAD"
        self.params = parse_query(scope.get("query_string", b""))
        self.lang = _language(header(scope, b"accept-language"))
        self.base = _base_url(scope)


@input_stage("accept-language", 400)
def _language(accept_language: bytes) -> str:
    """``en`` when the client's first choice is English, else ``vi``."""
    first = accept_language.decode("latin-1").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


@input_stage("host", 400)
def _base_url(scope: Scope) -> str:
    """Absolute URL of the API root. The Host header is client input: a
    value that is not a plain host[:port] falls back to the server address
    rather than ending up in the links."""
    scheme = scope.get("scheme", "http")
    host = header(scope, b"host").decode("latin-1")
    if SAFE_HOST.fullmatch(host) is None:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}{scope.get('root_path', '')}{MOUNT}"


async def _send_json(send: Send, req: _Request, payload: Any, media: str,
                     status: int = 200) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    await _send_body(send, req, body, media, status)


async def _send_body(send: Send, req: _Request, body: bytes, media: str,
                     status: int = 200) -> None:
    headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
        # the current release can move at any time: revalidate every time
        (b"cache-control", b"no-cache"),
        (b"content-language", req.lang.encode()),
        (b"vary", b"Accept-Language"),
        (b"access-control-allow-origin", b"*"),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send_bytes(send, status, body, headers, req.head)


def _not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", detail)


def _layers(manifest: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [layer for layer in manifest.get("layers", ()) if layer.get("id")]


def _layer(manifest: Dict[str, Any], layer_id: str) -> Dict[str, Any]:
    if not manifest:
        raise _not_found("Nothing has been published yet.")
    for layer in _layers(manifest):
        if layer["id"] == layer_id:
            return layer
    known = ", ".join(layer["id"] for layer in _layers(manifest))
    raise _not_found(f"No collection {layer_id!r}. Collections: {known}.")


async def _index(reader: Any, layer: Dict[str, Any]) -> LayerIndex:
    """The layer's index, built off the event loop on first use of a blob."""
    sha = (layer.get("blob") or {}).get("sha256", "")
    index = _CACHE.get(sha)
    if index is not None:
        return index

    def build() -> Optional[LayerIndex]:
        data = reader.blob(sha)
        return LayerIndex(layer["id"], data) if data is not None else None

    index = await asyncio.get_running_loop().run_in_executor(None, build)
    if index is None:
        raise ProblemError(503, "release-unavailable", "Release data unavailable",
                      f"The data of layer {layer['id']!r} cannot be read right now; "
                      "try again shortly.", headers={"Retry-After": "5"})
    _CACHE.put(sha, index)
    return index


def _profile_bbox(manifest: Dict[str, Any]) -> Optional[List[float]]:
    bbox = (manifest.get("profile") or {}).get("bbox")
    return list(bbox) if bbox else None


async def _collections(send: Send, req: _Request, reader: Any) -> None:
    check_known(req.params, ("f",))
    check_format(req.params)
    manifest = reader.current_manifest()
    items = []
    for layer in _layers(manifest):
        index = await _index(reader, layer)
        items.append(documents.collection(req.base, layer, index, _profile_bbox(manifest),
                                          req.lang))
    url = f"{req.base}/collections"
    await _send_json(send, req, {
        "links": [documents.link(url, "self", documents.JSON, "This document")],
        "collections": items,
    }, documents.JSON)


async def _collection(send: Send, req: _Request, reader: Any, layer_id: str) -> None:
    check_known(req.params, ("f",))
    check_format(req.params)
    manifest = reader.current_manifest()
    layer = _layer(manifest, layer_id)
    index = await _index(reader, layer)
    await _send_json(send, req, documents.collection(
        req.base, layer, index, _profile_bbox(manifest), req.lang), documents.JSON)


def _property_names(layer: Dict[str, Any]) -> List[str]:
    return [f["name"] for f in layer.get("fields", ()) if isinstance(f, dict) and "name" in f]


async def _items(send: Send, req: _Request, reader: Any, layer_id: str) -> None:
    manifest = reader.current_manifest()
    layer = _layer(manifest, layer_id)
    query = parse_items_query(req.params, _property_names(layer))
    index = await _index(reader, layer)
    matched = list(index.select(query.bbox, query.interval, query.equals))
    page = matched[query.offset:query.offset + query.limit]
    url = f"{req.base}/collections/{quote(layer_id)}/items"

    def page_link(rel: str, offset: int) -> Dict[str, str]:
        qs = urlencode(page_params(req.params, offset, query.limit))
        return documents.link(f"{url}?{qs}", rel, documents.GEOJSON)

    links = [page_link("self", query.offset),
             documents.link(f"{req.base}/collections/{quote(layer_id)}", "collection",
                            documents.JSON)]
    if query.offset + len(page) < len(matched):
        links.append(page_link("next", query.offset + query.limit))
    if query.offset > 0:
        links.append(page_link("prev", max(0, query.offset - query.limit)))
    tail = json.dumps({
        "numberMatched": len(matched),
        "numberReturned": len(page),
        "timeStamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "links": links,
    }, ensure_ascii=False).encode("utf-8")
    body = (b'{"type":"FeatureCollection","features":['
            + b",".join(f.json for f in page) + b"]," + tail[1:])
    await _send_body(send, req, body, documents.GEOJSON)


async def _item(send: Send, req: _Request, reader: Any, layer_id: str, fid: str) -> None:
    check_known(req.params, ("f",))
    check_format(req.params)
    layer = _layer(reader.current_manifest(), layer_id)
    index = await _index(reader, layer)
    feature = index.by_id.get(fid)
    if feature is None:
        raise _not_found(f"Collection {layer_id!r} has no feature {fid!r} in the current "
                         "release (it may have been removed or hidden).")
    links = json.dumps({"links": [
        documents.link(f"{req.base}/collections/{quote(layer_id)}/items/{quote(fid)}", "self",
                       documents.GEOJSON),
        documents.link(f"{req.base}/collections/{quote(layer_id)}", "collection",
                       documents.JSON),
    ]}).encode()
    await _send_body(send, req, feature.json[:-1] + b"," + links[1:], documents.GEOJSON)


def _route(path: str) -> Tuple[str, Tuple[str, ...]]:
    """(route name, path arguments) for a path below the mount point."""
    # ASGI paths are already percent-decoded: decoding again would let
    # "%2520" become a space
    parts = path.strip("/").split("/") if path.strip("/") else []
    if not parts:
        return "landing", ()
    if parts == ["conformance"] or parts == ["api"]:
        return parts[0], ()
    if parts[0] == "collections":
        shapes = {1: "collections", 2: "collection"}
        if len(parts) in shapes:
            return shapes[len(parts)], tuple(parts[1:])
        if len(parts) == 3 and parts[2] == "items":
            return "items", (parts[1],)
        if len(parts) == 4 and parts[2] == "items":
            return "item", (parts[1], parts[3])
    return "unknown", ()


async def _dispatch(send: Send, req: _Request, reader: Any, path: str) -> None:
    name, args = _route(path)
    if name in ("landing", "conformance", "api"):
        check_known(req.params, ("f",))
        check_format(req.params)
        manifest = reader.current_manifest()
        if name == "landing":
            await _send_json(send, req, documents.landing(req.base, manifest, req.lang),
                             documents.JSON)
        elif name == "conformance":
            await _send_json(send, req, documents.conformance(), documents.JSON)
        else:
            ids = [layer["id"] for layer in _layers(manifest)]
            await _send_json(send, req, documents.openapi(req.base, ids, req.lang),
                             documents.OPENAPI)
    elif name == "collections":
        await _collections(send, req, reader)
    elif name == "collection":
        await _collection(send, req, reader, *args)
    elif name == "items":
        await _items(send, req, reader, *args)
    elif name == "item":
        await _item(send, req, reader, *args)
    else:
        raise _not_found(f"No such resource: {MOUNT}{path}. Start at {MOUNT}/.")


async def handle(scope: Scope, receive: Receive, send: Send, reader: Any) -> None:
    """Answer one request whose path starts with ``/ogcapi``.

    ``reader`` is the app's ``ReleaseReader`` (``current_manifest()``,
    ``blob(sha256)``)."""
    path = scope.get("path", "")[len(MOUNT):]
    head = scope.get("method") == "HEAD"
    try:
        if scope.get("method") not in ("GET", "HEAD"):
            raise ProblemError(405, "method-not-allowed", "Method not allowed",
                          "The OGC API is read-only: use GET.", headers={"Allow": "GET, HEAD"})
        await _dispatch(send, _Request(scope), reader, path)
    except ProblemError as problem:
        await send_problem(send, problem, head)
