"""A real HTTP server on 127.0.0.1 that answers from a script: the failure
modes the real endpoint cannot be made to produce on demand (5xx, 429,
a slow answer, a 403 from a front proxy...). It records every request."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    @classmethod
    def problem(cls, status: int, detail: str, **extra) -> Reply:
        body = json.dumps({"type": "about:blank", "title": detail, "status": status,
                           "detail": detail, **extra}).encode()
        return cls(status, body, {"Content-Type": "application/problem+json"})

    @classmethod
    def json(cls, status: int, payload: object, **headers: str) -> Reply:
        return cls(status, json.dumps(payload).encode(),
                   {"Content-Type": "application/json", **headers})


class ScriptedServer:
    """``script[(method, path)]`` is a list of replies used in order (the
    last one repeats); unknown routes get 404."""

    def __init__(self) -> None:
        self.script: Dict[Tuple[str, str], List[Reply]] = {}
        self.requests: List[Tuple[str, str, Dict[str, str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?")[0]
                outer.requests.append((self.command, path, dict(self.headers)))
                replies = outer.script.get((self.command, path))
                reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else (
                    Reply.problem(404, "not scripted"))
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_HEAD = do_PUT = do_POST = _answer  # noqa: N815

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread: Optional[threading.Thread] = None

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.script[(method, path)] = list(replies)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and p == path)

    def __enter__(self) -> ScriptedServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
