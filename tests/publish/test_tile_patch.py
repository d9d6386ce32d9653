"""A republish patches the previous release's archive (vectortiles.
patch_archive) instead of building it whole: the result must be what a
whole build of the same new blob gives, feature for feature. Real
tippecanoe, real PMTiles (read back with the PyPI reader and decoded with
mapbox-vector-tile, independent of both)."""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from covidmaps_publish import tile_patch, vectortiles
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Limits
from mapbox_vector_tile import decode
from pmtiles.reader import Reader, all_tiles
from pmtiles_samples import STATUSES, by_zoom, inside, memory_source, scattered_points, zone_grid
from publish_samples import collection, risk_point

from covidmaps_plugin.model import load_profile

LIMITS = Limits(tiles_min_features=100, tiles_min_bytes=10 * 1024 * 1024)
# the western edge of zoom-12 tile column 3250: points on either side of it
EDGE_LON = 3250 / 4096 * 360 - 180


def canonical(layer: str, features: List[Dict[str, Any]]) -> bytes:
    return check_blob(layer, collection(features), load_profile("bac_kan_2020"),
                      replace(LIMITS)).data


def decoded(archive: bytes) -> Dict[tuple, List[Dict[str, Any]]]:
    """(z, x, y) -> its features, each as comparable text, sorted."""
    tiles = {}
    for zxy, data in all_tiles(memory_source(archive)):
        layers = decode(gzip.decompress(data), default_options={"y_coord_down": True})
        tiles[zxy] = sorted(repr((f["geometry"], sorted(f["properties"].items())))
                            for layer in layers.values() for f in layer["features"])
    return tiles


def assert_same_as_whole_build(patched: bytes, blob: bytes, whole: bytes) -> None:
    """Tile for tile the same features as the whole build (same tile set),
    and the contract every archive keeps: each feature once at zoom 12 with
    its properties, clusters counting every point at every lower zoom."""
    mine, theirs = decoded(patched), decoded(whole)
    assert set(mine) == set(theirs), "not the same tiles"
    for zxy in theirs:
        assert mine[zxy] == theirs[zxy], f"tile {zxy} differs"
    head = Reader(memory_source(patched)).header()
    assert head["root_offset"] + head["root_length"] <= 1024
    assert (head["min_zoom"], head["max_zoom"]) == (4, 12)
    assert head["clustered"]
    whole_head = Reader(memory_source(whole)).header()
    for key in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"):
        assert abs(head[key] - whole_head[key]) <= 1, key
    features = {f["id"]: f for f in json.loads(blob)["features"]}
    zooms = by_zoom(memory_source(patched), "risk_points")
    top = {}
    for _tile, feature, extent in zooms[12]:
        if inside(feature, extent):
            uid = feature["properties"]["uid"]
            assert uid not in top
            top[uid] = feature["properties"]
    assert set(top) == set(features)
    for uid, props in top.items():
        assert props == {k: v for k, v in features[uid]["properties"].items() if v is not None}
    for z in range(4, 12):
        best: dict = {}
        for _tile, feature, extent in zooms[z]:
            x, y = feature["geometry"]["coordinates"]
            outside = max(0, -x, -y, x - (extent - 1), y - (extent - 1))
            fid = feature["id"]  # below zoom 12 the tile id stands for the uid
            if fid not in best or outside < best[fid][0]:
                best[fid] = (outside, feature["properties"])
        seen = [p for outside, p in best.values() if outside <= 1]
        assert sum(p.get("point_count", 1) if p.get("clustered") else 1 for p in seen) \
            == len(features), z
        for status in STATUSES:
            assert sum(p.get(f"n_{status}", 0) for p in seen) == sum(
                f["properties"]["status"] == status for f in features.values()), (z, status)


def edge_points() -> List[Dict[str, Any]]:
    """The scattered points and a few right beside a zoom-12 tile edge."""
    points = scattered_points(400)
    for i in range(6):
        points.append(risk_point(1000 + i, lon=round(EDGE_LON + (i - 3) * 0.00001, 6),
                                 lat=22.2 + i * 0.0001))
    return points


def edit_name(points: List[Dict[str, Any]]) -> None:
    points[7]["properties"]["name"] = "Chợ đêm \"Phố cổ\""


