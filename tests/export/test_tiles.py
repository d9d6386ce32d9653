"""Vector tiles of a large layer: QGIS's own writer, one deterministic
archive per layer (the tile-set wire contract), decoded here with an
independent MVT decoder (mapbox-vector-tile)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, Tuple

import mapbox_vector_tile
import pytest
from qgis.core import QgsFeedback, QgsProject

from covidmaps_plugin.core.export import LayerExport, export_layers
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.core.tiles import (
    DEFAULT_MAXZOOM,
    DEFAULT_MINZOOM,
    TILE_THRESHOLD_BYTES,
    TileArchive,
    TileBuildError,
    TilesCancelledError,
    build_tile_archive,
    needs_tiles,
    read_tile_archive,
    tile_value,
    tile_xy,
    tiles_for_view,
)
from covidmaps_plugin.model import MODEL, PROVINCE_TZ
from covidmaps_plugin.model import geojson as cgj

TILED = ("risk_points", "isolation_zones")  # a point layer and an area layer


@pytest.fixture(scope="module")
def exports(qgis_app, tmp_path_factory) -> Dict[str, LayerExport]:
    """The sample province's canonical exports (real workspace, real QGIS)."""
    from covidmaps_plugin.core.workspace import create_workspace

    path = tmp_path_factory.mktemp("tiles-sample") / "sample.gpkg"
    project = QgsProject()
    create_workspace(path, with_sample=True, project=project)
    project.clear()
    return export_layers(open_source(path).layers, dt.datetime.now(PROVINCE_TZ), None)


@pytest.fixture(scope="module")
def archives(exports) -> Dict[str, TileArchive]:
    return {name: build_tile_archive(name, exports[name].data, exports[name].sha256)
            for name in TILED}


def decoded(archive: TileArchive) -> Dict[Tuple[int, int, int], list]:
    tiles, _ = read_tile_archive(archive.data)
    return {key: mapbox_vector_tile.decode(data) for key, data in tiles.items()}


def test_same_data_gives_the_same_archive_bytes(exports, archives):
    for name in TILED:
        again = build_tile_archive(name, exports[name].data, exports[name].sha256)
        assert again.data == archives[name].data
        assert again.sha256 == archives[name].sha256 == hashlib.sha256(again.data).hexdigest()


BUILD_IN_ANOTHER_PROCESS = """
import hashlib, sys
from pathlib import Path
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from covidmaps_plugin.core.tiles import build_tile_archive
data = Path(sys.argv[2]).read_bytes()
print(build_tile_archive(sys.argv[1], data, hashlib.sha256(data).hexdigest()).sha256)
"""


def test_another_process_builds_the_same_archive(exports, archives, tmp_path):
    """Nothing per process (hash seeds, temp paths) reaches the bytes: another
    officer's QGIS makes the same tile set from the same data."""
    blob = tmp_path / "risk_points.geojson"
    blob.write_bytes(exports["risk_points"].data)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", BUILD_IN_ANOTHER_PROCESS, "risk_points",
                          str(blob)], capture_output=True, text=True, env=env, check=True,
                         timeout=120)
    assert out.stdout.split()[-1] == archives["risk_points"].sha256


def test_changed_data_gives_another_archive(exports, archives):
    collection = json.loads(exports["risk_points"].data)
    collection["features"][0]["properties"]["name"] = "Tên đã sửa"
    changed = cgj.canonical_bytes(collection["features"])
    other = build_tile_archive("risk_points", changed, cgj.sha256_hex(changed))
    assert other.sha256 != archives["risk_points"].sha256


def test_members_are_sorted_tiles_then_metadata_in_plain_ustar(archives):
    for archive in archives.values():
        assert archive.data[257:265] == b"ustar\x0000"  # POSIX ustar magic + version
        with tarfile.open(fileobj=io.BytesIO(archive.data), mode="r:") as tar:
            members = tar.getmembers()
        names = [m.name for m in members]
        assert names[-1] == "metadata.json"
        keys = [tuple(int(p) for p in n[: -len(".pbf")].split("/")) for n in names[:-1]]
        assert all(n.endswith(".pbf") for n in names[:-1])
        assert keys == sorted(keys) and len(set(keys)) == len(keys) == archive.tile_count
        assert {z for z, _, _ in keys} == set(range(DEFAULT_MINZOOM, DEFAULT_MAXZOOM + 1))
        assert all(0 <= x < 2 ** z and 0 <= y < 2 ** z for z, x, y in keys)
        for member in members:
            assert member.isreg() and member.size > 0
            assert (member.mtime, member.uid, member.gid, member.mode) == (0, 0, 0, 0o644)
            assert (member.uname, member.gname) == ("", "")


