"""HTTP client of the publishing endpoint's write API (docs/api.md).

Pure ``requests``, no Qt: it runs in a QgsTask's worker thread. Every
failure becomes a typed, bilingual :class:`~.errors.PublishError`; nothing
here can leave a half-published map, because the only request that changes
the public map is the final commit (one pointer swap on the server):

- blobs are content-addressed: a HEAD first skips the ones the server has;
  a PUT of the same bytes twice is harmless;
- the commit carries ``If-Match`` (the release the officer previewed), so a
  stale publisher gets 412 and overwrites nothing, and one
  ``Idempotency-Key`` per publish, so a retry after a lost answer returns
  the release the first attempt made instead of making a second one;
- connection errors, timeouts, 5xx and 429 are retried with exponential
  backoff (``Retry-After`` honoured, capped).
"""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import requests

from ...model import wire
from .errors import (
    EndpointTimeoutError,
    EndpointUnreachableError,
    InvalidEndpointError,
    NotAllowedError,
    NotAuthenticatedError,
    ProxyRefusedError,
    PublishCancelledError,
    PublishError,
    RejectedError,
    ServerError,
    StaleReleaseError,
    TooLargeError,
    UnexpectedResponseError,
)
from .network import NetworkSettings
from .wire import wire_body

API = wire.API_PREFIX[1:]  # "api/v1/", relative to the endpoint
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER_S = 30.0
USER_AGENT = "CovidMaps-QGIS-plugin"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # first try included
    backoff_s: float = 0.5  # doubles after each failed attempt

    def delay(self, attempt: int, retry_after: Optional[str]) -> float:
        base = self.backoff_s * (2 ** attempt)
        if retry_after:
            try:
                return min(max(float(retry_after), base), MAX_RETRY_AFTER_S)
            except ValueError:
                pass
        return base


def new_idempotency_key() -> str:
    """One key per publish: every retry of that publish reuses it."""
    return str(uuid.uuid4())


def normalized_endpoint(url: str) -> str:
    """``url`` with a trailing slash; raises InvalidEndpointError for
    anything but an absolute http(s) URL."""
    text = (url or "").strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidEndpointError(text)
    return text if text.endswith("/") else text + "/"


