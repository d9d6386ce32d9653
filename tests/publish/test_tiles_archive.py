"""Every way a tile archive can be wrong is refused with its own error code,
nothing of it is stored, and a gzipped tile is accepted and stored raw."""

from __future__ import annotations

import dataclasses
import gzip
import json
import tarfile
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
import requests
from covidmaps_publish.checks.tiles import check_tile_archive
from covidmaps_publish.config import Config
from covidmaps_publish.problems import ProblemError
from publish_samples import sha
from tile_samples import (
    archive_tiles,
    build_archive,
    canonical_blob,
    pack,
    put_tiles,
    sample_points,
    tile_url,
)

from covidmaps_plugin.core.tiles import pack_tile_archive, read_tile_archive, tile_metadata

LAYER = "risk_points"
Members = List[Tuple[str, bytes]]


@pytest.fixture(scope="module")
def good(qgis_app) -> Dict:
    blob = canonical_blob(LAYER, sample_points(30))
    archive = build_archive(LAYER, blob)
    tiles, meta = read_tile_archive(archive)
    members = [("{}/{}/{}.pbf".format(*t), tiles[t]) for t in sorted(tiles)]
    return {"blob": blob, "archive": archive, "tiles": tiles, "meta": meta, "members": members,
            "metadata": ("metadata.json", json.dumps(meta).encode())}


def with_metadata(good: Dict, **over) -> bytes:
    meta = dict(good["meta"], **over)
    return pack(good["members"] + [("metadata.json", json.dumps(meta).encode())])


def internal_field_tiles(good: Dict) -> bytes:
    """Real QGIS tiles of a layer whose features carry an internal field."""
    blob = json.loads(good["blob"])
    for feature in blob["features"]:
        feature["properties"]["internal_note"] = "F0 tại nhà"
    data = json.dumps(blob, ensure_ascii=False).encode()
    return build_archive(LAYER, data)


def renamed_layer_tiles(good: Dict) -> bytes:
    archive = build_archive("checkpoints", good["blob"])
    return pack_tile_archive(archive_tiles(archive), tile_metadata(
        LAYER, sha(good["blob"]), 5, 9, good["meta"]["bounds"]))


