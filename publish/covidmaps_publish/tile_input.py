"""tippecanoe's inputs, made in a child process of the endpoint:

    python -m covidmaps_publish.tile_input LAYER BLOB.geojson HIGH.geojsons LOW.geojsons

Two newline-delimited GeoJSON files from one pass over the blob, read a
slice at a time (model.geojson.canonical_slices: a national layer of 1 GB
is cut holding a few MB; only a blob in another layout is read whole and
parsed):

- HIGH, for the maximum zoom: every feature with every public property;
- LOW, for the zooms below it: the geometry and only the model's ``drawn``
  fields but the uid, plus ``n_<status>: 1`` on a point (which clusters sum).

Both give every feature the numeric id ``tile_feature_id(uid)`` (tippecanoe
keeps numeric ids only): below the maximum zoom it stands for the uid. A quarter
  of HIGH's size: tippecanoe's low-zoom run parses and carries through
  eight zooms only what it keeps, and the incremental build
  (vectortiles.patch_archive) compares low inputs to know whether the low
  zooms changed at all.

Parsing a layer of tens of MB with ``json.loads`` holds the interpreter
lock for its whole length (hundreds of milliseconds); in the server's own
process that would stall every public read. Here it stalls nothing; and
canonical bytes (the blobs the server stores) are cut without parsing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Pattern, Sequence, Tuple

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.geojson import (
    SLICE_BYTES,
    NotCanonicalLayoutError,
    canonical_feature_parts,
    canonical_slices,
)

from .checks.canonical import (
    PROPERTY_GROUP,
    NotCanonicalPointsError,
    iter_point_features,
)

# The canonical layout (docs/release-format.md, "Canonical serialization"):
# every feature is {"type":"Feature","id":"<uid>","geometry":…,"properties":{…}},
# separated by a comma, and quotes inside strings are escaped; so
# ',{"type":"Feature","id":' only occurs between features, and '"name":'
# (a quote, the name, a quote and a colon) only as a member name: inside a
# string every quote is preceded by a backslash.
_UID = re.compile(rb'"([0-9a-f-]{36})",', re.ASCII)
_GEOMETRY = b'"geometry":'
_PROPERTIES = b',"properties":{'
_VALUE = rb'("(?:[^"\\]|\\.)*"|[^,}\]]+)'  # a string, number, true, false or null
_STATUS = re.compile(rb'"status":"([a-z_]{1,40})"', re.ASCII)
_POINT = re.compile(rb'^\{"type":"Point","coordinates":\[([^,\]]+),([^,\]]+)\]\}$', re.ASCII)


class TileLine(NamedTuple):
    """One feature as tippecanoe's input lines."""

    uid: str
    high: bytes  # every public property
    low: bytes  # drawn fields and status count only
    geometry: bytes  # the GeoJSON geometry's text


ID_FIELD = "uid"  # the model's feature identity (docs/release-format.md)
TILE_ID_BITS = 52  # a JavaScript number holds it exactly (2^53)


def tile_feature_id(uid: str) -> int:
    """The vector-tile feature id of the feature ``uid``: the first 52 bits
    of the SHA-256 of the uid. Below the maximum zoom a tile carries this
    number instead of the 36-character uid (a third of a zone tile's bytes);
    a popup finds the same number in the maximum zoom's tile, which also
    carries the uid. Hashed, not cut from the uid: uids need not be random
    (an import may number them), and a hash spreads any of them; two
    features of one layer share an id with odds ~n^2 / 2^53 (1e-4 for a
    million), and then only a popup's lookup in one tile is ambiguous."""
    digest = hashlib.sha256(uid.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - TILE_ID_BITS)


def drawn_names(layer: str) -> Tuple[str, ...]:
    """The low zooms' properties: what the map draws with, but the uid (the
    feature id stands for it)."""
    return tuple(name for name in MODEL.layer(layer).drawn_fields if name != ID_FIELD)


def is_point_layer(layer: str) -> bool:
    return MODEL.layer(layer).geometry_type.name == "POINT"


def _member_patterns(names: Sequence[str]) -> List[Tuple[bytes, Pattern[bytes]]]:
    return [(json.dumps(name).encode(), re.compile(b'"' + re.escape(name.encode()) + b'":'
                                                   + _VALUE, re.ASCII | re.DOTALL))
            for name in names]


