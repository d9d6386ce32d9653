"""A republish that encodes few features splices the others from the
previous export's bytes with array arithmetic (``export._splice``); it
must give exactly what the row-by-row writer (``export._write``) gives:
the same bytes, offsets, fids, versions, shown rows and rows left out for
want of a geometry, whatever was edited, added, removed or lost its
geometry, and in whatever order the ids fall."""

from __future__ import annotations

import random
import struct
import uuid
from typing import Dict, Optional, Tuple

import pytest

from covidmaps_plugin.core import export
from covidmaps_plugin.core.rows import Rows
from covidmaps_plugin.model import MODEL

LAYER = MODEL.layer("risk_points")


def _point(x: float, y: float) -> bytes:
    return b"\x01\x01\x00\x00\x00" + struct.pack("<dd", x, y)


class Table:
    """A risk point table as a bulk read gives it, with row versions."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.next_fid = 1
        self.next_version = 1
        self.rows: Dict[int, Tuple[Dict[str, object], Optional[bytes], int]] = {}
        for _ in range(count):
            self.add()

    def _version(self) -> int:
        self.next_version += 1
        return self.next_version

    def add(self) -> None:
        values = {"uid": str(uuid.UUID(int=self.rng.getrandbits(128))),
                  "name": f"Điểm {self.rng.randrange(10 ** 6)}", "approved": 1,
                  "status": "active"}
        self.rows[self.next_fid] = (values, self._geometry(), self._version())
        self.next_fid += 1

    def _geometry(self) -> bytes:
        return _point(105.8 + self.rng.random() / 10, 22.1 + self.rng.random() / 10)

    def edit(self, fid: int, geometry: bool = True) -> None:
        values, _wkb, _ = self.rows[fid]
        values = dict(values, name=f"Sửa {self.rng.randrange(10 ** 6)}")
        self.rows[fid] = (values, self._geometry() if geometry else None, self._version())

    def rows_read(self) -> Rows:
        fids = sorted(self.rows)
        names = [f.name for f in LAYER.fields if f.name in ("uid", "name", "approved", "status")]
        columns = {name: [self.rows[fid][0].get(name) for fid in fids] for name in names}
        wkbs = [self.rows[fid][1] for fid in fids]
        versions = [self.rows[fid][2] for fid in fids]
        return Rows((fids, columns, wkbs), versions, "test", len(fids), ("t.gpkg", "t"))


def _both(rows: Rows, reuse: export.FeatureParts) -> Tuple[tuple, tuple]:
    """(``_splice``'s result, ``_write``'s) for the rows against ``reuse``."""
    uids = [str(v) for v in rows.raw[1]["uid"]]
    candidates = sorted(range(len(uids)), key=uids.__getitem__)
    at = export._reused_at(rows, candidates, reuse)
    source = {row: int(p) for row, p in zip(candidates, at.tolist()) if p >= 0}
    spliced = export._splice(LAYER, rows, candidates, uids, at, reuse)
    written = export._write(LAYER, rows, candidates, uids, source, reuse, None)

    def plain(result: tuple) -> tuple:
        parts, shown, no_geometry = result
        return (parts.data, list(parts.fids), list(parts.starts), list(parts.ends),
                list(parts.versions), parts.reused, list(shown), sorted(no_geometry))

    return plain(spliced), plain(written)


@pytest.mark.parametrize("seed", range(12))
def test_splicing_gives_what_the_row_by_row_writer_gives(seed: int) -> None:
    rng = random.Random(seed)
    table = Table(rng, rng.choice([0, 1, 2, 50, 400]))
    first = table.rows_read()
    uids = [str(v) for v in first.raw[1]["uid"]]
    candidates = sorted(range(len(uids)), key=uids.__getitem__)
    reuse = export._write(LAYER, first, candidates, uids, {}, None, None)[0]
    for _ in range(rng.randrange(1, 8)):
        action = rng.choice(["edit", "edit", "add", "remove", "no_geometry", "geometry_back"])
        fids = sorted(table.rows)
        if action == "add" or not fids:
            table.add()
        elif action == "remove":
            del table.rows[rng.choice(fids)]
        else:
            table.edit(rng.choice(fids), geometry=action != "no_geometry")
    spliced, written = _both(table.rows_read(), reuse)
    assert spliced == written


def test_a_layer_whose_features_all_lost_their_geometry_is_empty() -> None:
    table = Table(random.Random(7), 5)
    first = table.rows_read()
    uids = [str(v) for v in first.raw[1]["uid"]]
    candidates = sorted(range(len(uids)), key=uids.__getitem__)
    reuse = export._write(LAYER, first, candidates, uids, {}, None, None)[0]
    for fid in list(table.rows):
        table.edit(fid, geometry=False)
    spliced, written = _both(table.rows_read(), reuse)
    assert spliced == written and len(spliced[6]) == 0 and len(spliced[7]) == 5
