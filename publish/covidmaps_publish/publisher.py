"""The write side's core: store checked blobs, build release manifests from
the model, commit them with compare-and-swap, roll back, list history.

Commit order (each step atomic in the storage): blobs (and their CSV
downloads), then ``releases/<id>.json`` and its signature, then the
idempotency record, then the pointer swap, then the feed (opendata.py).
A crash anywhere before the swap leaves the previous release current and
only unreferenced immutable files behind; after the swap the release is
complete. Readers therefore see the old release or the new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, Dict, FrozenSet, List, Optional, Tuple, Union

from covidmaps_plugin.model import MODEL, MODEL_VERSION, PROVINCE_TZ, wire
from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model.manifest_meta import layer_meta
from covidmaps_plugin.model.wire import is_release_id, is_sha256

from .audit import AuditLog
from .boundary import input_stage
from .checks.attributes import is_utf8_text, province_time
from .checks.incremental import check_patched
from .checks.layer import REFERENCE_LAYERS, CheckedBlob, check_blob_lean
from .chunked_gzip import recall
from .config import Config
from .downloads import FROM_BASE_MAX_ENCODED
from .idempotency import IdempotencyRecord, IdempotencyStore
from .offload import Offload
from .opendata import OpenData
from .patching import parse_patch, rebuild_blob
from .privatedir import secure_tree
from .problems import FieldError, ProblemError, require_hash, require_upload_hash
from .reader import ReleaseReader
from .representation import compressed_variants
from .storage.base import Storage, blob_key, release_key
from .tokens import TokenStore
from .uploads import Upload, check_upload, uploads_dir
from .vectortiles import TileBuilder

log = logging.getLogger(__name__)

FORMAT = "covidmaps-release/2"
EMPTY_LAYER = cgj.canonical_bytes([])
# What a commit body may hold (docs/api.md); the members of a release that
# only the server writes are refused by name.
PUBLISH_MEMBERS = frozenset(("layers", "reference", "message", "data_updated_at", "notice"))
ROLLBACK_MEMBERS = frozenset(("release_id", "message"))
SERVER_OWNED = frozenset(("publisher", "release_id", "parent_id", "sequence", "kind",
                          "created_at", "profile", "format", "model_version", "changes",
                          "rolled_back_to", "tiles"))
# why an upload's bytes may not hash to their name (its 422 says it)
DAMAGED_UPLOAD = "the upload was damaged or the hash was computed on other bytes"
# The memo of checks (``_remember_checked``): at most this many entries and
# this many features in all (ids and hashes cost ~250 B each): the current
# release's layers and a new version of each at national size (1M points).
CHECKED_KEPT = 64
CHECKED_FEATURES_KEPT = 3_000_000
REFERENCE_TITLES = {
    "province": {"vi": "Ranh giới tỉnh", "en": "Province boundary"},
    "districts": {"vi": "Ranh giới huyện, thành phố", "en": "District boundaries"},
}


def stale(current_id: Optional[str]) -> ProblemError:
    return ProblemError(412, wire.STALE_RELEASE, "The map changed since you last read it",
                   f"The current release is {current_id}. Fetch it, merge your changes and "
                   f"publish again with If-Match: \"{current_id}\".",
                   extra={"current_release_id": current_id})


def _now() -> str:
    return dt.datetime.now(PROVINCE_TZ).isoformat(timespec="seconds")


class Publisher:
    def __init__(self, config: Config, storage: Storage, reader: ReleaseReader) -> None:
        self.config = config
        self.storage = storage
        self.reader = reader
        self.profile = config.profile()
        secure_tree(config.state_dir)  # 0700/0600 whatever started us (privatedir.py)
        self.tokens = TokenStore(config.state_dir)
        self.audit = AuditLog(config.state_dir, config.fsync, config.limits.audit_max_bytes,
                              config.limits.audit_keep)
        self.idempotency = IdempotencyStore(config.state_dir)
        # big layers' checks and CSV run in worker processes (compression in
        # threads: zlib and brotli let go of the interpreter lock)
        self.offload = Offload(config.limits.offload_min_bytes,
                               spool_dir=uploads_dir(config.state_dir))
        # CSV downloads, signatures, feed (opendata.py: the hooks and their order)
        self.open_data = OpenData(config.state_dir, storage, reader.manifest, self.offload)
        self._commit_lock = threading.Lock()
        self._checked: OrderedDict[Tuple[str, str], CheckedBlob] = OrderedDict()
        self._checked_features = 0  # the features of the memo's entries
        self._checked_lock = threading.Lock()
        # blobs accepted and being stored (their variants first), by SHA-256
        self._storing: Dict[str, Future] = {}
        self._storing_lock = threading.Lock()
        self._store_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self.tiles = TileBuilder(storage, config.state_dir, config.limits.tiles_min_features,
                                 config.limits.tiles_min_bytes, held_blob=reader.held_blob)

    # -- blobs -----------------------------------------------------------------
    def blob_exists(self, sha256: str) -> bool:
        self._wait_stored(sha256)
        return self.storage.exists(blob_key(sha256))

    def put_blob(self, layer: str, claimed_sha: str, body: bytes) -> Tuple[CheckedBlob, bool]:
        """Check and store an uploaded layer; returns (checked, newly stored)."""
        actual = require_upload_hash(body, claimed_sha, layer, wire.HASH_MISMATCH,
                                     DAMAGED_UPLOAD)
        return self._accept(self._check(layer, body, actual))

    def put_upload(self, layer: str, claimed_sha: str, upload: Upload
                   ) -> Tuple[CheckedBlob, bool]:
        """``put_blob`` of an upload spooled to disk (uploads.py): its hash,
        computed as it arrived, is compared before anything reads it back;
        the checks read the file where they run."""
        actual = require_hash(upload.sha256, claimed_sha, layer, wire.HASH_MISMATCH,
                              DAMAGED_UPLOAD)
        return self._accept(self._check(layer, upload, actual))

    def put_patch(self, layer: str, claimed_sha: str, body: bytes) -> Tuple[CheckedBlob, bool]:
        """Check and store a feature patch (patching.py); returns (checked,
        newly stored). A patch to a point layer whose base is stored is
        checked feature by feature against the checked base
        (checks/incremental.py); any other, or one whose result is not the
        claimed bytes, is rebuilt and checked as a whole upload."""
        limits = self.config.limits
        base_sha, upsert, delete = parse_patch(layer, body, limits)
        self._wait_stored(base_sha)
        checked = None
        if layer in MODEL.layer_names and self.storage.exists(blob_key(base_sha)):
            base = self._stored_checked(layer, base_sha)
            start = time.perf_counter()
            # here, not in a worker: the patch's features are few and the
            # base is spliced, not parsed; a worker would first need the
            # whole checked base (80 MB and its hashes) pickled to it
            checked = self.offload.call(len(body), check_patched, layer, base, upsert,
                                        delete, self.profile, limits)
            log.debug("checked a patch of %s feature by feature", layer,
                      extra={"timings": {"server check": time.perf_counter() - start}})
        if checked is None or checked.sha256 != claimed_sha:
            data = rebuild_blob(layer, claimed_sha, body, limits, self.reader.blob,
                                self.offload)
            return self.put_blob(layer, claimed_sha, data)
        self._remember_checked((layer, checked.sha256), checked)
        return self._accept(checked, base_sha)

    def _accept(self, checked: CheckedBlob, base_sha: Optional[str] = None
                ) -> Tuple[CheckedBlob, bool]:
        """Start a checked blob's tiles and CSV, store it unless stored.
        ``base_sha``: the blob a patch applied to (else the current
        release's blob of the layer): its archive is patched when cached."""
        layer = checked.layer
        base = base_sha or self._blob_shas(self.current()[0]).get(layer)
        if self.tiles.wanted(layer, checked.feature_count, len(checked.data)):
            # start the tiles now, in the background: the commit finds them ready
            self.tiles.start(layer, checked.sha256, checked.data, base)
        big = self.offload.wants(len(checked.data))
        # and a big layer's CSV download, likewise (a small one's is made by
        # the commit, in moments: nothing is written for an upload never committed)
        if layer in MODEL.layer_names and big:
            self.open_data.prepare(layer, checked.sha256, checked.data,
                                   self._csv_base(layer, base_sha, checked.feature_count))
        sha = checked.sha256
        with self._storing_lock:
            if sha in self._storing or self.storage.exists(blob_key(sha)):
                return checked, False
            if big:
                # compressed and stored in the background. The upload is
                # answered once checked (a client's timeout is not spent on gzip
                # and brotli of 80 MB); a commit naming it waits (_wait_stored)
                future = self._storing[sha] = self._store_pool.submit(
                    self._store_blob, checked.data, sha, True, base)
        if not big:
            self._store_blob(checked.data, sha, base_sha=base)  # stored when answered
            return checked, True
        future.add_done_callback(lambda done: self._stored(sha, done))
        return checked, True

    def _csv_base(self, layer: str, base_sha: Optional[str], feature_count: int
                  ) -> Optional[Tuple[bytes, str]]:
        """(base blob, SHA-256 of its CSV) when the current release has the
        layer at ``base_sha`` (the patch's base; by default the current
        blob) with a CSV and about as many features: a republish's CSV is
        then made from that one (downloads.layer_csv_from_base)."""
        for entry in self.current()[0].get("layers", ()):
            if entry.get("id") != layer:
                continue
            blob_sha = (entry.get("blob") or {}).get("sha256")
            csv_sha = ((entry.get("downloads") or {}).get("csv") or {}).get("sha256")
            if not blob_sha or not csv_sha or base_sha not in (None, blob_sha):
                return None
            if abs(entry.get("feature_count", 0) - feature_count) > FROM_BASE_MAX_ENCODED:
                return None  # a first publish, a big import: built whole, in a worker
            base = self.reader.blob(blob_sha)
            return (base, csv_sha) if base is not None else None
        return None

    def _stored(self, sha: str, done: Future) -> None:
        with self._storing_lock:
            self._storing.pop(sha, None)
        if done.exception() is not None:  # the commit then says the blob is missing
            log.error("could not store blob %s", sha[:12], exc_info=done.exception())

    def _wait_stored(self, sha: str) -> None:
        """Until the blob accepted by an upload is stored (or failed to be)."""
        with self._storing_lock:
            pending = self._storing.get(sha)
        if pending is not None:
            wait([pending])

    def _store_blob(self, data: bytes, sha: str, keep: bool = False,
                    base_sha: Optional[str] = None) -> None:
        """Store a blob, its variants first, and hand them to the reader
        (``ReleaseReader.remember_blob``): the commit naming it and the
        release serving it use these bytes, not a copy read back from the
        storage; ``keep`` (a big blob) pins them there until a release names it.
        ``base_sha``: the blob it was changed from (a patch's base, else the
        current release's), whose gzip chunks it reuses when they are known."""
        start, cpu = time.perf_counter(), time.thread_time()
        gz, br = compressed_variants(data, sha, self._gzip_base(base_sha))
        compressed, compressed_cpu = time.perf_counter(), time.thread_time()
        # variants first: once the plain name exists, the whole set exists
        self.storage.put_immutable(blob_key(sha, ".gz"), gz)
        self.storage.put_immutable(blob_key(sha, ".br"), br)
        self.storage.put_immutable(blob_key(sha), data)
        self.reader.remember_blob(sha, data, gz, br, pin=keep)
        # wall and this thread's CPU seconds, for the benchmark's breakdown
        log.debug("stored blob %s: %d B, gzip %d B, brotli %d B", sha[:12], len(data), len(gz),
                  len(br), extra={
                      "timings": {"compress": compressed - start,
                                  "store": time.perf_counter() - compressed},
                      "cpu_timings": {"compress": compressed_cpu - cpu,
                                      "store": time.thread_time() - compressed_cpu}})

    def _gzip_base(self, sha: Optional[str]) -> Optional[Tuple[str, bytes]]:
        """(``sha``, its bytes) when this process made the blob's chunked
        gzip variant (chunked_gzip.py) and the reader holds the blob:
        nothing is read from the storage for it."""
        if sha is None or recall(sha) is None:
            return None
        data = self.reader.held_blob(sha)
        return (sha, data) if data is not None else None

    def _check(self, layer: str, data: Union[bytes, Upload],
               sha256: Optional[str] = None) -> CheckedBlob:
        """The checks of ``data`` (memoised by hash; ``sha256`` when the
        caller has just computed it: an 80 MB layer is not hashed twice).
        An ``Upload`` is read from its file where the checks run; its bytes
        enter this process once, after them."""
        if isinstance(data, Upload):
            key = (layer, sha256 or data.sha256)
        else:
            key = (layer, sha256 or hashlib.sha256(data).hexdigest())
        hit = self._memo(key)
        if hit is not None:
            if hit.sha256 == key[1]:  # canonical: the input's bytes are the blob's
                body: Optional[bytes] = data.read() if isinstance(data, Upload) else data
            else:  # another input of the same layer: its canonical bytes, stored
                self._wait_stored(hit.sha256)
                body = self.reader.blob(hit.sha256)
            if body is not None:
                return replace(hit, data=body)
        start, cpu = time.perf_counter(), time.thread_time()
        if isinstance(data, Upload):
            checked, same = self.offload.call(data.size, check_upload, layer, str(data.path),
                                              self.profile, self.config.limits)
        else:
            checked, same = self.offload.call(len(data), check_blob_lean, layer, data,
                                              self.profile, self.config.limits)
        if same:  # canonical: the upload's own bytes, not sent back from a worker
            checked = replace(checked, data=data.read() if isinstance(data, Upload) else data)
        log.debug("checked layer %s: %d features", layer, checked.feature_count,
                  extra={"timings": {"server check": time.perf_counter() - start},
                         "cpu_timings": {"server check": time.thread_time() - cpu}})
        self._remember_checked(key, checked)
        return checked

    def _memo(self, key: Tuple[str, str]) -> Optional[CheckedBlob]:
        """A memoised check (without its bytes: see ``_remember_checked``)."""
        with self._checked_lock:
            hit = self._checked.get(key)
            if hit is not None:
                self._checked.move_to_end(key)
            return hit

    def _remember_checked(self, key: Tuple[str, str], checked: CheckedBlob) -> None:
        """Memoise a check. Without its bytes: they are the stored blob's,
        which the reader holds (or reads) once for everyone; a memo holding
        them kept every recent version of a national layer (1 GB each) in
        memory. The ids and hashes of the features stay (what a commit's
        change counts and a patch's check need), bounded by their number."""
        lean = replace(checked, data=b"")
        with self._checked_lock:
            for name in (key, (checked.layer, checked.sha256)):
                old = self._checked.pop(name, None)
                if old is not None:
                    self._checked_features -= old.feature_count
                self._checked[name] = lean
                self._checked_features += lean.feature_count
            while len(self._checked) > 1 and (
                    len(self._checked) > CHECKED_KEPT
                    or self._checked_features > CHECKED_FEATURES_KEPT):
                _, old = self._checked.popitem(last=False)
                self._checked_features -= old.feature_count

    def _stored_checked(self, layer: str, sha: str) -> CheckedBlob:
        self._wait_stored(sha)
        hit = self._memo((layer, sha))
        data = self.reader.blob(sha)
        if data is None:
            raise ProblemError(422, "missing-blob", "A referenced layer was not uploaded",
                          f"Blob {sha} for layer {layer!r} is not on the server; upload it with "
                          f"PUT /api/v1/layers/{layer}/blobs/{sha} first.",
                          errors=[FieldError("missing-blob", f"upload {sha} first", layer)])
        if hit is not None and hit.sha256 == sha:
            return replace(hit, data=data)
        # the reader's bytes hash to ``sha`` (verified when read): not hashed again
        checked = self._check(layer, data, sha)
        if checked.sha256 != sha:  # stored bytes are canonical; anything else is damage
            raise ProblemError(422, "not-canonical", "Blob is not in canonical form",
                          f"Blob {sha} is not the canonical form of layer {layer!r}.")
        return checked

    def close(self) -> None:
        """Stop the background work (tile builds, CSVs, worker processes)."""
        self._store_pool.shutdown(wait=True)
        self.tiles.close()
        self.open_data.close()
        self.offload.close()

    # -- vector tiles (vectortiles.py) ------------------------------------------------
    def warm_tiles(self) -> None:
        """Start building, in the background, the archives the current
        release's large layers lack (a format 1 release written before the
        server built tiles): the next commit then finds them ready."""
        for entry in self.current()[0].get("layers", ()):
            tiles, blob = entry.get("tiles"), entry.get("blob") or {}
            if isinstance(tiles, dict) and tiles.get("format") == "pmtiles":
                continue
            if blob.get("sha256") and self.tiles.wanted(entry.get("id", ""),
                                                        entry.get("feature_count", 0),
                                                        blob.get("size", 0)):
                sha = blob["sha256"]
                self.tiles.start(entry["id"], sha, lambda sha=sha: self.reader.blob(sha))

    def release_tiles(self, blobs: Dict[str, CheckedBlob]) -> Dict[str, Any]:
        """Each layer's manifest ``tiles``: the PMTiles archive of its blob
        when the layer is large (built now, patched from the current
        release's, or found in the cache), else None."""
        bases = self._blob_shas(self.current()[0])
        return {name: (self.tiles.entry(name, blob.sha256, blob.data, bases.get(name))
                       if self.tiles.wanted(name, blob.feature_count, len(blob.data)) else None)
                for name, blob in blobs.items()}

    @staticmethod
    def _blob_shas(manifest: Dict[str, Any]) -> Dict[str, str]:
        """layer -> blob SHA-256 of a release manifest."""
        return {entry["id"]: entry["blob"]["sha256"] for entry in manifest.get("layers", ())
                if isinstance(entry.get("blob"), dict) and entry["blob"].get("sha256")}

    # -- releases ------------------------------------------------------------------
    def ensure_initial_release(self) -> None:
        """An empty release 0 on a new storage, so the map and If-Match always
        have a current release. Harmless if several instances race."""
        if self.storage.read_pointer()[0] is not None:
            return
        if not self.storage.exists(blob_key(cgj.sha256_hex(EMPTY_LAYER))):
            self._store_blob(EMPTY_LAYER, cgj.sha256_hex(EMPTY_LAYER))
        empty = self._check(MODEL.layers[0].name, EMPTY_LAYER)
        blobs = {layer.name: empty for layer in MODEL.layers}
        manifest = self._manifest(None, blobs, {}, "system", "Khởi tạo", "init", None, {})
        data = _encode(manifest)
        self.storage.put_immutable(release_key(manifest["release_id"]), data)
        self.open_data.sign(manifest["release_id"], data)
        self.storage.swap_pointer(data, None)

    def current(self) -> Tuple[Dict[str, Any], Optional[str]]:
        data, token = self.storage.read_pointer()
        return (json.loads(data) if data is not None else {}), token

    def publish(self, actor: str, if_match: str, body: Dict[str, Any],
                idempotency_key: Optional[str], fingerprint: str) -> Tuple[Dict[str, Any], bool]:
        """Commit a new release; returns (manifest, created)."""
        request = publish_request(body)
        layers, reference, message = request.layers, request.reference, request.message
        data_updated_at, notice = request.data_updated_at, request.notice
        start = time.perf_counter()
        checked = {name: self._stored_checked(name, sha) for name, sha in layers.items()}
        checked_ref = {name: self._stored_checked(name, sha) for name, sha in reference.items()}
        log.debug("blobs of the commit stored", extra={
            "timings": {"commit waits for blobs": time.perf_counter() - start}})

        def blobs_of(parent: Dict[str, Any]) -> Dict[str, CheckedBlob]:
            return {layer.name: checked.get(layer.name) or self._parent_blob(parent, layer.name)
                    for layer in MODEL.layers}

        # tiles are built (or found) before the commit lock is taken: a long
        # tippecanoe run never holds up other commits; inside, they are cache hits
        self.release_tiles(blobs_of(self.current()[0]))

        def build(parent: Dict[str, Any]) -> Dict[str, Any]:
            blobs = blobs_of(parent)
            refs = dict(self._parent_refs(parent))
            refs.update(checked_ref)
            return self._manifest(parent, blobs, refs, actor, message, "publish",
                                  data_updated_at, _notice_of(notice, parent),
                                  tiles=self.release_tiles(blobs))

        return self._commit(actor, if_match, build, idempotency_key, fingerprint)

    def rollback(self, actor: str, if_match: str, body: Dict[str, Any],
                 idempotency_key: Optional[str], fingerprint: str) -> Tuple[Dict[str, Any], bool]:
        target_id, message = rollback_request(body)

        def blobs_of(target: Dict[str, Any]) -> Dict[str, CheckedBlob]:
            return {layer.name: self._parent_blob(target, layer.name) for layer in MODEL.layers}

        # A format-1 release's tile directory is not carried over: the
        # archive is derived again from its blob (before the lock, as above).
        early = self.reader.manifest(target_id) if is_release_id(target_id) else None
        if early:
            self.release_tiles(blobs_of(early))

        def build(parent: Dict[str, Any]) -> Dict[str, Any]:
            if not self.is_committed(target_id, parent):
                raise ProblemError(422, "unknown-release", "No such release in the history",
                              f"{target_id} is not a committed release; see GET "
                              "/api/v1/releases for the history.")
            target = self.reader.manifest(target_id) or {}
            blobs = blobs_of(target)
            refs = self._parent_refs(target)
            text = message or f"Quay lại bản {target_id}"
            # the current hotline and advice stay: a rollback restores data
            return self._manifest(parent, blobs, refs, actor, text, "rollback",
                                  target.get("data_updated_at"),
                                  {"rolled_back_to": target_id, **_notice_of(None, parent)},
                                  tiles=self.release_tiles(blobs))

        return self._commit(actor, if_match, build, idempotency_key, fingerprint)

    def _commit(self, actor: str, if_match: str, build: Any, idempotency_key: Optional[str],
                fingerprint: str) -> Tuple[Dict[str, Any], bool]:
        with self._commit_lock:
            current, token = self.current()
            if idempotency_key is not None:
                record = self.idempotency.get(actor, idempotency_key)
                if record is not None:
                    if record.fingerprint != fingerprint:
                        raise ProblemError(422, "idempotency-key-reused", "Idempotency-Key reused",
                                      "This Idempotency-Key was used for a different request;"
                                      " use a new key for a new publish.")
                    if self.is_committed(record.release_id, current):
                        return self.reader.manifest(record.release_id) or {}, False
            # "*" = "I have seen no release": only true while release 0 is current
            onto_empty = if_match == "*" and current.get("kind") == "init"
            if if_match != current.get("release_id") and not onto_empty:
                raise stale(current.get("release_id"))
            manifest = build(current)
            data = _encode(manifest)
            self.storage.put_immutable(release_key(manifest["release_id"]), data)
            self.open_data.sign(manifest["release_id"], data)
            if idempotency_key is not None:
                self.idempotency.put(actor, idempotency_key,
                                     IdempotencyRecord(fingerprint, manifest["release_id"]))
            if not self.storage.swap_pointer(data, token):
                raise stale(self.current()[0].get("release_id"))
            self.open_data.after_commit(manifest)
        start = time.perf_counter()
        self.reader.refresh()
        log.debug("reader refreshed", extra={
            "timings": {"commit reader refresh": time.perf_counter() - start}})
        return manifest, True

    def is_committed(self, release_id: str, head: Optional[Dict[str, Any]] = None) -> bool:
        """Whether ``release_id`` is on the chain that ends at ``head``."""
        try:
            wanted = int(release_id.split("-")[0])
        except ValueError:
            return False
        node = head if head is not None else self.current()[0]
        while node and node.get("sequence", -1) >= wanted:
            if node.get("release_id") == release_id:
                return True
            parent = node.get("parent_id")
            node = self.reader.manifest(parent) if parent else None
        return False

    def history(self, limit: int = 50) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        node: Optional[Dict[str, Any]] = self.current()[0]
        while node and len(out) < limit:
            out.append({
                k: node.get(k) for k in ("release_id", "parent_id", "sequence", "created_at",
                                         "publisher", "message", "kind", "changes",
                                         "rolled_back_to")
            } | {"layers": {entry["id"]: {"feature_count": entry["feature_count"],
                                          "sha256": entry["blob"]["sha256"]}
                            for entry in node.get("layers", ())}})
            parent = node.get("parent_id")
            node = self.reader.manifest(parent) if parent else None
        return out

    # -- manifest --------------------------------------------------------------------
    def _parent_blob(self, parent: Dict[str, Any], layer: str) -> CheckedBlob:
        for entry in parent.get("layers", ()):
            if entry["id"] == layer:
                return self._stored_checked(layer, entry["blob"]["sha256"])
        return self._check(layer, EMPTY_LAYER)

    def _parent_refs(self, parent: Dict[str, Any]) -> Dict[str, CheckedBlob]:
        return {entry["id"]: self._stored_checked(entry["id"], entry["blob"]["sha256"])
                for entry in parent.get("reference", ())}

    def _manifest(self, parent: Optional[Dict[str, Any]], blobs: Dict[str, CheckedBlob],
                  refs: Dict[str, CheckedBlob], actor: str, message: str, kind: str,
                  data_updated_at: Optional[str], extra: Dict[str, Any],
                  tiles: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        parent = parent or {}
        sequence = parent.get("sequence", -1) + 1
        created = _now()
        layers = []
        changes: Dict[str, Dict[str, int]] = {}
        for layer in MODEL.layers:
            blob = blobs[layer.name]
            meta = layer_meta(layer)
            entry: Dict[str, Any] = {k: meta[k] for k in ("id", "title", "description",
                                                          "geometry_type")}
            entry.update(feature_count=blob.feature_count, bbox=blob.bbox,
                         blob=_blob_ref(blob), tiles=(tiles or {}).get(layer.name))
            start = time.perf_counter()
            entry["downloads"] = self.open_data.downloads(layer.name, blob.sha256, blob.data,
                                                          parent)
            log.debug("downloads of %s", layer.name, extra={
                "timings": {"commit waits for downloads": time.perf_counter() - start}})
            entry.update({k: v for k, v in meta.items() if k not in entry})
            layers.append(entry)
            if parent:
                old = self._parent_blob(parent, layer.name).feature_hashes
                changes[layer.name] = _diff(old, blob.feature_hashes)
        reference = [{"id": name, "title": REFERENCE_TITLES[name], "blob": _blob_ref(refs[name]),
                      "accuracy": _accuracy(refs[name])}
                     for name in REFERENCE_LAYERS if name in refs]
        body: Dict[str, Any] = {
            "format": FORMAT, "release_id": "", "parent_id": parent.get("release_id"),
            "sequence": sequence, "created_at": created, "publisher": actor,
            "message": message, "kind": kind, "model_version": MODEL_VERSION,
            "data_updated_at": data_updated_at or created,
            "profile": self.profile.summary(), "layers": layers, "reference": reference,
            "changes": changes, **extra,
        }
        digest = hashlib.sha256(_encode(body)).hexdigest()[:8]
        body["release_id"] = f"{sequence:06d}-{digest}"
        return body


def _blob_ref(blob: CheckedBlob) -> Dict[str, Any]:
    return {"sha256": blob.sha256, "size": len(blob.data),
            "href": wire.BLOB.name(blob.sha256)}


def _diff(old: Dict[str, str], new: Dict[str, str]) -> Dict[str, int]:
    return {"added": sum(1 for k in new if k not in old),
            "removed": sum(1 for k in old if k not in new),
            "changed": sum(1 for k, v in new.items() if k in old and old[k] != v)}


def _encode(manifest: Dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class PublishRequest:
    """A checked publish body: layer id -> SHA-256 maps, the message, time and notice."""

    layers: Dict[str, str]
    reference: Dict[str, str]
    message: str
    data_updated_at: Optional[str]
    notice: Optional[Dict[str, Any]]


@input_stage("publish-body", 422)
def publish_request(body: Any) -> PublishRequest:
    """The publish body's members, checked (nothing stored is looked at)."""
    check_members(body, PUBLISH_MEMBERS)
    return PublishRequest(_hash_map(body.get("layers", {}), "layers", MODEL.layer_names),
                          _hash_map(body.get("reference", {}), "reference", REFERENCE_LAYERS),
                          _message(body.get("message", "")),
                          _instant(body.get("data_updated_at")),
                          _notice(body.get("notice")))


@input_stage("rollback-body", 422)
def rollback_request(body: Any) -> Tuple[str, str]:
    """(target release id, message) of a rollback body."""
    check_members(body, ROLLBACK_MEMBERS)
    target_id = body.get("release_id")
    if not is_release_id(target_id):
        raise ProblemError(422, "bad-release-id", "Invalid release id",
                           "'release_id' must be a release id such as 000042-3f9a1c2b.")
    return target_id, _message(body.get("message", ""))


def check_members(body: Dict[str, Any], allowed: FrozenSet[str]) -> None:
    """One rule for a commit body: every member is one the route documents.
    A member the server writes itself (publisher, sequence, ...) is refused
    with its own message (a client must never believe it set them); any
    other unknown member is refused too, never silently ignored."""
    errors = []
    for name in sorted(set(body) - allowed):
        shown = name[:60]
        if name in SERVER_OWNED:
            errors.append(FieldError("server-owned-member", f"{shown!r} is set by the server "
                                     "and cannot be sent.", field=shown))
        else:
            errors.append(FieldError("unknown-member", f"{shown!r} is not a member of this "
                                     f"request; allowed: {', '.join(sorted(allowed))}.",
                                     field=shown))
    if errors:
        raise ProblemError(422, errors[0].code, "Invalid request body",
                           f"{len(errors)} member(s) refused. First: {errors[0].message}",
                           errors=errors[:100])


def _hash_map(value: Any, what: str, allowed: Tuple[str, ...]) -> Dict[str, str]:
    if not isinstance(value, dict):
        raise ProblemError(422, "bad-body", "Invalid request body",
                      f"'{what}' must map layer ids to blob SHA-256 hashes.")
    errors = []
    for name, sha in value.items():
        if name not in allowed:
            errors.append(FieldError("unknown-layer", f"{name[:60]!r} is not one of "
                                     f"{', '.join(allowed)}.", layer=name[:60]))
        elif not is_sha256(sha):
            errors.append(FieldError(wire.BAD_HASH, "expected 64 lower-case hex digits",
                                     layer=name))
    if errors:
        raise ProblemError(422, "bad-body", "Invalid request body",
                      f"'{what}': {errors[0].message}", errors=errors)
    return dict(value)


def _message(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 500 or not is_utf8_text(value):
        raise ProblemError(422, "bad-message", "Invalid message",
                      "'message' must be text of at most 500 characters.")
    return value


NOTICE_HOTLINE_MAX = 60
NOTICE_ADVICE_MAX = 400


def _notice(value: Any) -> Optional[Dict[str, Any]]:
    """The hotline and one line of advice the map shows on its first screen
    (the officer's profile); None when the publish does not name them."""
    if value is None:
        return None
    detail = ("'notice' must be {\"hotline\": text of at most 60 characters, \"advice\":"
              " {\"vi\": text, \"en\": text} of at most 400 characters each}.")
    if not isinstance(value, dict) or set(value) - {"hotline", "advice"}:
        raise ProblemError(422, "bad-notice", "Invalid notice", detail)
    hotline = value.get("hotline", "")
    advice = value.get("advice", {})
    if (not isinstance(hotline, str) or len(hotline) > NOTICE_HOTLINE_MAX
            or not is_utf8_text(hotline) or not isinstance(advice, dict)
            or set(advice) - {"vi", "en"}
            or not all(isinstance(v, str) and len(v) <= NOTICE_ADVICE_MAX and is_utf8_text(v)
                       for v in advice.values())):
        raise ProblemError(422, "bad-notice", "Invalid notice", detail)
    return {"hotline": hotline.strip(),
            "advice": {lang: advice.get(lang, "").strip() for lang in ("vi", "en")}}


def _notice_of(notice: Optional[Dict[str, Any]], parent: Dict[str, Any]) -> Dict[str, Any]:
    """The manifest's ``notice``: the one published now, else the parent's."""
    chosen = notice if notice is not None else parent.get("notice")
    return {"notice": chosen} if chosen else {}


def _accuracy(blob: CheckedBlob) -> str:
    """"approximate" when any outline of a reference layer is flagged so,
    "official" when all are flagged official, else "unknown"."""
    try:
        kinds = {(f.get("properties") or {}).get("accuracy")
                 for f in json.loads(blob.data).get("features", ())}
    except (ValueError, AttributeError):
        return "unknown"
    if "approximate" in kinds:
        return "approximate"
    return "official" if kinds == {"official"} else "unknown"


def _instant(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = province_time(value)
    if text is None:
        raise ProblemError(422, "bad-datetime", "Invalid data_updated_at",
                           "'data_updated_at' must be an ISO 8601 date and time with offset.")
    return text
