"""What the endpoint holds of a big layer (the national size: 1M points,
about 1 GB of GeoJSON): one copy in the server process, shared by the
commit and the release that serves it; a worker gets its bytes as a
private file, not through the pool's pipe; the memo of checks keeps ids
and hashes, never the bytes, and is bounded by features.

Nothing here measures memory: the tests assert who holds which object."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest
from covidmaps_publish import offload as offload_module
from covidmaps_publish import publisher as publisher_module
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.offload import Offload
from covidmaps_publish.server import ServerThread
from pmtiles_samples import scattered_points
from publish_client import Api
from publish_samples import collection

# every blob is "big": checked in a worker, stored in the background
OFFLOADED = Limits(tiles_min_features=10 ** 6, tiles_min_bytes=10 ** 9, offload_min_bytes=0)


def test_a_big_argument_crosses_to_the_worker_as_a_private_file(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    data = bytes(range(256)) * (offload_module.SPILL_MIN_BYTES // 256 + 1)
    spilled = offload_module._spill(("risk_points", data, 3), spool)
    assert spilled[0] == "risk_points" and spilled[2] == 3  # small ones as they are
    path = Path(spilled[1].path)
    assert path.parent == spool and path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.stat().st_mode) == 0o700
    assert offload_module._unspill(spilled) == ("risk_points", data, 3)
    offload_module._remove_spilled(spilled)
    assert not path.exists()

    pool = Offload(0, workers=1, spool_dir=spool)
    try:
        assert pool.call(len(data), len, data) == len(data)  # a real worker process
        # a big result comes back the same way (a layer's CSV)
        assert pool.call(len(data), bytes, data) == data
        assert pool.offloaded == 2
    finally:
        pool.close()  # waits for the pool's callbacks: the file is gone then
    assert list(spool.iterdir()) == []


def test_the_commit_and_the_release_use_the_stored_bytes_without_a_copy(
        storage_backend, data_dir: Path, token: str) -> None:
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    poll_interval_s=0.05, limits=OFFLOADED)
    with ServerThread(config) as srv:
        publisher = srv.app.publisher
        api = Api(srv.url, token)
        put = api.put_layer("risk_points", collection(scattered_points(200)))
        assert put.status_code == 201, put.text
        sha = put.json()["sha256"]
        assert publisher.blob_exists(sha)  # waits for the background store
        kept = publisher.reader._pending[sha].identity.body
        answer = api.publish({"risk_points": sha}, api.current_id())
        assert answer.status_code == 201, answer.text
        # the release serves the very bytes the upload brought
        assert publisher.reader.cached_blob(sha).identity.body is kept
        assert sha not in publisher.reader._pending  # pinned by the release now
        # the memo of checks holds no layer bytes, only what describes them
        assert publisher._checked and all(c.data == b"" for c in publisher._checked.values())
        again = publisher._stored_checked("risk_points", sha)
        assert again.data is kept and again.feature_count == 200
        api.session.close()


def test_the_memo_of_checks_is_bounded_by_features(storage_backend, data_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publisher_module, "CHECKED_FEATURES_KEPT", 500)
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False)
    with ServerThread(config) as srv:
        publisher = srv.app.publisher
        blob = publisher._check("risk_points", collection(scattered_points(200)))
        for n in range(4):  # four versions of 200 features: two fit
            publisher._remember_checked(("risk_points", f"{n}" * 64),
                                        replace(blob, sha256=f"{n}" * 64))
        kept = {c.sha256 for c in publisher._checked.values()}
        assert kept == {"2" * 64, "3" * 64}
        assert publisher._checked_features == 400
