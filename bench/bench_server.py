"""Benchmark of public reads: the embedded server vs nginx, side by side.

Publishes a layer through the real endpoint (``covidmaps-publish serve``, one
uvicorn process), then measures with ``wrk`` on loopback, in one run and
under the same conditions (1 server process / 1 nginx worker, wrk with
2 threads and 32 connections, 5 s per run):

- ``/data/manifest.json`` (the pointer, identity) and
- the risk-points blob with ``Accept-Encoding: br``,

against three servers: the embedded endpoint, plain nginx serving the same
files (root + gzip_static/brotli_static, nothing else) and nginx with our
deploy config (publish/deploy/nginx.conf). Prints requests/s (best of
``--rounds`` interleaved rounds) and the ratios.
Goals: deploy nginx >= 0.9x plain nginx; embedded >= 0.4x plain nginx.

Not run by ``make test``. Usage::

    .venv/bin/python bench/bench_server.py [--seconds 5] [--features 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "publish"))

from covidmaps_publish.tokens import TokenStore  # noqa: E402
from nginx_runner import Nginx, free_port, start_deploy_nginx, worker_user  # noqa: E402
from publish_samples import collection, risk_point  # noqa: E402

from covidmaps_plugin.model import wire  # noqa: E402

PLAIN_NGINX = """\
{load_module}
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    types {{ {geojson_media} geojson; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    access_log off;
    client_body_temp_path {prefix}/tmp;
    proxy_temp_path {prefix}/tmp;
    fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp;
    scgi_temp_path {prefix}/tmp;
    server {{
        listen 127.0.0.1:{port};
        location /data/ {{
            root {data_root};
            gzip_static on;
            brotli_static on;
        }}
    }}
}}
"""


class Embedded:
    """``covidmaps-publish serve`` as a subprocess (one uvicorn process)."""

    def __init__(self, data_dir: Path) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "covidmaps_publish.cli",
                "serve",
                "--data",
                str(data_dir),
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"endpoint did not start: {line!r}")
        self.url = line.strip().rsplit(" ", 1)[-1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        if self.process.stdout:
            self.process.stdout.close()


def publish(url: str, token: str, features: int) -> str:
    """Upload and publish ``features`` risk points; returns the blob href."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    data = collection(
        [
            risk_point(i, lon=105.5 + (i % 80) * 0.01, lat=21.9 + (i // 80) * 0.01)
            for i in range(features)
        ]
    )
    sha = hashlib.sha256(data).hexdigest()
    put = session.put(f"{url}/api/v1/layers/risk_points/blobs/{sha}", data=data, timeout=60,
                      headers={"Content-Type": wire.GEOJSON_MEDIA})
    put.raise_for_status()
    current = requests.get(f"{url}/data/manifest.json", timeout=10).json()["release_id"]
    post = session.post(
        f"{url}/api/v1/releases",
        timeout=60,
        data=json.dumps({"layers": {"risk_points": put.json()["sha256"]}}),
        headers={"If-Match": f'"{current}"', "Content-Type": "application/json"},
    )
    post.raise_for_status()
    manifest = requests.get(f"{url}/data/manifest.json", timeout=10).json()
    return next(e for e in manifest["layers"] if e["id"] == "risk_points")["blob"]["href"]


def start_plain_nginx(prefix: Path, data_dir: Path) -> Nginx:
    prefix.mkdir(parents=True)
    (prefix / "tmp").mkdir()
    port = free_port()
    module = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
    user = worker_user()
    conf = prefix / "nginx.conf"
    conf.write_text(
        PLAIN_NGINX.format(
            load_module=f"load_module {module};" if module.exists() else "",
            geojson_media=wire.GEOJSON_MEDIA,
            user=f"user {user};" if user else "",
            prefix=prefix,
            port=port,
            data_root=(data_dir / "public").resolve(),
        )
    )
    return Nginx(prefix, conf, port)


def wrk(url: str, seconds: int, br: bool) -> float:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    if br:
        cmd += ["-H", "Accept-Encoding: br"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def check_same_bytes(urls: List[str], br: bool) -> int:
    """Every server answers the same bytes (else the comparison is void)."""
    headers = {"Accept-Encoding": "br" if br else "identity"}
    bodies = set()
    for url in urls:
        with requests.get(url, headers=headers, timeout=10, stream=True) as response:
            response.raise_for_status()
            if br:
                assert response.headers.get("Content-Encoding") == "br", url
            bodies.add(response.raw.read(decode_content=False))
    assert len(bodies) == 1, "servers disagree on the bytes"
    return len(bodies.pop())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--features", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds; the best of each is kept (the machine is "
                             "shared: a neighbour's burst should not decide a ratio)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    stopped: List = []
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        base = Path(tmp)
        data_dir = base / "data"
        token = TokenStore(data_dir / "private").create("bench")
        try:
            embedded = Embedded(data_dir)
            stopped.append(embedded)
            href = publish(embedded.url, token, args.features)
            web = base / "web"
            web.mkdir()
            (web / "index.html").write_text("<!doctype html><title>bench</title>")
            plain = start_plain_nginx(base / "plain", data_dir)
            stopped.append(plain)
            deploy = start_deploy_nginx(
                base / "deploy", data_dir, web, f"127.0.0.1:{embedded.port}"
            )
            stopped.append(deploy)
            servers = {
                "embedded (uvicorn, 1 process)": embedded.url,
                "plain nginx (1 worker)": plain.url,
                "deploy nginx (1 worker)": deploy.url,
            }
            targets: Dict[str, Tuple[str, bool]] = {
                "manifest.json": ("/data/manifest.json", False),
                "layer blob, br": (f"/data/{href}", True),
            }
            results: Dict[Tuple[str, str], float] = {}
            for target, (path, br) in targets.items():
                size = check_same_bytes([u + path for u in servers.values()], br)
                print(f"\n{target} ({size} bytes on the wire), wrk -t2 -c32 -d{args.seconds}s,"
                      f" best of {args.rounds}")
                for _ in range(args.rounds):
                    for name, url in servers.items():
                        rps = wrk(url + path, args.seconds, br)
                        results[(target, name)] = max(rps, results.get((target, name), 0.0))
                for name in servers:
                    print(f"  {name:32s} {results[(target, name)]:12,.0f} req/s")
                names = list(servers)
                emb, pln, dep = (results[(target, n)] for n in names)
                print(f"  deploy nginx / plain nginx = {dep / pln:.2f}  (goal >= 0.90)")
                print(f"  embedded / plain nginx     = {emb / pln:.2f}  (goal >= 0.40)")
        finally:
            for server in reversed(stopped):
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
