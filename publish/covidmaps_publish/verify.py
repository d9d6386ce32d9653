"""Re-hash every stored blob and check its compressed variants decode to
the same bytes; check every release manifest's references."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List

from .reader import manifest_blob_hashes
from .representation import decompress
from .storage.base import Storage, blob_key


def verify(storage: Storage) -> Dict[str, Any]:
    damaged: List[str] = []
    missing: List[str] = []
    blobs = 0
    for key in storage.list("blobs/"):
        if not key.endswith(".geojson"):
            continue
        blobs += 1
        sha = key[len("blobs/"):-len(".geojson")]
        data = storage.get(key) or b""
        if hashlib.sha256(data).hexdigest() != sha:
            damaged.append(key)
            continue
        for suffix in (".gz", ".br"):
            packed = storage.get(blob_key(sha, suffix))
            if packed is None:
                missing.append(blob_key(sha, suffix))
                continue
            try:
                ok = decompress(packed, suffix) == data
            except Exception:  # noqa: BLE001 - undecodable means damaged
                ok = False
            if not ok:
                damaged.append(blob_key(sha, suffix))
    releases = 0
    for key in storage.list("releases/"):
        releases += 1
        try:
            manifest = json.loads(storage.get(key) or b"")
        except ValueError:
            damaged.append(key)
            continue
        for sha in manifest_blob_hashes(manifest):
            if not storage.exists(blob_key(sha)):
                missing.append(f"{key} -> {blob_key(sha)}")
    pointer, _ = storage.read_pointer()
    current = json.loads(pointer)["release_id"] if pointer else None
    if pointer is not None and storage.get(f"releases/{current}.json") != pointer:
        damaged.append("manifest.json (differs from its release file)")
    return {"blobs": blobs, "releases": releases, "current": current,
            "damaged": damaged, "missing": missing}