# name -> (archive maker, expected errors[0].code)
BAD: Dict[str, Tuple[Callable[[Dict], bytes], str]] = {
    "not a tar": (lambda g: b"PK\x03\x04 not a tar at all" * 40, "bad-archive"),
    "gzipped tar": (lambda g: pack(g["members"] + [g["metadata"]], mode="w:gz"), "bad-archive"),
    "truncated": (lambda g: g["archive"][:1500], "bad-archive"),
    "symlink": (lambda g: pack([("5/25/14.pbf", b"")], tarfile.SYMTYPE,
                               linkname="/etc/passwd"), "bad-member"),
    "hard link": (lambda g: pack([("5/25/14.pbf", b"")], tarfile.LNKTYPE,
                                 linkname="metadata.json"), "bad-member"),
    "directory": (lambda g: pack([("5/", b"")], tarfile.DIRTYPE), "bad-member"),
    "absolute path": (lambda g: pack([("/5/25/14.pbf", g["members"][0][1]), g["metadata"]]),
                      "bad-member"),
    "parent path": (lambda g: pack([("../5/25/14.pbf", g["members"][0][1]), g["metadata"]]),
                    "bad-member"),
    "leading zero": (lambda g: pack([("5/025/14.pbf", g["members"][0][1]), g["metadata"]]),
                     "bad-member"),
    "other file": (lambda g: pack([("README.txt", b"hi"), g["metadata"]]), "bad-member"),
    "zoom 17": (lambda g: pack([("17/0/0.pbf", g["members"][0][1]), g["metadata"]]),
                "tile-out-of-range"),
    "x beyond 2^z": (lambda g: pack([("5/32/14.pbf", g["members"][0][1]), g["metadata"]]),
                     "tile-out-of-range"),
    "zoom outside metadata": (lambda g: with_metadata(g, minzoom=6), "tile-out-of-range"),
    "duplicate": (lambda g: pack([g["members"][0], g["members"][0], g["metadata"]]),
                  "duplicate-member"),
    "no metadata": (lambda g: pack(g["members"]), "metadata-missing"),
    "metadata first": (lambda g: pack([g["metadata"]] + g["members"]), "metadata-not-last"),
    "metadata of another layer": (lambda g: with_metadata(g, layer="checkpoints"),
                                  "metadata-invalid"),
    "metadata extra key": (lambda g: with_metadata(g, comment="x"), "metadata-invalid"),
    "metadata bad bounds": (lambda g: with_metadata(g, bounds=[0, 0, 1, 1]),
                            "metadata-invalid"),
    "metadata zooms reversed": (lambda g: with_metadata(g, minzoom=9, maxzoom=5),
                                "metadata-invalid"),
    "metadata not json": (lambda g: pack(g["members"] + [("metadata.json", b"{nope")]),
                          "metadata-invalid"),
    "only metadata": (lambda g: pack([g["metadata"]]), "no-tiles"),
    "not a vector tile": (lambda g: pack([("5/25/14.pbf", b"\xff" * 64), g["metadata"]]),
                          "not-a-vector-tile"),
    "empty tile": (lambda g: pack([("5/25/14.pbf", b""), g["metadata"]]), "not-a-vector-tile"),
    "damaged gzip": (lambda g: pack([("5/25/14.pbf", gzip.compress(g["members"][0][1])[:-9]),
                                     g["metadata"]]), "not-a-vector-tile"),
    "wrong MVT layer name": (renamed_layer_tiles, "wrong-tile-layer"),
    "internal field in a tile": (internal_field_tiles, "tile-unknown-field"),
    "tile outside the province": (
        lambda g: pack([("5/0/0.pbf", g["members"][0][1]), g["metadata"]]),
        "tile-outside-province"),
    "tile too large": (lambda g: pack([("5/25/14.pbf", b"\x1a" * (600 * 1024)), g["metadata"]]),
                       "tile-too-large"),
    "gzip bomb": (lambda g: pack([("5/25/14.pbf", gzip.compress(bytes(50 * 1024 * 1024))),
                                  g["metadata"]]), "tile-too-large"),
}


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
@pytest.mark.parametrize("case", list(BAD))
def test_bad_archive_is_refused_and_nothing_stored(api, good, stored_keys, case):
    make, code = BAD[case]
    before = stored_keys()
    response = put_tiles(api, LAYER, make(good))
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/invalid-tiles")
    assert problem["errors"][0]["code"] == code, problem
    assert problem["detail"]  # says what to fix
    assert stored_keys() == before


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_path_hash_auth_and_layer_are_checked(api, server, good, stored_keys):
    archive = good["archive"]
    mismatch = put_tiles(api, LAYER, archive, digest="0" * 64)
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["code"] == "hash-mismatch"
    assert put_tiles(api, LAYER, archive, digest="ABC").status_code == 400
    assert put_tiles(api, "province", archive).status_code == 404  # reference: GeoJSON only
    assert put_tiles(api, "nope", archive).status_code == 404
    anonymous = requests.put(f"{server.url}/api/v1/layers/{LAYER}/tiles/{sha(archive)}",
                             data=archive, timeout=10)
    assert anonymous.status_code == 401
    assert not [k for k in stored_keys() if k.startswith("tiles/")]
    audit = (server.app.config.state_dir / "audit.log").read_text(encoding="utf-8")
    assert f"/api/v1/layers/{LAYER}/tiles/{'0' * 64}" in audit


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_gzipped_tiles_are_accepted_and_stored_raw(api, good):
    zipped = pack([(name, gzip.compress(data, mtime=0)) for name, data in good["members"]]
                  + [good["metadata"]])
    response = put_tiles(api, LAYER, zipped)
    assert response.status_code == 201, response.text
    tile, raw = next(iter(sorted(good["tiles"].items())))
    answer = response.json()
    served = requests.get(tile_url(api.base, {"href": answer["href"][len("/data/"):]}, tile),
                          headers={"Accept-Encoding": "identity"}, timeout=10)
    assert served.status_code == 200 and served.content == raw
    assert "Content-Encoding" not in served.headers


def limited(**limits) -> Config:
    base = Config(data_dir=Path("/nonexistent"))  # only the profile and limits are used
    return dataclasses.replace(base, limits=dataclasses.replace(base.limits, **limits))


@pytest.mark.parametrize(("limits", "code"), [
    ({"max_tiles": 2}, "too-many-tiles"),
    ({"max_tiles_total_bytes": 100}, "tiles-too-large"),
    ({"max_tile_bytes": 50}, "tile-too-large"),
])
def test_count_and_size_limits(good, limits, code):
    config = limited(**limits)
    with pytest.raises(ProblemError) as refused:
        check_tile_archive(LAYER, sha(good["archive"]), good["archive"], config.profile(),
                           config.limits)
    assert refused.value.status == 422
    assert refused.value.errors[0].code == code


def test_good_archive_passes_the_checks(good):
    config = limited()
    checked = check_tile_archive(LAYER, sha(good["archive"]), good["archive"], config.profile(),
                                 config.limits)
    assert dict(checked.tiles) == good["tiles"]
    assert (checked.minzoom, checked.maxzoom, checked.blob_sha256) == (5, 9, sha(good["blob"]))


def test_archive_above_the_upload_limit_is_413(tmp_path, good):
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore
    from publish_client import Api

    config = limited(max_tiles_archive_bytes=1024)
    config = dataclasses.replace(config, data_dir=tmp_path, fsync=False)
    token = TokenStore(config.state_dir).create("officer-tiles")
    with ServerThread(config) as server:
        api = Api(server.url, token)
        response = put_tiles(api, LAYER, good["archive"])
        api.session.close()
    assert response.status_code == 413
    assert response.json()["limit_bytes"] == 1024
