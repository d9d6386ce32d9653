"""Blobs sent while the workspace is still being validated.

A full publish of a big workspace used to validate, export, then upload:
the endpoint sat idle through the validation, and only then checked the
biggest layer and started its vector tiles (the longest step of the
publish). Exported first, the blobs the server lacks go out in a thread of
their own while the calling thread validates, so the server checks and
tiles them meanwhile.

This weakens nothing: blobs are content-addressed and change nothing
public until a commit names them, and the commit is only sent after the
validation passed (``pipeline.upload_and_commit``). When the validation
finds errors or is cancelled, no further blob goes out; one already sent
stays an unnamed file the server never lists.

A layer that goes as a patch of its base (a republish) goes early too:
its diff against the base compares the two blobs in C and walks only the
features from the first change to the last (``merge_canonical_changes``),
milliseconds beside the validation, and the endpoint meanwhile stores the
new blob and patches its tiles and CSV, the work a republish's commit
waits for.

The publish does not wait
for an upload on the wire then (an officer with a slow link sees the
findings at once): the thread has a client of its own, finishes that one
request in the background and closes it.
"""

from __future__ import annotations

import threading
from typing import Dict, List, Mapping, Optional, Sequence

from ..export import LayerExport
from .client import PublishClient
from .patch import send_layer


class EarlyUploads:
    """Sends ``blobs`` the server lacks (biggest first: the server's
    longest work waits on it) in a background thread; ``finish`` hands over
    what went out."""

    def __init__(self, client: PublishClient, blobs: Sequence[LayerExport],
                 base: Mapping[str, str], known_bases: Optional[Mapping[str, bytes]] = None
                 ) -> None:
        self._client = client  # its own: the publish may close its client first
        self._blobs = sorted(blobs, key=lambda e: e.size, reverse=True)
        self._base = dict(base)
        # the base release's blobs this side has (patch.base_blob), by layer
        self._known = dict(known_bases or {})
        self._stop = threading.Event()
        self._error: Optional[BaseException] = None
        self.sent: Dict[str, int] = {}  # sha256 -> bytes on the wire
        self.messages: List[str] = []  # said by send_layer, repeated by the caller's log
        self._thread = threading.Thread(target=self._run, name="covidmaps-early-upload",
                                        daemon=True)

    def start(self) -> EarlyUploads:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            for export in self._blobs:
                if self._stop.is_set():
                    return
                # a blob of the base release or already on the server: the
                # upload step skips it (and says so) as it always has
                if self._base.get(export.layer) == export.sha256 or self._client.has_blob(
                        export.layer, export.sha256):
                    continue
                self.sent[export.sha256] = send_layer(
                    self._client, export, self._base.get(export.layer),
                    self._known.get(export.layer), self.messages.append)
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self._error = exc
        finally:
            self._client.close()

    def stop(self) -> None:
        """No further blob goes out (the one on the wire completes)."""
        self._stop.set()

    def close(self) -> None:
        """The publish is not going on: stop, without waiting for an upload
        on the wire (its outcome no longer matters). Idempotent."""
        self.stop()

    def finish(self) -> Dict[str, int]:
        """Wait for every early upload; raise the first failure (the
        validation passed: it is now the publish's failure). Returns
        sha256 -> bytes sent."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return dict(self.sent)
