"""The endpoint derives one PMTiles archive per large layer (vectortiles.py)
on every storage backend: the archive holds exactly the blob's features at
its maximum zoom, clusters count every point (and every status) below it,
zones are at every zoom; archives are cached by blob, served with byte
ranges, and a commit may not name tiles itself."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Iterator, List

import pytest
import requests
from covidmaps_publish import vectortiles
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
from covidmaps_publish.tile_input import tile_feature_id
from pmtiles.reader import Reader
from pmtiles_samples import (
    STATUSES,
    by_zoom,
    header,
    http_source,
    inside,
    memory_source,
    scattered_points,
    zone_grid,
)
from publish_client import Api
from publish_samples import collection

from covidmaps_plugin.model import MODEL

# small thresholds so a test layer of a few hundred features is "large"
LIMITS = Limits(tiles_min_features=100, tiles_min_bytes=10 * 1024 * 1024)
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Every archive the server makes, in order: its layer for a whole
    build, "<layer> patched" for an incremental one (patch_archive)."""
    runs: List[str] = []
    real_build, real_patch = vectortiles.build_archive, vectortiles.patch_archive

    def counted(layer, blob, work_root):
        runs.append(layer)
        return real_build(layer, blob, work_root)

    def counted_patch(layer, base_blob, base_archive, blob, work_root):
        made = real_patch(layer, base_blob, base_archive, blob, work_root)
        if made is not None:
            runs.append(f"{layer} patched")
        return made

    monkeypatch.setattr(vectortiles, "build_archive", counted)
    monkeypatch.setattr(vectortiles, "patch_archive", counted_patch)
    return runs


@pytest.fixture
def tiled_api(storage_backend, data_dir: Path, token: str, builds) -> Iterator[Api]:
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    poll_interval_s=0.05, limits=LIMITS)
    with ServerThread(config) as srv:
        client = Api(srv.url, token)
        yield client
        client.session.close()


def publish(api: Api, layers: dict) -> dict:
    hashes = {}
    for name, features in layers.items():
        put = api.put_layer(name, collection(features))
        assert put.status_code in (200, 201), put.text
        hashes[name] = put.json()["sha256"]
    answer = api.publish(hashes, api.current_id())
    assert answer.status_code == 201, answer.text
    return requests.get(f"{api.base}/data/manifest.json", timeout=10).json()


def layer_entry(manifest: dict, name: str) -> dict:
    return next(e for e in manifest["layers"] if e["id"] == name)


def blob_features(api: Api, entry: dict) -> dict:
    blob = requests.get(f"{api.base}/data/{entry['blob']['href']}", timeout=30).json()
    return {f["id"]: f for f in blob["features"]}


