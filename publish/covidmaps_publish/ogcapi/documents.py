"""The JSON documents of the API: landing page, conformance, collections,
the OpenAPI description. Titles come from the release manifest (which takes
them from the model), in Vietnamese unless the client prefers English."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional

from covidmaps_plugin.model import wire

from .index import LayerIndex, finite_bbox
from .query import CRS84, DEFAULT_LIMIT, MAX_LIMIT

JSON = wire.JSON_MEDIA
GEOJSON = wire.GEOJSON_MEDIA
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def link(href: str, rel: str, type_: str, title: str = "") -> Dict[str, str]:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def pick(labels: Any, lang: str) -> str:
    """One language out of ``{"vi": ..., "en": ...}`` (Vietnamese default)."""
    if isinstance(labels, dict):
        return str(labels.get(lang) or labels.get("vi") or labels.get("en") or "")
    return str(labels or "")


def iso(moment: Optional[dt.datetime]) -> Optional[str]:
    return moment.replace(microsecond=0).isoformat() if moment is not None else None


def landing(base: str, manifest: Dict[str, Any], lang: str) -> Dict[str, Any]:
    profile = manifest.get("profile") or {}
    name = profile.get("name_en" if lang == "en" else "name") or profile.get("name") or ""
    title = f"CovidMaps {name}".strip()
    return {
        "title": title,
        "description": ("Epidemic information map: current public release"
                        if lang == "en" else "Bản đồ thông tin dịch bệnh: bản công bố hiện hành"),
        "links": [
            link(f"{base}/", "self", JSON, "This document"),
            link(f"{base}/api", "service-desc", OPENAPI, "The API definition"),
            link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections", "data", JSON, "Feature collections"),
        ],
    }


def conformance() -> Dict[str, Any]:
    return {"conformsTo": CONFORMANCE}


def collection(base: str, layer: Dict[str, Any], index: LayerIndex,
               profile_bbox: Optional[List[float]], lang: str) -> Dict[str, Any]:
    layer_id = layer["id"]
    bbox = layer.get("bbox") or finite_bbox(index.bbox) or profile_bbox
    start, end = index.extent_interval
    extent: Dict[str, Any] = {}
    if bbox:
        extent["spatial"] = {"bbox": [list(bbox)], "crs": CRS84}
    if index.temporal:
        extent["temporal"] = {"interval": [[iso(start), iso(end)]],
                              "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    url = f"{base}/collections/{layer_id}"
    return {
        "id": layer_id,
        "title": pick(layer.get("title"), lang),
        "description": pick(layer.get("description"), lang),
        "extent": extent,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            link(url, "self", JSON, "This collection"),
            link(f"{url}/items", "items", GEOJSON, "The features"),
        ],
    }


def openapi(base: str, layer_ids: List[str], lang: str) -> Dict[str, Any]:
    """A compact OpenAPI 3.0 description of the read-only endpoints."""
    ref = {"$ref": "#/components/parameters/collectionId"}

    def query(name: str, description: str, schema: Dict[str, Any]) -> Dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": schema, "style": "form", "explode": False}

    items_params = [
        ref,
        query("bbox", "min lon,min lat,max lon,max lat (WGS 84)",
              {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}),
        query("limit", "items per page",
              {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
        query("offset", "items to skip", {"type": "integer", "minimum": 0, "default": 0}),
        query("datetime", "instant or interval (start/end, '..' for an open end), matched "
              "against each layer's validity interval", {"type": "string"}),
        query("f", "format", {"type": "string", "enum": ["json"]}),
    ]

    def get(summary: str, params: List[Dict[str, Any]], media: str) -> Dict[str, Any]:
        return {"get": {"summary": summary, "parameters": params, "responses": {
            "200": {"description": "OK", "content": {media: {"schema": {"type": "object"}}}},
            "400": {"description": "Invalid parameter"},
            "404": {"description": "Not found"}}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "CovidMaps OGC API - Features", "version": "1.0.0"},
        "servers": [{"url": base}],
        "paths": {
            "/": get("Landing page", [], JSON),
            "/conformance": get("Conformance classes", [], JSON),
            "/collections": get("Feature collections", [], JSON),
            "/collections/{collectionId}": get("One collection", [ref], JSON),
            "/collections/{collectionId}/items": get("Features", items_params, GEOJSON),
            "/collections/{collectionId}/items/{featureId}": get(
                "One feature",
                [ref, {"name": "featureId", "in": "path", "required": True,
                       "schema": {"type": "string"}}], GEOJSON),
        },
        "components": {"parameters": {"collectionId": {
            "name": "collectionId", "in": "path", "required": True,
            "schema": {"type": "string", "enum": layer_ids}}}},
    }
