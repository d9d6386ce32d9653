"""A republish's CSV download is made from its base's CSV
(downloads.layer_csv_from_base): records of unchanged features are copied,
only changed and added features are encoded, and the bytes are exactly
those of a whole build (``layer_csv``) -- for edits, additions, deletions
(first, middle, last), text with quotes, line breaks and formula-leading
characters, zones, and empty layers. Anything it cannot line up is built
whole. Through the server, the CSV of a patched big layer is made from the
base's without the whole-layer build."""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path

import pytest
import requests
from covidmaps_publish import downloads as downloads_module
from covidmaps_publish import offload as offload_module
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.downloads import layer_csv, layer_csv_from_base
from covidmaps_publish.offload import Offload
from covidmaps_publish.server import ServerThread
from pmtiles_samples import scattered_points, zone_grid
from publish_client import Api
from publish_samples import collection, risk_point, zone

from covidmaps_plugin.model import geojson as cgj

# text a CSV must quote or defuse: quotes, both line breaks, a comma,
# formula-leading characters, a lone quote
AWKWARD = ['Chợ "mới"\r\nđêm', "a,b\nc", "=HYPERLINK(\"http://x\")", "-1+2", "@sum", "\"",
           "\ttab", "\rcr", "+84 209", "trailing\r\n"]


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return Config(data_dir=tmp_path_factory.mktemp("profile")).profile()


def _canonical(layer: str, features, profile) -> bytes:
    return check_blob(layer, collection(features), profile, Limits()).data


def _features(blob: bytes):
    return json.loads(blob)["features"]


def _client(feature):
    """A canonical feature as a client sends it again (properties with uid)."""
    out = copy.deepcopy(feature)
    out["properties"]["uid"] = out.pop("id")
    return out


def _assert_same(layer: str, base: bytes, new: bytes) -> None:
    derived = layer_csv_from_base(layer, new, base, layer_csv(layer, base))
    assert derived is not None
    assert derived == layer_csv(layer, new)


def test_the_csv_from_the_base_is_the_whole_build(profile) -> None:
    points = scattered_points(60)
    for i, text in enumerate(AWKWARD):  # awkward text in the base's copied records too
        points[3 * i]["properties"]["name"] = text
        points[3 * i + 1]["properties"]["address"] = text
    base = _canonical("risk_points", points, profile)
    features = [_client(f) for f in _features(base)]

    def variant(edit) -> bytes:
        changed = copy.deepcopy(features)
        edit(changed)
        return _canonical("risk_points", changed, profile)

    def rename(i, text):
        def edit(fs):
            fs[i]["properties"]["name"] = text
        return edit

    def move(i):
        def edit(fs):
            fs[i]["geometry"]["coordinates"] = [106.1, 22.6]
        return edit

    def delete(*indexes):
        def edit(fs):
            for i in sorted(indexes, reverse=True):
                del fs[i]
        return edit

    def add(*numbers):
        def edit(fs):
            fs.extend(risk_point(n, name=AWKWARD[n % len(AWKWARD)],
                                 address=AWKWARD[(n + 1) % len(AWKWARD)]) for n in numbers)
        return edit

    cases = [rename(0, "đầu"), rename(len(features) - 1, "cuối"), rename(20, AWKWARD[0]),
             rename(21, AWKWARD[2]), rename(3, "now plain"), move(30),
             delete(0), delete(len(features) - 1), delete(10, 11, 12, 40),
             add(9001), add(9002, 9003, 9004, 9005), delete(*range(len(features))),
             add(*range(8000, 8000 + 20))]
    for edit in cases:
        _assert_same("risk_points", base, variant(edit))

    def mixed(fs):
        rename(5, AWKWARD[4])(fs)
        move(6)(fs)
        delete(7, 50)(fs)
        add(9100, 9101)(fs)
    _assert_same("risk_points", base, variant(mixed))
    # from an empty layer, and to one
    empty = cgj.canonical_bytes([])
    _assert_same("risk_points", empty, base)
    _assert_same("risk_points", base, empty)


def test_a_blob_read_feature_by_feature_gives_the_csv_of_its_parse(profile, monkeypatch
                                                                   ) -> None:
    """layer_csv reads a canonical blob one feature at a time, in pieces:
    the same CSV as the same features in another layout, parsed whole."""
    monkeypatch.setattr(downloads_module, "CSV_PIECE", 64)  # many pieces
    points = scattered_points(40)
    for i, text in enumerate(AWKWARD):
        points[2 * i]["properties"]["name"] = text
    for layer, features in (("risk_points", points), ("isolation_zones", zone_grid(12))):
        blob = _canonical(layer, features, profile)
        assert cgj.iter_canonical_features(blob) is not None
        other = json.dumps(json.loads(blob), indent=1, ensure_ascii=True).encode("utf-8")
        assert cgj.iter_canonical_features(other) is None  # parsed whole
        assert layer_csv(layer, blob) == layer_csv(layer, other)
        assert layer_csv(layer, blob).count(b"\r\n") >= len(features) + 1


