"""The OpenAPI 3.1 document of the write API (served at /api/v1/openapi.json).
Every status code a route can return is listed; the schemathesis test checks
that the server never answers anything undocumented."""

from __future__ import annotations

from typing import Any, Dict, Tuple

from covidmaps_plugin.model import MODEL, wire

from .checks.layer import REFERENCE_LAYERS

PROBLEM = {"$ref": "#/components/schemas/ProblemError"}
# JSON Schema patterns are ECMA-262: there "$" is the end of the input
SHA = {"type": "string", "pattern": f"^{wire.SHA256.pattern}$"}
RELEASE_ID = {"type": "string", "pattern": f"^{wire.RELEASE_ID.pattern}$"}

_REASONS = {
    400: "Malformed request: invalid JSON or text, bad hash, header or query parameter, "
         "or a token in the URL",
    401: "Missing, unknown or revoked Bearer token",
    404: "Unknown layer or blob (for a patch: its base blob is not stored, "
         f"{wire.BASE_NOT_FOUND})",
    405: "Method not allowed",
    408: "The request headers did not complete within 10 s, or the body paused for 10 s "
         "(the connection is closed)",
    412: "If-Match is not the current release (problem body carries current_release_id)",
    413: "Body larger than the configured limit",
    415: "Content-Type is not one this route accepts (see requestBody), or Content-Encoding "
         "is other than gzip or identity",
    422: "The data or the request body failed the server's checks (see errors[]); unknown "
         "and server-owned members are refused",
    428: "If-Match header missing",
    431: "Request line and headers larger than 64 KiB (the connection is closed)",
    500: "Server fault (e.g. storage unreachable); never caused by the request's content. "
         "Nothing was committed unless GET /api/v1/releases shows it",
}
# Answered by the server for any route, before or beside the route's own checks
_EVERY_ROUTE = (408, 431, 500)


def _problems(*codes: int) -> Dict[str, Any]:
    return {str(c): {"description": _REASONS[c],
                     "content": {wire.PROBLEM_MEDIA: {"schema": PROBLEM}}}
            for c in sorted(set(codes) | set(_EVERY_ROUTE))}


def _head_responses(not_found: str) -> Dict[str, Any]:
    """HEAD answers carry no body; every status is still listed."""
    codes = {200: "Stored", 400: _REASONS[400], 401: _REASONS[401], 404: not_found}
    codes.update({c: _REASONS[c] for c in _EVERY_ROUTE})
    return {str(c): {"description": d} for c, d in sorted(codes.items())}


def _ok(code: int, description: str, schema: Dict[str, Any]) -> Dict[str, Any]:
    return {str(code): {"description": description,
                        "content": {wire.JSON_MEDIA: {"schema": schema}}}}


def _ref(name: str) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_IF_MATCH = {"name": "If-Match", "in": "header", "required": True,
             "description": 'The current release id in quotes, e.g. "000042-3f9a1c2b"',
             "schema": {"type": "string"}}
_IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
                "description": "Any unique string (a UUID); a retry with the same key and body "
                               "returns the release the first attempt made",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200}}


def _layer_hashes(names: Tuple[str, ...]) -> Dict[str, Any]:
    return {"type": "object", "properties": {n: SHA for n in names},
            "additionalProperties": False}


