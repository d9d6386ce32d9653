"""The S3 backend against a real SeaweedFS: what only a bucket can get
wrong (object metadata for direct serving, conditional writes under races,
retries). The shared storage contract runs on it through conftest's backend
parameter."""

from __future__ import annotations

import hashlib
import threading

import pytest
from covidmaps_publish.storage.base import InvalidKeyError, blob_key, release_key
from covidmaps_publish.storage.s3 import IMMUTABLE, S3Storage

SHA = hashlib.sha256(b"layer").hexdigest()


def head(storage: S3Storage, key: str) -> dict:
    return storage.client.head_object(Bucket=storage.bucket, Key=storage.base + key)


def test_objects_carry_the_headers_a_cdn_serves(s3_storage):
    s3_storage.put_immutable(blob_key(SHA), b'{"type":"FeatureCollection","features":[]}')
    s3_storage.put_immutable(blob_key(SHA, ".gz"), b"gz-bytes")
    s3_storage.put_immutable(blob_key(SHA, ".br"), b"br-bytes")
    s3_storage.put_immutable(release_key("000001-0123abcd"), b"{}")
    assert s3_storage.swap_pointer(b'{"release_id":"000001-0123abcd"}', None)

    plain = head(s3_storage, blob_key(SHA))
    assert plain["ContentType"].startswith("application/geo+json")
    assert plain["CacheControl"] == IMMUTABLE
    assert "ContentEncoding" not in plain
    assert head(s3_storage, blob_key(SHA, ".gz"))["ContentEncoding"] == "gzip"
    assert head(s3_storage, blob_key(SHA, ".br"))["ContentEncoding"] == "br"
    release = head(s3_storage, release_key("000001-0123abcd"))
    assert release["ContentType"].startswith("application/json")
    assert release["CacheControl"] == IMMUTABLE
    pointer = head(s3_storage, "manifest.json")
    assert pointer["CacheControl"] == "no-cache"
    # keys mirror the public URLs under the prefix
    assert pointer_key_listed(s3_storage)


def pointer_key_listed(storage: S3Storage) -> bool:
    keys = storage.client.list_objects_v2(Bucket=storage.bucket, Prefix="site/")["Contents"]
    return "site/data/manifest.json" in {k["Key"] for k in keys}


def test_put_immutable_never_overwrites(s3_storage):
    key = blob_key(SHA)
    s3_storage.put_immutable(key, b"first")
    s3_storage.put_immutable(key, b"first")  # idempotent
    s3_storage.put_immutable(key, b"other")  # refused by If-None-Match, silently
    assert s3_storage.get(key) == b"first"
    with pytest.raises(ValueError):
        s3_storage.put_immutable("manifest.json", b"{}")
    with pytest.raises(InvalidKeyError):
        s3_storage.put_immutable("blobs/../../etc/passwd", b"x")


def test_pointer_compare_and_swap(s3_storage):
    assert s3_storage.read_pointer() == (None, None)
    assert s3_storage.swap_pointer(b"one", None)
    assert not s3_storage.swap_pointer(b"other", None)
    data, token = s3_storage.read_pointer()
    assert data == b"one"
    assert s3_storage.swap_pointer(b"two", token)
    assert not s3_storage.swap_pointer(b"three", token)  # stale token
    assert not s3_storage.swap_pointer(b"two", token)  # even with the current bytes
    assert s3_storage.read_pointer()[0] == b"two"


@pytest.mark.parametrize("first", [True, False], ids=["create", "update"])
def test_exactly_one_of_racing_publishers_wins(s3_storage, first):
    token = None
    if not first:
        assert s3_storage.swap_pointer(b"base", None)
        token = s3_storage.read_pointer()[1]
    writers = 4  # SeaweedFS makes each loser wait ~1 s on its object lock: keep it lean
    barrier = threading.Barrier(writers)
    results: dict = {}

    def publish(i: int) -> None:
        barrier.wait()
        results[i] = s3_storage.swap_pointer(f"release-{i}".encode(), token)

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, won in results.items() if won]
    assert len(winners) == 1, results
    assert s3_storage.read_pointer()[0] == f"release-{winners[0]}".encode()


