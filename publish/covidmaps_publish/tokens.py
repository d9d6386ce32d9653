"""Bearer tokens: one per officer or unit, created with the CLI and shown
once. Only the SHA-256 of a token is stored (a 256-bit random token needs no
slow hash: there is nothing to brute-force), compared in constant time.

The file (``private/tokens.json``) is re-read when it changes, so a token
revoked with the CLI stops working in a running server at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from .privatedir import ensure_private_dir

# the label in front of every token (recognisable in a leak scan); not itself secret
TOKEN_PREFIX = "cmp_"  # noqa: S105  # nosec B105
_NAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass(frozen=True)
class TokenRecord:
    name: str
    sha256: str
    created: str
    revoked: Optional[str] = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 64 and set(name) <= _NAME_OK


class TokenStore:
    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / "tokens.json"
        ensure_private_dir(self.path.parent)
        self._lock = threading.Lock()
        self._stamp: Optional[tuple] = None
        self._records: Dict[str, TokenRecord] = {}

    # -- persistence -------------------------------------------------------
    def _load(self) -> Dict[str, TokenRecord]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, {}
            return self._records
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self._records = {r["name"]: TokenRecord(**r) for r in raw.get("tokens", [])}
            self._stamp = stamp
        return self._records

    def _save(self, records: Dict[str, TokenRecord]) -> None:
        data = json.dumps({"tokens": [r.__dict__ for r in records.values()]}, indent=1)
        tmp = self.path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    # -- operations ----------------------------------------------------------
    def create(self, name: str) -> str:
        """A new token for ``name``; returned once, stored hashed."""
        if not valid_name(name):
            raise ValueError("a token name is 1-64 letters, digits, '-', '_' or '.'")
        with self._lock:
            records = dict(self._load())
            if name in records and records[name].revoked is None:
                raise ValueError(f"an active token named {name!r} exists; revoke it first")
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            records[name] = TokenRecord(name, _digest(token), _now())
            self._save(records)
            self._stamp = None
            return token

    def revoke(self, name: str) -> bool:
        with self._lock:
            records = dict(self._load())
            record = records.get(name)
            if record is None or record.revoked is not None:
                return False
            records[name] = TokenRecord(record.name, record.sha256, record.created, _now())
            self._save(records)
            self._stamp = None
            return True

    def list(self) -> List[TokenRecord]:
        with self._lock:
            return sorted(self._load().values(), key=lambda r: r.name)

    def authenticate(self, token: str) -> Optional[str]:
        """The token's name if it is active, else None (constant-time compare
        against every record, so timing does not reveal which one is close)."""
        if not token or len(token) > 200:
            return None
        digest = _digest(token)
        with self._lock:
            records = list(self._load().values())
        match: Optional[str] = None
        for record in records:
            if hmac.compare_digest(digest, record.sha256) and record.revoked is None:
                match = record.name
        return match


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
