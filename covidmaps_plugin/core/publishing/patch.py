"""Republish a changed layer as a feature-level patch of the blob the
server already has, instead of the whole layer again.

A layer's canonical blob is a pure function of its features (sorted by
uid, compact JSON: ``model/geojson.py``), so the endpoint rebuilds the new
blob from the base blob plus the changed features, checks that it hashes to
the new blob's SHA-256 and runs the same checks as on a full upload
(docs/api.md, "Uploading a changed layer as a patch"). Editing one point of
a 100,000-point layer then sends one feature, not 80 MB.
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

from ...model import geojson as cgj
from ..export import LayerExport
from .changes import features_by_uid
from .client import PublishClient

# Send a patch only when it is much smaller than the layer: a patch that
# rewrites a quarter of the layer saves little and costs the server a rebuild.
PATCH_MAX_FRACTION = 0.25
# Without a change preview the base blob must be downloaded to diff against.
# The download is served compressed (brotli or gzip, several times smaller
# than the upload) and most links download faster than they upload, so it
# pays for a big layer; for a small one the extra round trip costs more
# than the whole upload it would save.
PATCH_FETCH_MIN_BYTES = 256 * 1024

Say = Callable[[str], None]


def patch_cannot_pay(new_size: int, base_size: int) -> bool:
    """A patch upserts every feature the base lacks, so it is at least as
    long as what the layer grew by: a first publish onto the empty release
    needs no parse of the whole layer to know the patch does not pay."""
    return new_size - base_size > new_size * PATCH_MAX_FRACTION


def feature_patch(base_sha: str, base_data: bytes, new_data: bytes) -> Optional[bytes]:
    """The patch body turning ``base_data`` into ``new_data`` (both canonical
    blobs), or None when it would not be much smaller than ``new_data``."""
    if patch_cannot_pay(len(new_data), len(base_data)):
        return None
    merged = _merged_patch(base_sha, base_data, new_data)
    if merged is not _NOT_CUT:
        return merged
    try:
        old = features_by_uid(base_data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a damaged base: the whole layer is the safe upload
    new = features_by_uid(new_data)
    patch = {"base": base_sha,
             "upsert": [feature for uid, feature in new.items() if old.get(uid) != feature],
             "delete": sorted(set(old) - set(new))}
    body = json.dumps(patch, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    return body if len(body) <= len(new_data) * PATCH_MAX_FRACTION else None


_NOT_CUT = object()  # _merged_patch could not cut the blobs: parse them instead


def _merged_patch(base_sha: str, base_data: bytes, new_data: bytes) -> Any:
    """``feature_patch`` of two blobs in the canonical layout, walked side by
    side one feature at a time (both are sorted by id) from the first
    difference to the last (what both start and end with is compared in C,
    not walked: merge_canonical_changes): the features are compared as
    their canonical bytes, never parsed, and only the changed ones are held
    (two national layers of 1 GB parsed into dicts cost the QGIS side tens
    of GB). None when the patch would not pay, ``_NOT_CUT`` when a blob is
    not in the canonical layout."""
    changes = cgj.merge_canonical_changes(base_data, new_data)
    if changes is None:
        return _NOT_CUT
    merged = changes.merged
    budget = len(new_data) * PATCH_MAX_FRACTION
    upsert: List[bytes] = []
    delete: List[bytes] = []
    size = 0
    try:
        for uid, old, new in merged:
            if new is None:  # in the base only
                delete.append(uid)
                size += len(uid) + 3
            elif old != new:  # new or changed
                upsert.append(new)
                size += len(new) + len(cgj.FEATURE_PREFIX) + 1
            if size > budget:
                return None
    except ValueError:  # an id with escapes or out of order
        return _NOT_CUT
    body = b"".join((b'{"base":"', base_sha.encode("ascii"), b'","upsert":[',
                     b",".join(cgj.FEATURE_PREFIX + part for part in upsert),
                     b'],"delete":[', b",".join(b'"' + uid + b'"' for uid in delete), b"]}"))
    return body if len(body) <= budget else None


def base_blob(client: PublishClient, export: LayerExport, base_sha: Optional[str],
              known: Optional[bytes]) -> Optional[bytes]:
    """The base release's blob of this layer to diff against: the one the
    change preview already downloaded, else a download for big layers only."""
    if base_sha is None:  # never published: there is nothing to patch
        return None
    if known is not None:
        return known
    if export.size < PATCH_FETCH_MIN_BYTES:
        return None
    return client.blob(base_sha)


def send_layer(client: PublishClient, export: LayerExport, base_sha: Optional[str],
               known_base: Optional[bytes], say: Say) -> int:
    """Upload one layer the server lacks, as a patch when that pays, else
    whole (also when the server cannot apply the patch); returns the bytes
    that went over the wire."""
    start = client.bytes_sent
    base = base_blob(client, export, base_sha, known_base)
    patch = feature_patch(base_sha, base, export.data) if base is not None else None
    if patch is not None:
        if client.upload_patch(export.layer, export.sha256, patch, export.size):
            sent = client.bytes_sent - start
            say(f"{export.layer}: patched, {sent} bytes sent for a {export.size}-byte layer "
                f"({export.sha256[:12]})")
            return sent
        say(f"{export.layer}: the server could not apply the patch; uploading the layer")
    client.upload_blob(export.layer, export.data, export.sha256)
    sent = client.bytes_sent - start
    say(f"{export.layer}: uploaded {export.size} bytes as {sent} on the wire "
        f"({export.sha256[:12]})")
    return sent

