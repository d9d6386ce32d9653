"""A point layer uploaded in canonical form, checked from its bytes.

The plugin uploads canonical bytes (``model.geojson``: one fixed layout,
properties in model order, coordinates at 6 decimals). For such an upload
the whole-layer check (``checks.layer``) parses tens of MB into Python
objects, checks them, encodes them again and finds the same bytes. Here the
same verdict comes from one pass over the bytes, a slice of features at a
time, without an object per feature:

- each feature must match the layer's canonical feature exactly (a regular
  expression built from the model: the members, the property names in model
  order, JSON scalars only), one after the other from the head to the tail;
  ids strictly increasing (sorted as ``canonical_bytes`` sorts, so unique)
  and equal to the ``uid`` property;
- every value text is decoded once per distinct text and kept only when it
  is the canonical encoding of its value (``json.dumps`` would write those
  very bytes); the model's field rules run on the values column by column
  (``PropertyChecker.checked_columns``, the rules of the whole-layer path)
  and a normalised value must encode to the bytes uploaded;
- coordinates: finite, canonical (what ``canonical_point`` writes: the
  shortest repr of a float at 6 decimals), in range and in the province.

Any miss, whatever its cause, returns None and the whole-layer check runs:
it reports every problem with its code and location, as it always has.
Acceptance here therefore never differs from acceptance there, and a
refusal is only ever worded by the whole-layer path.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from covidmaps_plugin.model import MODEL, GeometryType, ProvinceProfile
from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model.wire import UUID_TEXT

from ..config import Limits
from .attributes import PropertyChecker

# JSON scalars as the canonical encoder writes them: strings with no raw
# control character, numbers, literals. Objects and arrays never match
# (properties are scalars), so the layout cannot be faked inside a value.
# (written as "run (escape run)*": a character class per run, not an
# alternation per character, which costs the regex engine ten times more)
_PLAIN = rb'[^"\\\x00-\x1f]*'
_STRING = rb'"' + _PLAIN + rb'(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})' + _PLAIN + rb')*"'
_NUMBER = rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_VALUE = rb"(" + _STRING + rb"|" + _NUMBER + rb"|null|true|false)"
_INTEGER = re.compile(rb"-?(?:0|[1-9][0-9]*)")
SLICE = 8192  # features decoded at a time: bounds the objects alive at once


class _NotCanonicalError(Exception):
    """A value text that is not the canonical encoding of its value."""


class NotCanonicalPointsError(Exception):
    """Bytes that are not a canonical point layer of the current model."""


# The one scanner of a canonical point feature: this check, the tile inputs
# (tile_input.py) and the tile patch's planner (tile_patch.py) all read a
# point layer's features through feature_pattern / iter_point_features.
@functools.cache
def feature_pattern(layer: str) -> re.Pattern[bytes]:
    """One canonical feature of ``layer``: prefix, id, point geometry and
    every public property in model order. Groups: id, lon, lat, then one
    per public field (``PROPERTY_GROUP + index in public_fields``)."""
    names = [f.name for f in MODEL.layer(layer).public_fields]
    props = b",".join(b'"' + name.encode() + b'":' + _VALUE for name in names)
    return re.compile(
        re.escape(cgj.FEATURE_PREFIX) + b'"(' + UUID_TEXT.encode() + b')",'
        + rb'"geometry":\{"type":"Point","coordinates":\[(' + _NUMBER + b"),(" + _NUMBER
        + rb')\]\},"properties":\{' + props + rb"\}\}")


PROPERTY_GROUP = 4  # feature_pattern's group of the first public field


def is_point_layer(layer: str) -> bool:
    return layer in MODEL.layer_names and (
        MODEL.layer(layer).geometry_type is GeometryType.POINT)


def iter_point_features(layer: str, data: bytes) -> Iterator[re.Match[bytes]]:
    """The features of the point layer ``data``, one match of
    ``feature_pattern(layer)`` each, from the head to the tail in order;
    raises NotCanonicalPointsError where the bytes are anything else (the
    caller then takes its general path). Checks the layout only, not the
    values (check_canonical_points does)."""
    head, tail = cgj.CANONICAL_HEAD, cgj.CANONICAL_TAIL
    if not (is_point_layer(layer) and data.startswith(head) and data.endswith(tail)):
        raise NotCanonicalPointsError
    end = len(data) - len(tail)
    pos = len(head)
    if pos == end:
        return
    pattern = feature_pattern(layer)
    while True:
        match = pattern.match(data, pos)
        if match is None:
            raise NotCanonicalPointsError
        yield match
        pos = match.end()
        if pos == end:
            return
        if data[pos] != 0x2C:  # ','
            raise NotCanonicalPointsError
        pos += 1


def _decode(text: bytes) -> Any:
    """The value whose canonical encoding is ``text``; _NotCanonicalError if
    ``json.dumps(value, ensure_ascii=False)`` would write other bytes."""
    first = text[0]
    if first == 0x22:  # '"'
        if b"\\" not in text:
            # no escape and (by the pattern) no control character: dumps
            # writes this text back as it is, provided it is UTF-8
            try:
                return text[1:-1].decode("utf-8")
            except UnicodeDecodeError:
                raise _NotCanonicalError from None
        value = json.loads(text)
        try:
            if json.dumps(value, ensure_ascii=False).encode("utf-8") != text:
                raise _NotCanonicalError
        except UnicodeEncodeError:  # a lone surrogate escape
            raise _NotCanonicalError from None
        return value
    if text == b"null":
        return None
    if text == b"true":
        return True
    if text == b"false":
        return False
    if _INTEGER.fullmatch(text):
        number = int(text)
        if str(number).encode() != text:  # "-0"
            raise _NotCanonicalError
        return number
    value = float(text)
    if repr(value).encode() != text:  # also refuses 1e400 (inf) and "1.50"
        raise _NotCanonicalError
    return value


def _encodes_to(value: Any, text: bytes) -> bool:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8") == text
    except (ValueError, UnicodeEncodeError):
        return False


def _coordinates(texts: List[bytes]) -> Optional[List[float]]:
    """The floats of canonical coordinate texts (``round_position``:
    6 decimals, shortest repr), or None."""
    out = []
    for text in texts:
        value = float(text)
        if round(value, cgj.COORDINATE_DECIMALS) != value or repr(value).encode() != text:
            return None
        out.append(value)
    return out


class _Scan:
    """The running state of a scan: where the last slice ended."""

    def __init__(self, layer: str, profile: ProvinceProfile) -> None:
        self.checker = PropertyChecker(MODEL.layer(layer), profile)
        self.names = self.checker.public_names
        self.uid_index = self.names.index("uid")
        self.last_id = b""
        self.x: List[float] = []  # min and max so far: the layer's bbox
        self.y: List[float] = []
        self.hashes: Dict[str, str] = {}

    def slice(self, rows: List[Tuple[bytes, ...]]) -> bool:
        """Check a slice of matched features (their groups); False at the
        first thing the whole-layer path must look at."""
        columns = list(zip(*rows))
        ids, lons, lats, values = columns[0], columns[1], columns[2], columns[3:]
        if not self.last_id < ids[0] or any(a >= b for a, b in zip(ids, ids[1:])):
            return False  # not in canonical order, or an id twice
        self.last_id = ids[-1]
        if any(b'"' + i + b'"' != u for i, u in zip(ids, values[self.uid_index])):
            return False  # 'id' and 'uid' differ
        xs, ys = _coordinates(lons), _coordinates(lats)
        if xs is None or ys is None:
            return False
        self.x.extend((min(xs), max(xs)))
        self.y.extend((min(ys), max(ys)))
        raw: Dict[str, List[Any]] = {}
        decoded: Dict[str, Dict[bytes, Any]] = {}
        try:
            for name, texts in zip(self.names, values):
                known = decoded[name] = {text: _decode(text) for text in set(texts)}
                raw[name] = [known[text] for text in texts]
        except _NotCanonicalError:
            return False
        checked = self.checker.checked_columns(raw)
        if checked is None:
            return False
        for name, texts in zip(self.names, values):
            known = decoded[name]
            for text, value in dict(zip(texts, checked[name])).items():
                if value is not known[text] and not _encodes_to(value, text):
                    return False  # normalised to other bytes ("" -> null, a time zone)
        return True

    def in_province(self, profile: ProvinceProfile) -> bool:
        if not self.x:
            return True
        corners = ((min(self.x), min(self.y)), (max(self.x), max(self.y)))
        return all(-180 <= x <= 180 and -90 <= y <= 90 and profile.contains_lonlat(x, y)
                   for x, y in corners)


def check_canonical_points(layer: str, data: bytes, profile: ProvinceProfile, limits: Limits
                           ) -> Optional[Tuple[int, Optional[List[float]], Dict[str, str]]]:
    """(feature count, bbox, feature hashes) of ``data`` when it is a
    canonical point layer the whole-layer check would accept unchanged,
    else None (that check then runs and has the last word)."""
    if not is_point_layer(layer):
        return None
    if len(data) == len(cgj.CANONICAL_HEAD) + len(cgj.CANONICAL_TAIL) and \
            data == cgj.CANONICAL_HEAD + cgj.CANONICAL_TAIL:
        return 0, None, {}
    if limits.max_vertices_per_feature < 1:
        return None
    scan = _Scan(layer, profile)
    view = memoryview(data)
    skip = len(cgj.FEATURE_PREFIX)
    count = 0
    rows: List[Tuple[bytes, ...]] = []
    try:
        for match in iter_point_features(layer, data):
            start, pos = match.start(), match.end()
            rows.append(match.groups())
            scan.hashes[match.group(1).decode("ascii")] = hashlib.sha256(
                view[start + skip:pos]).hexdigest()
            if len(rows) == SLICE:
                count += len(rows)
                if count > min(limits.max_features, limits.max_vertices_total):
                    return None  # the whole-layer check says which limit
                if not scan.slice(rows):
                    return None
                rows = []
    except NotCanonicalPointsError:
        return None
    if rows:
        count += len(rows)
        if count > min(limits.max_features, limits.max_vertices_total):
            return None
        if not scan.slice(rows):
            return None
    if not scan.in_province(profile):
        return None
    bbox = [min(scan.x), min(scan.y), max(scan.x), max(scan.y)] if scan.x else None
    return count, bbox, scan.hashes
