"""The gzip variant of a large body is made of independently deflated
chunks cut by content (chunked_gzip.py): one gzip member any decoder reads,
the same bytes for the same body whether or not it was made from a base,
and made from a base it deflates only the chunks the change touched --
edits at the start, the end, the middle, on chunk boundaries, insertions
and deletions, empty and small bodies. Through the server, a patched
layer's blob and CSV reuse the chunks of the base's."""

from __future__ import annotations

import copy
import gzip
import json
import random
import zlib
from pathlib import Path

import pytest
import requests
from covidmaps_publish import chunked_gzip, representation
from covidmaps_publish.chunked_gzip import (
    Sizes,
    compress,
    crc32_combine,
    next_cut,
    recall,
    record_end,
)
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.representation import decodes_to, gzip_bytes
from covidmaps_publish.server import ServerThread
from pmtiles_samples import scattered_points
from publish_client import Api
from publish_samples import collection

from covidmaps_plugin.model import geojson as cgj

# chunks of a few hundred bytes: many of them in a small body
SMALL = Sizes(min_size=256, max_size=2048, average_bits=8, scan=128)


def _lines(count: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return b"".join(b'{"id":"%06d","name":"%s","n":%d},\n'
                    % (i, b"x" * rng.randrange(80), rng.randrange(10 ** 6)) for i in range(count))


BODY = _lines(400)  # ~ 30 KB: about 60 chunks
# a GeoJSON blob is one line: its records are features
ONE_LINE = b'{"type":"FeatureCollection","features":[' + BODY.replace(
    b'{"id"', b'{"type":"Feature","id"').replace(b",\n", b",")[:-1] + b"]}"


def _cuts(data: bytes, sizes: Sizes = SMALL) -> list:
    cuts = [0]
    while cuts[-1] < len(data):
        cuts.append(next_cut(data, cuts[-1], sizes, record_end(data)))
    return cuts


def _check(base: bytes, new: bytes, level: int = 6) -> int:
    """The stream of ``new`` made from ``base``'s: it decodes to ``new``,
    its bytes are those made without a base; returns the bytes deflated."""
    old = compress(base, level, sizes=SMALL)
    made = compress(new, level, (old, base), SMALL)
    assert gzip.decompress(made.gz) == new
    assert decodes_to(made.gz, ".gz", new)
    assert made == compress(new, level, sizes=SMALL)  # reproducible: the same bytes, index
    return made.fresh


def test_a_stream_is_one_gzip_member_of_the_body() -> None:
    for data in (b"", b"a", b"no line feed at all" * 500, BODY, b"\n" * 5000):
        made = compress(data, 6, sizes=SMALL)
        assert gzip.decompress(made.gz) == data
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        assert decoder.decompress(made.gz) == data and decoder.eof and not decoder.unused_data
        assert made.cuts == tuple(_cuts(data)) and made.fresh == len(data)
    assert len(compress(BODY, 6, sizes=SMALL).crcs) > 20


@pytest.mark.parametrize("body,end", [(BODY, b"\n"), (ONE_LINE, b",{")])
def test_a_chunk_is_cut_by_its_content_within_its_bounds(body, end) -> None:
    assert b"\n" not in ONE_LINE and record_end(body) == end
    cuts = _cuts(body)
    sizes = [b - a for a, b in zip(cuts, cuts[1:])]
    assert all(SMALL.min_size <= size <= SMALL.max_size for size in sizes[:-1])
    assert all(body[cut - len(end):cut] == end for cut in cuts[1:-1])  # records' ends, here
    # the cuts after an insertion are the same records' ends, shifted
    moved = _cuts(body[:100] + b"inserted" + end + body[100:])
    assert len(set(moved) & {cut + 8 + len(end) for cut in cuts}) > len(cuts) * 3 // 4


@pytest.mark.parametrize("body", [BODY, ONE_LINE], ids=["lines", "one-line"])
@pytest.mark.parametrize("where", [0, 1, 5000, 15000, len(BODY) // 2, len(BODY) - 1, len(BODY)])
@pytest.mark.parametrize("removed,added", [(1, b"Z"), (0, b"inserted"), (7, b""),
                                           (0, b"a new line\n"), (40, b"\n\n"),
                                           (0, b'{"type":"Feature","id":"new"},')])
def test_an_edit_deflates_only_its_chunks(body, where, removed, added) -> None:
    new = body[:where] + added + body[where + removed:]
    fresh = _check(body, new)
    if record_end(new) == record_end(body):  # else (a line feed in one line) made whole
        assert fresh <= 4 * SMALL.max_size  # a few chunks around the edit, not the body


@pytest.mark.parametrize("body", [BODY, ONE_LINE], ids=["lines", "one-line"])
def test_edits_on_chunk_boundaries(body) -> None:
    for cut in _cuts(body)[1:-1:5]:
        for at in (cut - 2, cut - 1, cut, cut + 1):
            for new in (body[:at] + b"#" + body[at + 1:], body[:at] + b"ab\n" + body[at:],
                        body[:at] + b'},{"a":1' + body[at:], body[:at] + body[at + 3:]):
                fresh = _check(body, new)
                assert fresh <= 4 * SMALL.max_size or record_end(new) != record_end(body)


@pytest.mark.parametrize("body", [BODY, ONE_LINE], ids=["lines", "one-line"])
def test_random_edits_give_the_stream_made_from_scratch(body) -> None:
    rng = random.Random(7)
    base = body
    for _ in range(60):
        at = rng.randrange(len(base) + 1)
        new = base[:at] + rng.choice([b"", b"q", b"\n", b'{"id":"x"},\n' * rng.randrange(3)]) \
            + base[at + rng.randrange(30):]
        _check(base, new)
        base = new


def test_unrelated_small_empty_and_same_bodies() -> None:
    other = _lines(300, seed=9)
    assert _check(BODY, other) == len(other)  # nothing shared at the right places
    assert _check(BODY, b"") == 0 and _check(b"", BODY) == len(BODY)
    assert _check(BODY, b"x") == 1 and _check(b"x", b"y") == 1
    assert _check(BODY, BODY) == 0
    assert _check(BODY, BODY[:1000]) < 1000 - SMALL.min_size
    assert _check(BODY, BODY + b"appended\n") < 4 * SMALL.max_size
    # a base of another level or chunk sizes is not copied from
    old = compress(BODY, 1, sizes=SMALL)
    assert compress(BODY, 6, (old, BODY), SMALL).fresh == len(BODY)


def test_crc32_of_a_concatenation_from_its_parts() -> None:
    rng = random.Random(3)
    for _ in range(50):
        a, b = rng.randbytes(rng.randrange(3000)), rng.randbytes(rng.randrange(3000))
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_a_large_body_is_chunked_and_made_from_its_base_by_key() -> None:
    data = _lines(40000, seed=4)  # ~ 3 MiB: chunks of the default sizes
    assert len(data) >= representation.CHUNKED_FROM
    gz = gzip_bytes(data, cgj.sha256_hex(data))
    assert gzip.decompress(gz) == data and len(recall(cgj.sha256_hex(data)).crcs) >= 2
    new = data[:len(data) // 2] + b"edited" + data[len(data) // 2 + 3:]
    key = cgj.sha256_hex(new)
    assert gzip_bytes(new, key, (cgj.sha256_hex(data), data)) == gzip_bytes(new)
    assert recall(key).fresh < len(new) // 2
    # an unknown base (another process made its variant): made whole
    other = new + b"more\n"
    assert gzip_bytes(other, "k", ("unknown", new)) == gzip_bytes(other)
    assert recall("k").fresh == len(other)


# every blob "big": stored and its CSV made in the background
OFFLOADED = Limits(tiles_min_features=1 << 40, tiles_min_bytes=1 << 40, offload_min_bytes=0)


@pytest.mark.parametrize("big", [True, False], ids=["background", "inline"])
def test_a_republish_reuses_the_chunks_of_its_bases_blob_and_csv(
        storage_backend, data_dir: Path, token: str, monkeypatch: pytest.MonkeyPatch,
        big: bool) -> None:
    """A big layer's blob and CSV are made in the background from their
    base's; a small layer's blob is stored when uploaded (its CSV is made
    by the commit, whole)."""
    # small chunks, from any size: a layer of 80 points has many
    monkeypatch.setattr(representation, "CHUNKED_FROM", 0)
    monkeypatch.setattr(chunked_gzip, "SIZES", Sizes(min_size=1024, max_size=8192,
                                                     average_bits=10, scan=512))
    config = Config(data_dir=data_dir, storage_url=storage_backend.url, fsync=False,
                    limits=OFFLOADED if big else Limits())
    with ServerThread(config) as srv:
        api = Api(srv.url, token)
        put = api.put_layer("risk_points", collection(scattered_points(80)))
        base_sha = put.json()["sha256"]
        answer = api.publish({"risk_points": base_sha}, api.current_id())
        assert answer.status_code == 201, answer.text
        base = requests.get(f"{srv.url}/data/blobs/{base_sha}.geojson", timeout=10).content
        renamed = copy.deepcopy(json.loads(base)["features"][40])
        renamed["properties"]["name"] = "Đổi tên"
        new = cgj.canonical_bytes([renamed if f["id"] == renamed["id"] else f
                                   for f in json.loads(base)["features"]])
        patched = api.put_patch("risk_points", cgj.sha256_hex(new), base_sha, [renamed])
        assert patched.status_code == 201, patched.text
        answer = api.publish({"risk_points": cgj.sha256_hex(new)}, api.current_id())
        assert answer.status_code == 201, answer.text
        manifest = requests.get(f"{srv.url}/data/manifest.json", timeout=10).json()
        entry = next(e for e in manifest["layers"] if e["id"] == "risk_points")
        csv = entry["downloads"]["csv"]
        served = [(f"blobs/{cgj.sha256_hex(new)}.geojson", cgj.sha256_hex(new))]
        for href, sha in served + ([(csv["href"], csv["sha256"])] if big else []):
            plain = requests.get(f"{srv.url}/data/{href}", timeout=10).content
            raw = requests.get(f"{srv.url}/data/{href}", stream=True, timeout=10,
                               headers={"Accept-Encoding": "gzip"})
            assert raw.headers["Content-Encoding"] == "gzip"
            body = raw.raw.read(decode_content=False)
            assert gzip.decompress(body) == plain and body == gzip_bytes(plain)
            assert recall(sha).fresh < len(plain) // 2  # only the edit's chunks deflated
        api.session.close()
