"""One publish, step by step: export → validate → compare → upload → commit.

Shared by the GUI task (``task.py``) and the Processing algorithm
(``covidmaps:publish``); it runs in whatever worker thread calls it and
reports through a ``QgsFeedback`` (progress, cancel).

The public map changes in the commit only. A cancel is honoured up to the
moment the commit request is sent; after that the publish completes (the
same Idempotency-Key makes any retry return the one release it made).
A publish sends the blobs while the workspace is validated (early.py): the
commit still waits for a validation without errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from qgis.core import QgsFeedback

from ...model import PROVINCE_TZ
from ..export import ExportCancelledError, LayerExport, export_reference
from ..export_cache import EXPORTS
from ..rows import ROWS
from .changes import ChangeSummary, summarize
from .client import PublishClient, new_idempotency_key
from .early import EarlyUploads
from .errors import (
    PublishCancelledError,
    ValidationBlockedError,
    WarningsNotConfirmedError,
)
from .freshness import data_updated_at
from .network import NetworkSettings
from .patch import send_layer
from .source import PublishSource, open_source

Log = Callable[[str], None]


@dataclass(frozen=True)
class PublishRequest:
    gpkg_path: Union[str, Path]
    endpoint: str
    auth_headers: Mapping[str, str] = field(repr=False)  # the token: never in logs
    network: NetworkSettings = NetworkSettings()
    # the release the officer previewed (If-Match); None: whatever is current
    base_release: Optional[str] = None
    confirm_warnings: bool = False
    message: str = ""
    idempotency_key: str = field(default_factory=new_idempotency_key)
    validate: bool = True
    now: Optional[dt.datetime] = None


@dataclass(frozen=True)
class ValidationSummary:
    errors: Tuple[str, ...] = ()  # messages, in the language asked for
    warnings: Tuple[str, ...] = ()
    ran: bool = True  # False when no validator is installed
    # the errors' then the warnings' ``validation.Finding``s, in the order of
    # the messages (the dialog jumps to the feature of one)
    findings: Tuple[Any, ...] = ()


@dataclass
class Prepared:
    """Everything known before anything is sent."""

    validation: ValidationSummary
    exports: Dict[str, LayerExport]
    references: Dict[str, LayerExport]
    base_manifest: Dict[str, Any]
    changes: Optional[ChangeSummary] = None
    # base release blobs the change preview downloaded or an earlier export
    # of this session made, by layer: the upload diffs against them for a
    # patch (patch.py) without a download
    base_blobs: Dict[str, bytes] = field(default_factory=dict)
    # the manifest's data_updated_at: newest updated_at of the published features
    data_updated_at: Optional[str] = None
    # the hotline and advice of the workspace profile (the map's first screen)
    notice: Optional[Dict[str, Any]] = None
    # blobs being sent while the workspace was validated (prepare's upload_early)
    early: Optional[EarlyUploads] = None

    @property
    def base_release(self) -> Optional[str]:
        return self.base_manifest.get("release_id")


@dataclass(frozen=True)
class PublishResult:
    release_id: str
    parent_id: Optional[str]
    map_url: str
    uploaded: Tuple[str, ...]  # layer ids whose blob went over the wire
    skipped: Tuple[str, ...]  # layer ids the server already had
    bytes_uploaded: int
    replayed: bool = False


class StepFeedback(QgsFeedback):
    """A stage's own feedback: its 0-100 % maps onto [low, high] of the
    whole publish, and a cancel of the whole reaches it."""

    def __init__(self, parent: Optional[QgsFeedback], low: float, high: float) -> None:
        super().__init__()
        self._parent, self._low, self._high = parent, low, high
        if parent is not None:
            if parent.isCanceled():
                self.cancel()
            parent.canceled.connect(self.cancel)
            # the signal, not a setProgress override: C++ callers do not
            # see Python overrides of non-virtuals
            self.progressChanged.connect(self._forward_progress)

    def _forward_progress(self, progress: float) -> None:
        if self._parent is not None:
            self._parent.setProgress(self._low + (self._high - self._low) * progress / 100)


def _check_cancel(feedback: Optional[QgsFeedback]) -> None:
    if feedback is not None and feedback.isCanceled():
        raise PublishCancelledError()


def _progress(feedback: Optional[QgsFeedback], value: float) -> None:
    if feedback is not None:
        feedback.setProgress(value)


def validate_source(source: PublishSource, now: dt.datetime, lang: str = "vi",
                    feedback: Optional[QgsFeedback] = None) -> ValidationSummary:
    """Errors and warnings of the workspace, as sentences."""
    try:
        from ..validation import Severity, ValidationCancelledError, validate_workspace
    except ImportError:  # the validator is optional for the export itself
        return ValidationSummary(ran=False)
    try:
        report = validate_workspace(source, now=now, feedback=feedback)
    except ValidationCancelledError:
        raise PublishCancelledError() from None
    # each message names its layer and feature, as the validation dock does
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    return ValidationSummary(tuple(f.described(lang) for f in errors),
                             tuple(f.described(lang) for f in warnings),
                             findings=tuple(errors + warnings))


def prepare(request: PublishRequest, client: PublishClient, lang: str = "vi",
            feedback: Optional[QgsFeedback] = None, with_changes: bool = True,
            upload_early: bool = False,
            exported: Optional[Callable[[List[LayerExport]], None]] = None) -> Prepared:
    """Export and validate the workspace, read the release it will replace
    and (``with_changes``) what the publish will change on the public map.

    ``upload_early``: the blobs the server lacks are sent while the
    workspace is validated (``Prepared.early``; ``upload_and_commit``
    takes them over, the caller closes them if it goes no further).
    ``exported`` sees every blob before anything is sent (it may raise)."""
    now = request.now or dt.datetime.now(PROVINCE_TZ)
    source = open_source(request.gpkg_path)
    # the validation checks the rows the export read (one look for the
    # changed rows of each table, and no edit saved in between half-seen)
    with ROWS.snapshot():
        step = StepFeedback(feedback, 0, 25)
        try:
            # the exports made before this one: the base release's blobs when
            # they were published from this session (a patch is diffed against
            # them without downloading them)
            earlier = {name: EXPORTS.last_export(layer) for name, layer in source.layers.items()}
            # a layer unchanged since its last export (and showing the same
            # features at ``now``) is not exported again (export_cache.py)
            exports = EXPORTS.export_layers(source.layers, now, step)
            references = {name: export_reference(name, layer, step)
                          for name, layer in source.references.items()}
        except ExportCancelledError:
            raise PublishCancelledError() from None
        _check_cancel(feedback)
        _progress(feedback, 25)
        if exported is not None:
            exported([*exports.values(), *references.values()])
        if request.base_release:
            base = client.release_manifest(request.base_release)
        else:
            base = client.current_manifest()
        base_shas = _base_shas(base)
        # held for this publish only, and only those a patch diffs against
        known_bases = {name: old.data for name, old in earlier.items()
                       if old is not None and base_shas.get(name) == old.sha256
                       and name in exports and exports[name].sha256 != old.sha256}
        del earlier
        early = (EarlyUploads(make_client(request, feedback),
                              [*exports.values(), *references.values()],
                              base_shas, known_bases).start()
                 if upload_early else None)
        try:
            validation = (validate_source(source, now, lang, StepFeedback(feedback, 25, 45))
                          if request.validate else ValidationSummary(ran=False))
            _check_cancel(feedback)
        except BaseException:
            if early is not None:
                early.close()
            raise
    if early is not None and validation.errors:
        early.stop()  # nothing more goes out for a publish that cannot commit
    _progress(feedback, 45)
    # vector tiles of large layers are the endpoint's work (it builds them
    # from the blobs it accepts): nothing to build here
    prepared = Prepared(validation, exports, references, base, base_blobs=known_bases,
                        data_updated_at=data_updated_at(exports.values(), now), early=early)
    if source.profile.hotline or source.profile.advice_vi or source.profile.advice_en:
        prepared.notice = source.profile.notice()
    if with_changes:
        prepared.changes = preview_changes(prepared, client)
    _progress(feedback, 50)
    return prepared


def _base_blobs(manifest: Mapping[str, Any]) -> Dict[str, Mapping[str, Any]]:
    """Layer -> its blob's entry in the base release (layers and reference)."""
    entries = list(manifest.get("layers", ())) + list(manifest.get("reference", ()))
    return {e["id"]: e["blob"] for e in entries if e.get("blob")}


