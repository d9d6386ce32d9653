"""The canonical GeoJSON encoding (model/geojson.py): one text whatever the
order of a feature's members, cut into per-feature parts only when features
are built in the canonical member order."""

from __future__ import annotations

import json

import pytest

from covidmaps_plugin.model import geojson as cgj


def test_canonical_bytes_keep_any_member_order_and_parts_refuse_it() -> None:
    """canonical_bytes is one json.dumps of the collection (sorted by id)
    whatever order a feature's members come in (a patch's features are the
    client's dicts); only features built type, id, geometry, properties are
    cut into parts, and feature_parts refuses others rather than cut them
    wrong."""
    built = [{"type": "Feature", "id": f"{i:04d}",
              "geometry": {"type": "Point", "coordinates": [105.8, 22.1 + i / 100]},
              "properties": {"name": f'Điểm "{i}" ,{{"type":"Feature","id":'}}
             for i in range(1500)]  # three encoding slices
    reordered = [{"properties": f["properties"], "geometry": f["geometry"], "id": f["id"],
                  "type": "Feature"} for f in built]
    for features in (built, reordered):
        expected = json.dumps({"type": "FeatureCollection", "features": sorted(
            features, key=lambda f: f["id"])}, ensure_ascii=False,
            separators=(",", ":")).encode("utf-8")
        assert cgj.canonical_bytes(reversed(features)) == expected
    parts = cgj.feature_parts(built)
    assert cgj.canonical_from_parts(parts) == cgj.canonical_bytes(built)
    assert cgj.canonical_feature_parts(cgj.canonical_bytes(built)) == parts
    with pytest.raises(ValueError):
        cgj.feature_parts(reordered)


def _point(uid: str, name: str) -> dict:
    return {"type": "Feature", "id": uid, "geometry": {"type": "Point", "coordinates": [1, 2]},
            "properties": {"name": name}}


def test_two_blobs_merge_by_id_one_feature_of_each_at_a_time() -> None:
    base = cgj.canonical_bytes([_point("a", "x"), _point("b", "x"), _point("d", "x")])
    new = cgj.canonical_bytes([_point("b", "y"), _point("c", "x"), _point("d", "x")])
    merged = [(uid, old is not None, new_part is not None, old == new_part)
              for uid, old, new_part in cgj.merge_canonical(base, new)]
    assert merged == [(b"a", True, False, False), (b"b", True, True, False),
                      (b"c", False, True, False), (b"d", True, True, True)]
    assert cgj.merge_canonical(json.dumps(json.loads(base), indent=1).encode(), new) is None
    escaped = cgj.canonical_bytes([_point("a\u00e9", "x")]).replace("é".encode(), b"\\u00e9")
    with pytest.raises(ValueError):
        list(cgj.merge_canonical(escaped, new))
    # ids out of order: not what canonical_bytes writes
    swapped = base.replace(b'"a"', b'"z"', 1)
    with pytest.raises(ValueError):
        list(cgj.merge_canonical(swapped, new))


def test_the_changed_part_of_two_blobs_is_walked_as_merge_canonical_walks_it() -> None:
    """merge_canonical_changes: the features both blobs start and end with
    are counted, not walked; the ones between are merge_canonical's, in
    its order, for any edit (names that share a prefix or a suffix with
    their neighbours included: a change is found at a feature's edge)."""
    import random

    rng = random.Random(13)
    names = ["a", "ab", "b", "ba", "x"]
    for _ in range(2000):
        base = {f"{i:03d}": rng.choice(names) for i in rng.sample(range(30), rng.randint(0, 9))}
        new = dict(base)
        for _ in range(rng.randint(0, 3)):
            uid = f"{rng.randint(0, 29):03d}"
            if uid in new and rng.random() < 0.4:
                del new[uid]
            else:
                new[uid] = rng.choice(names)
        old_bytes = cgj.canonical_bytes([_point(u, n) for u, n in base.items()])
        new_bytes = cgj.canonical_bytes([_point(u, n) for u, n in new.items()])
        whole = list(cgj.merge_canonical(old_bytes, new_bytes))
        changes = cgj.merge_canonical_changes(old_bytes, new_bytes)
        walked = list(changes.merged)
        assert changes.tail == len(whole) - changes.head - len(walked)
        assert whole[changes.head:changes.head + len(walked)] == walked
        assert all(old == part for _uid, old, part in whole[:changes.head])
        assert all(old == part for _uid, old, part in whole[changes.head + len(walked):])
        assert changes.base_features == len(base)
    # one edit in a big layer: only its feature is walked
    many = [_point(f"{i:05d}", "x") for i in range(5000)]
    edited = [*many[:2500], _point("02500", "y"), *many[2501:]]
    changes = cgj.merge_canonical_changes(cgj.canonical_bytes(many), cgj.canonical_bytes(edited))
    assert [uid for uid, _old, _new in changes.merged] == [b"02500"]
    assert (changes.head, changes.tail) == (2500, 2499)
    assert cgj.merge_canonical_changes(b"[]", cgj.canonical_bytes(many)) is None
