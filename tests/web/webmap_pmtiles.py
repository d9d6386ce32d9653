"""Large tiled layers for the web map tests: a risk-point layer of up to
100,000 points, published through the real endpoint, which builds its
PMTiles archive itself (tippecanoe; docs/release-format.md "Vector tiles").

The endpoint runs in this process (covidmaps_publish.server.ServerThread)
because the per-layer feature limit a national-size layer needs is a
``Limits`` setting, not a command-line option. Its storage is the data
directory (``DATA/public/data``, what nginx serves) or an S3 bucket.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import random
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from webmap_data import (
    FeatureCollection,
    blob_bytes,
    collection,
    sample_layers,
    stable_uid,
    zone_polygon,
)

LARGE = "risk_points"
ZONES = "isolation_zones"
# the province's land, inside the default profile's bbox (Bắc Kạn)
SPREAD = (105.55, 21.88, 106.18, 22.62)
TIMEOUT_S = 600  # a commit waits for the layer's tippecanoe build


def large_layers(points: int = 100_000, seed: int = 13, zones: int = 0
                 ) -> Dict[str, FeatureCollection]:
    """The sample province with ``points`` risk points: the sample's own
    plus copies of them spread over the province (their statuses and
    exposure windows as published), each with its own uid and name."""
    layers = sample_layers()
    originals = layers[LARGE]["features"]
    rng = random.Random(seed)
    features: List[Dict[str, Any]] = list(originals)
    for i in range(points - len(originals)):
        f = copy.deepcopy(originals[i % len(originals)])
        uid = stable_uid(LARGE, i, "large-")
        f["id"] = uid
        props = f["properties"]
        props["uid"] = uid
        props["name"] = f"Điểm {i + 1}"
        lon = round(rng.uniform(SPREAD[0], SPREAD[2]), 6)
        lat = round(rng.uniform(SPREAD[1], SPREAD[3]), 6)
        f["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
        features.append(f)
    layers[LARGE] = collection(features)
    if zones:
        layers[ZONES] = _spread_zones(layers[ZONES]["features"], zones, rng)
    return layers


def _spread_zones(originals: List[Dict[str, Any]], count: int, rng: random.Random
                  ) -> FeatureCollection:
    """``count`` isolation zones: the sample's own plus small squares (a
    hamlet each, 60-600 m a side) spread over the province."""
    features: List[Dict[str, Any]] = list(originals)
    for i in range(count - len(originals)):
        f = copy.deepcopy(originals[i % len(originals)])
        uid = stable_uid(ZONES, i, "large-")
        f["id"] = uid
        f["properties"]["uid"] = uid
        f["properties"]["name"] = f"Vùng {i + 1}"
        lon = rng.uniform(SPREAD[0], SPREAD[2])
        lat = rng.uniform(SPREAD[1], SPREAD[3])
        f["geometry"] = {"type": "MultiPolygon",
                         "coordinates": zone_polygon(lon, lat, rng.uniform(0.0003, 0.003))}
        features.append(f)
    return collection(features)


def _call(method: str, url: str, token: str, body: bytes, ctype: str,
          headers: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    req = urllib.request.Request(url, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": ctype, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - loopback
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {url}: {exc.code} {exc.read()[:2000]!r}") from exc


def publish(base: str, token: str, layers: Dict[str, FeatureCollection],
            reference: Dict[str, FeatureCollection], data_updated_at: str) -> Dict[str, Any]:
    """Upload every blob and commit a release through the write API, as the
    plugin does; returns the new manifest."""
    shas = {}
    for name, fc in {**layers, **reference}.items():
        data = blob_bytes(fc)
        sha = hashlib.sha256(data).hexdigest()
        answer = _call("PUT", f"{base}/api/v1/layers/{name}/blobs/{sha}", token, data,
                       "application/geo+json")
        shas[name] = answer["sha256"]  # what the server stored (it may rewrite the bytes)
    with urllib.request.urlopen(f"{base}/data/manifest.json", timeout=30) as resp:  # noqa: S310
        current = json.loads(resp.read())["release_id"]
    body = {"layers": {n: shas[n] for n in layers},
            "reference": {n: shas[n] for n in reference},
            "message": "large layer", "data_updated_at": data_updated_at}
    summary = _call("POST", f"{base}/api/v1/releases", token, json.dumps(body).encode(),
                    "application/json", {"If-Match": f'"{current}"'})
    with urllib.request.urlopen(f"{base}{summary['href']}", timeout=30) as resp:  # noqa: S310
        return json.loads(resp.read())


@contextlib.contextmanager
def tiled_endpoint(data_dir: Path, web_dir: Path, storage_url: Optional[str] = None
                   ) -> Iterator[Dict[str, Any]]:
    """The real endpoint on 127.0.0.1 with room for national-size layers:
    {"base": URL, "token": a publishing token, "data_dir": data_dir}."""
    from covidmaps_publish.config import Config, Limits
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore

    limits = Limits(max_blob_bytes=512 * 1024 * 1024, max_features=1_000_000,
                    max_vertices_total=10_000_000)
    config = Config(data_dir=data_dir, storage_url=storage_url, web_dir=web_dir, fsync=False,
                    poll_interval_s=0.05, limits=limits)
    data_dir.mkdir(parents=True, exist_ok=True)
    token = TokenStore(config.state_dir).create("web-large")
    server = ServerThread(config).start()
    try:
        yield {"base": server.url, "token": token, "data_dir": data_dir}
    finally:
        server.stop()