def test_archives_hold_every_feature_at_every_zoom(tiled_api: Api, builds: List[str]) -> None:
    points, zones = scattered_points(600), zone_grid(150)
    manifest = publish(tiled_api, {"risk_points": points, "isolation_zones": zones,
                                   "checkpoints": []})
    assert manifest["format"] == "covidmaps-release/2"
    assert layer_entry(manifest, "checkpoints")["tiles"] is None  # small: the blob alone
    session = requests.Session()

    rp = layer_entry(manifest, "risk_points")
    tiles = rp["tiles"]
    assert tiles["format"] == "pmtiles" and tiles["layer"] == "risk_points"
    assert tiles["href"] == f"tiles/{tiles['sha256']}.pmtiles"
    assert tiles["blob_sha256"] == rp["blob"]["sha256"]
    assert (tiles["minzoom"], tiles["maxzoom"], tiles["cluster_maxzoom"]) == (4, 12, 11)
    url = f"{tiled_api.base}/data/{tiles['href']}"
    ranges: list = []
    source = http_source(url, session, ranges)
    head = header(source)
    assert (head["min_zoom"], head["max_zoom"]) == (4, 12)
    # the root directory (every tile below zoom 12) is in the first KiB a
    # phone reads (web tiles.js HEAD_BYTES): its first views read no other directory
    assert head["root_offset"] + head["root_length"] <= 1024
    archive = session.get(url, timeout=30).content
    assert hashlib.sha256(archive).hexdigest() == tiles["sha256"]
    assert len(archive) == tiles["size"]

    blob = blob_features(tiled_api, rp)
    zooms = by_zoom(source, "risk_points")
    assert ranges, "the archive was read through byte ranges"
    assert sorted(zooms) == list(range(4, 13))
    # maximum zoom: every feature itself, with every public property (one for one)
    top = {}
    for _tile, feature, extent in zooms[12]:
        props = feature["properties"]
        assert "clustered" not in props
        if inside(feature, extent):
            assert props["uid"] not in top, "a feature twice at the maximum zoom"
            assert feature["id"] == tile_feature_id(props["uid"])
            top[props["uid"]] = props
    assert set(top) == set(blob)
    for uid, props in top.items():
        expected = {k: v for k, v in blob[uid]["properties"].items() if v is not None}
        assert props == expected
    # below it, only what the map draws with (the model's drawn fields but
    # the uid, which the feature id stands for) and the cluster counts: a
    # popup fetches the maximum zoom's tile and finds the id there
    drawn = set(MODEL.layer("risk_points").drawn_fields) - {"uid"}
    assert "status" in drawn and not {"name", "address"} & drawn
    ids = {tile_feature_id(uid) for uid in blob}
    counts = {f"n_{status}" for status in STATUSES}
    for z in range(4, 12):
        for _tile, feature, _extent in zooms[z]:
            # tippecanoe's own cluster attributes
            extra = set(feature["properties"]) - drawn - counts - {
                "clustered", "point_count", "sqrt_point_count", "point_count_abbreviated"}
            assert not extra, f"zoom {z} carries {extra}"
            assert feature["id"] in ids, f"zoom {z}: a feature id that is no feature's"
    # lower zooms: clusters (and lone points) count every point and every status once
    wanted = Counter(f["properties"]["status"] for f in blob.values())
    clustered_somewhere = False
    for z in range(4, 12):
        # a feature near a tile edge is repeated in the neighbour's buffer, and
        # one on the edge may round to just outside both tiles: each id (a
        # cluster carries one of its points' id) counts once, in the tile it
        # is most inside of, if that is within one unit of the tile proper
        best: dict = {}
        for _tile, feature, extent in zooms[z]:
            props = feature["properties"]
            clustered_somewhere |= bool(props.get("clustered"))
            x, y = feature["geometry"]["coordinates"]
            outside = max(0, -x, -y, x - (extent - 1), y - (extent - 1))
            if feature["id"] not in best or outside < best[feature["id"]][0]:
                best[feature["id"]] = (outside, props)
        seen = {fid: props for fid, (outside, props) in best.items() if outside <= 1}
        total = sum(p["point_count"] if p.get("clustered") else 1 for p in seen.values())
        per_status = Counter({status: sum(p.get(f"n_{status}", 0) for p in seen.values())
                              for status in STATUSES})
        assert total == len(blob), f"zoom {z}: {total} points counted"
        assert per_status == wanted, f"zoom {z}"
    assert clustered_somewhere

    iz = layer_entry(manifest, "isolation_zones")
    assert iz["tiles"]["cluster_maxzoom"] is None
    zone_zooms = by_zoom(http_source(f"{tiled_api.base}/data/{iz['tiles']['href']}",
                                     session, []), "isolation_zones")
    zone_uids = set(blob_features(tiled_api, iz))
    zone_drawn = set(MODEL.layer("isolation_zones").drawn_fields)
    zone_ids = {tile_feature_id(uid) for uid in zone_uids}
    for z in range(4, 13):  # simplified, never dropped: even a building at zoom 4
        assert {f["id"] for _t, f, _e in zone_zooms[z]} == zone_ids, z
        if z < 12:
            assert all(set(f["properties"]) <= zone_drawn - {"uid"}
                       for _t, f, _e in zone_zooms[z]), z
    zone_blob = blob_features(tiled_api, iz)
    for _t, f, _e in zone_zooms[12]:  # every public property at the maximum zoom
        uid = f["properties"]["uid"]
        assert f["properties"] == {k: v for k, v in zone_blob[uid]["properties"].items()
                                   if v is not None}
    assert sorted(builds) == ["isolation_zones", "risk_points"]
    session.close()


