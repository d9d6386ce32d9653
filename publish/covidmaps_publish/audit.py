"""Append-only audit log of every write attempt, accepted or rejected: one
JSON object per line in ``private/audit.log``. Never the token itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, Optional


class AuditLog:
    def __init__(self, state_dir: Path, fsync: bool = True) -> None:
        self.path = Path(state_dir) / "audit.log"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fsync = fsync
        self._lock = threading.Lock()

    def record(self, *, actor: Optional[str], method: str, route: str, status: int,
               outcome: str, client: Optional[str], reason: str = "",
               release_id: Optional[str] = None, **extra: Any) -> None:
        entry: Dict[str, Any] = {
            "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
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
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        with self._lock:
            # O_APPEND: each line lands whole at the end, even with other writers
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                if self._fsync and outcome == "accepted":
                    os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> Iterator[Dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield json.loads(line)
        except FileNotFoundError:
            return