def _base_shas(manifest: Mapping[str, Any]) -> Dict[str, str]:
    return {layer: blob["sha256"] for layer, blob in _base_blobs(manifest).items()}


def preview_changes(prepared: Prepared, client: PublishClient) -> ChangeSummary:
    """The change sentences' data: base release blobs vs the new export
    (only blobs that differ and this session has not exported are downloaded)."""
    base = _base_shas(prepared.base_manifest)
    before: Dict[str, Optional[bytes]] = {}
    for name, export in prepared.exports.items():
        sha = base.get(name)
        if sha is None:
            before[name] = None
        elif sha == export.sha256:
            before[name] = export.data
        elif name in prepared.base_blobs:  # an earlier export of this session
            before[name] = prepared.base_blobs[name]
        else:
            before[name] = prepared.base_blobs[name] = client.blob(sha)
    after = {name: e.data for name, e in prepared.exports.items()}
    hidden = {name: e.hidden for name, e in prepared.exports.items()}
    return summarize(before, after, hidden)


def check_validation(validation: ValidationSummary, confirm_warnings: bool) -> None:
    if validation.errors:
        raise ValidationBlockedError(len(validation.errors))
    if validation.warnings and not confirm_warnings:
        raise WarningsNotConfirmedError(len(validation.warnings))


