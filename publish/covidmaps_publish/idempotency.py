"""Idempotency records: ``Idempotency-Key`` -> the release a publish made.

A record is written BEFORE the pointer swap (with the release id about to be
committed) and consulted on a retry: if that release is in the committed
chain the retry gets it back; if the process died before the swap, the
retry publishes normally. So a crash between commit and record cannot
produce a second release. Keys are scoped to the token name.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .privatedir import ensure_private_dir


@dataclass(frozen=True)
class IdempotencyRecord:
    fingerprint: str  # SHA-256 of route + body: the same key with another body is an error
    release_id: str


class IdempotencyStore:
    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir) / "idempotency"
        ensure_private_dir(self.dir)

    def _path(self, actor: str, key: str) -> Path:
        name = hashlib.sha256(f"{actor}\0{key}".encode("utf-8", "surrogateescape")).hexdigest()
        return self.dir / f"{name}.json"

    def get(self, actor: str, key: str) -> Optional[IdempotencyRecord]:
        try:
            raw = json.loads(self._path(actor, key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return IdempotencyRecord(raw["fingerprint"], raw["release_id"])

    def put(self, actor: str, key: str, record: IdempotencyRecord) -> None:
        path = self._path(actor, key)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record.__dict__, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
