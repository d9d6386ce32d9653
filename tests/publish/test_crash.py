"""SIGKILL the server at random moments of a publish; the last committed
release stays intact and the next publish works."""

from __future__ import annotations

import hashlib
import random
import threading

import requests
from covidmaps_publish.verify import verify
from publish_client import Api
from publish_samples import collection, risk_point, zone

KILLS = 30


def _committed_ok(url: str) -> str:
    manifest_bytes = requests.get(f"{url}/data/manifest.json", timeout=10).content
    manifest = requests.get(f"{url}/data/manifest.json", timeout=10).json()
    release = requests.get(f"{url}/data/releases/{manifest['release_id']}.json", timeout=10)
    assert release.content == manifest_bytes
    for entry in manifest["layers"]:
        blob = requests.get(f"{url}/data/{entry['blob']['href']}", timeout=10).content
        assert hashlib.sha256(blob).hexdigest() == entry["blob"]["sha256"]
    return manifest["release_id"]


def test_sigkill_mid_publish(server_process, token, storage_backend, data_dir):
    rng = random.Random(4)  # noqa: S311 - reproducible kill points, not crypto
    proc = server_process()
    committed = [_committed_ok(proc.url)]
    for n in range(KILLS):
        api = Api(proc.url, token)
        # a zone layer big enough that checking and compressing take a moment
        layer = collection([zone(i + n, name=f"Vùng {n}-{i}") for i in range(40)])
        points = collection([risk_point(n)])
        done = threading.Event()

        def publish(api: Api = api, layer: bytes = layer, points: bytes = points,
                    done: threading.Event = done) -> None:
            try:
                a = api.put_layer("isolation_zones", layer)
                b = api.put_layer("risk_points", points)
                api.publish({"isolation_zones": a.json()["sha256"],
                             "risk_points": b.json()["sha256"]}, api.current_id())
            except (requests.RequestException, ValueError, KeyError):
                pass  # the server died under us: expected
            finally:
                done.set()

        worker = threading.Thread(target=publish)
        worker.start()
        done.wait(rng.uniform(0.0, 0.25))
        proc.kill()
        worker.join()
        api.session.close()
        proc = server_process()
        current = _committed_ok(proc.url)
        assert current >= committed[-1]  # never goes back to an older release
        committed.append(current)
        public = data_dir / "public" / "data"
        if public.exists():
            names = {p.name for p in public.rglob("*") if p.is_file()}
            assert not [x for x in names if "tmp" in x], names
    # after all that: the store verifies and the next publish succeeds
    final = Api(proc.url, token).publish_layer("risk_points", collection([risk_point(999)]))
    assert final.status_code == 201, final.text
    report = verify(storage_backend.open(data_dir))
    assert report["damaged"] == [] and report["missing"] == []
