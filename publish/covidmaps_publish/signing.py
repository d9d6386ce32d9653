"""Ed25519 signatures of release manifests (docs/release-format.md, "Signatures").

The private key lives in the private state directory (``private/signing/``,
0700, the key file 0600) and never under ``/data/``. Its public half is
published at fixed URLs: ``/data/public-key.pem`` (the current key),
``/data/keys/<key id>.pem`` (every key ever used, kept after a rotation) and
``/data/keys.json`` (all of them, with the current one named). Beside every
release manifest ``releases/<id>.json`` is its detached signature
``releases/<id>.json.sig``: the Ed25519 signature of exactly the manifest's
bytes, with the id of the key that made it, so a release signed before a
rotation stays verifiable with the retired key's published public half.

A key id is the first 16 hex digits of the SHA-256 of the raw 32-byte public
key: a reader can check that a published key matches its id.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from covidmaps_plugin.model import PROVINCE_TZ
from covidmaps_plugin.model.wire import is_key_id

from .privatedir import FILE_MODE, ensure_private_dir
from .storage.base import KEYS_KEY, PUBLIC_KEY_KEY, Storage, key_pem_key, signature_key

SIGNATURE_FORMAT = "covidmaps-signature/1"
KEYS_FORMAT = "covidmaps-keys/1"
ALGORITHM = "Ed25519"


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def _now() -> str:
    return dt.datetime.now(PROVINCE_TZ).isoformat(timespec="seconds")


class Signer:
    """Creates, rotates and uses the endpoint's signing key.

    Several server processes and the CLI may share the state directory: key
    creation and rotation hold an exclusive lock, and every signature reads
    which key is current, so a rotation by the CLI takes effect in a running
    server at its next commit.
    """

    def __init__(self, state_dir: Path, storage: Storage) -> None:
        self.dir = Path(state_dir) / "signing"
        self.storage = storage
        self._cache: Dict[str, Ed25519PrivateKey] = {}

    # -- private files ----------------------------------------------------------
    def _lock(self) -> Any:
        ensure_private_dir(self.dir)
        fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        handle = os.fdopen(fd, "r+b")
        fcntl.flock(handle, fcntl.LOCK_EX)
        return handle

    def _registry(self) -> Dict[str, Any]:
        try:
            return json.loads((self.dir / "keys.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": KEYS_FORMAT, "current": None, "keys": []}

    def _write_private(self, name: str, data: bytes) -> None:
        tmp = self.dir / f".{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.dir / name)

    def _new_key(self, registry: Dict[str, Any]) -> str:
        private = Ed25519PrivateKey.generate()
        key_id = key_id_of(private.public_key())
        self._write_private(f"{key_id}.key", private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        registry["keys"].append({"key_id": key_id, "algorithm": ALGORITHM,
                                 "public_key": base64.b64encode(raw).decode("ascii"),
                                 "pem": f"keys/{key_id}.pem", "created_at": _now(),
                                 "retired_at": None})
        registry["current"] = key_id
        return key_id

    def _save(self, registry: Dict[str, Any]) -> None:
        self._write_private("keys.json", _encode(registry))

    # -- public files ------------------------------------------------------------
    def publish_keys(self, registry: Optional[Dict[str, Any]] = None) -> None:
        """Write every key's PEM, then keys.json and public-key.pem (a reader
        who finds a key id in keys.json finds its PEM too)."""
        registry = registry or self._registry()
        current_pem = None
        for entry in registry["keys"]:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
            pem = public_pem(public)
            self.storage.put_immutable(key_pem_key(entry["key_id"]), pem)
            if entry["key_id"] == registry["current"]:
                current_pem = pem
        if self.storage.get(KEYS_KEY) != _encode(registry):
            self.storage.put_replaceable(KEYS_KEY, _encode(registry))
        if current_pem is not None and self.storage.get(PUBLIC_KEY_KEY) != current_pem:
            self.storage.put_replaceable(PUBLIC_KEY_KEY, current_pem)

    # -- what the publisher and the CLI call -----------------------------------
    def ensure_key(self) -> str:
        """The current key id; a new key on a new data directory."""
        with self._lock():
            registry = self._registry()
            current = registry["current"]
            if current is None or not (self.dir / f"{current}.key").is_file():
                self._new_key(registry)
                self._save(registry)
            self.publish_keys(registry)
            return registry["current"]

    def rotate(self) -> Tuple[Optional[str], str]:
        """Retire the current key (its private half is deleted, its public half
        stays published) and make a new one; returns (old id, new id)."""
        with self._lock():
            registry = self._registry()
            old = registry["current"]
            for entry in registry["keys"]:
                if entry["key_id"] == old:
                    entry["retired_at"] = _now()
            new = self._new_key(registry)
            self._save(registry)
            self.publish_keys(registry)
            if old is not None:
                (self.dir / f"{old}.key").unlink(missing_ok=True)
                self._cache.pop(old, None)
            return old, new

    def _private(self, key_id: str) -> Ed25519PrivateKey:
        key = self._cache.get(key_id)
        if key is None:
            loaded = serialization.load_pem_private_key(
                (self.dir / f"{key_id}.key").read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"signing key {key_id} is not an Ed25519 key")
            key = self._cache[key_id] = loaded
        return key

    def sign(self, release_id: str, manifest: bytes) -> bytes:
        """Store and return ``releases/<id>.json.sig`` for ``manifest``'s bytes."""
        key_id = self._registry()["current"] or self.ensure_key()
        signature = self._private(key_id).sign(manifest)
        doc = _encode({"format": SIGNATURE_FORMAT, "release_id": release_id, "key_id": key_id,
                       "algorithm": ALGORITHM,
                       "signed_sha256": hashlib.sha256(manifest).hexdigest(),
                       "signature": base64.b64encode(signature).decode("ascii")})
        self.storage.put_immutable(signature_key(release_id), doc)
        return doc


