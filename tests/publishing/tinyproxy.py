"""A real HTTP proxy on 127.0.0.1: Debian's tinyproxy, started per test."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

TINYPROXY = "/usr/bin/tinyproxy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Tinyproxy:
    """``allow``: the client address it serves (anything else gets its 403 page)."""

    def __init__(self, directory: Path, allow: str = "127.0.0.1") -> None:
        self.port = free_port()
        self.log = directory / "tinyproxy.log"
        conf = directory / "tinyproxy.conf"
        conf.write_text(
            f"Port {self.port}\nListen 127.0.0.1\nTimeout 30\nAllow {allow}\n"
            f'LogFile "{self.log}"\nLogLevel Info\nMaxClients 20\n'
            f'PidFile "{directory / "tinyproxy.pid"}"\n', encoding="utf-8")
        self.process = subprocess.Popen([TINYPROXY, "-d", "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read()
                    raise RuntimeError(f"tinyproxy did not start: {error}") from None
                time.sleep(0.05)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
