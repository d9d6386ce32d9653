"""Run the endpoint: uvicorn (uvloop + httptools) on a socket we bind, so
``--port 0`` works and the chosen port is known (tests, ``make demo``)."""

from __future__ import annotations

import os
import signal
import socket
import threading
from typing import Optional

import uvicorn

from .app import CovidMapsApp, create_app
from .config import Config
from .guarded import protocol_for


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: CovidMapsApp) -> uvicorn.Config:
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover - e.g. Windows
        loop = "asyncio"
    # guarded.py: header timeout and size cap, body stall cut-off (uvicorn has none)
    http = protocol_for(app.config.limits)
    return uvicorn.Config(app, loop=loop, http=http, lifespan="on", access_log=False,
                          log_level="warning", server_header=False, date_header=True,
                          timeout_keep_alive=30, timeout_graceful_shutdown=5)


def serve(config: Config, sock: socket.socket, workers: int = 1) -> None:
    """Serve forever on ``sock`` (blocking). With ``workers > 1`` the process
    forks that many children sharing the listening socket (each with its own
    in-memory release cache; they see each other's commits through the
    pointer poll) and waits for them; SIGTERM/SIGINT stop them all."""
    if workers <= 1:
        uvicorn.Server(uvicorn_config(create_app(config))).run(sockets=[sock])
        return
    create_app(config)  # release 0 and the data directory, once, before forking
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the child: serve until told to stop
            try:
                uvicorn.Server(uvicorn_config(create_app(config))).run(sockets=[sock])
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum: int, _frame: object) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        os.waitpid(child, 0)


class ServerThread:
    """The endpoint in a background thread of this process (tests, demos)."""

    def __init__(self, config: Config, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = create_app(config)
        self.sock = bind(host, port)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._server = uvicorn.Server(uvicorn_config(self.app))
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread: Optional[threading.Thread] = None

    def start(self) -> ServerThread:
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self.sock]}, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server thread died while starting")
            self._thread.join(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
