"""tippecanoe's input, made in a child process of the endpoint:

    python -m covidmaps_publish.tile_input LAYER BLOB.geojson|- OUT.geojsons

(``-``: the blob on standard input.)

Parsing a layer of tens of MB with ``json.loads`` holds the interpreter
lock for its whole length (hundreds of milliseconds); in the server's own
process that would stall every public read. Here it stalls nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import List, Optional

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.geojson import canonical_feature_parts

# The canonical layout (docs/release-format.md, "Canonical serialization"):
# every feature is {"type":"Feature","id":"<uid>","geometry":…,"properties":{…}},
# separated by a comma, and quotes inside strings are escaped; so
# ',{"type":"Feature","id":' only occurs between features and '"status":"'
# only as the member name.
_UID = re.compile(rb'"([0-9a-f-]{36})",', re.ASCII)
_STATUS = re.compile(rb'"status":"([a-z_]{1,40})"', re.ASCII)


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


def canonical_lines(layer: str, blob: bytes) -> Optional[List[bytes]]:
    """tippecanoe's input lines cut from canonical bytes without parsing
    them (a tenth of the time of json.loads + dumps), None for any other
    layout. The string id becomes ``tile_feature_id`` (tippecanoe keeps
    numeric ids only; ``uid`` is also a property)."""
    parts = canonical_feature_parts(blob)
    if parts is None:
        return None
    point = MODEL.layer(layer).geometry_type.name == "POINT"
    lines = []
    for part in parts:
        uid = _UID.match(part)
        if uid is None:
            return None
        number = tile_feature_id(uid.group(1).decode("ascii"))
        line = b'{"type":"Feature","id":%d,' % number + part[uid.end():]
        if point:
            status = _STATUS.search(line)
            if status is not None:
                line = line.replace(b'"properties":{', b'"properties":{"n_' + status.group(1)
                                    + b'":1,', 1)
        lines.append(line)
    return lines


def write_input(layer: str, blob: bytes, path: Path) -> int:
    """The blob as newline-delimited GeoJSON (what tippecanoe's ``-P`` reads
    in parallel); point features gain ``n_<status>: 1``, which clusters sum.
    Returns the number of features."""
    lines = canonical_lines(layer, blob)
    if lines is not None:
        with open(path, "wb") as out:
            for line in lines:
                out.write(line)
                out.write(b"\n")
        return len(lines)
    features = json.loads(blob)["features"]
    point = MODEL.layer(layer).geometry_type.name == "POINT"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8") as out:
        for feature in features:
            props = dict(feature["properties"])
            props.setdefault("uid", feature.get("id"))
            if point and props.get("status") is not None:
                props[f"n_{props['status']}"] = 1
            out.write(dumps({"type": "Feature", "id": tile_feature_id(str(props["uid"])),
                             "geometry": feature["geometry"], "properties": props}))
            out.write("\n")
    return len(features)


def main(argv: list) -> int:
    layer, blob_path, out_path = argv
    blob = sys.stdin.buffer.read() if blob_path == "-" else Path(blob_path).read_bytes()
    count = write_input(layer, blob, Path(out_path))
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