def test_unchanged_layers_are_never_rebuilt(tiled_api: Api, builds: List[str]) -> None:
    first = publish(tiled_api, {"risk_points": scattered_points(200)})
    tiles = layer_entry(first, "risk_points")["tiles"]
    assert builds == ["risk_points"]
    # another layer changes: the archive is the same one, no tippecanoe run
    second = publish(tiled_api, {"checkpoints": []})
    assert layer_entry(second, "risk_points")["tiles"] == tiles
    # the same points uploaded again (a no-op republish): still no run
    third = publish(tiled_api, {"risk_points": scattered_points(200)})
    assert layer_entry(third, "risk_points")["tiles"] == tiles
    assert builds == ["risk_points"]
    # one feature edited: a new archive, patched from the cached one, once
    edited = scattered_points(200)
    edited[3]["properties"]["name"] = "Chợ đêm"
    fourth = publish(tiled_api, {"risk_points": edited})
    assert layer_entry(fourth, "risk_points")["tiles"]["sha256"] != tiles["sha256"]
    assert builds == ["risk_points", "risk_points patched"]
    # rollback to the first release: its archive again, from the cache
    back = tiled_api.session.post(
        f"{tiled_api.base}/api/v1/rollback", data=json.dumps({"release_id": first["release_id"]}),
        headers={"Content-Type": "application/json",
                 "If-Match": f'"{fourth["release_id"]}"'}, timeout=30)
    assert back.status_code == 201, back.text
    current = requests.get(f"{tiled_api.base}/data/manifest.json", timeout=10).json()
    assert layer_entry(current, "risk_points")["tiles"] == tiles
    assert len(builds) == 2
    # a layer that shrinks below the threshold loses its archive
    small = publish(tiled_api, {"risk_points": scattered_points(20)})
    assert layer_entry(small, "risk_points")["tiles"] is None


def test_archive_is_served_with_byte_ranges(tiled_api: Api) -> None:
    manifest = publish(tiled_api, {"risk_points": scattered_points(150)})
    tiles = layer_entry(manifest, "risk_points")["tiles"]
    url = f"{tiled_api.base}/data/{tiles['href']}"
    size = tiles["size"]
    full = requests.get(url, headers={"Accept-Encoding": "gzip, br"}, timeout=30)
    assert full.status_code == 200
    assert full.headers["content-type"] == "application/vnd.pmtiles"
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["cache-control"] == IMMUTABLE
    assert "content-encoding" not in full.headers and "vary" not in full.headers
    body = full.content
    assert len(body) == size

    def ranged(value: str, **extra: str) -> requests.Response:
        return requests.get(url, headers={"Range": value, "Accept-Encoding": "gzip", **extra},
                            timeout=30)

    part = ranged("bytes=0-126")  # the PMTiles v3 header
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-126/{size}"
    assert part.content == body[:127] and part.content[:7] == b"PMTiles"
    assert ranged("bytes=100-").content == body[100:]
    assert ranged("bytes=-10").content == body[-10:]
    assert ranged(f"bytes=10-{size + 50}").headers["content-range"] == f"bytes 10-{size - 1}/{size}"
    unsatisfiable = ranged(f"bytes={size}-")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
    # several ranges, a malformed one, another unit: the whole file (RFC 9110 allows it)
    for value in ("bytes=0-1,5-6", "bytes=5-1", "items=0-1", "bytes=x-y"):
        whole = ranged(value)
        assert whole.status_code == 200 and whole.content == body, value
    # If-Range with another entity: the whole file; with this one: the range
    etag = full.headers["etag"]
    assert ranged("bytes=0-9", **{"If-Range": '"other"'}).status_code == 200
    assert ranged("bytes=0-9", **{"If-Range": etag}).status_code == 206
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=10).status_code == 304
    head = requests.head(url, headers={"Range": "bytes=0-9"}, timeout=10)
    assert head.status_code == 206 and head.content == b""
    missing = requests.get(url.replace(tiles["sha256"], "0" * 64), timeout=10)
    assert missing.status_code == 404


