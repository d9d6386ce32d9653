"""RFC 9457 problem details: every error the API returns is one of these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from covidmaps_plugin.model.wire import PROBLEM_MEDIA, PROBLEM_TYPE_BASE

CONTENT_TYPE = PROBLEM_MEDIA


@dataclass
class FieldError:
    """One thing wrong with an upload, located as precisely as possible."""

    code: str
    message: str
    layer: Optional[str] = None
    feature_id: Optional[str] = None
    field: Optional[str] = None
    # a field rule's message parameters (model.field_rules.Violation.params):
    # the plugin renders the same code in the officer's language
    params: Optional[Dict[str, str]] = None

    def to_dict(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"layer": self.layer, "feature_id": self.feature_id,
                                "field": self.field, "code": self.code,
                                "message": self.message}
        if self.params:
            body["params"] = dict(self.params)
        return body


@dataclass
class ProblemError(Exception):
    """An error response; raise it anywhere in a request handler."""

    status: int
    code: str  # short slug, also the last part of ``type``
    title: str
    detail: str = ""
    errors: List[FieldError] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict)
    headers: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, f"{self.status} {self.code}: {self.detail or self.title}")

    def __reduce__(self) -> Any:
        # a check refused in a worker process (offload.py) crosses back whole
        return (type(self), (self.status, self.code, self.title, self.detail, self.errors,
                             self.extra, self.headers))

    def to_dict(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            body["errors"] = [e.to_dict() for e in self.errors]
        body.update(self.extra)
        return body

    def body(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False).encode("utf-8", "replace")


def require_upload_hash(data: bytes, claimed_sha: str, layer: str, code: str,
                        why: str) -> str:
    """The one check that an upload's bytes (as sent, or as rebuilt from a
    patch) hash to the name the client gave them; returns the hash. One error
    shape for both: 422 ``code``, the layer, both hashes, ``why`` it differs
    and what to do; nothing is stored."""
    return require_hash(hashlib.sha256(data).hexdigest(), claimed_sha, layer, code, why)


def require_hash(actual: str, claimed_sha: str, layer: str, code: str, why: str) -> str:
    """``require_upload_hash`` of bytes already hashed (``actual``: an upload
    hashed as it arrived, uploads.py)."""
    if actual != claimed_sha:
        raise ProblemError(
            422, code, "The upload does not match its hash",
            f"The bytes hash to {actual}, not {claimed_sha}: {why}. Nothing was stored.",
            errors=[FieldError(code, f"sha256 is {actual}", layer)], extra={"layer": layer})
    return actual
