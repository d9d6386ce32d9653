"""Every write route x {no token, wrong, revoked, token in the URL}: no write
accepted, checked on the store and in the audit log, not only the status."""

from __future__ import annotations

import json

import pytest
import requests
from covidmaps_publish.audit import AuditLog
from covidmaps_publish.tokens import TokenStore
from publish_samples import collection, risk_point, sha

LAYER = collection([risk_point(1)])


def _routes(url: str, current: str):
    return [
        ("PUT", f"{url}/api/v1/layers/risk_points/blobs/{sha(LAYER)}", LAYER, {}),
        ("POST", f"{url}/api/v1/releases", json.dumps({"layers": {}}).encode(),
         {"If-Match": f'"{current}"'}),
        ("POST", f"{url}/api/v1/rollback", json.dumps({"release_id": current}).encode(),
         {"If-Match": f'"{current}"'}),
    ]


@pytest.mark.parametrize("mode", ["none", "wrong", "revoked", "query", "query+header",
                                  "basic"])
def test_no_write_without_a_valid_bearer_token(server, data_dir, token, mode, stored_keys):
    store = TokenStore(data_dir / "private")
    revoked = store.create("former-officer")
    store.revoke("former-officer")
    current = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()["release_id"]
    files_before = stored_keys()
    for method, url, body, headers in _routes(server.url, current):
        headers = dict(headers)
        if mode == "wrong":
            headers["Authorization"] = "Bearer cmp_" + "x" * 43
        elif mode == "revoked":
            headers["Authorization"] = f"Bearer {revoked}"
        elif mode == "basic":
            headers["Authorization"] = f"Basic {token}"
        elif mode.startswith("query"):
            url += f"?access_token={token}"
            if mode == "query+header":
                headers["Authorization"] = f"Bearer {token}"
        resp = requests.request(method, url, data=body, headers=headers, timeout=10)
        assert resp.status_code in (400, 401), (mode, url, resp.status_code, resp.text)
        if resp.status_code == 401:
            assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored_keys() == files_before
    now = requests.get(f"{server.url}/data/manifest.json", timeout=10).json()["release_id"]
    assert now == current
    entries = list(AuditLog(data_dir / "private").entries())
    assert len(entries) == 3
    assert all(e["outcome"] == "rejected" for e in entries)
    assert all(e["actor"] == "anonymous" for e in entries)
    log_text = (data_dir / "private" / "audit.log").read_text()
    assert token not in log_text and revoked not in log_text


def test_accepted_writes_are_audited_without_the_token(api, data_dir, token):
    resp = api.publish_layer("risk_points", LAYER)
    assert resp.status_code == 201
    entries = list(AuditLog(data_dir / "private").entries())
    accepted = [e for e in entries if e["outcome"] == "accepted"]
    assert [e["method"] for e in accepted] == ["PUT", "POST"]
    assert accepted[-1]["release_id"] == resp.json()["release_id"]
    assert all(e["actor"] == "officer-1" and e["client"] == "127.0.0.1" for e in accepted)
    assert token not in (data_dir / "private" / "audit.log").read_text()
    assert token not in (data_dir / "private" / "tokens.json").read_text()
    who = api.session.get(api.base + "/api/v1/whoami", timeout=10)
    assert who.json() == {"name": "officer-1"}
