"""A corpus of bad uploads: every one is answered 4xx with a message a person
can act on, nothing is stored, and the server stays healthy."""

from __future__ import annotations

import json
import socket

import pytest
import requests
from publish_samples import collection, risk_point, sha, uid, zone

RING = [[105.8, 22.1], [105.81, 22.1], [105.81, 22.11], [105.8, 22.11], [105.8, 22.1]]
BOWTIE = [[105.8, 22.1], [105.81, 22.11], [105.81, 22.1], [105.8, 22.11], [105.8, 22.1]]


def _fc(*features):
    return collection(list(features))


CORPUS = {
    "invalid-json": ("risk_points", b'{"type": "FeatureCollection", "features": [}'),
    "nan": ("risk_points", _fc(risk_point(1)).replace(b"105.83", b"NaN")),
    "infinity": ("risk_points", _fc(risk_point(1)).replace(b"105.83", b"Infinity")),
    "overflow-number": ("risk_points", _fc(risk_point(1)).replace(b"105.83", b"1e400")),
    "nesting-bomb": ("risk_points", b"[" * 50000 + b"]" * 50000),
    "nesting-in-props": ("risk_points", _fc(risk_point(1)).replace(
        b'"address"', b'"x":' + b"[" * 100 + b"]" * 100 + b',"address"')),
    "not-utf8": ("risk_points", _fc(risk_point(1)).replace("Chợ".encode(), b"\xff\xfe")),
    "duplicate-key": ("risk_points", b'{"type":"FeatureCollection","type":"x","features":[]}'),
    "not-a-collection": ("risk_points", b'{"type":"Feature"}'),
    "crs-member": ("risk_points", b'{"type":"FeatureCollection","crs":{},"features":[]}'),
    "huge-coordinate-array": ("isolation_zones", _fc(zone(1, ring=[[105.8 + i * 1e-7, 22.1]
                                                                  for i in range(250_001)]))),
    "unclosed-ring": ("isolation_zones", _fc(zone(1, ring=RING[:-1] + [[105.8, 22.1001]]))),
    "short-ring": ("isolation_zones", _fc(zone(1, ring=[[105.8, 22.1], [105.81, 22.1],
                                                        [105.8, 22.1]]))),
    "self-intersection": ("isolation_zones", _fc(zone(1, ring=BOWTIE))),
    "vn2000-metres": ("risk_points", _fc(risk_point(1, lon=435000.0, lat=2450000.0))),
    "out-of-province": ("risk_points", _fc(risk_point(1, lon=105.85, lat=21.03))),
    "swapped-lonlat": ("risk_points", _fc(risk_point(1, lon=22.14, lat=105.83))),
    "wrong-geometry-type": ("risk_points", _fc(zone(1, **{}))),
    "unknown-field": ("risk_points", _fc(risk_point(1, patient_name="Nguyễn Văn A"))),
    "wrong-type": ("risk_points", _fc(risk_point(1, related_cases="two"))),
    "bool-as-int": ("risk_points", _fc(risk_point(1, related_cases=True))),
    "bad-value-list": ("risk_points", _fc(risk_point(1, place_type="residence"))),
    "bad-district": ("risk_points", _fc(risk_point(1, district_code="001"))),
    "missing-required": ("risk_points", _fc(risk_point(1, name=None))),
    "cross-field-rule": ("risk_points", _fc(risk_point(
        1, exposure_start="2021-06-11T00:00:00+07:00",
        exposure_end="2021-06-10T00:00:00+07:00"))),
    "bad-uuid": ("risk_points", _fc(risk_point(1, uid="not-a-uuid"))),
    "upper-case-uuid": ("risk_points", _fc(risk_point(1, uid=uid(1).upper()))),
    "duplicate-uid": ("risk_points", _fc(risk_point(1), risk_point(1))),
    "id-mismatch": ("risk_points", json.dumps({"type": "FeatureCollection", "features": [
        {**risk_point(1), "id": uid(2)}]}).encode()),
    "not-approved": ("risk_points", _fc(risk_point(1, approved=False))),
    "unpublished-status": ("risk_points", _fc(risk_point(1, status="withdrawn"))),
    "too-long": ("risk_points", _fc(risk_point(1, name="x" * 201))),
    "bad-date": ("risk_points", _fc(risk_point(1, announced_on="12/06/2021"))),
    "bad-datetime": ("risk_points", _fc(risk_point(1, exposure_start="yesterday"))),
    "lone-surrogate": ("risk_points", _fc(risk_point(1)).replace("Chợ".encode(), b"\\ud800")),
    "surrogate-field-name": ("risk_points", _fc(risk_point(1)).replace(
        b'"address"', b'"\\udc00"')),
    "overflow-datetime": ("risk_points", _fc(risk_point(
        1, visible_until="9999-12-31T23:59:59-23:59"))),
    "null-geometry": ("risk_points", json.dumps({"type": "FeatureCollection", "features": [
        {**risk_point(1), "geometry": None}]}).encode()),
    "reference-bad-code": ("districts", _fc({"type": "Feature", "geometry": {
        "type": "Polygon", "coordinates": [RING]}, "properties": {"code": "999", "name": "X"}})),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_layer_is_rejected_with_a_clear_message(api, server, data_dir, case, stored_keys):
    layer, body = CORPUS[case]
    before = stored_keys()
    resp = api.put_layer(layer, body)
    assert 400 <= resp.status_code < 500, (case, resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"] == "application/problem+json"
    problem = resp.json()
    assert problem["status"] == resp.status_code and len(problem["detail"]) > 20
    if resp.status_code == 422:
        assert problem["errors"] and all(e["message"] for e in problem["errors"])
    assert stored_keys() == before
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


def test_oversize_body_is_refused_before_reading(api, server, data_dir, stored_keys):
    before = stored_keys()
    huge = b" " * (21 * 1024 * 1024)
    resp = api.session.put(f"{server.url}/api/v1/layers/risk_points/blobs/{sha(huge)}",
                           data=huge, timeout=60, headers={"Content-Type": "application/geo+json"})
    assert resp.status_code == 413
    assert stored_keys() == before


def test_hash_mismatch_unknown_layer_and_bad_names(api, server, data_dir, stored_keys):
    before = stored_keys()
    good = _fc(risk_point(1))
    base = f"{server.url}/api/v1/layers"
    cases = [
        (f"{base}/risk_points/blobs/{'0' * 64}", 422),
        (f"{base}/patients/blobs/{sha(good)}", 404),
        (f"{base}/risk_points/blobs/{sha(good).upper()}", 400),
        (f"{base}/risk_points/blobs/..%2f..%2fprivate%2ftokens.json", (400, 404)),
        (f"{base}/%2e%2e/blobs/{sha(good)}", 404),
        (f"{base}/risk_points/blobs/{sha(good)}.geojson", 400),
    ]
    for url, status in cases:
        resp = api.session.put(url, data=good, timeout=10,
                               headers={"Content-Type": "application/geo+json"})
        assert resp.status_code in (status if isinstance(status, tuple) else (status,)), (
            url, resp.text[:200])
    assert stored_keys() == before


@pytest.mark.parametrize("body,status", [
    (b"not json", 400), (b"[]", 422), (b'{"layers": {"patients": "' + b"0" * 64 + b'"}}', 422),
    (b'{"layers": {"risk_points": "../../etc/passwd"}}', 422),
    (b'{"layers": {"risk_points": "' + b"a" * 64 + b'"}}', 422),  # never uploaded
    (b'{"message": 5}', 422), (b'{"data_updated_at": "soon"}', 422),
    (b'{"message": "\\ud800"}', 400),  # not Unicode text: refused by the parser
    (b'{"data_updated_at": "0001-01-01T00:00:00+14:00"}', 422),
])
def test_bad_publish_bodies(api, server, data_dir, body, status):
    current = api.current_id()
    resp = api.session.post(f"{server.url}/api/v1/releases", data=body,
                            headers={"If-Match": f'"{current}"',
                                     "Content-Type": "application/json"}, timeout=10)
    assert resp.status_code == status, resp.text
    assert api.current_id() == current


def test_rollback_to_unknown_or_malformed_release(api, server):
    current = api.current_id()
    for target in ("999999-abcdef01", "../../private", "000000-zz"):
        resp = api.session.post(f"{server.url}/api/v1/rollback", json={"release_id": target},
                                headers={"If-Match": f'"{current}"'}, timeout=10)
        assert resp.status_code == 422, resp.text
    assert api.current_id() == current


def test_connection_cut_mid_upload_commits_nothing(api, server, data_dir, token, stored_keys):
    before = stored_keys()
    body = _fc(*[risk_point(i) for i in range(50)])
    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (f"PUT /api/v1/layers/risk_points/blobs/{sha(body)} HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n")
        sock.sendall(head.encode() + body[: len(body) // 2])
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
    assert stored_keys() == before
