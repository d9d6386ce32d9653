"""tippecanoe's inputs are made from the blob's file a slice at a time
(tile_input.write_inputs_from, model.geojson.canonical_slices): at national
size (1 GB of GeoJSON) the tile-input child held the whole blob, and the
lines cut from it. The inputs are the very bytes made from the whole blob
(write_inputs), whatever the slice size and whichever way the blob is read.

Nothing here measures memory: the tests assert what is read at once."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, List

import pytest
from covidmaps_publish import tile_input, vectortiles
from covidmaps_publish.checks.layer import check_blob
from covidmaps_publish.config import Limits
from pmtiles_samples import scattered_points, zone_grid
from publish_samples import collection

from covidmaps_plugin.model import geojson as cgj
from covidmaps_plugin.model import load_profile

LIMITS = Limits(tiles_min_features=100, tiles_min_bytes=10 * 1024 * 1024)


def canonical(layer: str, n: int) -> bytes:
    features = scattered_points(n) if layer == "risk_points" else zone_grid(n)
    if layer == "risk_points":
        # text that looks like the layout: a reader cutting inside a string fails
        features[3]["properties"]["name"] = 'Chợ "status":"expired", {"type":"Feature","id":'
    return check_blob(layer, collection(features), load_profile("bac_kan_2020"),
                      replace(LIMITS)).data


def whole_and_streamed(layer: str, blob: bytes, tmp_path: Path, size: int) -> tuple:
    source = tmp_path / "blob.geojson"
    source.write_bytes(blob)
    whole = tile_input.write_inputs(layer, blob, tmp_path / "whole", tmp_path / "whole_low")
    streamed = tile_input.write_inputs_from(layer, source, tmp_path / "high",
                                            tmp_path / "low", size)
    assert whole == streamed
    return ((tmp_path / "whole").read_bytes(), (tmp_path / "whole_low").read_bytes()), \
        ((tmp_path / "high").read_bytes(), (tmp_path / "low").read_bytes())


@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
@pytest.mark.parametrize("size", [1, 300, 4096, 1 << 20])
def test_streamed_inputs_are_the_whole_blobs_bytes(tmp_path: Path, layer: str,
                                                   size: int) -> None:
    """From a byte at a time (every feature its own slice, separators cut
    across reads) to the whole blob in one slice."""
    blob = canonical(layer, 60 if layer == "risk_points" else 12)
    whole, streamed = whole_and_streamed(layer, blob, tmp_path, size)
    assert streamed == whole
    assert whole[0].count(b"\n") == len(json.loads(blob)["features"])


def test_a_slice_is_a_canonical_blob_of_whole_features() -> None:
    blob = canonical("risk_points", 40)
    parts = cgj.canonical_feature_parts(blob)
    slices = list(cgj.canonical_slices(io.BytesIO(blob), 2000))
    assert len(slices) > 5
    assert [p for s in slices for p in cgj.canonical_feature_parts(s)] == parts
    assert list(cgj.canonical_slices(io.BytesIO(cgj.CANONICAL_HEAD + cgj.CANONICAL_TAIL))) == []
    # (what a feature holds is its reader's business: a slice only has the layout's frame)
    for bad in (b"[" + blob, blob[:-1], cgj.CANONICAL_HEAD + b"," + blob[len(cgj.CANONICAL_HEAD):],
                blob[:len(cgj.CANONICAL_HEAD)] + b"{" + blob[len(cgj.CANONICAL_HEAD):]):
        with pytest.raises(cgj.NotCanonicalLayoutError):
            list(cgj.canonical_slices(io.BytesIO(bad), 2000))


def test_a_point_slice_only_the_cut_reads_restarts_the_whole_file_that_way(
        tmp_path: Path) -> None:
    """A point layer the point scanner refuses near its end (a value that is
    an object) is read by the feature cut, as the whole blob is: the scan
    starts again from the head, it does not mix the two ways."""
    blob = canonical("risk_points", 60)
    last = blob.rfind(b'"address":')
    end = blob.find(b',"', last + 10)
    odd = blob[:last] + b'"address":{"a":1}' + blob[end:]
    assert tile_input.point_tile_lines("risk_points", odd) is None
    assert tile_input.cut_tile_lines("risk_points", odd) is not None
    whole, streamed = whole_and_streamed("risk_points", odd, tmp_path, 500)
    assert streamed == whole


@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
def test_another_layout_is_parsed_whole_as_before(tmp_path: Path, layer: str) -> None:
    blob = canonical(layer, 30 if layer == "risk_points" else 6)
    other = json.dumps(json.loads(blob), indent=1).encode()  # same data, other bytes
    whole, streamed = whole_and_streamed(layer, other, tmp_path, 500)
    assert streamed == whole


class CountingReader(io.FileIO):
    """A file that records how much each read asks for."""

    reads: List[int] = []

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        CountingReader.reads.append(size)
        return super().read(size)


@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
def test_the_blob_file_is_read_a_slice_at_a_time(tmp_path: Path, layer: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blob = canonical(layer, 200 if layer == "risk_points" else 40)
    source = tmp_path / "blob.geojson"
    source.write_bytes(blob)
    real_open = open

    def tracked(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if Path(path) == source:
            return CountingReader(path, "rb")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(tile_input, "open", tracked, raising=False)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    CountingReader.reads = []
    count = tile_input.write_inputs_from(layer, source, tmp_path / "high", tmp_path / "low",
                                         size=1000)
    assert count == len(json.loads(blob)["features"])
    assert len(blob) > 20 * 1000
    assert CountingReader.reads and all(0 < size <= 1000 for size in CountingReader.reads)


@pytest.mark.parametrize("layer", ["risk_points", "isolation_zones"])
def test_the_archive_of_a_stored_file_is_the_archive_of_its_bytes(tmp_path: Path,
                                                                  layer: str) -> None:
    """build_archive given the blob's file (the local storage's) or its
    bytes (written to its work directory): the same archive."""
    blob = canonical(layer, 300 if layer == "risk_points" else 20)
    source = tmp_path / "blob.geojson"
    source.write_bytes(blob)
    assert vectortiles.build_archive(layer, source, tmp_path / "a") == \
        vectortiles.build_archive(layer, blob, tmp_path / "b")


def test_a_build_reads_the_local_storages_stored_blob(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole build is handed the stored blob's file when the local
    storage has it (no copy is written), else its bytes (not stored yet:
    the upload starts the build before the blob is stored)."""
    from covidmaps_publish.storage.base import blob_key
    from covidmaps_publish.storage.local import LocalStorage

    from covidmaps_plugin.model.geojson import sha256_hex

    handed = []
    monkeypatch.setattr(vectortiles, "build_archive",
                        lambda layer, blob, work_root: handed.append(blob) or b"archive")
    storage = LocalStorage(tmp_path / "data", fsync=False)
    builder = vectortiles.TileBuilder(storage, tmp_path / "state", 1, 1)
    try:
        first, second = canonical("risk_points", 30), canonical("risk_points", 31)
        storage.put_immutable(blob_key(sha256_hex(first)), first)
        builder.start("risk_points", sha256_hex(first), first).result()
        builder.start("risk_points", sha256_hex(second), second).result()
    finally:
        builder.close()
    assert handed[0] == storage.path(blob_key(sha256_hex(first)))
    assert handed[1] == second
