"""A raw HTTP exchange for the hardening and fuzz tests (bytes a client
library would refuse to send)."""

from __future__ import annotations

import socket
from typing import List


def raw_exchange(port: int, request: bytes, timeout: float = 30.0) -> bytes:
    """Send ``request`` on a new connection; everything the server answers
    until it closes the connection (or ``timeout`` passes: then b"TIMEOUT")."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole request was sent: read the answer
        chunks: List[bytes] = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            return b"TIMEOUT"
        except ConnectionResetError:
            pass
    return b"".join(chunks)
