"""S3-compatible bucket storage (AWS S3, SeaweedFS, MinIO, ...).

Objects live under ``<prefix>data/<key>``, mirroring the public URL
``/data/<key>``, so a CDN or the bucket's own HTTP endpoint can serve the
tree without Python: every object carries the Content-Type,
Content-Encoding and Cache-Control a browser needs.

Guarantees:

- ``put_immutable``: an S3 PUT is atomic (a reader sees the whole object or
  none) and is sent with ``If-None-Match: *``, so an existing object is
  never overwritten; a 412 means the same content-addressed bytes are there.
- ``swap_pointer``: a conditional PUT of ``data/manifest.json`` with
  ``If-Match: <ETag read>`` (``If-None-Match: *`` for the first release).
  The bucket evaluates the condition and the write as one step, so of two
  publishers that read the same pointer exactly one wins, even on separate
  machines. This needs a server with conditional writes (AWS S3 since 2024,
  SeaweedFS >= 4.x — tested against a real SeaweedFS in
  tests/publish/test_s3_storage.py). A lost response followed by a retry
  could look like a lost race (412 for our own write), so on 412 the
  pointer is re-read, and when the PUT was attempted more than once a
  pointer holding our own bytes counts as success: every manifest is unique
  (it carries its release id), so that check is exact. A first-attempt 412
  is always a lost race. ETags are content hashes, so a token is never reused by a
  different manifest (no ABA).

Credentials come from boto3's usual chain (environment, shared config,
instance role), never from the URL or the command line.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Iterator, Optional, Tuple
from urllib.parse import urlsplit

from covidmaps_plugin.model import wire

from .base import POINTER_KEY, REPLACEABLE_KEYS, InvalidKeyError, check_key

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Environment variable naming the endpoint of a non-AWS server.
ENDPOINT_ENV = "COVIDMAPS_S3_ENDPOINT"


def object_headers(key: str) -> dict:
    """PUT parameters that make the object servable as it is."""
    mutable = key == POINTER_KEY or key in REPLACEABLE_KEYS
    # the plain file's type; a .gz/.br variant says its coding (a PMTiles
    # archive, read with byte ranges, never has one)
    params = {"CacheControl": REVALIDATE if mutable else IMMUTABLE,
              "ContentType": wire.stored_type(key)}
    if key.endswith(".gz"):
        params["ContentEncoding"] = "gzip"
    elif key.endswith(".br"):
        params["ContentEncoding"] = "br"
    return params


def _error_code(exc: Exception) -> Tuple[str, int]:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


def _is_missing(exc: Exception) -> bool:
    code, status = _error_code(exc)
    return status == 404 or code in ("NoSuchKey", "404", "NotFound")


def _is_precondition(exc: Exception) -> bool:
    code, status = _error_code(exc)
    # 409 ConditionalRequestConflict: AWS's answer to a concurrent conditional write
    return status in (409, 412) or code in ("PreconditionFailed", "ConditionalRequestConflict")


class S3Storage:
    """The release tree in an S3 bucket (see the module docstring)."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None,
                 endpoint_url: Optional[str] = None, region: Optional[str] = None) -> None:
        self.bucket = bucket
        prefix = prefix.strip("/")
        self.base = f"{prefix}/data/" if prefix else "data/"
        if client is None:
            client = make_client(endpoint_url, region)
        self.client = client
        # How many times botocore sent this thread's current PutObject (its
        # retries are invisible otherwise; see swap_pointer).
        self._attempts = threading.local()
        client.meta.events.register("before-send.s3.PutObject", self._count_attempt)

    def _count_attempt(self, **_kwargs: object) -> None:
        self._attempts.count = getattr(self._attempts, "count", 0) + 1

    @classmethod
    def from_url(cls, url: str, endpoint_url: Optional[str] = None,
                 region: Optional[str] = None, **_ignored: object) -> S3Storage:
        """``s3://bucket[/prefix]``; the endpoint of a non-AWS server comes
        from ``endpoint_url`` or ``$COVIDMAPS_S3_ENDPOINT`` (or boto3's own
        ``$AWS_ENDPOINT_URL``)."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an s3://bucket[/prefix] URL: {url!r}")
        if parts.username or parts.password:
            raise ValueError("credentials do not belong in the storage URL; use the "
                             "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment")
        return cls(parts.hostname or parts.netloc, parts.path,
                   endpoint_url=endpoint_url or os.environ.get(ENDPOINT_ENV), region=region)

    def _key(self, key: str) -> str:
        return self.base + check_key(key)

    # -- Storage protocol ---------------------------------------------------
    def get(self, key: str) -> Optional[bytes]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        with response["Body"] as body:
            return body.read()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def put_immutable(self, key: str, data: bytes) -> None:
        if key == POINTER_KEY:
            raise ValueError("the pointer is written with swap_pointer only")
        if key in REPLACEABLE_KEYS:
            raise ValueError(f"{key} is replaced with put_replaceable")
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                   IfNoneMatch="*", **object_headers(key))
        except self.client.exceptions.ClientError as exc:
            if not _is_precondition(exc):
                raise
            # Already there (content-addressed: same bytes), or a concurrent
            # writer of the same bytes got there first (409): both are fine
            # once the object exists.
            if not self.exists(key):
                raise

    def put_replaceable(self, key: str, data: bytes) -> None:
        if key not in REPLACEABLE_KEYS:
            raise ValueError(f"{key} is not a replaceable key")
        # a plain PUT replaces the object atomically (readers get old or new)
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                               **object_headers(key))

    def read_pointer(self) -> Tuple[Optional[bytes], Optional[str]]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(POINTER_KEY))
        except self.client.exceptions.ClientError as exc:
            if _is_missing(exc):
                return None, None
            raise
        with response["Body"] as body:
            return body.read(), response["ETag"]

    def swap_pointer(self, data: bytes, expected_token: Optional[str]) -> bool:
        condition = {"IfNoneMatch": "*"} if expected_token is None else {
            "IfMatch": expected_token}
        self._attempts.count = 0
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(POINTER_KEY), Body=data,
                                   **condition, **object_headers(POINTER_KEY))
        except self.client.exceptions.ClientError as exc:
            if not (_is_precondition(exc) or (expected_token is not None and _is_missing(exc))):
                raise
            if self._attempts.count <= 1:
                return False
            current, _ = self.read_pointer()
            return current == data  # our own first attempt landed (see module doc)
        return True

    def list(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.base + prefix):
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.base):]
                try:
                    yield check_key(key)
                except InvalidKeyError:
                    continue  # not ours (e.g. a file someone else put in the bucket)

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()


def make_client(endpoint_url: Optional[str] = None, region: Optional[str] = None) -> Any:
    """A boto3 S3 client: path-style addressing (what SeaweedFS and MinIO
    expect; AWS accepts it too), a few retries, modest timeouts."""
    try:
        import boto3
        from botocore.config import Config as BotoConfig
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("S3 storage needs boto3: pip install 'covidmaps-publish[s3]'"
                           ) from exc
    config = BotoConfig(s3={"addressing_style": "path"},
                        retries={"max_attempts": 3, "mode": "standard"},
                        connect_timeout=5, read_timeout=30, max_pool_connections=32)
    return boto3.client("s3", endpoint_url=endpoint_url,
                        region_name=region or os.environ.get("AWS_REGION") or "us-east-1",
                        config=config)
