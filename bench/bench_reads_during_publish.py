"""Public reads while a big layer is published (prints figures; not a test).

    .venv/bin/python bench/bench_reads_during_publish.py [--points 100000]

The embedded endpoint runs in its own process (as in production, apart
from QGIS); this process uploads N risk points and commits them while a
separate poller process fetches /data/manifest.json in a loop (one
keep-alive connection, 5 ms apart). Printed: the publish's stages as the client sees them (upload
with the server's checks and compression, commit with the wait for the
PMTiles archive), and the manifest latency percentiles per phase, idle
first as the reference (goal: p99 <= 50 ms during the publish).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess  # nosec B404 - starts this interpreter on fixed scripts
import sys
import tempfile
import time
from pathlib import Path
from typing import List

import requests

from covidmaps_plugin.model import wire

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "publish"))

SERVER = """
import sys
from pathlib import Path
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
limits = Limits(max_blob_bytes=1 << 30, max_features=10 ** 7, max_vertices_total=10 ** 9)
with ServerThread(Config(data_dir=Path(sys.argv[1]), fsync=False, limits=limits)) as srv:
    print(srv.url, flush=True)
    sys.stdin.read()
"""

POLLER = """
import http.client, os, sys, time, urllib.parse
url, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
rows = []
while not os.path.exists(stop):
    t = time.perf_counter()
    conn.request("GET", u.path, headers={"Accept-Encoding": "br"})
    conn.getresponse().read()
    rows.append((time.time(), time.perf_counter() - t))
    time.sleep(0.005)
open(out, "w").write("\\n".join(f"{a} {b}" for a, b in rows))
"""


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    from covidmaps_publish.tokens import TokenStore
    from pmtiles_samples import scattered_points
    from publish_samples import collection

    work = Path(tempfile.mkdtemp(prefix="bench_reads_"))
    token = TokenStore(work / "data" / "private").create("bench")
    body = collection(scattered_points(args.points))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(work / "data")],  # noqa: S603
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip() if server.stdout else ""
    stop, out = work / "stop", work / "latencies"
    poller = subprocess.Popen([sys.executable, "-c", POLLER,  # noqa: S603  # nosec B603
                               f"{url}/data/manifest.json", str(stop), str(out)])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    marks = {}
    try:
        time.sleep(3)
        marks["idle"] = time.time()
        sha = hashlib.sha256(body).hexdigest()
        put = session.put(f"{url}/api/v1/layers/risk_points/blobs/{sha}", data=body,
                          headers={"Content-Type": wire.GEOJSON_MEDIA}, timeout=600)
        assert put.status_code in (200, 201), put.text[:300]
        marks["upload"] = time.time()
        current = requests.get(f"{url}/data/manifest.json", timeout=30).json()["release_id"]
        commit = session.post(f"{url}/api/v1/releases", data=json.dumps(
            {"layers": {"risk_points": put.json()["sha256"]}, "message": "bench"}),
            headers={"Content-Type": "application/json", "If-Match": f'"{current}"'},
            timeout=600)
        assert commit.status_code == 201, commit.text[:300]
        marks["commit"] = time.time()
        time.sleep(2)
        marks["after"] = time.time()
    finally:
        stop.write_text("")
        poller.wait(60)
        if server.stdin:
            server.stdin.close()
        server.wait(60)
        session.close()
    rows = [tuple(map(float, line.split())) for line in out.read_text().splitlines()]
    manifest = json.loads((work / "data" / "public" / "data" / "manifest.json").read_text())
    tiles = next(e for e in manifest["layers"] if e["id"] == "risk_points")["tiles"]
    print(f"{args.points} risk points, {len(body)} B; upload + server checks: "
          f"{marks['upload'] - marks['idle']:.2f} s; commit (waits for the PMTiles archive, "
          f"{tiles and tiles['size']} B): {marks['commit'] - marks['upload']:.2f} s")
    start = rows[0][0] if rows else 0.0
    phases = [("idle (reference)", start, marks["idle"]),
              ("during upload + checks", marks["idle"], marks["upload"]),
              ("during commit + tile build", marks["upload"], marks["commit"]),
              ("during the whole publish", marks["idle"], marks["commit"])]
    for label, begin, end in phases:
        lat = [b for a, b in rows if begin <= a < end]
        print(f"/data/manifest.json {label:<28} {len(lat):5d} requests: p50 "
              f"{1000 * percentile(lat, 0.5):6.1f} ms, p99 {1000 * percentile(lat, 0.99):6.1f}"
              f" ms, max {1000 * max(lat or [float('nan')]):6.1f} ms")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine inflates every figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
