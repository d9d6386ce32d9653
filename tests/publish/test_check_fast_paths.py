"""The fast paths of the server's layer check give the answers of the plain
definitions: vectorised depth, duplicate keys proved absent by canonical
equality, memoised value and rule checks, feature hashes cut from the one
encoding, compression of large blobs in parallel."""

from __future__ import annotations

import hashlib
import json
import random
import re
from itertools import accumulate

import pytest
from covidmaps_publish.checks.jsonparse import max_depth
from covidmaps_publish.checks.layer import check_blob, feature_hashes
from covidmaps_publish.config import Limits
from covidmaps_publish.problems import ProblemError
from covidmaps_publish.representation import (
    brotli_bytes,
    compressed_variants,
    decompress,
    gzip_bytes,
)
from publish_samples import collection, risk_point, zone

from covidmaps_plugin.model import default_profile

PROFILE = default_profile()
PREFIX = b'{"type":"Feature","id":'
# A JSON string (with escapes); brackets inside strings do not nest.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\x02\x02")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")


def max_depth_reference(data: bytes) -> int:
    """The plain definition of ``max_depth`` (recursion-free, unvectorised)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    steps = (1 if b == 1 else -1 for b in brackets.translate(_DEPTH_STEP))
    return max(accumulate(steps))


TRICKY_TEXT = ['[', ']]', '{"a":[', '\\', '\\"[', 'x\\\\', '"', 'tab\there', 'ủ[{']


def _random_json(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 6 or roll < 0.3:
        return rng.choice([1, -2.5, None, True, rng.choice(TRICKY_TEXT)])
    if roll < 0.65:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(TRICKY_TEXT) + str(i): _random_json(rng, depth + 1)
            for i in range(rng.randint(0, 3))}


def test_vectorised_depth_equals_the_plain_definition_on_valid_json():
    rng = random.Random(7)
    for _ in range(400):
        doc = _random_json(rng)
        for ensure_ascii in (True, False):
            data = json.dumps(doc, ensure_ascii=ensure_ascii).encode()
            assert max_depth(data) == max_depth_reference(data), data


def test_vectorised_depth_differs_only_on_text_that_is_not_json():
    """On arbitrary bytes the two may differ only where the parser stops at
    an error (it never nests past it)."""
    rng = random.Random(11)
    alphabet = b'"[]{}\\/nu1a, '
    for _ in range(5000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        if max_depth(data) != max_depth_reference(data):
            with pytest.raises((ValueError, RecursionError)):
                json.loads(data)


def _canonical_points(n: int) -> bytes:
    return check_blob("risk_points", collection([risk_point(i) for i in range(n)]),
                      PROFILE, Limits()).data


def test_a_duplicate_key_in_an_otherwise_canonical_upload_is_refused():
    data = _canonical_points(3)
    doubled = data.replace(b'"name":"', b'"name":"x","name":"', 1)
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", doubled, PROFILE, Limits())
    assert err.value.status == 400 and "duplicate key" in err.value.detail


def test_a_duplicate_key_is_reported_before_other_problems():
    data = _canonical_points(3).replace(b'"status":"active"', b'"status":"nope"', 1)
    doubled = data.replace(b'"name":"', b'"name":"x","name":"', 1)
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", doubled, PROFILE, Limits())
    assert err.value.status == 400
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", data, PROFILE, Limits())
    assert err.value.status == 422


def test_memoised_checks_still_report_every_feature_that_is_wrong():
    # the same bad date and the same broken date order on two features each
    features = [risk_point(1, announced_on="12/06/2021"), risk_point(2),
                risk_point(3, announced_on="12/06/2021"),
                risk_point(4, exposure_start="2021-06-11T07:00:00+07:00"),
                risk_point(5, exposure_start="2021-06-11T07:00:00+07:00")]
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", collection(features), PROFILE, Limits())
    found = sorted((e.code, e.feature_id) for e in err.value.errors)
    ids = [f["properties"]["uid"] for f in features]
    assert found == sorted([("bad-date", ids[0]), ("bad-date", ids[2]),
                            ("exposure_order", ids[3]), ("exposure_order", ids[4])])


def test_a_memoised_value_keeps_its_type():
    """True == 1 in Python: a memo must not hand one feature's value to another."""
    features = [risk_point(1, related_cases=1), risk_point(2, related_cases=True)]
    with pytest.raises(ProblemError) as err:
        check_blob("risk_points", collection(features), PROFILE, Limits())
    assert [(e.code, e.field) for e in err.value.errors] == [("bad-type", "related_cases")]


def test_feature_hashes_are_the_hashes_of_each_features_bytes():
    checked = check_blob("isolation_zones", collection([zone(i) for i in range(4)]),
                         PROFILE, Limits())
    features = json.loads(checked.data)["features"]
    expected = {}
    for feature in features:
        text = json.dumps(feature, ensure_ascii=False, separators=(",", ":")).encode()
        assert text.startswith(PREFIX)
        expected[feature["id"]] = hashlib.sha256(text[len(PREFIX):]).hexdigest()
    assert checked.feature_hashes == expected
    # bytes of another layout: each feature is encoded alone, same hashes
    assert feature_hashes(b"[]", features) == expected


def test_one_changed_feature_changes_one_hash():
    before = check_blob("risk_points", collection([risk_point(i) for i in range(5)]),
                        PROFILE, Limits())
    features = [risk_point(i) for i in range(5)]
    features[3]["properties"]["name"] = "Đổi tên"
    after = check_blob("risk_points", collection(features), PROFILE, Limits())
    changed = [k for k, v in before.feature_hashes.items() if after.feature_hashes[k] != v]
    assert changed == [features[3]["properties"]["uid"]]


@pytest.mark.parametrize("size", [300, 3 * 1024 * 1024])
def test_compressed_variants_are_the_reproducible_gzip_and_brotli(size):
    rng = random.Random(size)
    data = b"".join(json.dumps(risk_point(rng.randint(0, 50))).encode()
                    for _ in range(size // 400 + 1))[:size]
    gz, br = compressed_variants(data)
    assert decompress(gz, ".gz") == data and decompress(br, ".br") == data
    assert (gz, br) == (gzip_bytes(data), brotli_bytes(data))