def openapi_document() -> Dict[str, Any]:
    layer_ids = list(MODEL.layer_names + REFERENCE_LAYERS)
    blob_params = [
        {"name": "layer", "in": "path", "required": True, "schema": {"enum": layer_ids}},
        {"name": "sha256", "in": "path", "required": True, "schema": SHA,
         "description": "SHA-256 of the request body (PUT) or of a stored blob (HEAD)"},
    ]
    commit_responses = {**_ok(201, "Release committed (or replayed for an Idempotency-Key)",
                              _ref("ReleaseSummary")),
                        **_problems(400, 401, 408, 412, 413, 415, 422, 428)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "CovidMaps publishing API", "version": "1.0.0",
                 "description": "Authenticated write side of the CovidMaps endpoint. Public "
                                "reads are plain files under /data/ (see "
                                "docs/release-format.md)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/whoami": {"get": {
                "operationId": "whoami", "summary": "The name of the presented token",
                "responses": {**_ok(200, "The token is valid", _ref("Whoami")),
                              **_problems(400, 401)}}},
            "/api/v1/layers/{layer}/blobs/{sha256}": {
                "parameters": blob_params,
                "head": {"operationId": "blobExists",
                         "summary": "Whether a blob is stored (skip unchanged uploads)",
                         "responses": _head_responses(_REASONS[404])},
                "put": {"operationId": "putBlob",
                        "summary": "Upload one layer's GeoJSON; checked, stored canonical",
                        "description": "The body is the layer's GeoJSON (Content-Type "
                                       f"{wire.GEOJSON_MEDIA} or {wire.JSON_MEDIA}, "
                                       "optionally ;charset=utf-8), or (Content-Type "
                                       f"{wire.PATCH_MEDIA}) a feature patch of a stored "
                                       "blob: the server rebuilds the layer, requires it to "
                                       f"hash to {{sha256}} (else 422 {wire.PATCH_MISMATCH}, "
                                       "nothing stored) and checks it as a full upload. "
                                       "Either may be sent with Content-Encoding: gzip.",
                        "requestBody": {"required": True, "content": {
                            wire.GEOJSON_MEDIA: {"schema": {"type": "object"}},
                            wire.JSON_MEDIA: {"schema": {"type": "object"}},
                            wire.PATCH_MEDIA: {"schema": _ref("FeaturePatch")}}},
                        "responses": {**_ok(200, "Already stored", _ref("BlobResult")),
                                      **_ok(201, "Checked and stored", _ref("BlobResult")),
                                      **_problems(400, 401, 404, 408, 413, 415, 422)}}},
            "/api/v1/releases": {
                "get": {"operationId": "listReleases", "summary": "Release history, newest first",
                        "parameters": [{"name": "limit", "in": "query", "required": False,
                                        "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 1000}}],
                        "responses": {**_ok(200, "History", _ref("History")),
                                      **_problems(400, 401)}},
                "post": {"operationId": "publish", "summary": "Commit a new release",
                         "parameters": [_IF_MATCH, _IDEMPOTENCY],
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": _ref("PublishRequest")}}},
                         "responses": commit_responses}},
            "/api/v1/rollback": {"post": {
                "operationId": "rollback",
                "summary": "Make an earlier release current again (as a new release)",
                "parameters": [_IF_MATCH, _IDEMPOTENCY],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("RollbackRequest")}}},
                "responses": commit_responses}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ProblemError": {"type": "object", "required": ["type", "title", "status"],
                            "properties": {
                                "type": {"type": "string"}, "title": {"type": "string"},
                                "status": {"type": "integer"}, "detail": {"type": "string"},
                                "current_release_id": {"type": ["string", "null"]},
                                "errors": {"type": "array", "items": _ref("FieldError")}}},
                "FieldError": {"type": "object", "properties": {
                    "layer": {"type": ["string", "null"]},
                    "feature_id": {"type": ["string", "null"]},
                    "field": {"type": ["string", "null"]},
                    "code": {"type": "string"}, "message": {"type": "string"}}},
                "FeaturePatch": {"type": "object", "required": ["base"],
                                 "additionalProperties": False, "properties": {
                                     "base": SHA,
                                     "upsert": {"type": "array", "items": {"type": "object"}},
                                     "delete": {"type": "array",
                                                "items": {"type": "string"}}}},
                "Whoami": {"type": "object", "required": ["name"],
                           "properties": {"name": {"type": "string"}}},
                "BlobResult": {"type": "object", "required": ["sha256", "layer"], "properties": {
                    "layer": {"type": "string"}, "sha256": SHA, "size": {"type": "integer"},
                    "feature_count": {"type": "integer"},
                    "bbox": {"type": ["array", "null"], "items": {"type": "number"}},
                    "dropped_fields": {"type": "array", "items": {"type": "string"}},
                    "canonical": {"type": "boolean"}, "href": {"type": "string"}}},
                "PublishRequest": {"type": "object", "additionalProperties": False,
                                   "properties": {
                    "message": {"type": "string", "maxLength": 500},
                    "data_updated_at": {"type": "string", "format": "date-time"},
                    "notice": {"type": "object", "properties": {
                        "hotline": {"type": "string", "maxLength": 60},
                        "advice": {"type": "object", "properties": {
                            "vi": {"type": "string", "maxLength": 400},
                            "en": {"type": "string", "maxLength": 400}}}}},
                    "layers": _layer_hashes(MODEL.layer_names),
                    "reference": _layer_hashes(REFERENCE_LAYERS)}},
                "RollbackRequest": {"type": "object", "required": ["release_id"],
                                    "additionalProperties": False,
                                    "properties": {"release_id": RELEASE_ID,
                                                   "message": {"type": "string",
                                                               "maxLength": 500}}},
                "ReleaseSummary": {"type": "object", "required": ["release_id"], "properties": {
                    "release_id": RELEASE_ID, "parent_id": {"type": ["string", "null"]},
                    "sequence": {"type": "integer"}, "created_at": {"type": "string"},
                    "publisher": {"type": "string"}, "message": {"type": "string"},
                    "kind": {"enum": ["init", "publish", "rollback"]},
                    "changes": {"type": "object"}, "href": {"type": "string"}}},
                "History": {"type": "object", "required": ["releases"], "properties": {
                    "releases": {"type": "array", "items": {"type": "object"}}}},
            },
        },
    }
