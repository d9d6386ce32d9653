"""The open-data side of a commit: CSV downloads, the release signature and
the Atom feed (docs/release-format.md, "Write order").

The publisher calls three hooks, in this order for one release:

1. ``downloads(...)`` while it builds the manifest: each layer's CSV is
   stored (variants first) before the manifest that names it;
2. ``sign(...)`` after ``releases/<id>.json`` and before the pointer swap:
   whatever the pointer names has its signature beside it;
3. ``after_commit(...)`` after the pointer swap: the feed is rewritten from
   the new head. A crash between 2 and 3 leaves the feed one release behind
   until the next commit or start (``startup`` rewrites a feed that does not
   name the current release).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from .downloads import Downloads
from .feed import atom_feed
from .offload import Offload
from .signing import Signer
from .storage.base import FEED_KEY, Storage

log = logging.getLogger(__name__)


class OpenData:
    def __init__(self, state_dir: Path, storage: Storage,
                 manifest_of: Callable[[str], Optional[Dict[str, Any]]],
                 offload: Optional[Offload] = None) -> None:
        self.storage = storage
        self.signer = Signer(state_dir, storage)
        self._downloads = Downloads(storage, offload)
        self._manifest_of = manifest_of

    def startup(self, head: Dict[str, Any]) -> None:
        """The signing key exists and is published; the feed names ``head``."""
        self.signer.ensure_key()
        if head.get("release_id"):
            feed = self.storage.get(FEED_KEY)
            if feed is None or f"release:{head['release_id']}<".encode() not in feed:
                self.write_feed(head)

    def downloads(self, layer_id: str, blob_sha: str, blob: bytes,
                  parent: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        parent_entry = next((e for e in (parent or {}).get("layers", ())
                             if e.get("id") == layer_id), None)
        return self._downloads.entry(layer_id, blob_sha, blob, parent_entry)

    def prepare(self, layer_id: str, blob_sha: str, blob: bytes,
                base: Optional[Tuple[bytes, str]] = None) -> None:
        """Start the CSV of an accepted blob in the background (downloads.py;
        ``base``: the blob it changed from and that blob's CSV SHA-256)."""
        self._downloads.prepare(layer_id, blob_sha, blob, base)

    def close(self) -> None:
        self._downloads.close()

    def sign(self, release_id: str, data: bytes) -> None:
        self.signer.sign(release_id, data)

    def after_commit(self, manifest: Dict[str, Any]) -> None:
        self.write_feed(manifest)

    def write_feed(self, head: Dict[str, Any]) -> None:
        try:
            self.storage.put_replaceable(FEED_KEY, atom_feed(head, self._manifest_of))
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            # the release is committed; the feed catches up at the next commit or start
            log.exception("could not write the feed for %s", head.get("release_id"))
