"""Small ASGI helpers shared by the public read path and the write API."""

from __future__ import annotations

import asyncio
import json
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Tuple,
)

from covidmaps_plugin.model import wire

from .boundary import input_stage
from .content_coding import gunzip_capped, is_gzip
from .grammar import CONTENT_LENGTH
from .problems import CONTENT_TYPE as PROBLEM_TYPE
from .problems import ProblemError
from .representation import Representation

Scope = Dict[str, Any]
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]
Headers = List[Tuple[bytes, bytes]]

JSON_TYPE = wire.JSON_MEDIA + wire.UTF8
BODY_CHUNK_TIMEOUT_S = 10.0  # the default of Limits.body_timeout_s


class ClientDisconnectedError(Exception):
    """The client went away before the request body was complete."""


def header(scope: Scope, name: bytes) -> bytes:
    """The first value of a request header (names are lower-case in ASGI)."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return b""


async def send_bytes(send: Send, status: int, body: bytes, headers: Iterable[Tuple[bytes, bytes]],
                     head: bool = False) -> None:
    await send({"type": "http.response.start", "status": status, "headers": list(headers)})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def send_json(send: Send, status: int, payload: Any, head: bool = False,
                    extra: Iterable[Tuple[bytes, bytes]] = (),
                    content_type: str = JSON_TYPE) -> None:
    # "replace": a lone surrogate echoed from bad input must not break the answer
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace")
    headers = [(b"content-type", content_type.encode()),
               (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"),
               (b"x-content-type-options", b"nosniff"), *extra]
    await send_bytes(send, status, body, headers, head)


async def send_problem(send: Send, problem: ProblemError, head: bool = False) -> None:
    extra = [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    await send_json(send, problem.status, problem.to_dict(), head, extra, PROBLEM_TYPE)


async def send_representation(scope: Scope, send: Send, rep: Representation,
                              head: bool = False) -> None:
    """200 with the best encoding, or 304 when ``If-None-Match`` matches."""
    accept = inm = b""
    for key, value in scope["headers"]:  # one pass: this is the hot path
        if key == b"accept-encoding":
            accept = value
        elif key == b"if-none-match":
            inm = value
    if inm:
        not_modified = rep.not_modified(inm)
        if not_modified is not None:
            await send({"type": "http.response.start", "status": 304,
                        "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
    variant = rep.choose(accept)
    await send({"type": "http.response.start", "status": 200, "headers": variant.headers})
    await send({"type": "http.response.body", "body": b"" if head else variant.body})


async def body_parts(scope: Scope, receive: Receive, limit: int,
                     timeout_s: float = BODY_CHUNK_TIMEOUT_S) -> AsyncIterator[bytes]:
    """The request body's parts as they arrive, refusing more than ``limit``
    bytes early (by Content-Length before reading, by counting while
    reading). A body that pauses for ``timeout_s`` is cut off with 408."""
    length = declared_length(header(scope, b"content-length"))
    if length is not None and length > limit:
        raise too_large(limit)
    size = 0
    while True:
        try:  # a client that stops sending must not hold a request open forever
            message = await asyncio.wait_for(receive(), timeout_s)
        except asyncio.TimeoutError:
            raise ProblemError(408, "request-timeout", "Request body too slow",
                               f"No part of the body arrived for {timeout_s:g} s; "
                               "check the connection and retry.",
                               headers={"Connection": "close"}) from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnectedError()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        yield chunk
        if not message.get("more_body", False):
            return


async def read_body(scope: Scope, receive: Receive, limit: int,
                    timeout_s: float = BODY_CHUNK_TIMEOUT_S) -> bytes:
    """The whole request body in memory (``body_parts``; a commit's few KB:
    a layer upload is spooled to disk instead, uploads.py).
    A gzip body (``Content-Encoding: gzip``) is decompressed under the same
    limit (content_coding.py); any other coding is refused before reading."""
    gzipped = is_gzip(header(scope, b"content-encoding"))
    chunks: List[bytes] = [part async for part in body_parts(scope, receive, limit, timeout_s)]
    body = b"".join(chunks)
    return await _gunzip(body, limit) if gzipped else body


@input_stage("content-length", 400)
def declared_length(raw: bytes) -> Optional[int]:
    """Content-Length as a number (ASCII digits only), None when absent."""
    if not raw:
        return None
    text = raw.decode("latin-1").strip()
    if CONTENT_LENGTH.fullmatch(text) is None:
        raise ProblemError(400, "bad-content-length", "Invalid Content-Length header",
                           "Content-Length must be the body's size in bytes (digits 0-9).")
    return int(text)


async def _gunzip(body: bytes, limit: int) -> bytes:
    # in a worker thread: inflating megabytes must not stall public reads
    plain = await asyncio.get_running_loop().run_in_executor(None, gunzip_capped, body, limit)
    if plain is None:
        raise too_large(limit)
    return plain


def too_large(limit: int) -> ProblemError:
    return ProblemError(413, "too-large", "Request body too large",
                   f"The body exceeds the limit of {limit} bytes. Split the data or ask the "
                   "administrator to raise the limit.", extra={"limit_bytes": limit})
