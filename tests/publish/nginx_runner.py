"""Start a real nginx with the deploy config (publish/deploy/render_nginx.py)
on a free loopback port; used by the nginx tests and bench/bench_server.py."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "publish" / "deploy" / "render_nginx.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_user() -> str:
    """Workers run as the current user: as root, nginx would otherwise drop
    to ``nobody``, which cannot read private temp directories."""
    return getpass.getuser() if os.geteuid() == 0 else ""


class Nginx:
    """One nginx master in the foreground; ``stop()`` ends it by pid."""

    def __init__(self, prefix: Path, conf: Path, port: int) -> None:
        self.prefix = prefix
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(  # noqa: S603
            [nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if \
                    self.process.stderr else ""
                raise RuntimeError(f"nginx exited: {err}\n{self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not start:\n{self.error_log()}")

    def error_log(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process.stderr:
            self.process.stderr.close()


def get_encoded(url: str, encoding: str) -> Tuple[bytes, Dict[str, str]]:
    """The body of ``url`` as sent with ``Accept-Encoding: encoding`` (not
    decoded) and the response headers."""
    import requests

    with requests.get(url, headers={"Accept-Encoding": encoding}, timeout=10,
                      stream=True) as response:
        return response.raw.read(decode_content=False), dict(response.headers)


def start_deploy_nginx(prefix: Path, data_dir: Path, web_dir: Path, upstream: str,
                       workers: str = "1", extra: Optional[List[str]] = None) -> Nginx:
    """Render the deploy templates into ``prefix`` and start nginx."""
    port = free_port()
    cmd = [sys.executable, str(RENDER), "--data-dir", str(data_dir), "--web-dir", str(web_dir),
           "--upstream", upstream, "--listen", f"127.0.0.1:{port}",
           "--standalone", str(prefix), "--workers", workers, *(extra or [])]
    user = worker_user()
    if user:
        cmd += ["--user", user]
    subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603
    return Nginx(prefix, prefix / "nginx.conf", port)
