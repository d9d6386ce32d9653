"""A layer upload is spooled to a private file as it arrives (uploads.py):
inflated and hashed on the way, checked from the file, stored byte for
byte; a damaged, short or oversized body is refused with the usual problem
codes, nothing is stored and no spooled file stays behind."""

from __future__ import annotations

import gzip
import os
import socket
import stat
import time
from pathlib import Path
from typing import Iterator, List

import pytest
import requests
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
from covidmaps_publish.uploads import BATCH_BYTES
from publish_client import Api
from publish_samples import collection, risk_point, sha

from covidmaps_plugin.model import load_profile

GEOJSON = {"Content-Type": "application/geo+json"}


def uploads_left(data_dir: Path) -> List[str]:
    directory = data_dir / "private" / "uploads"
    return sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []


def in_pieces(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """The body as many small parts (chunked): the server gets it piece by piece."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def big_layer() -> bytes:
    """Several batches of the spool, and more than gzip shrinks to one part
    (as the plugin sends it: not canonical; ``canonical`` makes it so)."""
    data = collection([risk_point(i, 105.5 + (i % 97) * 0.005, 21.9 + (i // 97) * 0.005,
                                  name=f"Chợ số {i}", address=f"Thôn {i}, xã {i % 13}")
                       for i in range(6000)])
    assert len(data) > 3 * BATCH_BYTES
    return data


def canonical(data: bytes) -> bytes:
    return check_blob("risk_points", data, load_profile("bac_kan_2020"), Limits()).data


@pytest.fixture
def offloading_server(storage_backend, data_dir: Path, token: str) -> Iterator[ServerThread]:
    """Every layer checked in a worker process, as a big one is."""
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    poll_interval_s=0.05,
                    limits=Limits(offload_min_bytes=0, tiles_min_features=10 ** 6))
    with ServerThread(config) as srv:
        yield srv


def test_a_big_gzip_upload_is_spooled_hashed_checked_and_stored(
        offloading_server, storage_backend, data_dir, token, stored_keys):
    sent = big_layer()
    data = canonical(sent)
    api = Api(offloading_server.url, token)

    def put(body: bytes, name: str) -> requests.Response:
        return api.session.put(f"{offloading_server.url}/api/v1/layers/risk_points/blobs/{name}",
                               data=in_pieces(gzip.compress(body)), timeout=120,
                               headers={**GEOJSON, "Content-Encoding": "gzip"})

    resp = put(data, sha(data))
    assert resp.status_code == 201, resp.text
    answer = resp.json()
    assert answer["sha256"] == sha(data) and answer["canonical"] is True
    assert answer["size"] == len(data) and answer["feature_count"] == 6000
    # checked by a worker process that read the spooled file
    assert offloading_server.app.publisher.offload.offloaded >= 1
    # stored byte for byte (the canonical upload is what is served)
    assert api.publish({"risk_points": sha(data)}, api.current_id()).status_code == 201
    served = requests.get(f"{offloading_server.url}/data/blobs/{sha(data)}.geojson",
                          headers={"Accept-Encoding": "identity"}, timeout=30)
    assert served.content == data
    assert f"blobs/{sha(data)}.geojson" in stored_keys()
    # an upload that is not canonical: its canonical form comes back from the check
    resp = put(sent, sha(sent))
    api.session.close()
    assert resp.status_code == 200, resp.text
    assert resp.json()["sha256"] == sha(data) and resp.json()["canonical"] is False
    assert uploads_left(data_dir) == []


def _truncated(data: bytes) -> bytes:
    packed = gzip.compress(data)
    return packed[: len(packed) - 100]


@pytest.mark.parametrize("case,status,code", [
    ("gzip cut short", 400, "bad-content-encoding"),
    ("bytes after the gzip stream", 400, "bad-content-encoding"),
    ("not gzip at all", 400, "bad-content-encoding"),
    ("bytes that hash to another name", 422, "hash-mismatch"),
    ("inflates past the limit", 413, "too-large"),
])
def test_a_damaged_upload_is_refused_and_nothing_stays(api, server, data_dir, stored_keys,
                                                       case, status, code):
    data = big_layer()
    claimed = sha(data)
    body, headers = gzip.compress(data), {**GEOJSON, "Content-Encoding": "gzip"}
    if case == "gzip cut short":
        body = _truncated(data)
    elif case == "bytes after the gzip stream":
        body += b"\x00" * 10
    elif case == "not gzip at all":
        body = data
    elif case == "bytes that hash to another name":
        body, headers, claimed = data, GEOJSON, sha(data + b" ")
    elif case == "inflates past the limit":
        body = gzip.compress(b" " * (21 * 1024 * 1024))  # 20 KB that inflate to 21 MiB
        claimed = sha(b" " * (21 * 1024 * 1024))
    before = stored_keys()
    resp = api.session.put(f"{server.url}/api/v1/layers/risk_points/blobs/{claimed}",
                           data=in_pieces(body), headers=headers, timeout=120)
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.json()["type"].endswith(code)
    assert stored_keys() == before
    assert uploads_left(data_dir) == []


def test_a_body_cut_short_leaves_no_spooled_file(api, server, data_dir, token, stored_keys):
    before = stored_keys()
    body = big_layer()
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (f"PUT /api/v1/layers/risk_points/blobs/{sha(body)} HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        sock.sendall(head.encode() + body[: len(body) // 2])
    # the server notices the disconnect on its next read of the body
    deadline = time.monotonic() + 30
    while uploads_left(data_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uploads_left(data_dir) == []
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
    assert stored_keys() == before


def test_a_spooled_upload_is_private(api, server, data_dir, monkeypatch):
    """Not public before it is checked: 0600 in a 0700 directory."""
    from covidmaps_publish import uploads

    modes = []
    real_finish = uploads._Spool.finish

    def finish(self):
        modes.append((stat.S_IMODE(os.stat(self.path).st_mode),
                      stat.S_IMODE(os.stat(self.path.parent).st_mode)))
        return real_finish(self)

    monkeypatch.setattr(uploads._Spool, "finish", finish)
    data = collection([risk_point(1)])
    assert api.put_layer("risk_points", data).status_code == 201
    assert modes == [(0o600, 0o700)]
    assert uploads_left(data_dir) == []


def test_a_crash_leftover_is_removed_at_start_a_young_file_kept(storage_backend, data_dir,
                                                                 token):
    directory = data_dir / "private" / "uploads"
    directory.mkdir(parents=True, mode=0o700)
    old, young = directory / "upload-old.tmp", directory / "upload-young.tmp"
    old.write_bytes(b"{")
    young.write_bytes(b"{")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False)
    with ServerThread(config):
        assert uploads_left(data_dir) == ["upload-young.tmp"]
