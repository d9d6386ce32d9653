"""What an incremental tile build must redo.

A few changed features that leave the low zooms as they are (an edited
name, address, advice...) are planned in the endpoint's own process
(``quick_plan``: the changed part of the blobs and the base archive's
tiles, milliseconds). Anything else is worked out in a child process of
the endpoint (like tile_input.py: two blobs of tens of MB are cut and
compared here, not under the server's interpreter lock):

    python -m covidmaps_publish.tile_patch LAYER BASE.geojson NEW.geojson

in the build's working directory. It compares the two blobs feature by
feature (by uid) and writes:

- ``sub.geojsons``: tippecanoe's maximum-zoom input (tile_input's HIGH
  lines) of every feature of NEW that reaches a tile to redo;
- ``low.geojsons``: NEW's low-zoom input, only when it differs from BASE's
  (an edit of a field the map does not draw leaves every low zoom as it is);

and prints a JSON object: ``changed`` (uids added, edited or removed),
``tiles`` ([x, y] of every maximum-zoom tile to redo: those whose area,
with tippecanoe's buffer, holds the old or the new position of a changed
feature), ``low_changed``, and ``bounds`` (NEW's [min lon, min lat, max
lon, max lat]). It exits with status 3 (and prints nothing) when a patch
is not the way: not a point layer, nothing changed, or too much changed.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from covidmaps_plugin.model.geojson import canonical_feature_parts, merge_canonical_changes
from covidmaps_plugin.model.wire import UUID_TEXT

from .checks.canonical import NotCanonicalPointsError, iter_point_features
from .checks.incremental import find_features
from .tile_input import (
    FeatureCutter,
    TileLine,
    is_point_layer,
    point_of,
    tile_lines,
    write_lines,
)
from .vectortiles import MAXZOOM, PATCH_INPUT

NO_PATCH = 3  # the exit status that says "build it whole"
# tippecanoe's default buffer is 5 of a tile's 256 pixels: a point that
# near a tile's edge is drawn in the neighbour too. A tile is redone when a
# change lies within BUFFER of it, and rebuilt from every feature within
# twice that (rounding and projection differences stay far inside).
BUFFER = 8 / 256
# past this share of changed features a full build costs about the same
MAX_CHANGED_SHARE = 0.05


def tile_xy(lon: float, lat: float, zoom: int = MAXZOOM) -> Tuple[float, float]:
    """Web Mercator tile coordinates (fractional) of a position."""
    n = 1 << zoom
    lat = max(-85.0511287798, min(85.0511287798, lat))
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return (lon + 180.0) / 360.0 * n, y


def tiles_near(lon: float, lat: float, margin: float) -> Set[Tuple[int, int]]:
    """The maximum-zoom tiles whose area grown by ``margin`` (in tiles) holds
    the position."""
    fx, fy = tile_xy(lon, lat)
    return {(x, y) for x in range(math.floor(fx - margin), math.floor(fx + margin) + 1)
            for y in range(math.floor(fy - margin), math.floor(fy + margin) + 1)}


def _tile_box(x: int, y: int, margin: float) -> Tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a maximum-zoom tile grown by
    ``margin`` tiles."""
    n = 1 << MAXZOOM

    def lat(ty: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return ((x - margin) / n * 360.0 - 180.0, lat(y + 1 + margin),
            (x + 1 + margin) / n * 360.0 - 180.0, lat(y - margin))


def plan(layer: str, base: bytes, new: bytes) -> Optional[Dict[str, object]]:
    """The patch plan (see the module docstring) with the lines to write,
    or None when a full build is the way. Features are compared as bytes
    (by set, in C) and only the changed ones, and those near them, are cut
    into tippecanoe's lines."""
    if not is_point_layer(layer):
        return None
    old_parts, new_parts = canonical_feature_parts(base), canonical_feature_parts(new)
    if old_parts is None or new_parts is None:
        return None
    old_set, new_set = set(old_parts), set(new_parts)  # each hashed once
    gone, came = old_set - new_set, new_set - old_set
    cut = FeatureCutter(layer)
    old_lines = [cut(part) for part in gone]
    new_lines = [cut(part) for part in came]
    if any(line is None for line in old_lines + new_lines):
        return None
    before: Dict[str, TileLine] = {line.uid: line for line in old_lines}  # type: ignore[union-attr]
    after: Dict[str, TileLine] = {line.uid: line for line in new_lines}  # type: ignore[union-attr]
    changed = before.keys() | after.keys()
    if not changed or len(changed) > MAX_CHANGED_SHARE * max(len(new_parts), 1):
        return None
    tiles: Set[Tuple[int, int]] = set()
    for line in [*before.values(), *after.values()]:
        point = point_of(line.geometry)
        if point is None:
            return None
        tiles |= tiles_near(*point, BUFFER)
    # the low zooms' input is every feature's low line in uid order: the
    # same when no uid came or went and no changed feature's low line differs
    low_changed = before.keys() != after.keys() or any(
        before[uid].low != after[uid].low for uid in changed)
    try:  # every feature's uid and position, in order (the one point scanner)
        positions = [match.group(1, 2, 3) for match in iter_point_features(layer, new)]
    except NotCanonicalPointsError:
        return None
    if len(positions) != len(new_parts):
        return None
    boxes = [_tile_box(x, y, 2 * BUFFER) for x, y in tiles]
    lons = [float(lon) for _uid, lon, _lat in positions]
    lats = [float(lat) for _uid, _lon, lat in positions]
    sub = []
    for i, (lon, lat) in enumerate(zip(lons, lats)):
        if any(b[0] <= lon <= b[2] and b[1] <= lat <= b[3] for b in boxes):
            line = cut(new_parts[i])
            if line is None:
                return None
            sub.append(line.high)
    low = [line.low for line in tile_lines(layer, new)] if low_changed else None
    return {"changed": len(changed), "tiles": sorted([x, y] for x, y in tiles),
            "low_changed": low_changed,
            "bounds": [min(lons), min(lats), max(lons), max(lats)] if lons else None,
            "sub": sub, "low": low}


# A change of at most this many features is planned in the endpoint's own
# process (quick_plan: milliseconds); a bigger one in a child (plan).
QUICK_MAX_CHANGED = 1000
# a feature's uid as an MVT string holds it (the model's uid: lower-case,
# checked on upload); the bytes around a string in a tile are never hex
_TILE_UID = re.compile(UUID_TEXT.encode("ascii"))


def quick_plan(layer: str, base: bytes, new: bytes, base_archive: bytes
               ) -> Optional[Dict[str, object]]:
    """``plan`` of a small change whose low zooms are kept, without a pass
    over either blob: None when it is not that (``plan`` then decides).

    - The changed features come from ``merge_canonical_changes`` (what the
      two blobs start and end with is compared in C, not cut).
    - The features a redone tile is built from: those the base archive's
      tile holds (tippecanoe put there every feature within its buffer of
      the tile, and an unchanged feature is where it was), read as the uids
      its MVT strings hold, plus the changed features' new versions; each
      found in NEW by bisection. Any other feature is beyond the buffer and
      cannot change the tile (a uid-like string that is not one of the
      tile's features only adds a feature tippecanoe puts elsewhere).
    - ``bounds`` None: the base archive's stay (no point moved, came or went)."""
    from pmtiles.reader import Reader

    if not is_point_layer(layer):
        return None
    changes = merge_canonical_changes(base, new)
    if changes is None:
        return None
    gone: List[bytes] = []
    came: List[bytes] = []
    try:
        for _uid, old, now in changes.merged:
            if old == now:
                continue
            if old is not None:
                gone.append(old)
            if now is not None:
                came.append(now)
            if len(gone) + len(came) > 2 * QUICK_MAX_CHANGED:
                return None  # plan decides
    except ValueError:
        return None
    cut = FeatureCutter(layer)
    lines = [cut(part) for part in gone + came]
    if not lines or any(line is None for line in lines):
        return None
    before = {line.uid: line for line in lines[:len(gone)]}  # type: ignore[union-attr]
    after = {line.uid: line for line in lines[len(gone):]}  # type: ignore[union-attr]
    changed = before.keys() | after.keys()
    # MAX_CHANGED_SHARE of the bytes, not of the features: no count of them all
    if sum(map(len, gone + came)) > MAX_CHANGED_SHARE * 2 * len(new):
        return None
    if before.keys() != after.keys() or any(before[u].low != after[u].low for u in changed):
        return None  # the low zooms change: their input is the whole layer (plan)
    # the low lines hold the geometry: every changed point is where it was
    points = [point_of(line.geometry) for line in after.values()]
    if any(point is None for point in points):
        return None
    reader = Reader(lambda offset, length: base_archive[offset:offset + length])
    tiles: Set[Tuple[int, int]] = set()
    for point in points:
        tiles |= tiles_near(*point, BUFFER)  # type: ignore[misc]
    near: Set[bytes] = {uid.encode("ascii") for uid in after}
    for x, y in tiles:
        data = reader.get(MAXZOOM, x, y)
        if data:
            near.update(_TILE_UID.findall(gzip.decompress(data) if data[:2] == b"\x1f\x8b"
                                          else data))
    sub = []
    for part in find_features(new, near).values():  # in uid order: NEW's order
        line = cut(part)
        if line is None:
            return None
        sub.append(line.high)
    return {"changed": len(changed), "tiles": sorted([x, y] for x, y in tiles),
            "low_changed": False, "bounds": None, "sub": sub, "low": None}


def write_plan(found: Dict[str, object], work: Path) -> Dict[str, object]:
    """Writes the inputs of a plan; returns what is printed."""
    sub: Iterable[bytes] = found.pop("sub")  # type: ignore[assignment]
    low = found.pop("low")
    write_lines(list(sub), work / PATCH_INPUT)
    if low is not None:
        write_lines(low, work / "low.geojsons")  # type: ignore[arg-type]
    return found


def main(argv: List[str]) -> int:
    layer, base_path, new_path = argv
    found = plan(layer, Path(base_path).read_bytes(), Path(new_path).read_bytes())
    if found is None:
        return NO_PATCH
    print(json.dumps(write_plan(found, Path.cwd())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