def test_a_retried_swap_whose_first_attempt_landed_succeeds(seaweedfs):
    """botocore retries a PUT whose answer it did not get; the retry then
    sees 412 because the first attempt moved the pointer. That is our own
    success, not a lost race."""
    storage = S3Storage(seaweedfs.new_bucket(), client=seaweedfs.client(retries=3))
    try:
        assert storage.swap_pointer(b"v1", None)
        token = storage.read_pointer()[1]
        forced = {"done": False}

        def retry_once(response=None, attempts=1, **_kw):
            # pretend the first (successful) answer was lost on the way
            if not forced["done"] and response is not None and response[0].status_code == 200:
                forced["done"] = True
                return 0  # retry after 0 s
            return None

        storage.client.meta.events.register_first("needs-retry.s3.PutObject", retry_once)
        assert storage.swap_pointer(b"v2", token)
        assert forced["done"]
        assert storage.read_pointer()[0] == b"v2"
        # and a real lost race is still a loss
        assert not storage.swap_pointer(b"v3", token)
    finally:
        storage.close()


def test_list_and_exists(s3_storage):
    s3_storage.put_immutable(blob_key(SHA), b"x")
    s3_storage.put_immutable(blob_key(SHA, ".br"), b"y")
    s3_storage.put_immutable(release_key("000002-0123abcd"), b"{}")
    # a foreign object in the tree is not part of the release layout
    s3_storage.client.put_object(Bucket=s3_storage.bucket, Key="site/data/blobs/README",
                                 Body=b"n")
    assert sorted(s3_storage.list("blobs/")) == [blob_key(SHA), blob_key(SHA, ".br")]
    assert list(s3_storage.list("releases/")) == [release_key("000002-0123abcd")]
    assert s3_storage.exists(blob_key(SHA))
    assert not s3_storage.exists(blob_key(hashlib.sha256(b"none").hexdigest()))
    assert s3_storage.get(blob_key(hashlib.sha256(b"none").hexdigest())) is None


def test_from_url(monkeypatch, seaweedfs):
    monkeypatch.setenv("COVIDMAPS_S3_ENDPOINT", seaweedfs.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweedfs.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweedfs.secret_key)
    bucket = seaweedfs.new_bucket()
    storage = S3Storage.from_url(f"s3://{bucket}/prov/bk")
    try:
        assert storage.base == "prov/bk/data/"
        assert storage.swap_pointer(b"x", None)
        assert storage.read_pointer()[0] == b"x"
    finally:
        storage.close()
    with pytest.raises(ValueError, match="credentials"):
        S3Storage.from_url("s3://key:secret@bucket/x")
    with pytest.raises(ValueError):
        S3Storage.from_url("http://bucket/x")


def test_open_data_objects_carry_their_headers(s3_storage):
    """Feed, keys, signatures and CSV downloads are served by the bucket as
    they are: their types, their encodings, and the replaced ones revalidated."""
    from covidmaps_publish.storage.base import (
        FEED_KEY,
        KEYS_KEY,
        PUBLIC_KEY_KEY,
        download_key,
        key_pem_key,
        signature_key,
    )

    s3_storage.put_immutable(download_key(SHA), "\ufeffid,lon,lat\r\n".encode())
    s3_storage.put_immutable(download_key(SHA, ".br"), b"br-bytes")
    s3_storage.put_immutable(signature_key("000001-0123abcd"), b"{}")
    s3_storage.put_immutable(key_pem_key("0123456789abcdef"), b"-----BEGIN PUBLIC KEY-----")
    for key in (FEED_KEY, KEYS_KEY, PUBLIC_KEY_KEY):
        s3_storage.put_replaceable(key, b"one")
        s3_storage.put_replaceable(key, b"two")  # replaced, not refused
        assert s3_storage.get(key) == b"two"
        assert head(s3_storage, key)["CacheControl"] == "no-cache"
    with pytest.raises(ValueError):
        s3_storage.put_immutable(FEED_KEY, b"x")
    with pytest.raises(ValueError):
        s3_storage.put_replaceable(download_key(SHA), b"x")
    expected = {FEED_KEY: "application/atom+xml", KEYS_KEY: "application/json",
                PUBLIC_KEY_KEY: "application/x-pem-file", download_key(SHA): "text/csv",
                signature_key("000001-0123abcd"): "application/json",
                key_pem_key("0123456789abcdef"): "application/x-pem-file"}
    for key, ctype in expected.items():
        assert head(s3_storage, key)["ContentType"].startswith(ctype), key
    csv_br = head(s3_storage, download_key(SHA, ".br"))
    assert csv_br["ContentEncoding"] == "br" and csv_br["ContentType"].startswith("text/csv")
    assert head(s3_storage, download_key(SHA))["CacheControl"] == IMMUTABLE
    assert set(expected) <= set(s3_storage.list(""))