def test_a_commit_cannot_name_tiles(tiled_api: Api) -> None:
    answer = tiled_api.publish({}, tiled_api.current_id(), tiles={"risk_points": "a" * 64})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "server-owned-member"
    gone = tiled_api.session.put(f"{tiled_api.base}/api/v1/layers/risk_points/tiles/{'a' * 64}",
                                 data=b"x", timeout=10)
    assert gone.status_code == 404


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_same_blob_same_archive(tmp_path: Path, storage_backend) -> None:
    """The command line in the archive's metadata has relative paths only:
    a blob gives the same bytes wherever and whenever it is built."""
    blob = collection(scattered_points(300))
    from covidmaps_publish.checks.layer import check_blob

    from covidmaps_plugin.model import load_profile

    canonical = check_blob("risk_points", blob, load_profile("bac_kan_2020"),
                           replace(LIMITS)).data
    one = vectortiles.build_archive("risk_points", canonical, tmp_path / "a")
    two = vectortiles.build_archive("risk_points", canonical, tmp_path / "b" / "deeper")
    assert one == two
    meta_text = json.dumps(Reader(memory_source(one)).metadata())
    assert str(tmp_path) not in meta_text


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
def test_skipping_zooms_gives_the_same_archive(tmp_path: Path, storage_backend, layer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The maximum-zoom run is given the temporary files to jump over the
    zooms it does not write (run_env); its archive is byte for byte the one
    tippecanoe makes walking every zoom (its own thread count), as a
    patch's run does."""
    from covidmaps_publish.checks.layer import check_blob

    from covidmaps_plugin.model import load_profile

    features = scattered_points(400) if layer == "risk_points" else zone_grid(30)
    canonical = check_blob(layer, collection(features), load_profile("bac_kan_2020"),
                           replace(LIMITS)).data
    high = vectortiles.tippecanoe_runs(layer)[1]
    assert vectortiles.run_env(high)["TIPPECANOE_MAX_THREADS"] == str(
        vectortiles.SKIP_ZOOMS_THREADS)
    assert vectortiles.run_env(vectortiles.tippecanoe_runs(layer)[0]) is None
    # a patch's few features walk every zoom (cheaper than the files)
    assert vectortiles.run_env(vectortiles._retargeted(
        high, vectortiles.PATCH_INPUT, "sub.pmtiles")) is None
    skipping = vectortiles.build_archive(layer, canonical, tmp_path / "skip")
    monkeypatch.setattr(vectortiles, "run_env", lambda args: None)
    walking = vectortiles.build_archive(layer, canonical, tmp_path / "walk")
    assert skipping == walking


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
def test_tile_input_cut_from_canonical_bytes(tmp_path: Path, storage_backend, layer) -> None:
    """tippecanoe's input is cut from the canonical bytes without parsing
    them; it says exactly what parsing them says (the fallback for any
    other layout), text with quotes and the word "status" included."""
    from covidmaps_publish.checks.layer import check_blob
    from covidmaps_publish.tile_input import canonical_tile_lines, write_inputs

    from covidmaps_plugin.model import load_profile
    from covidmaps_plugin.model.geojson import canonical_feature_parts

    if layer == "risk_points":
        features = scattered_points(40)
        features[3]["properties"]["name"] = 'Chợ "status":"expired", {"type":"Feature","id":'
        features[4]["properties"]["address"] = '\\"status\\":\\"x\\" \\\\'
    else:
        features = zone_grid(30)
    canonical = check_blob(layer, collection(features), load_profile("bac_kan_2020"),
                           replace(LIMITS)).data
    assert canonical_tile_lines(layer, canonical) is not None  # the fast path applies
    # a point layer is read by the one point scanner (checks/canonical.py);
    # it gives the lines the feature-by-feature cut gives
    from covidmaps_publish.tile_input import FeatureCutter, point_tile_lines

    scanned = point_tile_lines(layer, canonical)
    assert (scanned is not None) == (layer == "risk_points")
    if scanned is not None:
        cut = FeatureCutter(layer)
        assert scanned == [cut(part) for part in canonical_feature_parts(canonical)]
    other = json.dumps(json.loads(canonical), indent=1).encode()  # same data, other bytes
    assert canonical_tile_lines(layer, other) is None
    assert write_inputs(layer, canonical, tmp_path / "fast", tmp_path / "fast_low") \
        == len(features)
    assert write_inputs(layer, other, tmp_path / "parsed", tmp_path / "parsed_low") \
        == len(features)

    def lines(path: Path) -> list:
        return [json.loads(line) for line in path.read_bytes().splitlines()]

    assert lines(tmp_path / "fast") == lines(tmp_path / "parsed")
    assert lines(tmp_path / "fast_low") == lines(tmp_path / "parsed_low")
    blob = {f["id"]: f for f in json.loads(canonical)["features"]}
    drawn = [name for name in MODEL.layer(layer).drawn_fields if name != "uid"]
    for high, low in zip(lines(tmp_path / "fast"), lines(tmp_path / "fast_low")):
        source = blob[high["properties"]["uid"]]
        # both inputs: the feature's tile id (its uid's); the maximum zoom's:
        # the feature itself; the low zooms': its geometry, the fields the
        # map draws with but the uid (the id stands for it), its status count
        number = tile_feature_id(source["id"])
        assert high == {"type": "Feature", "id": number, "geometry": source["geometry"],
                        "properties": source["properties"]}
        counts = {f"n_{source['properties']['status']}": 1} if layer == "risk_points" else {}
        assert low == {"type": "Feature", "id": number, "geometry": source["geometry"],
                       "properties": {**{k: source["properties"][k] for k in drawn},
                                      **counts}}
    assert len({f["id"] for f in lines(tmp_path / "fast")}) == len(features)


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_a_failed_build_publishes_the_blob_alone(storage_backend, data_dir: Path, token: str,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """tippecanoe failing (a broken install, a full disk) never loses the
    publish: the release carries the blob with "tiles": null (the map draws
    the blob) and the failure is logged; the next publish tries again."""
    real_build, failures = vectortiles.build_archive, []

    def broken(layer, blob, work_root):
        failures.append(layer)
        raise RuntimeError("tippecanoe failed on layer risk_points (1): out of disk")

    monkeypatch.setattr(vectortiles, "build_archive", broken)
    config = Config(data_dir=data_dir, fsync=False, poll_interval_s=0.05, limits=LIMITS)
    with ServerThread(config) as srv:
        api = Api(srv.url, token)
        manifest = publish(api, {"risk_points": scattered_points(150)})
        entry = layer_entry(manifest, "risk_points")
        assert entry["tiles"] is None and entry["feature_count"] == 150
        assert "could not build the vector tiles of risk_points" in caplog.text
        assert failures == ["risk_points"]  # tried once, not again inside the commit lock
        monkeypatch.setattr(vectortiles, "build_archive", real_build)
        monkeypatch.setattr(vectortiles, "RETRY_AFTER_S", 0.0)  # the retry below comes at once
        again = publish(api, {"checkpoints": []})
        assert layer_entry(again, "risk_points")["tiles"]["format"] == "pmtiles"
        api.session.close()


def test_only_layers_the_model_allows_are_tiled(tmp_path: Path, storage_backend) -> None:
    """Epidemic levels stay GeoJSON however large: the map picks each unit's
    record in force by its dates, which needs all of them at every zoom."""
    from covidmaps_publish.vectortiles import TileBuilder
    builder = TileBuilder(storage_backend, tmp_path, min_features=100, min_bytes=1024)
    try:
        assert builder.wanted("risk_points", 100_000, 50 * 1024 * 1024)
        assert builder.wanted("isolation_zones", 5_000, 10)
        assert not builder.wanted("epidemic_levels", 100_000, 50 * 1024 * 1024)
        assert not builder.wanted("risk_points", 10, 100)
    finally:
        builder.close()


def test_tile_feature_ids_are_exact_javascript_numbers_spread_over_any_uids() -> None:
    """The id tiles carry below the maximum zoom instead of the uid: the same
    for the same uid, below 2^52 (a JavaScript number holds it exactly), and
    distinct for uids that differ in one character anywhere (an import may
    number its uids)."""
    numbered = [f"00000000-0000-0000-0000-{i:012d}" for i in range(20_000)]
    ids = [tile_feature_id(uid) for uid in numbered]
    assert len(set(ids)) == len(numbered)
    assert all(0 <= n < 2 ** 52 for n in ids)
    assert tile_feature_id(numbered[7]) == ids[7]
    assert max(ids) > 2 ** 51  # spread over the whole range, not cut from the uid
