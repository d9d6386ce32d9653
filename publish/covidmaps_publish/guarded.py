"""The embedded server's HTTP protocol with the bounds a public endpoint
needs whatever sits in front of it (nginx or nothing):

- request headers must be complete within ``header_timeout_s`` of the
  request's first byte (of the connection, for its first request): else
  408 and the connection is closed (slowloris);
- request line plus headers are at most ``max_header_bytes``: else 431 and
  close, before httptools buffers more (it keeps a header whole in memory);
- a body that pauses ``body_timeout_s`` is cut off: the write API answers
  408 itself (``http.read_body``); a body nobody reads (the answer was sent
  already, e.g. a 401) closes the connection.

uvicorn's own protocol (``httptools_impl.HttpToolsProtocol``) has none of
these: its keep-alive timer only runs between requests and is cancelled by
any byte, so a client sending one header byte every few seconds holds a
connection forever.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Optional

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import Limits
from .problems import CONTENT_TYPE, ProblemError

LINGER_S = 2.0  # how long a refused client's remaining bytes are read and dropped


def _raw_problem(status: int, reason: bytes, problem: ProblemError) -> bytes:
    body = json.dumps(problem.to_dict()).encode()
    return (b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n"
            b"cache-control: no-store\r\nconnection: close\r\n\r\n"
            % (status, reason, CONTENT_TYPE.encode(), len(body))) + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus header/body timeouts and a header size cap."""

    limits: Limits = Limits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_headers = True  # between a message's first byte and its last header
        self._header_bytes = 0
        self._header_timer: Optional[asyncio.TimerHandle] = None
        self._body_timer: Optional[asyncio.TimerHandle] = None
        self._discarding = False

    # -- connection ----------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # a connection that never sends a byte is closed too

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def eof_received(self) -> Optional[bool]:
        if self._discarding:  # the client has sent everything: close now
            self.transport.close()
        return None

    def data_received(self, data: bytes) -> None:
        if self._discarding:  # answered and closing: the rest of the request is dropped
            return
        while data and self.parser is not None and not self.transport.is_closing():
            if self._in_headers:
                if self._header_timer is None:
                    self._arm_header_timer()
                room = self.limits.max_header_bytes - self._header_bytes
                if room <= 0:
                    self._refuse_headers()
                    return
                piece = data[:room]  # headers longer than the cap cannot end within it
                self._header_bytes += len(piece)
            else:
                piece = data
            data = data[len(piece):]
            super().data_received(piece)
        if self._in_headers and self._header_bytes >= self.limits.max_header_bytes and (
                self.parser is not None and not self.transport.is_closing()):
            self._refuse_headers()

    # -- parser callbacks ----------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._cancel(self._header_timer)
        self._header_timer = None
        super().on_headers_complete()
        self._arm_body_timer()

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._arm_body_timer()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._cancel(self._body_timer)
        self._body_timer = None
        self._in_headers = True  # the next bytes start the next request
        self._header_bytes = 0

    # -- timers ------------------------------------------------------------------------------
    def _arm_header_timer(self) -> None:
        self._cancel(self._header_timer)
        self._header_timer = self.loop.call_later(self.limits.header_timeout_s,
                                                  self._header_timeout)

    def _arm_body_timer(self) -> None:
        self._cancel(self._body_timer)
        self._body_timer = self.loop.call_later(self.limits.body_timeout_s, self._body_timeout)

    def _cancel_timers(self) -> None:
        self._cancel(self._header_timer)
        self._cancel(self._body_timer)
        self._header_timer = self._body_timer = None

    @staticmethod
    def _cancel(timer: Optional[asyncio.TimerHandle]) -> None:
        if timer is not None:
            timer.cancel()

    def _idle(self) -> bool:
        """No answer is being written (writing a problem now cannot garble one)."""
        return self.cycle is None or self.cycle.response_complete

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._in_headers:
            return
        if not self._idle():  # a pipelined request behind an answer in progress
            self._arm_header_timer()
            return
        if self._header_bytes == 0:  # nothing of a request: just close (keep-alive end)
            self.transport.close()
            return
        self._close_with(408, b"Request Timeout", ProblemError(
            408, "request-timeout", "Request headers too slow",
            f"The request headers did not arrive within {self.limits.header_timeout_s:g} s; "
            "check the connection and retry."))

    def _body_timeout(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.cycle is None:
            return
        if self.cycle.response_complete:  # answered already; nobody waits for this body
            self.transport.close()
            return
        # the application is reading the body: its own timer answers 408
        # (http.read_body); check again later in case it does not read at all
        self._arm_body_timer()

    def send_400_response(self, msg: str) -> None:
        """A request httptools cannot parse: a problem like every other 4xx
        (uvicorn's own answer is text/plain)."""
        self._close_with(400, b"Bad Request", ProblemError(
            400, "bad-request", "Malformed HTTP request",
            "The request is not valid HTTP/1.1 (request line, a header or chunked framing); "
            "send it with a standard HTTP client."))

    def _refuse_headers(self) -> None:
        limit = self.limits.max_header_bytes
        problem = ProblemError(
            431, "headers-too-large", "Request headers too large",
            f"The request line and headers exceed {limit} bytes; send fewer or shorter "
            "headers (a token goes in Authorization, nothing else is needed).",
            extra={"limit_bytes": limit})
        if self._idle():
            self._close_with(431, b"Request Header Fields Too Large", problem)
        else:
            self.transport.close()

    def _close_with(self, status: int, reason: bytes, problem: ProblemError) -> None:
        """Answer, then a lingering close (as nginx does): stop sending, read
        and discard what the client still sends for a moment, then close. A
        plain close with unread input sends a reset that can destroy the
        answer before the client reads it."""
        self._cancel_timers()
        self._discarding = True
        self.transport.write(_raw_problem(status, reason, problem))
        try:
            self.transport.write_eof()
        except (NotImplementedError, OSError, RuntimeError):
            self.transport.close()
            return
        self.loop.call_later(min(LINGER_S, self.limits.header_timeout_s), self._linger_end)

    def _linger_end(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()


def protocol_for(limits: Limits) -> Callable[..., GuardedHttpToolsProtocol]:
    """A protocol class bound to ``limits`` (uvicorn takes a class for ``http``)."""
    return type("BoundGuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,),
                {"limits": limits})