class PublishClient:
    """The write API and the public release files of one endpoint."""

    def __init__(
        self,
        endpoint: str,
        auth_headers: Optional[Mapping[str, str]] = None,
        network: Optional[NetworkSettings] = None,
        retry: Optional[RetryPolicy] = None,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> None:
        self.base = normalized_endpoint(endpoint)
        self.network = network or NetworkSettings()
        self.retry = retry or RetryPolicy()
        self.is_cancelled = is_cancelled
        self._auth = dict(auth_headers or {})
        self.session = requests.Session()
        # QGIS decides about proxies, not the environment (unless it says
        # "use the system proxy")
        self.session.trust_env = self.network.system_proxy
        self.session.headers["User-Agent"] = USER_AGENT
        # (method, path) of every attempt: what went over the wire, for tests and the bench
        self.log: List[tuple] = []
        self.bytes_sent = 0  # request bodies of every attempt, as sent (compressed)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> PublishClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def map_url(self) -> str:
        """The public web map of this endpoint."""
        return self.base

    # -- public release files (no token needed) ----------------------------
    def current_manifest(self) -> Dict[str, Any]:
        return self._json(self._request("GET", _data(wire.POINTER.name()), auth=False))

    def release_manifest(self, release_id: str) -> Dict[str, Any]:
        return self._json(self._request("GET", _data(wire.RELEASE.name(release_id)), auth=False))

    def blob(self, sha256: str) -> bytes:
        return self._request("GET", _data(wire.BLOB.name(sha256)), auth=False).content

    # -- write API -----------------------------------------------------------
    def has_blob(self, layer: str, sha256: str) -> bool:
        """Whether the server stores these bytes already (authenticated, so a
        bad token shows before any upload)."""
        response = self._request("HEAD", wire.api_blob_path(layer, sha256), accept=(200, 404))
        return response.status_code == 200

    def upload_blob(self, layer: str, data: bytes, sha256: str) -> Dict[str, Any]:
        return self._upload(wire.api_blob_path(layer, sha256), data, wire.GEOJSON_MEDIA)

    def upload_patch(self, layer: str, sha256: str, patch: bytes, layer_size: int = 0) -> bool:
        """Send a feature patch of a stored blob (``patch.py``); False when
        the server cannot apply it (base gone, or the result does not hash to
        ``sha256``): the caller then uploads the whole layer. ``layer_size``:
        the bytes of the layer the patch makes (the server checks them all)."""
        return self._upload_patch(wire.api_blob_path(layer, sha256), patch, wire.PATCH_MEDIA,
                                  wire.PATCH_FALLBACKS, max(layer_size, len(patch)))

    def _upload(self, path: str, data: bytes, content_type: str) -> Dict[str, Any]:
        """PUT an upload (gzip on the wire when smaller); the server's answer."""
        body, encoding = wire_body(data)
        response = self._request("PUT", path, data=body,
                                 headers={"Content-Type": content_type, **encoding},
                                 accept=(200, 201),
                                 timeout=self.network.upload_timeout(len(data)))
        return self._json(response) if response.content else {}

    def _upload_patch(self, path: str, patch: bytes, content_type: str,
                      fallbacks: tuple, layer_size: int) -> bool:
        """PUT a patch; False on a problem in ``fallbacks`` (the caller sends
        the whole upload), the usual error for any other refusal (a patch
        rebuilt on the server is checked exactly as the whole upload)."""
        body, encoding = wire_body(patch)
        # the server rebuilds the whole layer from the patch and checks it:
        # its answer waits as long as a whole upload's (upload_timeout)
        response = self._request("PUT", path, data=body,
                                 headers={"Content-Type": content_type, **encoding},
                                 accept=(200, 201, 404, 422),
                                 timeout=self.network.upload_timeout(layer_size))
        if response.status_code in (200, 201):
            return True
        if wire.problem_code(_problem(response).get("type")) in fallbacks:
            return False
        raise self._status_error(response, None)

    def publish(self, base_release: Optional[str], layers: Mapping[str, str],
                reference: Mapping[str, str], idempotency_key: str, message: str = "",
                data_updated_at: Optional[str] = None,
                notice: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Commit a release made of already uploaded blobs (``notice``: the
        hotline and advice of the profile; vector tiles are the server's
        work); the server's summary of it (release_id,
        parent_id, changes...) plus ``replayed``."""
        body: Dict[str, Any] = {"layers": dict(layers), "reference": dict(reference),
                                "message": message}
        if data_updated_at:
            body["data_updated_at"] = data_updated_at
        if notice:
            body["notice"] = dict(notice)
        return self._commit("releases", base_release, body, idempotency_key)

    def rollback(self, base_release: Optional[str], release_id: str, idempotency_key: str,
                 message: str = "") -> Dict[str, Any]:
        body = {"release_id": release_id, "message": message}
        return self._commit("rollback", base_release, body, idempotency_key)

    def history(self, limit: int = 50) -> List[Dict[str, Any]]:
        payload = self._json(self._request("GET", f"{API}releases?limit={int(limit)}"))
        return list(payload.get("releases", payload) if isinstance(payload, dict) else payload)

    def _commit(self, route: str, base_release: Optional[str], body: Dict[str, Any],
                idempotency_key: str) -> Dict[str, Any]:
        headers = {"Content-Type": wire.JSON_MEDIA, "Idempotency-Key": idempotency_key,
                   "If-Match": f'"{base_release}"' if base_release else "*"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        # once the commit is on its way a cancel no longer applies: retries
        # (same key) must find out whether it went through
        response = self._request("POST", API + route, data=data, headers=headers,
                                 accept=(200, 201), base_release=base_release,
                                 cancellable=False)
        payload = dict(self._json(response))
        payload["replayed"] = response.headers.get("Idempotent-Replayed") == "true"
        return payload

    # -- transport -----------------------------------------------------------
    def _request(self, method: str, path: str, *, auth: bool = True, data: Any = None,
                 headers: Optional[Mapping[str, str]] = None, accept: tuple = (200,),
                 base_release: Optional[str] = None, cancellable: bool = True,
                 timeout: Optional[Tuple[float, float]] = None) -> requests.Response:
        """One request with retries; ``timeout``: (connect, read) seconds,
        default the network timeout for both."""
        url = self.base + path
        timeout = timeout or (self.network.timeout_s, self.network.timeout_s)
        all_headers = dict(headers or {})
        if auth:
            all_headers.update(self._auth)
        options = self.network.requests_options(url)
        attempt = 0
        while True:
            if cancellable and self.is_cancelled():
                raise PublishCancelledError()
            self.log.append((method, path))
            if isinstance(data, bytes):
                self.bytes_sent += len(data)
            try:
                response = self.session.request(method, url, data=data, headers=all_headers,
                                                timeout=timeout,
                                                allow_redirects=False, **options)
            except requests.exceptions.RequestException as exc:
                error = self._transport_error(exc, timeout)
                if not error.retryable or attempt + 1 >= self.retry.attempts:
                    raise error from exc
                self._sleep(self.retry.delay(attempt, None), cancellable)
                attempt += 1
                continue
            if response.status_code in accept:
                return response
            proxy_error = self._proxy_response_error(response, url)
            if proxy_error is not None:
                raise proxy_error
            if response.status_code in RETRY_STATUSES and attempt + 1 < self.retry.attempts:
                self._sleep(self.retry.delay(attempt, response.headers.get("Retry-After")),
                            cancellable)
                attempt += 1
                continue
            raise self._status_error(response, base_release)

    def _sleep(self, seconds: float, cancellable: bool = True) -> None:
        """Wait, but notice a cancel within a tenth of a second."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if cancellable and self.is_cancelled():
                raise PublishCancelledError()
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))

    def _transport_error(self, exc: Exception, timeout: Tuple[float, float]) -> PublishError:
        if isinstance(exc, requests.exceptions.ProxyError):
            return ProxyRefusedError(self.network.proxy_display(), _short(exc))
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return EndpointTimeoutError(self.base, timeout[1])
        if isinstance(exc, requests.exceptions.Timeout):
            return EndpointTimeoutError(self.base, timeout[0])
        return EndpointUnreachableError(self.base, _short(exc))

    def _proxy_response_error(self, response: requests.Response, url: str
                              ) -> Optional[PublishError]:
        """An error page made by the proxy itself (not by the endpoint, whose
        errors are always application/problem+json)."""
        if self.network.proxy_for(url) is None and not self.network.system_proxy:
            return None
        status = response.status_code
        if status == 407:
            return ProxyRefusedError(self.network.proxy_display(), "407")
        if status in (403, 502, 503, 504) and not _is_problem(response):
            return ProxyRefusedError(self.network.proxy_display(), str(status))
        return None

    def _status_error(self, response: requests.Response, base_release: Optional[str]
                      ) -> PublishError:
        status = response.status_code
        problem = _problem(response)
        detail = str(problem.get("detail") or problem.get("title") or "")[:300]
        if status == 401:
            return NotAuthenticatedError(detail)
        if status == 403:
            return NotAllowedError(detail)
        if status in (409, 412):
            return StaleReleaseError(base_release, problem.get("current_release_id"), status,
                                     detail)
        if status == 413:
            return TooLargeError(_size_words(problem), detail)
        if status in (400, 404, 422) and problem:
            listed = [e for e in problem.get("errors", ()) if isinstance(e, dict)]
            return RejectedError(status, detail, [_error_words(e) for e in listed], listed)
        if status >= 500 or status == 429:
            return ServerError(status, detail)
        return UnexpectedResponseError(status, response.headers.get("Content-Type", "?"))

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise UnexpectedResponseError(response.status_code, "not JSON") from None


def _is_problem(response: requests.Response) -> bool:
    return response.headers.get("Content-Type", "").startswith(wire.PROBLEM_MEDIA)


def _data(name: str) -> str:
    """A release-tree file's path relative to the endpoint (``data/...``)."""
    return wire.DATA_PREFIX[1:] + name


def _problem(response: requests.Response) -> Dict[str, Any]:
    if not _is_problem(response):
        return {}
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _error_words(error: Mapping[str, Any]) -> str:
    where = "/".join(str(error[k]) for k in ("layer", "feature_id", "field") if error.get(k))
    return f"{where}: {error.get('message', '')}" if where else str(error.get("message", ""))


def _size_words(problem: Mapping[str, Any]) -> str:
    limit = problem.get("limit_bytes")
    return f"limit {int(limit) // 1024} KiB" if isinstance(limit, int) else "size limit"


def _short(exc: Exception) -> str:
    """The last, most specific line of a requests/urllib3 error."""
    text = str(exc)
    for marker in ("Caused by ", "] "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    return text.strip(" ()'\"")[:200]
