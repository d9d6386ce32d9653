"""Fixtures of the publish tests: a storage backend (parametrized: "local"
here; the S3 backend's tests add "s3" through ``BACKEND_FACTORIES``), a data
directory with a token, and the real server on 127.0.0.1 (in a thread, or as
a subprocess when a test kills it).

Select backends with COVIDMAPS_STORAGE=local,s3 (default: every registered
backend whose prerequisites are available).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
from covidmaps_publish.config import Config
from covidmaps_publish.server import ServerThread
from covidmaps_publish.storage.base import Storage
from covidmaps_publish.tokens import TokenStore
from publish_client import Api
from s3_fixtures import register as register_s3
from s3_fixtures import s3_storage, seaweedfs  # noqa: F401 - fixtures of the s3 backend


@dataclass
class Backend:
    """How a test reaches one storage backend."""

    name: str
    url: Optional[str]  # passed as --storage / Config.storage_url; None: local in the data dir
    open: Callable[[Path], Storage]  # a Storage for a data directory


def _local(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    from covidmaps_publish.storage.local import LocalStorage

    return Backend("local", None, lambda data_dir: LocalStorage(data_dir, fsync=False))


# name -> factory(request, tmp_path_factory) -> Backend; the S3 tests register "s3".
BACKEND_FACTORIES: Dict[str, Callable[..., Backend]] = {"local": _local}
register_s3(BACKEND_FACTORIES, Backend)  # "s3": a real SeaweedFS (s3_fixtures.py)


def _selected() -> List[str]:
    wanted = os.environ.get("COVIDMAPS_STORAGE", "")
    return [w.strip() for w in wanted.split(",") if w.strip()] or ["local", "s3"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    already = any(m.args and "storage_backend" in str(m.args[0])
                  for m in metafunc.definition.iter_markers("parametrize"))
    if "storage_backend" in metafunc.fixturenames and not already:
        names = [n for n in _selected() if n == "local" or n in BACKEND_FACTORIES
                 or n == "s3"]
        metafunc.parametrize("storage_backend", names, indirect=True)


@pytest.fixture
def storage_backend(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Backend:
    factory = BACKEND_FACTORIES.get(request.param)
    if factory is None:
        pytest.skip(f"storage backend {request.param!r} is not available here")
    return factory(request, tmp_path_factory)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def token(data_dir: Path) -> str:
    return TokenStore(data_dir / "private").create("officer-1")


@pytest.fixture
def server(storage_backend: Backend, data_dir: Path, token: str) -> Iterator[ServerThread]:
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    poll_interval_s=0.05)
    with ServerThread(config) as srv:
        yield srv


@pytest.fixture
def stored_keys(storage_backend: Backend, data_dir: Path) -> Callable[[], List[str]]:
    """Every key in the test's storage, sorted: "nothing stored" is checked
    on the store itself, whatever the backend."""
    def keys() -> List[str]:
        storage = storage_backend.open(data_dir)
        try:
            return sorted(storage.list(""))
        finally:
            storage.close()

    return keys


@pytest.fixture
def api(server: ServerThread, token: str) -> Iterator[Api]:
    client = Api(server.url, token)
    yield client
    client.session.close()


class ServerProcess:
    """``covidmaps-publish serve`` as a subprocess (killable with SIGKILL)."""

    def __init__(self, data_dir: Path, storage_url: Optional[str] = None) -> None:
        self.data_dir = data_dir
        self.storage_url = storage_url
        self.proc: Optional[subprocess.Popen] = None
        self.url = ""

    def start(self) -> ServerProcess:
        cmd = [sys.executable, "-m", "covidmaps_publish.cli", "serve", "--data",
               str(self.data_dir), "--port", "0"]
        if self.storage_url:
            cmd += ["--storage", self.storage_url]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "listening on" not in line:
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r}")
        self.url = line.strip().rsplit(" ", 1)[-1]
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_pipe()

    def _close_pipe(self) -> None:
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipe()


@pytest.fixture
def server_process(storage_backend: Backend, data_dir: Path, token: str
                   ) -> Iterator[Callable[[], ServerProcess]]:
    started: List[ServerProcess] = []

    def start() -> ServerProcess:
        proc = ServerProcess(data_dir, storage_backend.url).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()
