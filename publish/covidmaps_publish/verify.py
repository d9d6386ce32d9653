"""Re-hash every stored blob and check its compressed variants decode to
the same bytes; re-hash every PMTiles archive; check every tile of every
format 1 tile set against the hash in its tiles.json; check every release
manifest's references; check every release's Ed25519 signature against the
published keys (signing.py) and every CSV download against its name."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Set

from covidmaps_plugin.model import wire
from covidmaps_plugin.model.wire import tile_name

from .reader import manifest_archive_hashes, manifest_blob_hashes
from .representation import MIN_COMPRESS, decodes_to
from .signing import verify_signatures
from .storage.base import (
    DamagedError,
    Storage,
    blob_key,
    check_key,
    download_key,
    pmtiles_key,
    read_verified,
    release_key,
)


def tile_key(tileset_sha256: str, z: int, x: int, y: int, suffix: str = "") -> str:
    """A format 1 tile: ``tiles/<sha>/{z}/{x}/{y}.pbf`` (+ ``.gz`` / ``.br``)."""
    return check_key(wire.format1_tile_name(tileset_sha256, z, x, y, suffix))


def tilejson_key(tileset_sha256: str) -> str:
    """A format 1 tile set's ``tiles/<sha>/tiles.json`` (written last)."""
    return check_key(wire.TILEJSON.name(tileset_sha256))


def _intact(storage: Storage, key: str, sha256: str, damaged: List[str],
            missing: Optional[List[str]] = None) -> Optional[bytes]:
    """``read_verified``, with a damaged file (or a missing one, when
    ``missing`` is given) put on its list."""
    try:
        data = read_verified(storage, key, sha256)
    except DamagedError:
        damaged.append(key)
        return None
    if data is None and missing is not None:
        missing.append(key)
    return data


def verify(storage: Storage) -> Dict[str, Any]:
    damaged: List[str] = []
    missing: List[str] = []
    blobs = _verify_named(storage, wire.BLOB, blob_key, damaged, missing)
    downloads = _verify_named(storage, wire.DOWNLOAD, download_key, damaged, missing)
    archives = _verify_named(storage, wire.PMTILES, lambda sha, _: pmtiles_key(sha), damaged,
                             missing)
    releases = 0
    release_files = [key for key in storage.list("releases/") if wire.RELEASE.name_match(key)]
    for key in release_files:
        releases += 1
        try:
            manifest = json.loads(storage.get(key) or b"")
        except ValueError:
            damaged.append(key)
            continue
        for sha in manifest_blob_hashes(manifest):
            if not storage.exists(blob_key(sha)):
                missing.append(f"{key} -> {blob_key(sha)}")
        for sha in manifest_archive_hashes(manifest):
            if not storage.exists(pmtiles_key(sha)):
                missing.append(f"{key} -> {pmtiles_key(sha)}")
        for entry in manifest.get("layers", ()):
            tiles = entry.get("tiles") or {}
            if tiles.get("format") != "pmtiles" and tiles.get("sha256") and not storage.exists(
                    tilejson_key(tiles["sha256"])):  # format 1
                missing.append(f"{key} -> {tilejson_key(tiles['sha256'])}")
            csv = ((entry.get("downloads") or {}).get("csv") or {}).get("sha256")
            if csv and not storage.exists(download_key(csv)):
                missing.append(f"{key} -> {download_key(csv)}")
    signatures = verify_signatures(storage, release_files)
    damaged.extend(f"{bad} (signature)" for bad in signatures["bad"])
    tilesets = _verify_tilesets(storage, damaged, missing)
    pointer, _ = storage.read_pointer()
    current = json.loads(pointer)["release_id"] if pointer else None
    if pointer is not None and storage.get(release_key(current)) != pointer:
        damaged.append("manifest.json (differs from its release file)")
    return {"blobs": blobs, "releases": releases, "archives": archives, "tilesets": tilesets,
            "downloads": downloads, "current": current,
            "signed": releases - len(signatures["unsigned"]),
            "unsigned": signatures["unsigned"], "damaged": damaged, "missing": missing}


def _verify_tilesets(storage: Storage, damaged: List[str], missing: List[str]) -> int:
    """Format 1: check every tile of every stored set against the SHA-256 its
    tiles.json lists, and its variants; a stored tile tiles.json does not list
    is damage."""
    stored: Dict[str, Set[str]] = {}
    for key in storage.list("tiles/"):
        if key.endswith(".pmtiles"):
            continue
        sha, _, rest = key[len("tiles/"):].partition("/")
        stored.setdefault(sha, set()).add(rest)
    for sha, names in stored.items():
        if "tiles.json" not in names:
            continue  # an upload that never completed: unreferenced, harmless
        try:
            doc = json.loads(storage.get(tilejson_key(sha)) or b"{}")
        except ValueError:
            damaged.append(tilejson_key(sha))
            continue
        expected = {"tiles.json"}
        for name, digest in ((doc.get("covidmaps") or {}).get("tiles") or {}).items():
            zxy = tile_name(name)
            if zxy is None:
                damaged.append(f"{tilejson_key(sha)} (tile name {name[:40]!r})")
                continue
            z, x, y = zxy
            key = tile_key(sha, z, x, y)
            expected.update(f"{z}/{x}/{y}.pbf{suffix}" for suffix in ("", ".gz", ".br"))
            data = _intact(storage, key, str(digest), damaged, missing)
            if data is None:
                continue
            if len(data) >= MIN_COMPRESS:  # smaller tiles were stored without twins
                for suffix in (".gz", ".br"):
                    _check_variant(storage, tile_key(sha, z, x, y, suffix), suffix, data,
                                   damaged, missing)
        damaged.extend(f"tiles/{sha}/{name} (not in its tiles.json)"
                       for name in sorted(names - expected))
    return sum(1 for names in stored.values() if "tiles.json" in names)


def _verify_named(storage: Storage, kind: wire.FileName, key_of: Any,
                  damaged: List[str], missing: List[str]) -> int:
    """Re-hash every file of this content-addressed ``kind`` against its name
    and check its stored variants decode to it; returns how many there are."""
    count = 0
    for key in storage.list(kind.template.split("{", 1)[0]):
        sha = kind.name_match(key)
        if sha is None:
            continue
        count += 1
        data = _intact(storage, key, sha, damaged)
        if data is None:
            continue
        for suffix in kind.variants:
            _check_variant(storage, key_of(sha, suffix), suffix, data, damaged, missing)
    return count


def _check_variant(storage: Storage, key: str, suffix: str, data: bytes, damaged: List[str],
                   missing: List[str]) -> None:
    packed = storage.get(key)
    if packed is None:
        missing.append(key)
        return
    try:
        ok = decodes_to(packed, suffix, data)
    except Exception:  # noqa: BLE001 - undecodable means damaged
        ok = False
    if not ok:
        damaged.append(key)
