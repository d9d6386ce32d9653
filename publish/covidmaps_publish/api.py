"""The authenticated write API under ``/api/v1`` (see docs/api.md and the
OpenAPI document in ``openapi.py``).

Every write attempt, accepted or not, lands in the audit log. Handlers that
do real work (checks, compression, storage) run in a worker thread so the
event loop keeps serving public reads.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any, Dict, Optional, Tuple
from urllib.parse import parse_qsl

from covidmaps_plugin.model import wire
from covidmaps_plugin.model.wire import API_BLOB_PATH, is_sha256

from .boundary import input_stage
from .checks.jsonparse import parse_json
from .config import Config
from .grammar import query_int
from .http import (
    ClientDisconnectedError,
    Receive,
    Scope,
    Send,
    header,
    read_body,
    send_bytes,
    send_json,
    send_problem,
)
from .openapi import openapi_document
from .patching import is_patch
from .problems import ProblemError
from .publisher import Publisher
from .uploads import clean_uploads, receive_upload

log = logging.getLogger(__name__)

# Query parameter names that carry credentials in other APIs: refused outright
_CREDENTIAL_PARAMS = {"token", "access_token", "bearer", "auth", "authorization", "api_key",
                      "apikey", "key"}
_WWW_AUTH = 'Bearer realm="covidmaps"'
# The media types each write route accepts (docs/api.md); anything else: 415
BODY_TYPES = {
    "put-blob": (wire.GEOJSON_MEDIA, wire.JSON_MEDIA, wire.PATCH_MEDIA),
    "publish": (wire.JSON_MEDIA,),
    "rollback": (wire.JSON_MEDIA,),
}


def _unauthorized(detail: str, error: str = "invalid_token") -> ProblemError:
    return ProblemError(401, "unauthorized", "Authentication required", detail,
                   headers={"WWW-Authenticate": f'{_WWW_AUTH}, error="{error}"'})


class WriteApi:
    def __init__(self, config: Config, publisher: Publisher) -> None:
        self.config = config
        self.publisher = publisher
        clean_uploads(config.state_dir)  # a crash's leftovers (uploads.py)
        self._openapi = json.dumps(openapi_document(), ensure_ascii=False).encode("utf-8")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        head = method == "HEAD"
        if path == "/api/v1/openapi.json" and method in ("GET", "HEAD"):
            await send_bytes(send, 200, self._openapi, [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(self._openapi)).encode()),
                (b"cache-control", b"no-cache"), (b"x-content-type-options", b"nosniff")], head)
            return
        actor: Optional[str] = None
        writes = method not in ("GET", "HEAD")
        try:
            route, handler, params = self._route(method, path)
            actor = self._authenticate(scope)
            if route in BODY_TYPES:
                require_content_type(scope, route)
            status, payload, extra, release_id = await handler(scope, receive, actor, *params)
        except ClientDisconnectedError:
            self._audit(scope, actor, 499, "rejected", "client disconnected mid-request")
            return
        except ProblemError as problem:
            if writes or problem.status == 401 or problem.code == "token-in-url":
                self._audit(scope, actor, problem.status, "rejected",
                            f"{problem.code}: {problem.detail}"[:500])
            await send_problem(send, problem, head)
            return
        except Exception as exc:  # noqa: BLE001 - a bug or a storage outage: say so, log it
            log.exception("write API failure on %s %s", method, path)
            self._audit(scope, actor, 500, "failed", f"{type(exc).__name__}")
            await send_problem(send, ProblemError(
                500, "internal-error", "Internal error",
                "The server could not complete the request; nothing was committed unless a "
                "later GET /api/v1/releases shows it. Retry with the same Idempotency-Key."),
                head)
            return
        if writes:
            self._audit(scope, actor, status, "accepted", route, release_id)
        await send_json(send, status, payload, head, extra)

    # -- routing & auth ------------------------------------------------------------
    def _route(self, method: str, path: str) -> Tuple[str, Any, tuple]:
        if path == "/api/v1/whoami":
            return self._allow(method, ("GET", "HEAD"), "whoami", self._whoami, ())
        if path == "/api/v1/releases":
            if method == "POST":
                return "publish", self._publish, ()
            return self._allow(method, ("GET", "HEAD", "POST"), "history", self._history, ())
        if path == "/api/v1/rollback":
            return self._allow(method, ("POST",), "rollback", self._rollback, ())
        m = API_BLOB_PATH.fullmatch(path)
        if m is not None:
            layer, sha = m.group(1), m.group(2)
            if method == "PUT":
                return "put-blob", self._put_blob, (layer, sha)
            return self._allow(method, ("HEAD", "PUT"), "head-blob", self._head_blob,
                               (layer, sha))
        raise ProblemError(404, "not-found", "Not found",
                      f"No API route {path[:200]!r}; see /api/v1/openapi.json.")

    @staticmethod
    def _allow(method: str, allowed: tuple, route: str, handler: Any, params: tuple
               ) -> Tuple[str, Any, tuple]:
        if method not in allowed:
            raise ProblemError(405, "method-not-allowed", "Method not allowed",
                          f"This route accepts {', '.join(allowed)}.",
                          headers={"Allow": ", ".join(allowed)})
        return route, handler, params

    def _authenticate(self, scope: Scope) -> str:
        refuse_credentials_in_url(scope.get("query_string", b""))
        name = self.publisher.tokens.authenticate(bearer_token(header(scope, b"authorization")))
        if name is None:
            raise _unauthorized("The token is unknown or revoked.")
        return name

    def _audit(self, scope: Scope, actor: Optional[str], status: int, outcome: str,
               reason: str, release_id: Optional[str] = None) -> None:
        client = scope.get("client")
        self.publisher.audit.record(
            actor=actor, method=scope["method"], route=scope["path"], status=status,
            outcome=outcome, client=client[0] if client else None, reason=reason,
            release_id=release_id)

    async def _run(self, func: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)

    # -- handlers: each returns (status, payload, extra headers, release id) -----------
    async def _whoami(self, scope: Scope, receive: Receive, actor: str) -> tuple:
        return 200, {"name": actor}, [], None

    async def _head_blob(self, scope: Scope, receive: Receive, actor: str, layer: str,
                         sha: str) -> tuple:
        self._check_blob_path(layer, sha)
        if not await self._run(self.publisher.blob_exists, sha):
            raise ProblemError(404, "no-such-blob", "Blob not stored", f"Upload {sha} with PUT.")
        return 200, {"sha256": sha}, [], None

    async def _put_blob(self, scope: Scope, receive: Receive, actor: str, layer: str,
                        sha: str) -> tuple:
        self._check_blob_path(layer, sha)
        # on disk as it arrives, hashed and inflated on the way (uploads.py)
        upload = await receive_upload(scope, receive, self.config.limits.max_blob_bytes,
                                      self.config.state_dir, self.config.limits.body_timeout_s)
        try:
            if is_patch(header(scope, b"content-type")):  # checked as a full upload would be
                body = await self._run(upload.read)
                checked, created = await self._run(self.publisher.put_patch, layer, sha, body)
            else:
                checked, created = await self._run(self.publisher.put_upload, layer, sha,
                                                   upload)
        finally:
            await self._run(upload.discard)
        payload = {"layer": layer, "sha256": checked.sha256, "size": len(checked.data),
                   "feature_count": checked.feature_count, "bbox": checked.bbox,
                   "dropped_fields": list(checked.dropped_fields),
                   "canonical": checked.sha256 == sha,
                   "href": wire.DATA_PREFIX + wire.BLOB.name(checked.sha256)}
        return (201 if created else 200), payload, [], None

    async def _history(self, scope: Scope, receive: Receive, actor: str) -> tuple:
        limit = history_limit(scope.get("query_string", b""))
        releases = await self._run(self.publisher.history, limit)
        return 200, {"releases": releases}, [], None

    async def _publish(self, scope: Scope, receive: Receive, actor: str) -> tuple:
        return await self._commit(scope, receive, actor, self.publisher.publish)

    async def _rollback(self, scope: Scope, receive: Receive, actor: str) -> tuple:
        return await self._commit(scope, receive, actor, self.publisher.rollback)

    async def _commit(self, scope: Scope, receive: Receive, actor: str, action: Any) -> tuple:
        body_bytes = await read_body(scope, receive, self.config.limits.max_request_bytes,
                                     self.config.limits.body_timeout_s)
        if_match = _if_match(scope)
        key = _idempotency_key(scope)
        body = parse_json(body_bytes, 8, "request body")
        if not isinstance(body, dict):
            raise ProblemError(422, "bad-body", "Invalid request body",
                               "The body must be a JSON object.")
        fingerprint = hashlib.sha256(scope["path"].encode() + b"\0" + body_bytes).hexdigest()
        manifest, created = await self._run(action, actor, if_match, body, key, fingerprint)
        rid = manifest["release_id"]
        extra = [(b"etag", f'"{rid}"'.encode()),
                 (b"location", (wire.DATA_PREFIX + wire.RELEASE.name(rid)).encode())]
        if not created:
            extra.append((b"idempotent-replayed", b"true"))
        return 201, _summary(manifest), extra, rid

    @staticmethod
    def _check_blob_path(layer: str, sha: str) -> None:
        from .checks.layer import known_layer_ids, unknown_layer

        if layer not in known_layer_ids():
            raise unknown_layer(layer)
        if not is_sha256(sha):
            raise ProblemError(400, wire.BAD_HASH, "Invalid blob hash",
                          "The blob name must be its SHA-256 as 64 lower-case hex digits.")


@input_stage("credentials-in-url", 400)
def refuse_credentials_in_url(query: bytes) -> None:
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name.lower() in _CREDENTIAL_PARAMS:
            raise ProblemError(400, "token-in-url", "Credentials in the URL are refused",
                               "Tokens are accepted only in the Authorization header "
                               "(Authorization: Bearer <token>). A token that was put in a URL "
                               "may be in logs now: revoke it and create a new one.")


@input_stage("authorization", 400)
def bearer_token(raw_header: bytes) -> str:
    """The token of ``Authorization: Bearer <token>``; 401 for anything else."""
    raw = raw_header.decode("latin-1")
    scheme, _, token = raw.partition(" ")
    if not raw:
        raise _unauthorized("Send Authorization: Bearer <token> (create one with "
                            "`covidmaps-publish token create NAME`).", "invalid_request")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Only Bearer tokens are accepted.", "invalid_request")
    return token.strip()


@input_stage("history-query", 400)
def history_limit(query: bytes) -> int:
    limit = 50
    for name, value in parse_qsl(query.decode("latin-1")):
        if name == "limit":
            number = query_int(value)  # ASCII digits only: never a 500 from int()
            if number is None or not 1 <= number <= 1000:
                raise ProblemError(400, "bad-limit", "Invalid limit",
                                   "'limit' must be a whole number from 1 to 1000 "
                                   "(digits 0-9).")
            limit = number
    return limit


@input_stage("content-type", 400)
def require_content_type(scope: Scope, route: str) -> None:
    """415 unless the request's Content-Type is one this route documents.
    JSON types may say ``charset=utf-8`` (the only encoding accepted); no
    other parameter is allowed, so nothing is guessed about the body."""
    allowed = BODY_TYPES[route]
    raw = header(scope, b"content-type").decode("latin-1")
    media, _, params = raw.partition(";")
    media = media.strip().lower()
    ok = media in allowed
    for param in filter(None, (p.strip() for p in params.split(";"))):
        name, _, value = param.partition("=")
        ok = ok and media.endswith("json") and name.strip().lower() == "charset" and (
            value.strip().strip('"').lower() == "utf-8")
    if not ok:
        shown = raw[:80] if raw else "none"
        raise ProblemError(415, "unsupported-media-type", "Unsupported Content-Type",
                           f"This route accepts Content-Type {' or '.join(allowed)}; the request "
                           f"has {shown!r}.", extra={"accepted_types": list(allowed)})


@input_stage("if-match", 400)
def _if_match(scope: Scope) -> str:
    raw = header(scope, b"if-match").decode("latin-1").strip()
    if not raw:
        raise ProblemError(428, "if-match-required", "If-Match required",
                      "Send If-Match: \"<current release id>\" (from /data/manifest.json) so a "
                      "publish never overwrites a release you have not seen.")
    value = raw[2:] if raw.startswith("W/") else raw
    return value.strip('"')


@input_stage("idempotency-key", 400)
def _idempotency_key(scope: Scope) -> Optional[str]:
    raw = header(scope, b"idempotency-key").decode("latin-1").strip().strip('"')
    if not raw:
        return None
    if len(raw) > 200 or not raw.isprintable():
        raise ProblemError(400, "bad-idempotency-key", "Invalid Idempotency-Key",
                      "Idempotency-Key must be 1-200 printable characters (e.g. a UUID).")
    return raw


def _summary(manifest: Dict[str, Any]) -> Dict[str, Any]:
    return {k: manifest.get(k) for k in ("release_id", "parent_id", "sequence", "created_at",
                                         "publisher", "message", "kind", "changes")} | {
        "href": wire.DATA_PREFIX + wire.RELEASE.name(str(manifest.get("release_id")))}
