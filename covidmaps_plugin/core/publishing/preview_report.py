"""The publish preview as a file, and publishing exactly what it showed.

``covidmaps:previewpublish`` validates, exports and compares with the public
map (nothing is sent) and writes :func:`preview_to_dict` as JSON; the
Publish dialog reads it back with :meth:`PreviewReport.from_dict` (the
findings as ``Finding`` objects, the change list as a ``ChangeSummary``).
``covidmaps:publish`` given the previewed release and the previewed blobs
(``publish_as_previewed``) publishes only if the export is still the same,
with ``If-Match`` on that release: the officer publishes what was shown, or
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from qgis.core import QgsFeedback

from ..export import LayerExport
from .changes import ChangeSummary, LayerChanges
from .errors import PublishError
from .pipeline import (
    Log,
    Prepared,
    PublishRequest,
    PublishResult,
    ValidationSummary,
    make_client,
    prepare,
    upload_and_commit,
)

FORMAT = "covidmaps-publish-preview/1"
# what of the base manifest the dialog shows (the rest stays on the server)
BASE_KEYS = ("release_id", "kind", "created_at", "parent_id")


class PreviewOutdatedError(PublishError):
    """The workspace exports differently from what the officer checked."""

    def __init__(self) -> None:
        super().__init__(
            "Dữ liệu đã thay đổi kể từ lúc kiểm tra (có chỉnh sửa, hoặc một đối tượng vừa hết "
            "hạn hiển thị). Chưa công bố gì. Hãy kiểm tra lại rồi công bố.",
            "The data changed since the check (an edit, or a feature whose display time just "
            "ended). Nothing was published. Check again, then publish.",
        )


def blob_shas(prepared: Prepared) -> Dict[str, str]:
    """Layer (and reference layer) -> sha256 of what the publish would send."""
    shas = {name: e.sha256 for name, e in prepared.exports.items()}
    shas.update({name: e.sha256 for name, e in prepared.references.items()})
    return shas


def preview_to_dict(prepared: Prepared) -> Dict[str, Any]:
    changes = prepared.changes
    return {
        "format": FORMAT,
        "base_manifest": {k: prepared.base_manifest.get(k) for k in BASE_KEYS},
        "data_updated_at": prepared.data_updated_at,
        "blobs": blob_shas(prepared),
        "validation": {"ran": prepared.validation.ran,
                       "findings": [f.to_dict() for f in prepared.validation.findings]},
        "changes": None if changes is None else [
            {"layer": lc.layer, "added": list(lc.added), "changed": list(lc.changed),
             "removed": {why: list(uids) for why, uids in lc.removed.items()},
             "unchanged": lc.unchanged, "names": dict(lc.names)}
            for lc in changes.layers],
    }


@dataclass
class PreviewReport:
    """What the Publish dialog shows of a preview (the attributes it reads
    of a ``pipeline.Prepared``)."""

    validation: ValidationSummary
    base_manifest: Dict[str, Any]
    changes: Optional[ChangeSummary] = None
    data_updated_at: Optional[str] = None
    blobs: Dict[str, str] = field(default_factory=dict)

    @property
    def base_release(self) -> Optional[str]:
        return self.base_manifest.get("release_id")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], lang: str = "vi") -> PreviewReport:
        from ..validation import Finding, Severity

        if data.get("format") != FORMAT:
            raise ValueError(f"not a publish preview: {data.get('format')!r}")
        validation = data.get("validation") or {}
        findings = [Finding.from_dict(f) for f in validation.get("findings", ())]
        errors = [f for f in findings if f.severity is Severity.ERROR]
        warnings = [f for f in findings if f.severity is Severity.WARNING]
        summary = ValidationSummary(
            tuple(f.described(lang) for f in errors), tuple(f.described(lang) for f in warnings),
            bool(validation.get("ran", True)), tuple(errors + warnings))
        changes = data.get("changes")
        return cls(
            summary, dict(data.get("base_manifest") or {}),
            None if changes is None else ChangeSummary(tuple(_layer_changes(lc)
                                                             for lc in changes)),
            data.get("data_updated_at"), dict(data.get("blobs") or {}))


def _layer_changes(data: Mapping[str, Any]) -> LayerChanges:
    return LayerChanges(
        str(data["layer"]), tuple(data.get("added", ())), tuple(data.get("changed", ())),
        {str(why): tuple(uids) for why, uids in (data.get("removed") or {}).items()},
        int(data.get("unchanged", 0)), dict(data.get("names") or {}))


def publish_as_previewed(request: PublishRequest, expected_blobs: Mapping[str, str],
                         feedback: Optional[QgsFeedback] = None, log: Optional[Log] = None,
                         lang: str = "vi") -> PublishResult:
    """Export again and publish only if the blobs are the previewed ones
    (``request.base_release``: the previewed release, sent as If-Match)."""
    client = make_client(request, feedback)

    def as_previewed(blobs: List[LayerExport]) -> None:
        # before anything is sent: a workspace edited since the preview
        # publishes nothing
        if expected_blobs and {e.layer: e.sha256 for e in blobs} != dict(expected_blobs):
            raise PreviewOutdatedError()

    prepared: Optional[Prepared] = None
    try:
        prepared = prepare(request, client, lang, feedback, with_changes=False,
                           upload_early=True, exported=as_previewed)
        return upload_and_commit(request, prepared, client, feedback, log)
    finally:
        if prepared is not None and prepared.early is not None:
            prepared.early.close()
        client.close()