def move_across_the_edge(points: List[Dict[str, Any]]) -> None:
    moved = points[-4]  # just west of the edge: into the next column's tile
    lon, lat = moved["geometry"]["coordinates"]
    assert lon < EDGE_LON
    moved["geometry"]["coordinates"] = [round(EDGE_LON + 0.00003, 6), lat]


def add_and_remove(points: List[Dict[str, Any]]) -> None:
    del points[11]
    points.append(risk_point(2000, lon=105.9, lat=22.3))
    points.append(risk_point(2001, lon=round(EDGE_LON - 0.00002, 6), lat=22.2003))


def edit_drawn_field(points: List[Dict[str, Any]]) -> None:
    points[3]["properties"]["exposure_end"] = "2021-06-11T11:00:00+07:00"
    points[5]["properties"]["address"] = "Phố mới"


EDITS: Dict[str, Callable[[List[Dict[str, Any]]], None]] = {
    "name": edit_name, "moved": move_across_the_edge, "added and removed": add_and_remove,
    "drawn field": edit_drawn_field}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    work = tmp_path_factory.mktemp("base")
    points = edge_points()
    blob = canonical("risk_points", points)
    return {"points": points, "blob": blob,
            "archive": vectortiles.build_archive("risk_points", blob, work)}


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_patched_archive_is_the_whole_build(tmp_path: Path, storage_backend, base, edit: str
                                            ) -> None:
    points = copy.deepcopy(base["points"])
    EDITS[edit](points)
    blob = canonical("risk_points", points)
    assert blob != base["blob"]
    patched = vectortiles.patch_archive("risk_points", base["blob"], base["archive"], blob,
                                        tmp_path)
    assert patched is not None, "a patch applies to a few changed points"
    whole = vectortiles.build_archive("risk_points", blob, tmp_path)
    assert_same_as_whole_build(patched, blob, whole)


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_a_name_edit_keeps_the_low_zooms(tmp_path: Path, storage_backend, base) -> None:
    """A field the map does not draw: every tile below zoom 12 is the
    base's, byte for byte, and only the edited point's zoom-12 tile changed."""
    points = copy.deepcopy(base["points"])
    edit_name(points)
    patched = vectortiles.patch_archive("risk_points", base["blob"], base["archive"],
                                        canonical("risk_points", points), tmp_path)
    assert patched is not None
    old = dict(all_tiles(memory_source(base["archive"])))
    new = dict(all_tiles(memory_source(patched)))
    assert set(old) == set(new)
    assert {zxy for zxy in new if old[zxy] != new[zxy]} == {
        zxy for zxy in new if zxy[0] == 12 and decoded(patched)[zxy] != decoded(
            base["archive"])[zxy]}
    assert all(old[zxy] == new[zxy] for zxy in new if zxy[0] < 12)
    assert sum(old[zxy] != new[zxy] for zxy in new) == 1


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_edits_that_keep_the_low_zooms_are_planned_in_the_process(
        tmp_path: Path, storage_backend, base, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names edited, one of a point right beside a tile edge (its buffer
    reaches the neighbour tile): planned in the server's own process from
    the base archive's tiles (tile_patch.quick_plan), no child process
    reads the blobs, and the archive is the whole build's. A point moved,
    added or removed (the low zooms change) is planned from the whole blobs."""
    points = copy.deepcopy(base["points"])
    edit_name(points)
    beside = points[-3]  # a hair west of the edge
    assert EDGE_LON - 0.0001 < beside["geometry"]["coordinates"][0] < EDGE_LON
    beside["properties"]["name"] = "Bên mép ô"
    blob = canonical("risk_points", points)
    quick = tile_patch.quick_plan("risk_points", base["blob"], blob, base["archive"])
    assert quick is not None
    assert quick["changed"] == 2 and not quick["low_changed"]
    assert len(quick["tiles"]) >= 3  # the edge point's tile and its neighbour's too
    whole = vectortiles.build_archive("risk_points", blob, tmp_path)

    def no_child(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a child process read the blobs")

    monkeypatch.setattr(vectortiles, "_child", no_child)
    patched = vectortiles.patch_archive("risk_points", base["blob"], base["archive"], blob,
                                        tmp_path)
    assert patched is not None
    assert_same_as_whole_build(patched, blob, whole)
    for edit in ("moved", "added and removed"):
        points = copy.deepcopy(base["points"])
        EDITS[edit](points)
        assert tile_patch.quick_plan("risk_points", base["blob"], canonical(
            "risk_points", points), base["archive"]) is None


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_when_a_patch_is_not_the_way(tmp_path: Path, storage_backend, base) -> None:
    """Zones, an unchanged blob and a blob mostly changed take a whole build."""
    zones = canonical("isolation_zones", zone_grid(30))
    other_zones = zone_grid(30)
    other_zones[2]["properties"]["name"] = "Thôn mới"
    assert vectortiles.patch_archive("isolation_zones", zones, b"", canonical(
        "isolation_zones", other_zones), tmp_path) is None
    assert vectortiles.patch_archive("risk_points", base["blob"], base["archive"],
                                     base["blob"], tmp_path) is None
    moved = copy.deepcopy(base["points"])
    for point in moved[::3]:
        point["properties"]["name"] += " (mới)"
    assert vectortiles.patch_archive("risk_points", base["blob"], base["archive"],
                                     canonical("risk_points", moved), tmp_path) is None


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_a_failed_patch_builds_the_whole_archive(tmp_path: Path, storage_backend, base,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Anything unexpected in a patch: logged, and the archive is built
    whole (named by its own hash, remembered by the blob's)."""
    from covidmaps_publish.storage.base import blob_key, pmtiles_key

    from covidmaps_plugin.model.geojson import sha256_hex

    storage = storage_backend.open(tmp_path / "data")
    builder = vectortiles.TileBuilder(storage, tmp_path / "state", min_features=100,
                                      min_bytes=1 << 30)
    try:
        base_sha = sha256_hex(base["blob"])
        storage.put_immutable(blob_key(base_sha), base["blob"])
        first = builder.entry("risk_points", base_sha, base["blob"])
        points = copy.deepcopy(base["points"])
        edit_name(points)
        blob = canonical("risk_points", points)

        def broken(*args: Any) -> bytes:
            raise ValueError("a damaged archive")

        monkeypatch.setattr(vectortiles, "patch_archive", broken)
        second = builder.entry("risk_points", sha256_hex(blob), blob, base_sha)
        assert "could not patch the vector tiles of risk_points" in caplog.text
        assert second["sha256"] != first["sha256"]
        stored = storage.get(pmtiles_key(second["sha256"]))
        assert sha256_hex(stored) == second["sha256"]
        assert_same_as_whole_build(stored, blob, vectortiles.build_archive(
            "risk_points", blob, tmp_path))
        assert builder.cached("risk_points", sha256_hex(blob)) == second
    finally:
        builder.close()
        storage.close()


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_the_base_blob_the_server_holds_is_not_read_back(
        tmp_path: Path, storage_backend, base, monkeypatch: pytest.MonkeyPatch) -> None:
    """The patch's base blob comes from the bytes the server holds (the
    reader's: verified when they came), not read back and hashed again
    from the storage: here the storage's copy is unreadable, and the
    archive is still patched."""
    from covidmaps_publish.storage.base import blob_key

    from covidmaps_plugin.model.geojson import sha256_hex

    storage = storage_backend.open(tmp_path / "data")
    base_sha = sha256_hex(base["blob"])
    held = {base_sha: base["blob"]}
    builder = vectortiles.TileBuilder(storage, tmp_path / "state", min_features=100,
                                      min_bytes=1 << 30, held_blob=held.get)
    patched = []
    real_patch = vectortiles.patch_archive

    def counted(*args: Any) -> Any:
        patched.append(args[0])
        return real_patch(*args)

    monkeypatch.setattr(vectortiles, "patch_archive", counted)
    try:
        storage.put_immutable(blob_key(base_sha), base["blob"])
        builder.entry("risk_points", base_sha, base["blob"])
        storage.path(blob_key(base_sha)).unlink()  # not read back: not needed
        points = copy.deepcopy(base["points"])
        edit_name(points)
        blob = canonical("risk_points", points)
        entry = builder.entry("risk_points", sha256_hex(blob), blob, base_sha)
        assert entry is not None and patched == ["risk_points"]
    finally:
        builder.close()
        storage.close()
