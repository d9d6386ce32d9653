"""Publishing releases through the real endpoint (helper C1's
``covidmaps-publish``): a token from the CLI, blobs uploaded with PUT,
releases committed with POST and If-Match, the web map served with
``--web-dir``."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from webmap_data import FeatureCollection, blob_bytes

CLI = [sys.executable, "-m", "covidmaps_publish.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(
    method: str,
    url: str,
    token: str,
    body: Optional[bytes] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Dict[str, Any]:
    req = urllib.request.Request(
        url,
        data=body,
        method=method,
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {url}: {exc.code} {exc.read()[:2000]!r}") from exc


class Endpoint:
    """A running ``covidmaps-publish serve`` with a publishing token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def current_id(self) -> str:
        with urllib.request.urlopen(f"{self.base}/data/manifest.json", timeout=30) as resp:  # noqa: S310
            return json.loads(resp.read())["release_id"]

    def upload(self, layer: str, fc: FeatureCollection) -> str:
        import hashlib

        data = blob_bytes(fc)
        sha = hashlib.sha256(data).hexdigest()
        answer = _request(
            "PUT",
            f"{self.base}/api/v1/layers/{layer}/blobs/{sha}",
            self.token,
            data,
            {"Content-Type": "application/geo+json"},
        )
        return answer["sha256"]

    def publish(
        self,
        layers: Dict[str, FeatureCollection],
        reference: Dict[str, FeatureCollection],
        data_updated_at: str,
        message: str = "test",
        notice: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "layers": {name: self.upload(name, fc) for name, fc in layers.items()},
            "reference": {name: self.upload(name, fc) for name, fc in reference.items()},
            "message": message,
            "data_updated_at": data_updated_at,
        }
        if notice is not None:
            body["notice"] = notice
        summary = _request(
            "POST",
            f"{self.base}/api/v1/releases",
            self.token,
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "If-Match": f'"{self.current_id()}"'},
        )
        with urllib.request.urlopen(f"{self.base}{summary['href']}", timeout=30) as resp:  # noqa: S310
            return json.loads(resp.read())


@contextlib.contextmanager
def endpoint(data_dir: Path, web_dir: Path, *extra_args: str) -> Iterator[Endpoint]:
    env = dict(os.environ)
    token = subprocess.run(
        [*CLI, "token", "create", "web-tests", "--data", str(data_dir)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.split()[0]
    port = _free_port()
    # the server's output goes to a file: a pipe nobody reads could fill up and stall it
    log_path = data_dir.parent / f"{data_dir.name}-serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--data",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--web-dir",
            str(web_dir),
            *extra_args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = log_path.read_text(encoding="utf-8", errors="replace")
                    raise RuntimeError(
                        f"covidmaps-publish serve did not start: {out[-2000:]}"
                    ) from None
                time.sleep(0.1)
        yield Endpoint(base, token)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