class FeatureCutter:
    """Cuts one canonical feature's bytes (after FEATURE_PREFIX) into its
    lines."""

    def __init__(self, layer: str) -> None:
        self.point = is_point_layer(layer)
        self.members = _member_patterns(drawn_names(layer))

    def __call__(self, part: bytes) -> Optional[TileLine]:
        uid = _UID.match(part)
        if uid is None or not part.endswith(b"}}"):
            return None
        body = part[uid.end():]
        if not body.startswith(_GEOMETRY):
            return None
        cut = body.find(_PROPERTIES)
        if cut < 0:
            return None
        geometry = body[len(_GEOMETRY):cut]
        props = body[cut + len(_PROPERTIES):-2]
        drawn = []
        for name, pattern in self.members:
            found = pattern.search(props)
            if found is not None:
                drawn.append(name + b":" + found.group(1))
        if self.point:
            status = _STATUS.search(props)
            if status is not None:
                drawn.append(b'"n_' + status.group(1) + b'":1')
        text = uid.group(1).decode("ascii")
        head = b'{"type":"Feature","id":%d,' % tile_feature_id(text)
        low = head + b'"geometry":' + geometry + b',"properties":{' + b",".join(drawn) + b"}}"
        return TileLine(text, head + body, low, geometry)


class PointLines:
    """A canonical point feature's lines from its match of the one point
    scanner (checks/canonical.feature_pattern): every member is a group,
    nothing is searched for again."""

    def __init__(self, layer: str) -> None:
        names = [f.name for f in MODEL.layer(layer).public_fields]
        self.members = [(json.dumps(name).encode() + b":", PROPERTY_GROUP + names.index(name))
                        for name in drawn_names(layer)]
        self.status = PROPERTY_GROUP + names.index("status") if "status" in names else None

    def __call__(self, match: re.Match[bytes]) -> Optional[TileLine]:
        uid, lon, lat = match.group(1, 2, 3)
        drawn = [name + match.group(group) for name, group in self.members]
        if self.status is not None:
            status = match.group(self.status)
            if _STATUS_TEXT.fullmatch(status) is not None:
                drawn.append(b'"n_' + status[1:-1] + b'":1')
            elif status != b"null":
                return None  # FeatureCutter's rule: any other status is not counted
        text = uid.decode("ascii")
        head = b'{"type":"Feature","id":%d,' % tile_feature_id(text)
        geometry = b'{"type":"Point","coordinates":[' + lon + b"," + lat + b"]}"
        low = head + b'"geometry":' + geometry + b',"properties":{' + b",".join(drawn) + b"}}"
        return TileLine(text, head + match.string[match.end(1) + 2:match.end()], low, geometry)


_STATUS_TEXT = re.compile(rb'"[a-z_]{1,40}"', re.ASCII)


def point_tile_lines(layer: str, blob: bytes) -> Optional[List[TileLine]]:
    """The lines of a canonical point layer of the current model, from one
    scan of its bytes; None for anything else."""
    cut = PointLines(layer)
    lines = []
    try:
        for match in iter_point_features(layer, blob):
            line = cut(match)
            if line is None:
                return None
            lines.append(line)
    except NotCanonicalPointsError:
        return None
    return lines


def canonical_tile_lines(layer: str, blob: bytes) -> Optional[List[TileLine]]:
    """tippecanoe's input lines cut from canonical bytes without parsing
    them (a tenth of the time of json.loads + dumps), None for any other
    layout. The string id becomes ``tile_feature_id`` (tippecanoe keeps
    numeric ids only; ``uid`` is also a property). A point layer is read
    by the point scanner; a zone layer (or a point layer in an older
    model's layout) is cut feature by feature."""
    for cut in _canonical_cuts(layer):
        lines = cut(layer, blob)
        if lines is not None:
            return lines
    return None


def cut_tile_lines(layer: str, blob: bytes) -> Optional[List[TileLine]]:
    """The lines of canonical bytes cut feature by feature (FeatureCutter),
    None for any other layout."""
    parts = canonical_feature_parts(blob)
    if parts is None:
        return None
    cut = FeatureCutter(layer)
    lines = []
    for part in parts:
        line = cut(part)
        if line is None:
            return None
        lines.append(line)
    return lines