def test_metadata_names_layer_blob_zooms_and_bounds(exports, archives):
    for name, archive in archives.items():
        with tarfile.open(fileobj=io.BytesIO(archive.data), mode="r:") as tar:
            raw = tar.extractfile("metadata.json").read()
        features = json.loads(exports[name].data)["features"]
        bounds = cgj.bbox_of(features)
        assert json.loads(raw) == {
            "format": "covidmaps-tiles/1", "layer": name,
            "blob_sha256": exports[name].sha256, "minzoom": 5, "maxzoom": 12,
            "bounds": bounds,
        }
        # compact, keys sorted: one spelling, hence one hash
        assert raw == json.dumps(json.loads(raw), sort_keys=True,
                                 separators=(",", ":")).encode("utf-8")
        assert list(archive.bounds) == bounds and archive.blob_sha256 == exports[name].sha256


def test_tiles_hold_the_published_features_with_public_properties_only(exports, archives):
    for name, archive in archives.items():
        layer_def = MODEL.layer(name)
        internal = {f.name for f in layer_def.fields} - {f.name for f in layer_def.public_fields}
        assert internal, "the model has internal fields to leave out"
        blob = {f["id"]: f for f in json.loads(exports[name].data)["features"]}
        tiles, _ = read_tile_archive(archive.data)
        assert all(data[:2] != b"\x1f\x8b" for data in tiles.values())  # raw MVT, not gzip
        seen_by_zoom: Dict[int, set] = {}
        for (z, _x, _y), tile in decoded(archive).items():
            assert list(tile) == [name]  # one MVT layer, named by the layer id
            for feature in tile[name]["features"]:
                props = feature["properties"]
                # values as text (QGIS 3.22 would mix up values of mixed
                # types); MVT has no null: absent instead
                expected = {k: tile_value(v) for k, v in blob[props["uid"]]["properties"].items()
                            if v is not None}
                assert props == expected
                assert not internal & set(props)
                seen_by_zoom.setdefault(z, set()).add(props["uid"])
        # nothing but published features; all of them at maxzoom (the web map
        # over-zooms from there); points at every zoom (QGIS leaves out areas
        # smaller than a pixel of a low-zoom tile)
        assert set(seen_by_zoom) == set(range(DEFAULT_MINZOOM, DEFAULT_MAXZOOM + 1))
        assert all(uids <= set(blob) for uids in seen_by_zoom.values())
        assert seen_by_zoom[DEFAULT_MAXZOOM] == set(blob)
        if name == "risk_points":
            assert all(uids == set(blob) for uids in seen_by_zoom.values())


def test_geometry_types_match_the_layer(archives):
    kinds = {"risk_points": "Point", "isolation_zones": ("Polygon", "MultiPolygon")}
    for name, archive in archives.items():
        types = {f["geometry"]["type"] for tile in decoded(archive).values()
                 for f in tile[name]["features"]}
        assert types and types <= set(kinds[name] if isinstance(kinds[name], tuple)
                                      else (kinds[name],))