def published_keys(storage: Storage) -> Dict[str, Ed25519PublicKey]:
    """Key id -> public key, from the published keys.json (ids checked)."""
    data = storage.get(KEYS_KEY)
    if data is None:
        return {}
    keys = {}
    for entry in json.loads(data).get("keys", ()):
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
        if is_key_id(entry.get("key_id")) and key_id_of(public) == entry["key_id"]:
            keys[entry["key_id"]] = public
    return keys


def check_signature(manifest: bytes, signature_doc: Optional[bytes],
                    keys: Dict[str, Ed25519PublicKey]) -> Optional[str]:
    """None when ``signature_doc`` is a valid signature of ``manifest`` by one
    of ``keys``; else why not (a sentence)."""
    if signature_doc is None:
        return "no signature"
    try:
        doc = json.loads(signature_doc)
        signature = base64.b64decode(doc["signature"], validate=True)
        key_id = doc["key_id"]
    except (ValueError, KeyError, TypeError):
        return "signature file is not readable"
    public = keys.get(key_id) if isinstance(key_id, str) else None
    if public is None:
        return f"signed by unknown key {str(key_id)[:20]!r}"
    try:
        public.verify(signature, manifest)
    except InvalidSignature:
        return f"signature does not match the manifest's bytes (key {key_id})"
    return None


def verify_signatures(storage: Storage, release_keys: List[str]) -> Dict[str, List[str]]:
    """{"bad": [...], "unsigned": [...]} over ``releases/<id>.json`` keys."""
    keys = published_keys(storage)
    bad: List[str] = []
    unsigned: List[str] = []
    for key in release_keys:
        manifest = storage.get(key) or b""
        problem = check_signature(manifest, storage.get(key + ".sig"), keys)
        if problem == "no signature":
            unsigned.append(key)
        elif problem is not None:
            bad.append(f"{key}: {problem}")
    return {"bad": bad, "unsigned": unsigned}


def _encode(doc: Dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()
