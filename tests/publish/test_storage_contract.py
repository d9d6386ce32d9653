"""The storage contract every backend passes (parametrized by backend)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from covidmaps_publish.storage.base import InvalidKeyError, blob_key, release_key

SHA = hashlib.sha256(b"x").hexdigest()


@pytest.fixture
def store(storage_backend, tmp_path):
    storage = storage_backend.open(tmp_path / "data")
    yield storage
    storage.close()


def test_immutable_objects_round_trip_and_are_idempotent(store):
    key = blob_key(SHA)
    assert store.get(key) is None and not store.exists(key)
    store.put_immutable(key, b"x")
    store.put_immutable(key, b"x")
    assert store.get(key) == b"x" and store.exists(key)
    store.put_immutable(release_key("000001-0123abcd"), b"{}")
    assert set(store.list("blobs/")) == {key}
    assert set(store.list("releases/")) == {"releases/000001-0123abcd.json"}


@pytest.mark.parametrize("key", ["../private/tokens.json", "blobs/../../x", "/etc/passwd",
                                 "blobs/ABC.geojson", "releases/1-zz.json", "manifest.json/..",
                                 "blobs/" + SHA + ".geojson.tmp", ""])
def test_keys_outside_the_layout_are_refused(store, key):
    with pytest.raises(InvalidKeyError):
        store.put_immutable(key, b"x")
    with pytest.raises(InvalidKeyError):
        store.get(key)


def test_pointer_compare_and_swap(store):
    assert store.read_pointer() == (None, None)
    assert store.swap_pointer(b"one", None)
    assert not store.swap_pointer(b"again", None)  # someone created it already
    data, token = store.read_pointer()
    assert data == b"one"
    assert store.swap_pointer(b"two", token)
    assert not store.swap_pointer(b"three", token)  # stale token
    assert store.read_pointer()[0] == b"two"


def test_concurrent_swaps_from_one_token_have_one_winner(store, storage_backend, tmp_path):
    store.swap_pointer(b"base", None)
    _, token = store.read_pointer()
    # a second storage object on the same data: another process or instance
    other = storage_backend.open(tmp_path / "data")
    results = []
    barrier = threading.Barrier(16)

    def race(i: int) -> None:
        target = store if i % 2 else other
        barrier.wait()
        results.append((i, target.swap_pointer(f"writer-{i}".encode(), token)))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [i for i, ok in results if ok]
    assert len(winners) == 1
    assert store.read_pointer()[0] == f"writer-{winners[0]}".encode()
    other.close()
