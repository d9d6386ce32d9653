"""Every way a push can fail gives its own typed, bilingual error and leaves
the public map as it was; retries reuse one Idempotency-Key."""

from __future__ import annotations

import base64
import json
import os
import socket

import pytest
from covidmaps_publish.config import Limits

from covidmaps_plugin.core.publishing.client import PublishClient, RetryPolicy
from covidmaps_plugin.core.publishing.errors import (
    EndpointTimeoutError,
    EndpointUnreachableError,
    InvalidEndpointError,
    NotAllowedError,
    NotAuthenticatedError,
    PublishCancelledError,
    RejectedError,
    ServerError,
    StaleReleaseError,
    TooLargeError,
)
from covidmaps_plugin.core.publishing.network import NetworkSettings
from covidmaps_plugin.model import geojson as cgj

from .scripted_server import Reply, ScriptedServer

FAST = RetryPolicy(attempts=3, backoff_s=0.01)


@pytest.fixture(autouse=True)
def close_clients(monkeypatch):
    """Close every client a test made (no sockets left for the next test)."""
    made = []
    original = PublishClient.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(PublishClient, "__init__", init)
    yield
    for client in made:
        client.close()
SHA = "a" * 64
COMMIT = "/api/v1/releases"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def both_languages(error) -> str:
    vi, en = error.message("vi"), error.message("en")
    assert vi and en and vi != en
    return vi + " | " + en


def test_server_down_is_retried_then_reported():
    url = f"http://127.0.0.1:{closed_port()}/"
    client = PublishClient(url, {}, retry=FAST)
    with pytest.raises(EndpointUnreachableError) as caught:
        client.current_manifest()
    assert len(client.log) == FAST.attempts
    text = both_languages(caught.value)
    assert "Không kết nối được" in text and url in text and "did not change" in text


def test_timeout_uses_the_configured_network_timeout():
    with ScriptedServer() as server:
        server.on("GET", "/data/manifest.json", Reply(200, b"{}", delay_s=1.5))
        client = PublishClient(server.url, {}, NetworkSettings(timeout_s=0.3),
                               RetryPolicy(attempts=1))
        with pytest.raises(EndpointTimeoutError) as caught:
            client.current_manifest()
    assert "0.3" in caught.value.message("en") and "không trả lời" in caught.value.message("vi")


def test_upload_timeout_grows_with_the_layer_the_server_checks():
    net = NetworkSettings(timeout_s=20)
    connect, read = net.upload_timeout(0)
    assert (connect, read) == (20, 20)
    # the answer to a big upload waits while the server checks it, one second a MiB
    assert net.upload_timeout(1024 ** 3) == (20, 20 + 1024)
    assert net.upload_timeout(3 * 1024 * 1024)[1] > net.upload_timeout(1024 * 1024)[1]


def test_a_big_upload_waits_for_the_server_past_the_network_timeout():
    """The class of the national publish's failure: the endpoint answers an
    upload once it has checked the layer, which takes longer than QGIS's
    network timeout for a big one. The answer is waited for (by the layer's
    size); a GET as slow still times out, and so does an upload the server
    never answers within its size's allowance."""
    layer = json.dumps({"pad": base64.b64encode(os.urandom(3 * 1024 * 1024)).decode()}
                       ).encode()  # ~4 MiB that gzip cannot shrink: sent as is
    path = f"/api/v1/layers/risk_points/blobs/{SHA}"
    with ScriptedServer() as server:
        server.on("PUT", path, Reply.json(201, {"sha256": SHA}))
        server.script[("PUT", path)][0].delay_s = 1.5
        server.on("GET", "/data/manifest.json", Reply(200, b"{}", delay_s=1.5))
        client = PublishClient(server.url, {}, NetworkSettings(timeout_s=0.3),
                               RetryPolicy(attempts=1))
        assert client.upload_blob("risk_points", layer, SHA) == {"sha256": SHA}
        assert server.count("PUT", path) == 1  # answered: no retry re-sent the layer
        with pytest.raises(EndpointTimeoutError):
            client.current_manifest()
        small = b'{"type":"FeatureCollection","features":[]}'
        with pytest.raises(EndpointTimeoutError) as caught:
            client.upload_blob("risk_points", small, SHA)  # 0.3 s + 42 B / 1 MiB/s
    assert "0.3" in caught.value.message("en")


def test_wrong_token_gets_401(endpoint):
    client = PublishClient(endpoint.url, {"Authorization": "Bearer cmp_not-a-real-token"})
    with pytest.raises(NotAuthenticatedError) as caught:
        client.has_blob("risk_points", SHA)
    assert caught.value.status == 401
    assert "mã truy cập" in caught.value.message("vi")


def test_forbidden_gets_403_message():
    with ScriptedServer() as server:
        server.on("HEAD", f"/api/v1/layers/risk_points/blobs/{SHA}",
                  Reply.problem(403, "read-only token"))
        client = PublishClient(server.url, {"Authorization": "Bearer x"}, retry=FAST)
        with pytest.raises(NotAllowedError) as caught:
            client.has_blob("risk_points", SHA)
    assert caught.value.status == 403 and "không có quyền" in caught.value.message("vi")


