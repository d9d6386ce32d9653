"""What the public map's first screen needs from a release: the officer's
hotline and advice (``notice``: checked, kept by later publishes and by a
rollback), and whether the reference outlines are approximate or official
(``accuracy`` of each reference entry)."""

from __future__ import annotations

import json

import pytest
import requests
from publish_samples import collection, risk_point

NOTICE = {"hotline": "0209 3870 115", "advice": {"vi": "Ở nhà.", "en": "Stay home."}}


def _manifest(api):
    return requests.get(f"{api.base}/data/manifest.json", timeout=10).json()


def _district(code, x0, accuracy=None):
    props = {"code": code, "name": f"Huyện {code}"}
    if accuracy:
        props["accuracy"] = accuracy
    ring = [[x0, 22.0], [x0 + 0.1, 22.0], [x0 + 0.1, 22.1], [x0, 22.1], [x0, 22.0]]
    return {
        "type": "Feature",
        "id": code,
        "properties": props,
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
    }


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_notice_is_published_kept_and_checked(api):
    first = api.publish_layer("risk_points", collection([risk_point(1)]), notice=NOTICE)
    assert first.status_code == 201, first.text
    assert _manifest(api)["notice"] == NOTICE
    # a publish that names no notice keeps the one before
    later = api.publish_layer("risk_points", collection([risk_point(2)]))
    assert later.status_code == 201, later.text
    assert _manifest(api)["notice"] == NOTICE
    # a rollback restores data, not an old hotline
    changed = dict(NOTICE, hotline="1900 9095")
    assert (
        api.publish_layer("risk_points", collection([risk_point(3)]), notice=changed).status_code
        == 201
    )
    back = api.session.post(
        f"{api.base}/api/v1/rollback",
        data=json.dumps({"release_id": first.json()["release_id"]}),
        headers={"Content-Type": "application/json", "If-Match": f'"{api.current_id()}"'},
        timeout=30,
    )
    assert back.status_code == 201, back.text
    assert _manifest(api)["notice"]["hotline"] == "1900 9095"
    # the server's profile says it too (the map's fallback)
    assert set(_manifest(api)["profile"]["notice"]) == {"hotline", "advice"}
    for bad in (
        {"hotline": 42},
        {"hotline": "x" * 61},
        {"advice": {"vi": "x" * 401}},
        {"advice": {"fr": "non"}},
        {"phone": "1"},
        "call 115",
    ):
        answer = api.publish_layer("risk_points", collection([risk_point(4)]), notice=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["type"].endswith("bad-notice")
        assert answer.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
def test_reference_accuracy_is_in_the_manifest(api):
    def publish_districts(features):
        data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        put = api.put_layer("districts", data)
        assert put.status_code in (200, 201), put.text
        answer = api.publish({}, api.current_id(), reference={"districts": put.json()["sha256"]})
        assert answer.status_code == 201, answer.text
        return {r["id"]: r["accuracy"] for r in _manifest(api)["reference"]}

    assert publish_districts(
        [_district("058", 105.8, "approximate"), _district("060", 105.6, "official")]
    ) == {"districts": "approximate"}
    assert publish_districts(
        [_district("058", 105.8, "official"), _district("060", 105.6, "official")]
    ) == {"districts": "official"}
    assert publish_districts([_district("058", 105.8)]) == {"districts": "unknown"}
    bad = json.dumps(
        {"type": "FeatureCollection", "features": [_district("058", 105.8, "roughly")]}
    ).encode()
    assert api.put_layer("districts", bad).status_code == 422