def test_cancel_stops_the_build(exports, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the xyz files go
    export = exports["risk_points"]
    before = QgsFeedback()
    before.cancel()
    with pytest.raises(TilesCancelledError):
        build_tile_archive("risk_points", export.data, export.sha256, feedback=before)

    during = QgsFeedback()
    progress = []

    def cancel_midway(value: float) -> None:
        progress.append(value)
        if value > 20:
            during.cancel()

    during.progressChanged.connect(cancel_midway)
    with pytest.raises(TilesCancelledError):
        build_tile_archive("risk_points", export.data, export.sha256, feedback=during)
    assert progress and max(progress) < 100
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left behind


def test_only_large_layers_need_tiles(exports):
    small = exports["risk_points"]
    assert small.size < TILE_THRESHOLD_BYTES
    assert not needs_tiles(small)
    assert needs_tiles(small, threshold_bytes=small.size - 1)
    empty = LayerExport.of_features("risk_points", [])
    assert not needs_tiles(empty, threshold_bytes=0)


def test_a_layer_without_features_is_refused(tmp_path: Path):
    data = cgj.canonical_bytes([])
    with pytest.raises(TileBuildError):
        build_tile_archive("risk_points", data, cgj.sha256_hex(data))


def test_dense_layers_start_at_the_zoom_whose_tiles_stay_small(exports):
    """QGIS puts every feature into every zoom: for a dense layer the tile set
    starts at the lowest zoom where no tile holds more than the budget."""
    template = json.loads(exports["risk_points"].data)["features"][0]
    features = []
    for i in range(600):  # a 0.3° grid of points, ids in canonical order
        uid = f"{i:08d}-0000-5000-8000-000000000000"
        lon, lat = 105.7 + (i % 25) * 0.012, 22.0 + (i // 25) * 0.0125
        features.append(cgj.feature(uid, cgj.canonical_point(lon, lat),
                                    {**template["properties"], "uid": uid}))
    data = cgj.canonical_bytes(features)
    mean = len(data) / len(features)
    per_tile = 80  # features a tile may hold
    archive = build_tile_archive("risk_points", data, cgj.sha256_hex(data),
                                 tile_budget_bytes=int(per_tile * mean))
    assert DEFAULT_MINZOOM < archive.minzoom <= DEFAULT_MAXZOOM
    tiles = decoded(archive)
    assert {z for z, _, _ in tiles} == set(range(archive.minzoom, DEFAULT_MAXZOOM + 1))
    uids_per_tile = {key: {f["properties"]["uid"] for f in t["risk_points"]["features"]}
                     for key, t in tiles.items()}
    assert max(len(uids) for uids in uids_per_tile.values()) <= per_tile
    # one zoom lower, some tile would have held more: the start is the lowest possible
    parents: Dict[Tuple[int, int], set] = {}
    for (z, x, y), uids in uids_per_tile.items():
        if z == archive.minzoom:
            parents.setdefault((x >> 1, y >> 1), set()).update(uids)
    assert max(len(uids) for uids in parents.values()) > per_tile
    _, metadata = read_tile_archive(archive.data)
    assert metadata["minzoom"] == archive.minzoom and metadata["maxzoom"] == DEFAULT_MAXZOOM


def test_tiles_for_the_first_view_of_a_phone():
    profile = {"initial_view": {"center": [105.84, 22.25], "zoom": 9}}
    view = tiles_for_view(profile, DEFAULT_MINZOOM, DEFAULT_MAXZOOM, viewport_px=(390, 844))
    xs, ys = sorted({x for _, x, _ in view}), sorted({y for _, _, y in view})
    assert {z for z, _, _ in view} == {9} and len(view) == len(xs) * len(ys)
    assert (9, *tile_xy(105.84, 22.25, 9)) in view
    # 390 x 844 px cross 2-3 columns and 4-5 rows of 256 px tiles, side by side
    assert len(xs) in (2, 3) and len(ys) in (4, 5)
    assert xs == list(range(xs[0], xs[-1] + 1)) and ys == list(range(ys[0], ys[-1] + 1))
    # beyond the set's maxzoom the map magnifies the parents; below minzoom it fetches none
    assert set(tiles_for_view(profile, 5, 8, viewport_px=(390, 844))) == {
        (8, x >> 1, y >> 1) for _, x, y in view}
    assert tiles_for_view(profile, 10, 12) == []


def empty_features(archive: TileArchive) -> list:
    """(tile, feature id) of every feature without a drawable geometry: type
    UNKNOWN or an empty command stream (what the endpoint refuses)."""
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    found = []
    for key, data in read_tile_archive(archive.data)[0].items():
        tile = vector_tile_pb2.tile()
        tile.ParseFromString(data)
        found += [(key, f.id) for mvt in tile.layers for f in mvt.features
                  if f.type not in (1, 2, 3) or not f.geometry]
    return found


def mercator_to_lonlat(x: float, y: float) -> Tuple[float, float]:
    radius = 6378137.0
    return math.degrees(x / radius), math.degrees(math.atan(math.sinh(y / radius)))


def diamonds_off_tile_corners(z: int, x: int, y: int) -> list:
    """Four diamonds, one beyond each corner of tile z/x/y grown by the
    writer's clipping buffer (256/4096 of a side): each one's bounding box
    reaches into that square, the diamond itself does not."""
    side = 2 * math.pi * 6378137.0 / 2 ** z
    west, north = -math.pi * 6378137.0 + x * side, math.pi * 6378137.0 - y * side
    grow = side * 256 / 4096
    r = side / 20  # half-diagonal; centre 0.6 r off the corner on both axes
    diamonds = []
    east, south = west + side, north - side
    for cx, cy, sx, sy in ((west - grow, north + grow, -1, 1), (east + grow, north + grow, 1, 1),
                           (west - grow, south - grow, -1, -1), (east + grow, south - grow, 1, -1)):
        mx, my = cx + sx * 0.6 * r, cy + sy * 0.6 * r
        ring = [mercator_to_lonlat(mx + dx, my + dy)
                for dx, dy in ((r, 0), (0, r), (-r, 0), (0, -r), (r, 0))]
        diamonds.append(cgj.canonical_multipolygon([[ring]]))
    return diamonds


# a zone of bench/bench_publish.py (a sample zone shifted) whose corner is cut
# off by tile 11/1626/893: QGIS wrote it there with no geometry
BENCH_OCTAGON = [[105.81041, 22.256039], [105.809557, 22.257945], [105.807497, 22.258734],
                 [105.805437, 22.257945], [105.804584, 22.256039], [105.805437, 22.254133],
                 [105.807497, 22.253344], [105.809557, 22.254133], [105.81041, 22.256039]]


def test_zones_whose_box_but_not_shape_reach_a_tile_leave_no_empty_feature(exports):
    """Regression: QGIS 3.22's writer takes every feature whose *bounding box*
    meets a tile (plus buffer), clips it, and writes it even when nothing is
    left: a feature of type UNKNOWN without geometry, which the endpoint
    refuses (the whole tile set of the bench's 2,000 zones was refused).
    Only features whose shape reaches into a tile may be in it."""
    template = json.loads(exports["isolation_zones"].data)["features"][0]["properties"]
    shapes = [cgj.canonical_multipolygon([[BENCH_OCTAGON]])] + diamonds_off_tile_corners(
        12, *tile_xy(105.84, 22.25, 12))
    features = []
    for i, geometry in enumerate(shapes):
        uid = f"{i:08d}-0000-5000-8000-00000000000a"
        features.append(cgj.feature(uid, geometry, {**template, "uid": uid}))
    data = cgj.canonical_bytes(features)
    archive = build_tile_archive("isolation_zones", data, cgj.sha256_hex(data), minzoom=11,
                                 maxzoom=12)
    assert empty_features(archive) == []
    tiles = decoded(archive)  # a strict decoder reads every tile
    cut_off = tiles.get((11, 1626, 893), {}).get("isolation_zones", {"features": []})
    assert features[0]["id"] not in {f["properties"]["uid"] for f in cut_off["features"]}
    uids = {f["properties"]["uid"] for (z, _, _), t in tiles.items() if z == 12
            for f in t["isolation_zones"]["features"]}
    assert uids == {f["id"] for f in features}  # every zone still drawn where it lies
    for (z, x, y), tile in tiles.items():  # and clipped to its tiles, never empty
        for feature in tile["isolation_zones"]["features"]:
            assert feature["geometry"]["coordinates"], (z, x, y)


def test_sample_tiles_have_no_empty_feature(archives):
    for archive in archives.values():
        assert empty_features(archive) == []


@pytest.mark.parametrize("extras, through_python", [
    # booleans and integers: made text by GDAL (SQL)
    ([{"flag": True, "count": 3}, {"flag": None, "count": -12},
      {"flag": False, "count": None}], False),
    # a real number, a list or an object has no exact SQL spelling: Python
    ([{"ratio": 0.30000000000000004, "tags": ["a", "b"], "flag": True},
      {"ratio": 1e-07, "tags": [], "flag": None},
      {"ratio": None, "tags": None, "flag": False}], True),
    ([{"meta": {"a": [1, "b"]}}, {"meta": None}, {"meta": {}}], True),
], ids=["sql", "python", "object"])
def test_values_are_written_as_their_json_text(exports, extras, through_python, monkeypatch):
    """Either way a tile value is the JSON text of the blob's value; null is absent."""
    from covidmaps_plugin.core import tiles

    in_python = []
    rewrite = tiles._ogr_input
    monkeypatch.setattr(tiles, "_ogr_input", lambda f: in_python.append(1) or rewrite(f))
    template = json.loads(exports["risk_points"].data)["features"][:3]
    features = [cgj.feature(f["id"], f["geometry"], {**f["properties"], **extra})
                for f, extra in zip(template, extras)]
    data = cgj.canonical_bytes(features)
    archive = build_tile_archive("risk_points", data, cgj.sha256_hex(data), minzoom=12)
    blob = {f["id"]: f["properties"] for f in features}
    seen = set()
    for tile in decoded(archive).values():
        for feature in tile["risk_points"]["features"]:
            props = feature["properties"]
            assert props == {k: tile_value(v) for k, v in blob[props["uid"]].items()
                             if v is not None}
            seen.add(props["uid"])
    assert seen == set(blob)
    assert bool(in_python) == through_python
    assert tile_value(0.30000000000000004) == "0.30000000000000004"
    assert (tile_value(True), tile_value(7), tile_value(["a"])) == ("true", "7", '["a"]')
