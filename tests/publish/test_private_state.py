"""The private state is bounded and private whatever starts the endpoint:
the audit log cannot be grown without limit by anonymous writes, and
DIR/private is 0700 with 0600 files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import requests
from covidmaps_publish.audit import ANON_FULL_PER_MINUTE, AuditLog
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
from covidmaps_publish.tokens import TokenStore
from publish_samples import collection, risk_point, sha

FLOOD = 300


def _lines(log: AuditLog) -> int:
    return sum(p.read_bytes().count(b"\n") for p in log.files())


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_a_flood_of_anonymous_writes_cannot_grow_the_audit_log(server, data_dir, api):
    log = server.app.publisher.audit
    body = collection([risk_point(1)])
    url = f"{server.url}/api/v1/layers/risk_points/blobs/{sha(body)}"
    before = log.path.stat().st_size if log.path.exists() else 0
    with requests.Session() as anonymous:
        for i in range(FLOOD):
            headers = {"Content-Type": "application/geo+json"}
            if i % 3 == 0:
                headers["Authorization"] = "Bearer cmp_not-a-token"
            resp = anonymous.put(url, data=body, headers=headers, timeout=10)
            assert resp.status_code == 401
    grown = log.path.stat().st_size - before
    # the first few of each minute in full (a minute may turn during the flood)
    written = [e for e in log.entries() if e["actor"] == "anonymous"]
    assert len(written) <= 2 * ANON_FULL_PER_MINUTE
    assert grown <= 2 * ANON_FULL_PER_MINUTE * 1024
    # the rest is counted, not lost: one summary line per client and minute
    log.flush(everything=True)
    entries = [e for e in log.entries() if e["actor"] == "anonymous"]
    assert len(entries) <= 2 * ANON_FULL_PER_MINUTE + 2
    assert sum(e.get("coalesced", 1) for e in entries) == FLOOD
    # an officer's write is still written in full, at once
    assert api.put_layer("risk_points", body).status_code == 201
    assert [e for e in log.entries() if e["actor"] == "officer-1"]


def test_the_audit_log_rotates_and_stays_bounded(tmp_path):
    log = AuditLog(tmp_path / "private", fsync=False, max_bytes=4096, keep=2)
    for i in range(2000):
        log.record(actor="officer-1", method="PUT", route=f"/api/v1/x/{i}", status=201,
                   outcome="accepted", client="127.0.0.1", reason="x" * 100)
    files = log.files()
    assert [p.name for p in files] == ["audit.log.2", "audit.log.1", "audit.log"]
    assert sum(p.stat().st_size for p in files) <= 3 * 4096
    routes = [e["route"] for e in log.entries()]
    assert routes[-1] == "/api/v1/x/1999"  # the newest entries are kept, in order
    assert routes == sorted(routes, key=lambda r: int(r.rsplit("/", 1)[1]))


def test_many_clients_share_one_summary_beyond_the_tracking_limit(tmp_path, monkeypatch):
    import covidmaps_publish.audit as audit

    monkeypatch.setattr(audit, "ANON_MAX_CLIENTS", 5)
    log = AuditLog(tmp_path / "private", fsync=False)
    for client in range(50):
        for _ in range(ANON_FULL_PER_MINUTE + 3):
            log.record(actor=None, method="PUT", route="/api/v1/x", status=401,
                       outcome="rejected", client=f"10.0.0.{client}", reason="unauthorized")
    log.flush(everything=True)
    entries = list(log.entries())
    assert len(entries) <= 6 * (ANON_FULL_PER_MINUTE + 1)
    assert sum(e.get("coalesced", 1) for e in entries) == 50 * (ANON_FULL_PER_MINUTE + 3)


def _modes(root: Path) -> dict:
    out = {}
    for base, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(base) / name
            out[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    out["."] = stat.S_IMODE(root.stat().st_mode)
    return out


def test_private_state_is_0700_and_0600_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        TokenStore(data / "private").create("officer-1")
        # a one-feature layer counts as large here: the tile cache and
        # tippecanoe's work directory are private state too
        with ServerThread(Config(data_dir=data, fsync=False,
                                 limits=Limits(tiles_min_features=1))) as srv:
            token = TokenStore(data / "private").create("officer-2")
            body = collection([risk_point(1)])
            put = requests.put(f"{srv.url}/api/v1/layers/risk_points/blobs/{sha(body)}",
                               data=body, timeout=10, headers={
                                   "Authorization": f"Bearer {token}",
                                   "Content-Type": "application/geo+json"})
            assert put.status_code == 201
            current = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
            commit = requests.post(f"{srv.url}/api/v1/releases", timeout=10, json={
                "layers": {"risk_points": put.json()["sha256"]}}, headers={
                "Authorization": f"Bearer {token}", "If-Match": f'"{current["release_id"]}"',
                "Idempotency-Key": "k-1"})
            assert commit.status_code == 201, commit.text
    finally:
        os.umask(old)
    modes = _modes(data / "private")
    assert "idempotency" in modes and "audit.log" in modes and "tokens.json" in modes
    assert "tiles-cache" in modes and "tiles-work" in modes
    for name, mode in modes.items():
        path = data / "private" / name
        expected = 0o700 if path.is_dir() else 0o600
        assert mode == expected, (name, oct(mode))


def test_wider_modes_left_by_others_are_tightened_at_start(tmp_path):
    data = tmp_path / "data"
    private = data / "private"
    (private / "idempotency").mkdir(parents=True)
    (private / "tokens.json").write_text('{"tokens": []}')
    (private / "idempotency" / "old.json").write_text("{}")
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (private / "link").symlink_to(outside)
    for path in (private, private / "idempotency"):
        os.chmod(path, 0o755)
    for path in (private / "tokens.json", private / "idempotency" / "old.json"):
        os.chmod(path, 0o644)
    with ServerThread(Config(data_dir=data, fsync=False)):
        pass
    modes = _modes(private)
    assert modes["."] == 0o700 and modes["idempotency"] == 0o700
    assert modes["tokens.json"] == 0o600 and modes["idempotency/old.json"] == 0o600
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a link's target is not ours
