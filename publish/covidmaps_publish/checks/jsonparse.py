"""Strict JSON parsing: UTF-8 only, no NaN/Infinity, no duplicate keys, and a
nesting-depth limit enforced on the raw bytes BEFORE the recursive parser
runs (Python's json raises RecursionError, or worse, on nesting bombs)."""

from __future__ import annotations

import json
import re
from typing import Any, List, Optional, Tuple

import numpy as np

from covidmaps_plugin.model.field_rules import is_utf8_text

from ..boundary import input_stage
from ..problems import FieldError, ProblemError

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
# quotes and brackets as 1 (quote), 2 (opening), 3 (closing); the rest deleted
_SYNTAX = bytes.maketrans(b'"[{]}', b"\x01\x02\x02\x03\x03")
_NOT_SYNTAX = bytes(b for b in range(256) if b not in b'"[{]}')
# a \\uD800-\\uDFFF escape: the only way a lone surrogate gets into parsed text
# (UTF-8 bytes of a surrogate are refused by the decoder)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def max_depth(data: bytes) -> int:
    """Maximum bracket nesting of a JSON text, computed without recursion.

    Vectorised (a layer blob is tens of MB): escape pairs are removed, so
    every remaining quote opens or closes a string; a bracket counts when an
    even number of quotes precede it. For invalid JSON (a backslash outside
    a string) the figure is exact up to the first error, which is as far as
    the parser ever gets."""
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)
    kinds = np.frombuffer(data.translate(_SYNTAX, _NOT_SYNTAX), dtype=np.uint8)
    outside = ~np.logical_xor.accumulate(kinds == 1)  # an even number of quotes so far
    steps = np.zeros(len(kinds), dtype=np.int32)
    steps[(kinds == 2) & outside] = 1
    steps[(kinds == 3) & outside] = -1
    if not steps.any():
        return 0
    return max(0, int(np.cumsum(steps).max()))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _let_others_run(obj: dict) -> dict:
    """A no-op per parsed object. Any Python call lets the interpreter hand
    its lock to another thread; without one, ``json.loads`` of a 80 MB layer
    holds it for the whole parse (seconds) and the event loop serving public
    reads stalls that long. The call costs ~3 % of the parse."""
    return obj


def loads_stored(data: bytes) -> Any:
    """Parse bytes the server stored itself (already checked, canonical)
    without holding the interpreter lock throughout (see _let_others_run)."""
    return json.loads(data, object_hook=_let_others_run)


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


@input_stage("json", 400)
def parse_json(data: bytes, depth_limit: int, what: str = "body", layer: str | None = None,
               reject_duplicates: bool = True) -> Any:
    """Parse ``data`` or raise a 400 ProblemError a person can act on.

    ``reject_duplicates=False`` skips the duplicate-key check (a Python call
    per object, half the parse time of a large layer): only for a caller
    that proves the absence of duplicates otherwise (``checks.layer``)."""
    def bad(code: str, message: str) -> ProblemError:
        return ProblemError(400, code, "Invalid JSON", message,
                       errors=[FieldError(code, message, layer=layer)])

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad("invalid-encoding",
                  f"The {what} is not UTF-8 (byte {exc.start}). Save it as UTF-8.") from None
    if text.startswith("\ufeff"):
        raise bad("invalid-encoding", f"The {what} starts with a byte-order mark; remove it.")
    depth = max_depth(data)
    if depth > depth_limit:
        raise bad("too-deep", f"The {what} nests {depth} levels deep; at most {depth_limit} "
                              "are allowed.")
    try:
        if not reject_duplicates:
            doc = json.loads(text, parse_constant=_reject_constant,
                             object_hook=_let_others_run)
        else:
            doc = json.loads(text, parse_constant=_reject_constant,
                             object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise bad("invalid-json", f"The {what} is not valid JSON: {str(exc)[:200]}") from None
    if _SURROGATE_ESCAPE.search(data) is not None:
        where = lone_surrogate_path(doc)
        if where is not None:
            raise bad("invalid-text", f"The {what} has text with a lone surrogate escape "
                      f"(\\uD800-\\uDFFF without its pair) at {where[:200]}: that is not "
                      "Unicode text. Retype the text or fix the exporter.")
    return doc


def lone_surrogate_path(doc: Any) -> Optional[str]:
    """Where in ``doc`` a string (member name or value) holds a lone
    surrogate, as a JSONPath-like text, or None. Iterative: no recursion."""
    stack: List[Tuple[str, Any]] = [("$", doc)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not is_utf8_text(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_utf8_text(key):
                    return f"{path} (a member name)"
                stack.append((f"{path}.{key[:40]}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


