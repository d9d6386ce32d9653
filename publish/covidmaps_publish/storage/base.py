"""The storage interface of the public release tree (``/data/...``).

A backend stores the files of docs/release-format.md under keys relative to
``/data/``: ``manifest.json`` (the pointer), ``releases/<id>.json`` and
``blobs/<sha256>.geojson[.gz|.br]`` and ``tiles/<sha256>.pmtiles`` (plus the
format 1 tile directories ``tiles/<sha256>/...`` of old releases, read by
``verify``). Everything a backend holds is public:
tokens, the audit log and idempotency records live in the private state
directory (``state.py``), never in the storage.

Two operations carry the release contract:

- ``put_immutable`` writes a content-addressed object atomically (a reader
  sees the whole object or nothing) and idempotently (writing the same key
  twice is harmless: the bytes are the same by construction);
- ``swap_pointer`` replaces ``manifest.json`` by compare-and-swap: it
  succeeds only when the pointer still has the version token the caller read
  with ``read_pointer``, across threads, processes and machines.
"""

from __future__ import annotations

import hashlib
from typing import Iterator, Optional, Protocol, Tuple, runtime_checkable

from covidmaps_plugin.model import wire
from covidmaps_plugin.model.wire import STORAGE_KEY

POINTER_KEY = wire.POINTER.name()
# Open-data files that are replaced at a commit or a key rotation, like the
# pointer but without compare-and-swap (they are derived from the releases;
# the last writer wins and the next commit rewrites them): see
# docs/release-format.md, "Write order".
FEED_KEY = wire.FEED.name()
KEYS_KEY = wire.KEYS.name()
PUBLIC_KEY_KEY = wire.PUBLIC_KEY.name()
REPLACEABLE_KEYS = frozenset((FEED_KEY, KEYS_KEY, PUBLIC_KEY_KEY))

# Every key a backend accepts is a name of the release tree (``wire.STORAGE_KEY``,
# derived from the model's file names). Anything else (``..``, absolute paths,
# temp names, upper-case hashes) is refused before it reaches a file system or
# a bucket, so a crafted name can never escape the public tree.


class InvalidKeyError(ValueError):
    """A storage key outside the release layout."""


def check_key(key: str) -> str:
    """Return ``key`` if it names a file of the release layout, else raise."""
    if not isinstance(key, str) or STORAGE_KEY.fullmatch(key) is None:
        raise InvalidKeyError(f"not a release-tree key: {key!r}")
    return key


def blob_key(sha256: str, suffix: str = "") -> str:
    """``blobs/<sha256>.geojson`` plus ``.gz`` / ``.br`` for a variant."""
    return check_key(wire.BLOB.name(sha256, suffix))


def release_key(release_id: str) -> str:
    return check_key(wire.RELEASE.name(release_id))


def signature_key(release_id: str) -> str:
    """``releases/<id>.json.sig``: the detached signature beside a release."""
    return check_key(wire.SIGNATURE.name(release_id))


def download_key(sha256: str, suffix: str = "") -> str:
    """``downloads/<sha256>.csv`` plus ``.gz`` / ``.br`` for a variant."""
    return check_key(wire.DOWNLOAD.name(sha256, suffix))


def key_pem_key(key_id: str) -> str:
    """``keys/<key id>.pem``: one signing key's public half, kept after rotation."""
    return check_key(wire.KEY_PEM.name(key_id))


def pmtiles_key(sha256: str) -> str:
    """``tiles/<sha256>.pmtiles``: a large layer's vector tiles (vectortiles.py)."""
    return check_key(wire.PMTILES.name(sha256))


class DamagedError(ValueError):
    """A content-addressed file whose bytes do not hash to its name."""


def read_verified(storage: Storage, key: str, sha256: str) -> Optional[bytes]:
    """The one "get, hash, compare" of the server: the bytes stored under
    ``key`` if they hash to ``sha256``, None if there is no such file;
    raises DamagedError if there is one with other bytes (a damaged disk or
    bucket: never served, reported by ``verify``)."""
    data = storage.get(key)
    if data is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise DamagedError(f"{key} is damaged: its bytes do not hash to {sha256}")
    return data


@runtime_checkable
class Storage(Protocol):
    """What the publisher and the reader need from a backend."""

    def get(self, key: str) -> Optional[bytes]:
        """The object's bytes, or None if it does not exist."""

    def exists(self, key: str) -> bool:
        """Whether the object exists (cheap: no body transfer)."""

    def put_immutable(self, key: str, data: bytes) -> None:
        """Store a content-addressed object: atomic and idempotent."""

    def put_replaceable(self, key: str, data: bytes) -> None:
        """Replace one of ``REPLACEABLE_KEYS`` atomically (whole old or whole new)."""

    def read_pointer(self) -> Tuple[Optional[bytes], Optional[str]]:
        """``manifest.json``'s bytes and an opaque version token, or
        ``(None, None)`` before the first release."""

    def swap_pointer(self, data: bytes, expected_token: Optional[str]) -> bool:
        """Replace ``manifest.json`` if its token is still ``expected_token``
        (None: only if there is no pointer yet). False if it moved."""

    def list(self, prefix: str) -> Iterator[str]:
        """Keys that start with ``prefix`` (e.g. ``"blobs/"``), any order."""

    def close(self) -> None:
        """Release connections and file handles."""
