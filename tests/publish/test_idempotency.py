"""Retries with the same Idempotency-Key give one release; If-Match rules."""

from __future__ import annotations

import json
import socket
import uuid
from dataclasses import replace
from typing import Optional

import requests
from publish_samples import collection, risk_point


def test_replayed_key_gives_the_same_release(api, server):
    put = api.put_layer("risk_points", collection([risk_point(1)]))
    base = api.current_id()
    key = str(uuid.uuid4())
    first = api.publish({"risk_points": put.json()["sha256"]}, base, key=key)
    assert first.status_code == 201
    # the client timed out and retries: same key, same body, same (now stale) If-Match
    again = api.publish({"risk_points": put.json()["sha256"]}, base, key=key)
    assert again.status_code == 201, again.text
    assert again.json()["release_id"] == first.json()["release_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    history = api.session.get(f"{server.url}/api/v1/releases").json()["releases"]
    assert [h["release_id"] for h in history] == [first.json()["release_id"], base]
    # the same key with another body is refused, a new key against a stale base is 412
    other = api.publish({"risk_points": put.json()["sha256"]}, base, key=key, message="other")
    assert other.status_code == 422
    stale = api.publish({"risk_points": put.json()["sha256"]}, base, key=str(uuid.uuid4()))
    assert stale.status_code == 412
    assert stale.json()["current_release_id"] == first.json()["release_id"]


def test_if_match_is_required(api, server):
    put = api.put_layer("risk_points", collection([risk_point(1)]))
    resp = api.publish({"risk_points": put.json()["sha256"]}, None)
    assert resp.status_code == 428
    assert "If-Match" in resp.json()["detail"]


def _send_and_hang_up(url: str, request: bytes) -> None:
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)


def _post(path: str, body: bytes, token: str, if_match: str, key: str,
          length: Optional[int] = None) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nIf-Match: \"{if_match}\"\r\n"
            f"Idempotency-Key: {key}\r\nContent-Length: {length or len(body)}\r\n\r\n"
            ).encode() + body


def test_retry_after_client_timeout_gives_one_release(api, server, token):
    put = api.put_layer("risk_points", collection([risk_point(7)]))
    base = api.current_id()
    key = str(uuid.uuid4())
    body = json.dumps({"layers": {"risk_points": put.json()["sha256"]}, "message": "m"}).encode()
    # the client sends the whole request and gives up without reading the answer
    _send_and_hang_up(server.url, _post("/api/v1/releases", body, token, base, key))
    retry = api.session.post(f"{server.url}/api/v1/releases", data=body, timeout=30, headers={
        "If-Match": f'"{base}"', "Idempotency-Key": key, "Content-Type": "application/json"})
    assert retry.status_code == 201, retry.text
    history = api.session.get(f"{server.url}/api/v1/releases").json()["releases"]
    assert [h["release_id"] for h in history] == [retry.json()["release_id"], base]


def test_publish_cut_mid_body_commits_nothing(api, server, token, stored_keys):
    put = api.put_layer("risk_points", collection([risk_point(8)]))
    base = api.current_id()
    body = json.dumps({"layers": {"risk_points": put.json()["sha256"]}}).encode()
    request = _post("/api/v1/releases", body, token, base, str(uuid.uuid4()))
    _send_and_hang_up(server.url, request[: len(request) - len(body) // 2])
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    assert api.current_id() == base
    releases = [k for k in stored_keys() if k.startswith("releases/") and k.endswith(".json")]
    assert len(releases) == 1  # release 0 (beside it its signature, .json.sig)


def test_stalled_upload_times_out_and_stores_nothing(api, server, token, stored_keys,
                                                     monkeypatch):
    limits = replace(server.app.api.config.limits, body_timeout_s=0.5)
    monkeypatch.setattr(server.app.api, "config", replace(server.app.api.config, limits=limits))
    before = stored_keys()
    body = collection([risk_point(9)])
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall((f"PUT /api/v1/layers/risk_points/blobs/{'a' * 64} HTTP/1.1\r\nHost: x\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n"
                      ).encode() + body[:10])
        answer = sock.recv(4096)  # the client keeps the socket open and sends nothing more
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert stored_keys() == before