def test_a_worker_makes_the_csv_from_the_blobs_file_a_slice_at_a_time(
        profile, tmp_path: Path, monkeypatch) -> None:
    """In a worker, the CSV is made from the blob's private file and written
    to another (layer_csv_file): the blob is read a slice at a time, the
    CSV never held whole there; its bytes are layer_csv's, for the canonical
    layout (cut across many slices) and for another one (parsed whole)."""
    monkeypatch.setattr(downloads_module, "CSV_PIECE", 64)
    points = scattered_points(60)
    for i, text in enumerate(AWKWARD):
        points[2 * i]["properties"]["name"] = text
    reads = []
    real_open = open

    def tracked(path, mode="r", *args, **kwargs):
        f = real_open(path, mode, *args, **kwargs)
        if "r" in mode:
            real_read = f.read
            f.read = lambda size=-1: reads.append(size) or real_read(size)
        return f

    monkeypatch.setattr(downloads_module, "open", tracked, raising=False)
    for layer, features in (("risk_points", points), ("isolation_zones", zone_grid(12))):
        blob = _canonical(layer, features, profile)
        other = json.dumps(json.loads(blob), indent=1, ensure_ascii=True).encode("utf-8")
        for data in (blob, other):
            source = tmp_path / "offload-blob.tmp"
            source.write_bytes(data)
            reads.clear()
            made = downloads_module.layer_csv_file(layer, source)
            assert made.parent == tmp_path and made.read_bytes() == layer_csv(layer, blob)
            assert (stat.S_IMODE(made.stat().st_mode)) == 0o600
            made.unlink()
            if data is blob:  # never read whole
                assert reads and all(0 < n <= cgj.SLICE_BYTES for n in reads)
        assert downloads_module.layer_csv_file(layer, blob) == layer_csv(layer, blob)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offload-blob.tmp"]

    # through a real worker process: big arguments as files, the CSV's file back as bytes
    monkeypatch.undo()
    spool = tmp_path / "spool"
    pool = Offload(0, workers=1, spool_dir=spool)
    try:
        blob = _canonical("risk_points", scattered_points(3000), profile)
        assert len(blob) >= offload_module.SPILL_MIN_BYTES
        assert pool.call(len(blob), downloads_module.layer_csv_file, "risk_points", blob,
                         as_files=True) == layer_csv("risk_points", blob)
    finally:
        pool.close()
    assert list(spool.iterdir()) == []


def test_zones_are_made_from_the_base_too(profile) -> None:
    base = _canonical("isolation_zones", zone_grid(30), profile)
    features = [_client(f) for f in _features(base)]
    features[4]["properties"]["name"] = AWKWARD[1]
    del features[9]
    features.append(zone(9999, name=AWKWARD[0]))
    _assert_same("isolation_zones", base, _canonical("isolation_zones", features, profile))


def test_what_does_not_line_up_is_built_whole(profile) -> None:
    base = _canonical("risk_points", scattered_points(20), profile)
    new = _canonical("risk_points", scattered_points(21), profile)
    base_csv = layer_csv("risk_points", base)
    assert layer_csv_from_base("risk_points", new, base, base_csv) == layer_csv("risk_points",
                                                                                new)
    # a change bigger than the caller allows
    assert layer_csv_from_base("risk_points", new, base, base_csv, max_encoded=0) is None
    head_end = base_csv.index(b"\r\n") + 2
    # another layer's CSV, a record too many or too few, a non-canonical blob
    assert layer_csv_from_base("risk_points", new, base,
                               layer_csv("checkpoints", cgj.canonical_bytes([]))) is None
    assert layer_csv_from_base("risk_points", new, base,
                               base_csv + base_csv[head_end:base_csv.index(
                                   b"\r\n", head_end) + 2]) is None
    assert layer_csv_from_base("risk_points", new, base,
                               base_csv[:base_csv.rindex(b"\r\n", 0, len(base_csv) - 2) + 2]
                               ) is None
    assert layer_csv_from_base("risk_points", collection(scattered_points(21)), base,
                               base_csv) is None


# every blob "big": its CSV is started at upload, in the background
OFFLOADED = Limits(tiles_min_features=1 << 40, tiles_min_bytes=1 << 40, offload_min_bytes=0)


