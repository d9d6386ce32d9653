"""The read side's view of the release tree: the current manifest, release
manifests and blobs, held in memory and reloaded when the pointer moves.

The pointer is checked at most every ``poll_interval_s`` (by this process
after its own commits at once, by the app's background task otherwise), so a
release committed by another process or instance sharing the storage shows
up within one interval. A new release becomes current in memory only after
all its blobs are loaded: a reader of this object never sees a mix.

This is the whole public read path (``/data/...``): it imports no write-side
code (no checks, no numpy, no tile building; tests/publish/test_read_side.py
holds it to that), and every content-addressed file it serves is verified
against its name once, by ``storage.base.read_verified``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional

from covidmaps_plugin.model import wire

from .representation import IMMUTABLE, REVALIDATE, Representation, decodes_to
from .storage.base import (
    REPLACEABLE_KEYS,
    DamagedError,
    InvalidKeyError,
    Storage,
    blob_key,
    pmtiles_key,
    read_verified,
    release_key,
)

log = logging.getLogger(__name__)

JSON_TYPE = wire.stored_type(wire.POINTER.name())


class _Snapshot:
    """Everything about the current release, swapped in one assignment."""

    __slots__ = ("token", "manifest", "pointer", "blobs")

    def __init__(self, token: Optional[str], manifest: Dict[str, Any],
                 pointer: Optional[Representation], blobs: Dict[str, Representation]) -> None:
        self.token = token
        self.manifest = manifest
        self.pointer = pointer
        self.blobs = blobs


def manifest_blob_hashes(manifest: Dict[str, Any]) -> list:
    """The SHA-256 of every blob a manifest references (layers, reference)."""
    hashes = []
    for entry in list(manifest.get("layers", ())) + list(manifest.get("reference", ())):
        blob = entry.get("blob") or {}
        if blob.get("sha256"):
            hashes.append(blob["sha256"])
    return hashes


def manifest_archive_hashes(manifest: Dict[str, Any]) -> list:
    """The SHA-256 of every PMTiles archive a manifest references (format 2;
    a format-1 ``tiles`` member, a tile directory, is not served)."""
    return [entry["tiles"]["sha256"] for entry in manifest.get("layers", ())
            if isinstance(entry.get("tiles"), dict)
            and entry["tiles"].get("format") == "pmtiles"]


RELEASES_KEPT = 512
# Big blobs the publisher has just stored, held until a release names them
# (``remember_blob(pin=True)``): a commit comes within minutes of its uploads.
PENDING_KEPT = 4


def _remember(cache: OrderedDict[str, Any], key: str, value: Any,
              kept: int = RELEASES_KEPT) -> None:
    cache[key] = value
    while len(cache) > kept:
        cache.popitem(last=False)


def _parsed(cache: OrderedDict[str, Any], key: str,
            load: Callable[[str], Optional[bytes]],
            kept: int = RELEASES_KEPT) -> Optional[Dict[str, Any]]:
    """The parsed JSON of an immutable document, remembered in ``cache``."""
    parsed = cache.get(key)
    if parsed is None:
        data = load(key)
        if data is None:
            return None
        parsed = json.loads(data)
        _remember(cache, key, parsed, kept)
    return parsed


class ReleaseReader:
    """Cached, thread-safe access to the releases of one storage."""

    def __init__(self, storage: Storage, poll_interval_s: float = 0.2,
                 cache_bytes: int = 256 * 1024 * 1024) -> None:
        self.storage = storage
        self.poll_interval_s = poll_interval_s
        self._snapshot = _Snapshot(None, {}, None, {})
        self._checked_at = 0.0
        self._refresh_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache_bytes = cache_bytes
        self._blob_cache: OrderedDict[str, Representation] = OrderedDict()
        self._blob_cache_size = 0
        # big blobs just stored, not yet in a release (remember_blob, pinned), newest last
        self._pending: OrderedDict[str, Representation] = OrderedDict()
        # release manifests are small and immutable: a bounded most-recent set
        self._releases: OrderedDict[str, Representation] = OrderedDict()
        self._parsed: OrderedDict[str, Dict[str, Any]] = OrderedDict()

    # -- pointer -----------------------------------------------------------
    def refresh(self) -> bool:
        """Re-read the pointer; load a new release fully before exposing it.
        Returns whether the current release changed."""
        with self._refresh_lock:
            self._checked_at = time.monotonic()
            data, token = self.storage.read_pointer()
            if token == self._snapshot.token:
                return False
            if data is None:
                self._snapshot = _Snapshot(None, {}, None, {})
                return True
            manifest = json.loads(data)
            blobs: Dict[str, Representation] = {}
            for sha in manifest_blob_hashes(manifest):
                rep = self.blob_representation(sha, pinned=blobs)
                if rep is None:
                    log.error("release %s references missing or damaged blob %s",
                              manifest.get("release_id"), sha)
                    continue
                blobs[sha] = rep
            for sha in manifest_archive_hashes(manifest):  # served from memory too
                rep = self.pmtiles_representation(sha)
                if rep is None:
                    log.error("release %s references missing or damaged archive %s",
                              manifest.get("release_id"), sha)
                    continue
                blobs[pmtiles_key(sha)] = rep
            pointer = self._pointer_representation(manifest.get("release_id"), data)
            self._snapshot = _Snapshot(token, manifest, pointer, blobs)
            with self._cache_lock:  # now pinned by the snapshot (and in the LRU)
                for sha in blobs:
                    self._pending.pop(sha, None)
            return True

    # -- what other modules use ------------------------------------------------
    def current_manifest(self) -> Dict[str, Any]:
        """The current release manifest ({} before the first release)."""
        if self._snapshot.token is None and self._checked_at == 0.0:
            self.refresh()
        return self._snapshot.manifest

    @property
    def current_release_id(self) -> Optional[str]:
        return self.current_manifest().get("release_id")

    def pointer_representation(self) -> Optional[Representation]:
        return self._snapshot.pointer

    def cached_blob(self, sha256: str) -> Optional[Representation]:
        """A current release's blob from memory, without any storage access
        (the event loop's fast path; None means "ask ``blob_representation``")."""
        return self._snapshot.blobs.get(sha256)

    def cached_release(self, release_id: str) -> Optional[Representation]:
        return self._releases.get(release_id)

    def manifest(self, release_id: str) -> Optional[Dict[str, Any]]:
        """A committed-or-not release manifest by id (None if absent)."""
        if release_id == self._snapshot.manifest.get("release_id"):
            return self._snapshot.manifest
        return _parsed(self._parsed, release_id, self._release_bytes)

    def _pointer_representation(self, release_id: Any, data: bytes) -> Representation:
        """The pointer's representation. Its bytes are those of the release
        it names (``releases/<id>.json``, stored by the same commit), so the
        two share one compression of them: a commit's refresh compresses
        the manifest once (brotli 11 of ~30 KB: tens of ms on its path), and
        the release's own URL is then served without compressing it again."""
        release = self._releases.get(release_id) if isinstance(release_id, str) else None
        if release is None or release.identity.body != data:
            release = None
        pointer = Representation(
            data, _etag(data), JSON_TYPE, REVALIDATE,
            gz=release.gzip.body if release is not None and release.gzip else None,
            br=release.br.body if release is not None and release.br else None)
        if release is None and isinstance(release_id, str):
            try:
                key = release_key(release_id)
            except InvalidKeyError:
                return pointer  # not a release's id: nothing to share
            if self.storage.get(key) != data:
                return pointer  # the stored release is not these bytes: served as stored
            _remember(self._releases, release_id, Representation(
                data, release_id, wire.stored_type(key), IMMUTABLE,
                gz=pointer.gzip.body if pointer.gzip else None,
                br=pointer.br.body if pointer.br else None))
        return pointer

    def _release_bytes(self, release_id: str) -> Optional[bytes]:
        """A release's bytes, to parse: from its representation when one is
        held, else from the storage (no variants made just to read it)."""
        rep = self._releases.get(release_id)
        return rep.identity.body if rep is not None else self.storage.get(
            release_key(release_id))

    def release_representation(self, release_id: str) -> Optional[Representation]:
        rep = self._releases.get(release_id)
        if rep is None:
            data = self.storage.get(release_key(release_id))
            if data is None:
                return None
            rep = Representation(data, release_id, wire.stored_type(release_key(release_id)),
                                 IMMUTABLE)
            _remember(self._releases, release_id, rep)
        return rep

    def blob(self, sha256: str) -> Optional[bytes]:
        """A blob's bytes (verified against its name), None if absent."""
        rep = self.blob_representation(sha256)
        return rep.identity.body if rep is not None else None

    def held_blob(self, sha256: str) -> Optional[bytes]:
        """A blob's bytes if this reader holds them (the current release's,
        a just-stored or cached one: verified when they came), else None;
        never reads the storage."""
        rep = self._snapshot.blobs.get(sha256)
        if rep is None:
            with self._cache_lock:
                rep = self._pending.get(sha256)
        if rep is None:
            rep = self._cached(sha256)
        return rep.identity.body if rep is not None else None

    def _variant(self, key: str, data: bytes) -> Optional[bytes]:
        """A stored compressed variant (``key`` ends in .gz or .br) if it
        decodes to ``data``, else None (the Representation then compresses in
        memory)."""
        packed = self.storage.get(key)
        if packed is None:
            return None
        try:
            same = decodes_to(packed, key[-3:], data)
        except Exception:  # noqa: BLE001 - any decoding failure means damaged
            same = False
        if not same:
            log.error("variant %s is damaged; compressing in memory instead", key)
            return None
        return packed

    def blob_representation(self, sha256: str,
                            pinned: Optional[Dict[str, Representation]] = None
                            ) -> Optional[Representation]:
        rep = self._snapshot.blobs.get(sha256)
        if rep is None and pinned is not None:
            rep = pinned.get(sha256)
        if rep is not None:
            return rep
        with self._cache_lock:
            rep = self._pending.get(sha256)
        if rep is not None:
            return self._cache(sha256, rep)
        rep = self._cached(sha256)
        if rep is not None:
            return rep
        key = blob_key(sha256)
        data = self._verified(key, sha256)
        if data is None:
            return None
        rep = Representation(data, sha256, wire.stored_type(key), IMMUTABLE,
                             gz=self._variant(blob_key(sha256, ".gz"), data),
                             br=self._variant(blob_key(sha256, ".br"), data))
        return self._cache(sha256, rep)

    def remember_blob(self, sha256: str, data: bytes, gz: Optional[bytes],
                      br: Optional[bytes], pin: bool = False) -> None:
        """A blob the write side has just stored (``data`` hashes to
        ``sha256``; ``gz`` and ``br`` are its stored variants), kept as these
        very objects: the commit naming it and the refresh after neither
        read it back nor decode its variants (a second or so for 80 MB).

        ``pin`` (a big blob): held apart from the LRU until a release names
        it, or ``PENDING_KEPT`` newer ones come, so the smaller blobs of the
        same publish cannot push it out; the release then serves these bytes
        instead of a second copy of a layer that may be 1 GB (while the
        publisher's own still feeds the tile build)."""
        rep = Representation(data, sha256, wire.stored_type(blob_key(sha256)), IMMUTABLE,
                             gz=gz, br=br)
        if pin:
            with self._cache_lock:
                self._pending[sha256] = rep
                self._pending.move_to_end(sha256)
                while len(self._pending) > PENDING_KEPT:
                    self._pending.popitem(last=False)
        elif self._cached(sha256) is None:
            self._cache(sha256, rep)

    def _verified(self, key: str, sha256: str) -> Optional[bytes]:
        """A content-addressed file's bytes; None if absent or damaged (logged)."""
        try:
            return read_verified(self.storage, key, sha256)
        except DamagedError as exc:
            log.error("%s; not served", exc)
            return None

    def _cached(self, key: str) -> Optional[Representation]:
        with self._cache_lock:
            rep = self._blob_cache.get(key)
            if rep is not None:
                self._blob_cache.move_to_end(key)
            return rep

    def _cache(self, key: str, rep: Representation) -> Representation:
        """Keep ``rep`` in the bounded LRU of blobs and archives; returns it."""
        with self._cache_lock:
            if key not in self._blob_cache:
                self._blob_cache[key] = rep
                self._blob_cache_size += rep.size
            while self._blob_cache_size > self._cache_bytes and len(self._blob_cache) > 1:
                _, old = self._blob_cache.popitem(last=False)
                self._blob_cache_size -= old.size
        return rep

    # -- PMTiles archives (vectortiles.py) ---------------------------------------
    def cached_file(self, key: str) -> Optional[Representation]:
        """An immutable file (a signature, a CSV, a key) already in memory."""
        return self._cached(key)

    def cached_pmtiles(self, sha256: str) -> Optional[Representation]:
        """A current release's archive from memory (the event loop's fast path)."""
        key = pmtiles_key(sha256)
        return self._snapshot.blobs.get(key) or self._cached(key)

    def pmtiles_representation(self, sha256: str) -> Optional[Representation]:
        """An archive, checked against its name once when loaded (None:
        absent or damaged). Never content-coded: clients read byte ranges."""
        key = pmtiles_key(sha256)
        rep = self.cached_pmtiles(sha256)
        if rep is not None:
            return rep
        data = self._verified(key, sha256)
        if data is None:
            return None
        return self._cache(key, Representation(data, sha256[:32], wire.stored_type(key), IMMUTABLE,
                                               extra_headers=(("Accept-Ranges", "bytes"),),
                                               compress=False))

    # -- open data (opendata.py writes them) -------------------------------------
    def open_data_representation(self, rel: str) -> Optional[Representation]:
        """An open-data file (``rel`` matched ``wire.OPEN_DATA_PATH``): the
        feed and the keys revalidate like the pointer; signatures, per-key
        PEMs and CSVs are immutable and cached, a CSV verified against its name."""
        ctype = wire.stored_type(rel)
        if rel in REPLACEABLE_KEYS:  # a few KB, rarely read: straight from the storage
            data = self.storage.get(rel)
            return None if data is None else Representation(data, _etag(data), ctype, REVALIDATE)
        rep = self.cached_file(rel)
        if rep is not None:
            return rep
        csv = wire.DOWNLOAD.name_match(rel)
        if csv is not None:
            data = self._verified(rel, csv)
            if data is None:
                return None
            rep = Representation(data, csv[:32], ctype, IMMUTABLE,
                                 gz=self._variant(rel + ".gz", data),
                                 br=self._variant(rel + ".br", data))
        else:
            data = self.storage.get(rel)
            if data is None:
                return None
            rep = Representation(data, _etag(data), ctype, IMMUTABLE)
        return self._cache(rel, rep)


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