def test_stale_release_gets_412_and_nothing_changes(endpoint):
    before = endpoint.manifest()
    client = PublishClient(endpoint.url, endpoint.headers())
    with pytest.raises(StaleReleaseError) as caught:
        client.publish("000099-deadbeef", {}, {}, "key-1")
    error = caught.value
    assert error.status == 412 and error.current_release == before["release_id"]
    assert "Người khác vừa công bố" in error.message("vi") and "Refresh" in error.message("en")
    assert endpoint.manifest() == before


def test_too_large_gets_413_and_nothing_changes(start_endpoint):
    endpoint = start_endpoint(Limits(max_blob_bytes=300))
    before = endpoint.manifest()
    data = cgj.canonical_bytes([cgj.feature(
        "3f2b8c1e-0d4a-4b6e-9c1a-2f5e8d7c6b5a", cgj.canonical_point(105.8, 22.1),
        {"name": "x" * 400})])
    client = PublishClient(endpoint.url, endpoint.headers())
    with pytest.raises(TooLargeError) as caught:
        client.upload_blob("risk_points", data, cgj.sha256_hex(data))
    assert caught.value.status == 413 and "quá lớn" in caught.value.message("vi")
    assert endpoint.manifest() == before


def test_server_checks_rejection_lists_the_errors(endpoint):
    data = b'{"type":"FeatureCollection","features":[{"type":"Feature"}]}'
    client = PublishClient(endpoint.url, endpoint.headers())
    with pytest.raises(RejectedError) as caught:
        client.upload_blob("risk_points", data, cgj.sha256_hex(data))
    assert caught.value.errors and "từ chối" in caught.value.message("vi")


def test_5xx_is_retried_with_one_idempotency_key():
    with ScriptedServer() as server:
        server.on("POST", COMMIT, Reply.problem(503, "busy"), Reply.problem(502, "gateway"),
                  Reply.json(201, {"release_id": "000002-0000abcd", "parent_id": "x"}))
        client = PublishClient(server.url, {"Authorization": "Bearer t"}, retry=FAST)
        summary = client.publish("000001-00000001", {}, {}, "the-one-key")
    assert summary["release_id"] == "000002-0000abcd"
    posts = [h for m, p, h in server.requests if (m, p) == ("POST", COMMIT)]
    assert len(posts) == 3
    assert {h["Idempotency-Key"] for h in posts} == {"the-one-key"}
    assert {h["If-Match"] for h in posts} == {'"000001-00000001"'}


def test_persistent_5xx_gives_up_with_a_server_error():
    with ScriptedServer() as server:
        server.on("POST", COMMIT, Reply.problem(500, "boom"))
        client = PublishClient(server.url, {}, retry=FAST)
        with pytest.raises(ServerError) as caught:
            client.publish("000001-00000001", {}, {}, "k")
        assert server.count("POST", COMMIT) == FAST.attempts
    assert caught.value.status == 500 and caught.value.retryable


def test_429_waits_and_retries():
    with ScriptedServer() as server:
        server.on("GET", "/data/manifest.json",
                  Reply(429, b"", {"Retry-After": "0"}), Reply.json(200, {"release_id": "r"}))
        client = PublishClient(server.url, {}, retry=FAST)
        assert client.current_manifest() == {"release_id": "r"}
        assert server.count("GET", "/data/manifest.json") == 2


def test_a_retried_commit_makes_one_release(endpoint):
    client = PublishClient(endpoint.url, endpoint.headers())
    base = endpoint.manifest()["release_id"]
    first = client.publish(base, {}, {}, "same-key")
    again = client.publish(base, {}, {}, "same-key")  # as after a lost answer
    assert again["release_id"] == first["release_id"] and again["replayed"]
    assert endpoint.manifest()["release_id"] == first["release_id"]


def test_cancel_sends_nothing():
    with ScriptedServer() as server:
        client = PublishClient(server.url, {}, is_cancelled=lambda: True)
        with pytest.raises(PublishCancelledError):
            client.upload_blob("risk_points", b"{}", SHA)
        assert server.requests == []


@pytest.mark.parametrize("url", ["", "ftp://x/", "127.0.0.1:8765", "http://"])
def test_invalid_endpoint_url(url):
    with pytest.raises(InvalidEndpointError):
        PublishClient(url)


def test_409_is_the_same_conflict_path():
    with ScriptedServer() as server:
        server.on("POST", COMMIT, Reply.problem(409, "conflict",
                                                current_release_id="000007-0000abcd"))
        client = PublishClient(server.url, {}, retry=FAST)
        with pytest.raises(StaleReleaseError) as caught:
            client.publish("000006-0000abcd", {}, {}, "k")
        assert server.count("POST", COMMIT) == 1  # a conflict is never retried
    assert caught.value.status == 409 and caught.value.current_release == "000007-0000abcd"


def test_the_token_never_shows_in_a_request_repr(tmp_path):
    from covidmaps_plugin.core.publishing.pipeline import PublishRequest

    request = PublishRequest(tmp_path / "w.gpkg", "http://127.0.0.1:1/",
                             {"Authorization": "Bearer cmp_secret_value"})
    assert "cmp_secret_value" not in repr(request)