Cut = Callable[[str, bytes], Optional[List[TileLine]]]


def _canonical_cuts(layer: str) -> List[Cut]:
    """The ways canonical bytes are read, in the order they are tried: the
    point scanner first for a point layer, then the cut feature by feature."""
    return [point_tile_lines, cut_tile_lines] if is_point_layer(layer) else [cut_tile_lines]


def _parsed_tile_lines(layer: str, blob: bytes) -> List[TileLine]:
    """The same lines from any other layout, by parsing."""
    features = json.loads(blob)["features"]
    point = is_point_layer(layer)
    drawn = drawn_names(layer)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    for feature in features:
        props: Dict[str, Any] = dict(feature["properties"])
        props.setdefault("uid", feature.get("id"))
        low_props = {name: props[name] for name in drawn if name in props}
        if point and props.get("status") is not None:
            low_props[f"n_{props['status']}"] = 1
        geometry = dumps(feature["geometry"])
        number = tile_feature_id(str(props["uid"]))
        lines.append(TileLine(
            str(props["uid"]),
            dumps({"type": "Feature", "id": number, "geometry": feature["geometry"],
                   "properties": props}).encode(),
            dumps({"type": "Feature", "id": number, "geometry": feature["geometry"],
                   "properties": low_props}).encode(),
            geometry.encode()))
    return lines


def tile_lines(layer: str, blob: bytes) -> List[TileLine]:
    """Every feature of ``blob`` as tippecanoe's input lines, in blob order."""
    lines = canonical_tile_lines(layer, blob)
    return lines if lines is not None else _parsed_tile_lines(layer, blob)


def point_of(geometry: bytes) -> Optional[Tuple[float, float]]:
    """(lon, lat) of a Point geometry's text, None for anything else."""
    found = _POINT.match(geometry)
    if found is None:
        return None
    try:
        return float(found.group(1)), float(found.group(2))
    except ValueError:
        return None


def write_lines(lines: Sequence[bytes], path: Path) -> None:
    with open(path, "wb") as out:
        for line in lines:
            out.write(line)
            out.write(b"\n")


def write_inputs(layer: str, blob: bytes, high: Path, low: Path) -> int:
    """Both inputs of a blob (see the module docstring); returns the number
    of features."""
    lines = tile_lines(layer, blob)
    write_lines([line.high for line in lines], high)
    write_lines([line.low for line in lines], low)
    return len(lines)


def _write_sliced(layer: str, cut: Cut, source: Path, high: Path, low: Path,
                  size: int) -> Optional[int]:
    """Both inputs written a slice of the blob at a time, each slice read by
    ``cut``; None (the files half written) when a slice is not its layout."""
    count = 0
    with open(source, "rb") as blob, open(high, "wb") as high_f, open(low, "wb") as low_f:
        try:
            for piece in canonical_slices(blob, size):
                lines = cut(layer, piece)
                if lines is None:
                    return None
                for line in lines:
                    high_f.write(line.high + b"\n")
                    low_f.write(line.low + b"\n")
                count += len(lines)
        except NotCanonicalLayoutError:
            return None
    return count


def write_inputs_from(layer: str, source: Path, high: Path, low: Path,
                      size: int = SLICE_BYTES) -> int:
    """Both inputs of the blob in the file ``source``, the very bytes
    write_inputs writes, read ``size`` bytes at a time. A slice is itself a
    canonical blob, and a canonical cut accepts the whole blob exactly when
    it accepts each slice (features are cut at the same separators), so each
    way of write_inputs is tried in its order over the slices, the next one
    starting again from the head; a blob no canonical cut reads is parsed
    whole, as before."""
    for cut in _canonical_cuts(layer):
        count = _write_sliced(layer, cut, source, high, low, size)
        if count is not None:
            return count
    return write_inputs(layer, source.read_bytes(), high, low)


def main(argv: list) -> int:
    layer, blob_path, high_path, low_path = argv
    count = write_inputs_from(layer, Path(blob_path), Path(high_path), Path(low_path))
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
