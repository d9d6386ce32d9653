"""Feature-level patch uploads: a republish that changed a few features of a
big layer sends those features only, not the whole blob again.

A layer's canonical blob is a pure function of its features
(``covidmaps_plugin.model.geojson.canonical_bytes``: sorted by id, compact
JSON), so the server can rebuild the new blob from a blob it stores plus the
patch, and the client's hash of the new blob proves both sides got the same
bytes. The rebuilt bytes then go through ``Publisher.put_blob`` exactly as a
full upload would (hash, every check, canonical storage): a patch can
never store anything a full upload could not.

Wire format (``PUT /api/v1/layers/{layer}/blobs/{new sha}`` with
``Content-Type: application/vnd.covidmaps.patch+json``)::

    {"base": "<sha256 of a blob the server stores>",
     "upsert": [<GeoJSON Feature with "id">, ...],
     "delete": ["<uid>", ...]}
"""

from __future__ import annotations

from typing import Any, Callable, Container, Dict, List, Optional, Tuple

from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model import wire
from covidmaps_plugin.model.wire import is_sha256

from .boundary import input_stage
from .checks.jsonparse import loads_stored, parse_json
from .config import Limits
from .offload import Offload
from .problems import FieldError, ProblemError, require_upload_hash

_KEYS = {"base", "upsert", "delete"}


def is_patch(content_type: bytes) -> bool:
    """Whether a request's Content-Type names a feature patch (parameters ignored)."""
    media = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    return media == wire.PATCH_MEDIA


def _bad_patch(layer: str, errors: List[FieldError]) -> ProblemError:
    return ProblemError(422, wire.INVALID_PATCH, "The patch is not valid",
                        f"Layer {layer!r}: {len(errors)} problem(s) in the patch. First: "
                        f"{errors[0].message}", errors=errors[:100], extra={"layer": layer})


def _feature_id(feature: Any) -> Optional[str]:
    if isinstance(feature, dict) and isinstance(feature.get("id"), str):
        return feature["id"]
    return None


@input_stage("patch", 422)
def _parse(layer: str, body: bytes, limits: Limits) -> Dict[str, Any]:
    patch = parse_json(body, limits.max_depth, "patch", layer)
    if not isinstance(patch, dict) or not is_sha256(patch.get("base")):
        raise _bad_patch(layer, [FieldError(
            "bad-patch", "The patch must be a JSON object with 'base' (a blob's SHA-256), "
            "'upsert' (features) and 'delete' (uids).", layer)])
    unknown = sorted(set(patch) - _KEYS)
    upsert, delete = patch.get("upsert", []), patch.get("delete", [])
    errors = []
    if unknown:
        errors.append(FieldError("bad-patch", f"Unknown member(s) {', '.join(unknown)[:200]}; "
                                 "only base, upsert and delete are allowed.", layer))
    if not isinstance(upsert, list):
        errors.append(FieldError("bad-patch", "'upsert' must be a list of features.", layer))
    if not isinstance(delete, list) or not all(isinstance(u, str) for u in delete):
        errors.append(FieldError("bad-patch", "'delete' must be a list of uids.", layer))
    if errors:
        raise _bad_patch(layer, errors)
    return patch


def check_patch_ids(layer: str, base_ids: Container[str], upsert: List[Any],
                    delete: List[str]) -> None:
    """Refuse (422 ``invalid-patch``) a uid to delete that is not in the
    base, a feature without an ``id``, or a uid named twice."""
    errors: List[FieldError] = []
    seen: set = set()
    for uid in delete:
        if uid not in base_ids:
            errors.append(FieldError("patch-unknown-feature", f"Cannot delete {uid[:64]!r}: no "
                                     "such feature in the base blob.", layer, uid[:64], "id"))
        elif uid in seen:
            errors.append(FieldError("patch-duplicate", f"{uid!r} is named twice.", layer, uid))
        seen.add(uid)
    for index, feature in enumerate(upsert):
        uid = _feature_id(feature)
        if uid is None:
            errors.append(FieldError("patch-feature-id", f"upsert[{index}] is not a Feature "
                                     "with a string 'id' (its uid).", layer, f"#{index}", "id"))
            continue
        if uid in seen:
            errors.append(FieldError("patch-duplicate", f"{uid[:64]!r} is named twice in the "
                                     "patch.", layer, uid[:64]))
        seen.add(uid)
    if errors:
        raise _bad_patch(layer, errors)


@input_stage("patch-apply", 422)
def apply_patch(layer: str, base: bytes, upsert: List[Any], delete: List[str]) -> bytes:
    """The canonical bytes of ``base`` (a stored, canonical blob) with the
    features of ``delete`` removed and those of ``upsert`` added or replaced
    (``check_patch_ids`` first)."""
    features: Dict[str, Any] = {f["id"]: f for f in loads_stored(base)["features"]}
    check_patch_ids(layer, features, upsert, delete)
    for uid in delete:
        del features[uid]
    features.update((feature["id"], feature) for feature in upsert)
    return cgj.canonical_bytes(features.values())


def parse_patch(layer: str, body: bytes, limits: Limits) -> Tuple[str, List[Any], List[str]]:
    """(base SHA-256, upsert, delete) of a patch body (422 when malformed)."""
    patch = _parse(layer, body, limits)
    return patch["base"], patch.get("upsert", []), patch.get("delete", [])


def rebuild_blob(layer: str, claimed_sha: str, body: bytes, limits: Limits,
                 stored_blob: Callable[[str], Optional[bytes]],
                 offload: Optional[Offload] = None) -> bytes:
    """The new blob's bytes from a patch body; raises 404 ``base-not-found``
    when the base is not stored and 422 ``patch-mismatch`` when the result
    does not hash to ``claimed_sha`` (nothing is stored in either case: the
    client then uploads the whole layer). With ``offload``, a big base is
    parsed and encoded again in a worker process (offload.py)."""
    patch = _parse(layer, body, limits)
    base_sha = patch["base"]
    base = stored_blob(base_sha)
    if base is None:
        raise ProblemError(404, wire.BASE_NOT_FOUND, "The patch's base blob is not stored",
                           f"Blob {base_sha[:64]!r} is not on the server, so the patch for "
                           f"layer {layer!r} cannot be applied; upload the whole layer "
                           "instead.", extra={"layer": layer})
    upsert, delete = patch.get("upsert", []), patch.get("delete", [])
    if offload is not None:
        rebuilt = offload.call(len(base), apply_patch, layer, base, upsert, delete)
    else:
        rebuilt = apply_patch(layer, base, upsert, delete)
    # a patch rebuilt on the server must give exactly the bytes the client
    # hashed; anything else means the two sides disagree on the base or on
    # the encoding (the client then uploads the whole layer)
    require_upload_hash(rebuilt, claimed_sha, layer, wire.PATCH_MISMATCH,
                        f"applying the patch to the layer {base_sha} gives other bytes (the "
                        "client's base or its encoding differs from the server's); upload the "
                        "whole layer instead")
    return rebuilt