def upload_and_commit(request: PublishRequest, prepared: Prepared, client: PublishClient,
                      feedback: Optional[QgsFeedback] = None, log: Optional[Log] = None
                      ) -> PublishResult:
    """Send the blobs the server lacks, then commit (If-Match the base release)."""
    say = log or (lambda _text: None)
    try:
        check_validation(prepared.validation, request.confirm_warnings)
    except BaseException:
        if prepared.early is not None:
            prepared.early.close()
        raise
    early: Dict[str, int] = {}
    if prepared.early is not None:
        early = prepared.early.finish()  # its failure is this publish's
        for text in prepared.early.messages:
            say(text)
    base = _base_shas(prepared.base_manifest)
    blobs = list(prepared.exports.values()) + list(prepared.references.values())
    uploaded, skipped, sent = [], [], 0
    for index, export in enumerate(blobs):
        _check_cancel(feedback)
        if export.sha256 in early:  # sent while the workspace was validated
            sent += early.pop(export.sha256)
            uploaded.append(export.layer)
        # a blob of the base release is on the server: no request at all
        elif base.get(export.layer) == export.sha256 or client.has_blob(export.layer,
                                                                        export.sha256):
            skipped.append(export.layer)
            say(f"{export.layer}: unchanged ({export.sha256[:12]})")
        else:
            sent += send_layer(client, export, base.get(export.layer),
                               prepared.base_blobs.get(export.layer), say)
            uploaded.append(export.layer)
        _progress(feedback, 50 + 45 * (index + 1) / len(blobs))
    _check_cancel(feedback)  # the last moment a cancel leaves the map as it was
    now = request.now or dt.datetime.now(PROVINCE_TZ)
    summary = client.publish(
        prepared.base_release,
        {name: e.sha256 for name, e in prepared.exports.items()},
        {name: e.sha256 for name, e in prepared.references.items()},
        request.idempotency_key, request.message,
        prepared.data_updated_at or data_updated_at(prepared.exports.values(), now),
        notice=prepared.notice,
    )
    _progress(feedback, 100)
    return PublishResult(
        release_id=str(summary["release_id"]), parent_id=summary.get("parent_id"),
        map_url=client.map_url, uploaded=tuple(uploaded), skipped=tuple(skipped),
        bytes_uploaded=sent, replayed=bool(summary.get("replayed", False)),
    )


def make_client(request: PublishRequest, feedback: Optional[QgsFeedback] = None
                ) -> PublishClient:
    cancelled = (lambda: feedback.isCanceled()) if feedback is not None else (lambda: False)
    return PublishClient(request.endpoint, request.auth_headers, request.network,
                         is_cancelled=cancelled)


def publish(request: PublishRequest, feedback: Optional[QgsFeedback] = None,
            log: Optional[Log] = None, lang: str = "vi") -> PublishResult:
    """The whole publish in the calling thread (and the blobs sent by
    another while it validates: early.py)."""
    client = make_client(request, feedback)
    prepared: Optional[Prepared] = None
    try:
        prepared = prepare(request, client, lang, feedback, with_changes=False,
                           upload_early=True)
        if log is not None:
            for text in prepared.validation.errors:
                log(f"✗ {text}")
            for text in prepared.validation.warnings:
                log(f"! {text}")
        return upload_and_commit(request, prepared, client, feedback, log)
    finally:
        if prepared is not None and prepared.early is not None:
            prepared.early.close()
        client.close()