def test_the_server_makes_a_patched_layers_csv_from_the_base(
        storage_backend, data_dir: Path, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a first publish (80 features from the empty layer) is too big a change
    monkeypatch.setattr(downloads_module, "FROM_BASE_MAX_ENCODED", 10)
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    limits=OFFLOADED)
    with ServerThread(config) as srv:
        offload, calls = srv.app.publisher.offload, []
        real_call = offload.call

        def call(size, func, *args, **kwargs):
            calls.append(func.__name__)
            return real_call(size, func, *args, **kwargs)

        offload.call = call
        whole = calls.count
        api = Api(srv.url, token)
        points = scattered_points(80)
        points[2]["properties"]["name"] = AWKWARD[0]
        put = api.put_layer("risk_points", collection(points))
        answer = api.publish({"risk_points": put.json()["sha256"]}, api.current_id())
        assert answer.status_code == 201, answer.text
        assert whole("layer_csv_file") == 1
        base = requests.get(f"{srv.url}/data/blobs/{put.json()['sha256']}.geojson",
                            timeout=10).content
        renamed = copy.deepcopy(_features(base)[7])
        renamed["properties"]["name"] = AWKWARD[2]
        new = cgj.canonical_bytes([renamed if f["id"] == renamed["id"] else f
                                   for f in _features(base)])
        patched = api.put_patch("risk_points", cgj.sha256_hex(new), put.json()["sha256"],
                              [renamed])
        assert patched.status_code == 201, patched.text
        answer = api.publish({"risk_points": cgj.sha256_hex(new)}, api.current_id())
        assert answer.status_code == 201, answer.text
        assert whole("layer_csv_file") == 1  # made from the base's CSV, not whole
        manifest = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        ref = next(e for e in manifest["layers"] if e["id"] == "risk_points")["downloads"]["csv"]
        served = requests.get(f"{srv.url}/data/{ref['href']}", timeout=10).content
        assert served == layer_csv("risk_points", new)
        api.session.close()


def test_a_blob_just_stored_is_not_read_back_for_its_commit(storage_backend, data_dir: Path,
                                                           token: str) -> None:
    """The reader keeps the bytes and variants the write side has just
    stored (reader.remember_blob): the commit naming the blob and the
    refresh after it do not read it and its variants back; what is served
    is those bytes, and each variant decodes to them."""
    from covidmaps_publish.representation import decompress
    from covidmaps_publish.storage.base import blob_key

    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    limits=OFFLOADED)
    with ServerThread(config) as srv:
        storage, read = srv.app.publisher.storage, []
        real_get = storage.get

        def get(key: str, *args):
            read.append(key)
            return real_get(key, *args)

        storage.get = get
        api = Api(srv.url, token)
        data = collection(scattered_points(90))
        put = api.put_layer("risk_points", data)
        sha = put.json()["sha256"]
        answer = api.publish({"risk_points": sha}, api.current_id())
        assert answer.status_code == 201, answer.text
        assert not [key for key in read if key.startswith(blob_key(sha))]
        plain = requests.get(f"{srv.url}/data/blobs/{sha}.geojson", timeout=10)
        assert cgj.sha256_hex(plain.content) == sha
        for coding, suffix in (("gzip", ".gz"), ("br", ".br")):
            raw = requests.get(f"{srv.url}/data/blobs/{sha}.geojson", stream=True, timeout=10,
                               headers={"Accept-Encoding": coding})
            assert raw.headers["Content-Encoding"] == coding
            body = raw.raw.read(decode_content=False)
            assert decompress(body, suffix) == plain.content
            assert body == real_get(blob_key(sha, suffix))  # what is stored, too
        api.session.close()


def test_the_unchanged_records_are_copied_without_walking_them(profile, monkeypatch) -> None:
    """A base CSV whose records hold no line break (the usual case): the
    records of the features before the first change and after the last are
    found by counting line ends and copied as they are; only the features
    between are walked (a republish of one edit in 100,000 points walks
    one or two), and the bytes are the whole build's for edits, additions and
    deletions at the start, in the middle and at the end."""
    points = scattered_points(200)
    points[5]["properties"]["name"] = 'Chợ "mới", đêm'  # quoted, but on one line
    base = _canonical("risk_points", points, profile)
    base_csv = layer_csv("risk_points", base)
    features = [_client(f) for f in _features(base)]
    walked = []
    real_records = downloads_module._records

    def counted(data, start):
        for record in real_records(data, start):
            walked.append(record)
            yield record

    monkeypatch.setattr(downloads_module, "_records", counted)

    def variant(edit) -> bytes:
        changed = copy.deepcopy(features)
        edit(changed)
        return _canonical("risk_points", changed, profile)

    def rename(i):
        return lambda fs: fs[i]["properties"].update(name=f"đổi {i}")

    def delete(i):
        return lambda fs: fs.pop(i)

    def add(fs):
        fs.append(risk_point(7777, name="thêm"))

    for edit in (rename(0), rename(100), rename(199), delete(0), delete(120), delete(199), add):
        new = variant(edit)
        walked.clear()
        derived = layer_csv_from_base("risk_points", new, base, base_csv)
        assert derived == layer_csv("risk_points", new)
        assert len(walked) <= 2, edit  # the changed one, at most one neighbour
