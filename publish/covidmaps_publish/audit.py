"""Append-only audit log of every write attempt, accepted or rejected: one
JSON object per line in ``private/audit.log``. Never the token itself.

Bounded, so a flood of anonymous writes cannot fill the disk:

- anonymous rejections (no valid token) are written in full for the first
  ``ANON_FULL_PER_MINUTE`` of each client per minute; the rest of that
  minute is counted and written as ONE summary line (``"coalesced": N``)
  once the minute is over (or at shutdown). At most ``ANON_MAX_CLIENTS``
  clients are tracked per minute; beyond that they share the bucket "*".
  Writes with a valid token are always written in full.
- the file is rotated at ``max_bytes`` (``audit.log.1`` ... ``.{keep}``;
  the oldest is deleted), under a lock file, so several worker processes
  rotate once. The whole log therefore never exceeds (keep + 1) x max_bytes.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from .privatedir import ensure_private_dir

ANON_FULL_PER_MINUTE = 10
ANON_MAX_CLIENTS = 1024
MB = 1024 * 1024


@dataclass
class _Bucket:
    minute: str
    written: int = 0
    coalesced: int = 0
    last_reason: str = ""
    last_status: int = 0


class AuditLog:
    def __init__(self, state_dir: Path, fsync: bool = True, max_bytes: int = 8 * MB,
                 keep: int = 4) -> None:
        self.path = Path(state_dir) / "audit.log"
        ensure_private_dir(self.path.parent)
        self._fsync = fsync
        self._max_bytes = max(4096, max_bytes)
        self._keep = max(1, keep)
        self._lock = threading.Lock()
        self._anon: Dict[str, _Bucket] = {}

    def record(self, *, actor: Optional[str], method: str, route: str, status: int,
               outcome: str, client: Optional[str], reason: str = "",
               release_id: Optional[str] = None, **extra: Any) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        entry: Dict[str, Any] = {
            "time": now.isoformat(timespec="milliseconds"),
            "actor": actor or "anonymous",
            "method": method,
            "route": route[:300],
            "status": status,
            "outcome": outcome,
            "release_id": release_id,
            "client": client,
            "reason": reason[:500],
        }
        entry.update(extra)
        lines = self._due_summaries(now)
        if actor is None and outcome == "rejected" and not self._counts_in_full(client, now,
                                                                                  entry):
            self._write(lines, sync=False)
            return
        lines.append(entry)
        self._write(lines, sync=outcome == "accepted")

    def flush(self, everything: bool = False) -> None:
        """Write the summaries of finished minutes (all of them at shutdown)."""
        now = dt.datetime.now(dt.timezone.utc)
        self._write(self._due_summaries(now, everything), sync=False)

    # -- coalescing ------------------------------------------------------------------
    def _counts_in_full(self, client: Optional[str], now: dt.datetime,
                        entry: Dict[str, Any]) -> bool:
        """Whether an anonymous rejection is written in full (else counted)."""
        minute = now.strftime("%Y-%m-%dT%H:%MZ")
        key = client or "?"
        with self._lock:
            bucket = self._anon.get(key)
            if bucket is None:
                if len(self._anon) >= ANON_MAX_CLIENTS:
                    key = "*"
                    bucket = self._anon.get(key)
                if bucket is None:
                    bucket = self._anon[key] = _Bucket(minute)
            if bucket.written < ANON_FULL_PER_MINUTE:
                bucket.written += 1
                return True
            bucket.coalesced += 1
            bucket.last_reason = str(entry["reason"])[:200]
            bucket.last_status = int(entry["status"])
            return False

    def _due_summaries(self, now: dt.datetime, everything: bool = False
                       ) -> List[Dict[str, Any]]:
        minute = now.strftime("%Y-%m-%dT%H:%MZ")
        out = []
        with self._lock:
            for key in [k for k, b in self._anon.items() if everything or b.minute != minute]:
                bucket = self._anon.pop(key)
                if bucket.coalesced:
                    out.append({
                        "time": now.isoformat(timespec="milliseconds"), "actor": "anonymous",
                        "method": "*", "route": "*", "status": bucket.last_status,
                        "outcome": "rejected", "release_id": None,
                        "client": None if key == "*" else key,
                        "reason": (f"{bucket.coalesced} more anonymous rejected writes in "
                                   f"minute {bucket.minute}; last: {bucket.last_reason}")[:500],
                        "coalesced": bucket.coalesced, "minute": bucket.minute})
        return out

    # -- the file ------------------------------------------------------------------------
    def _write(self, entries: List[Dict[str, Any]], sync: bool) -> None:
        if not entries:
            return
        data = b"".join((json.dumps(e, ensure_ascii=False) + "\n").encode("utf-8", "replace")
                        for e in entries)
        with self._lock:
            lock_fd = os.open(self.path.with_name("audit.lock"),
                              os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX)  # other workers write and rotate too
                try:
                    size = self.path.stat().st_size
                except FileNotFoundError:
                    size = 0
                if size and size + len(data) > self._max_bytes:
                    self._rotate()
                # O_APPEND: each line lands whole at the end
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, data)
                    if self._fsync and sync:
                        os.fsync(fd)
                finally:
                    os.close(fd)
            finally:
                os.close(lock_fd)  # releases the flock

    def _rotate(self) -> None:
        oldest = self._rotated(self._keep)
        if oldest.exists():
            oldest.unlink()
        for n in range(self._keep - 1, 0, -1):
            if self._rotated(n).exists():
                os.replace(self._rotated(n), self._rotated(n + 1))
        os.replace(self.path, self._rotated(1))

    def _rotated(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def files(self) -> List[Path]:
        """The log's files, oldest first."""
        old = [self._rotated(n) for n in range(self._keep, 0, -1)]
        return [p for p in old + [self.path] if p.exists()]

    def entries(self) -> Iterator[Dict[str, Any]]:
        for path in self.files():
            try:
                with open(path, encoding="utf-8") as fh:
                    for line in fh:
                        if line.strip():
                            yield json.loads(line)
            except FileNotFoundError:
                continue
