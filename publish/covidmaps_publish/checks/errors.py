"""Collect the errors of one upload, with a cap so a broken file with a
million bad features costs bounded time and a readable answer."""

from __future__ import annotations

from typing import List, Mapping, Optional

from ..problems import FieldError, ProblemError


class ErrorCapError(Exception):
    """Raised by ``ErrorSink.add`` once the cap is reached."""


class ErrorSink:
    def __init__(self, layer: str, limit: int) -> None:
        self.layer = layer
        self.limit = limit
        self.errors: List[FieldError] = []
        self.feature_id: Optional[str] = None  # the feature being checked

    def add(self, code: str, message: str, field: Optional[str] = None,
            params: Optional[Mapping[str, str]] = None) -> None:
        self.errors.append(FieldError(code, message, self.layer, self.feature_id, field,
                                      dict(params) if params else None))
        if len(self.errors) >= self.limit:
            raise ErrorCapError()

    def problem(self, truncated: bool = False) -> ProblemError:
        n = len(self.errors)
        more = " (stopped counting there)" if truncated else ""
        first = self.errors[0].message if self.errors else ""
        return ProblemError(
            422, "invalid-layer", "The layer data is not valid",
            f"Layer {self.layer!r}: {n} problem(s){more}. First: {first}",
            errors=list(self.errors), extra={"layer": self.layer})
