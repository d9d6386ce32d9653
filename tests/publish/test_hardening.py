"""Issue 12's bad-input classes, one test per class through the real server
on 127.0.0.1: each input is answered 4xx application/problem+json, nothing
is stored, the server stays healthy. (The fuzz suite, test_fuzz.py, throws
generated inputs of the same classes at every parser.)"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import pytest
import requests
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
from hardening_samples import raw_exchange
from publish_samples import collection, risk_point, sha, zone

PATCH_TYPE = "application/vnd.covidmaps.patch+json"
GOOD = collection([risk_point(1)])


def _refused(resp: requests.Response, *statuses: int) -> Dict[str, Any]:
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    if statuses:
        assert resp.status_code in statuses, (resp.status_code, resp.text[:300])
    assert resp.headers["Content-Type"] == "application/problem+json", resp.text[:200]
    problem = resp.json()
    assert problem["status"] == resp.status_code and len(problem["detail"]) > 20
    return problem


def _codes(problem: Dict[str, Any]) -> set:
    return {problem["type"].rsplit("/", 1)[-1]} | {e["code"] for e in problem.get("errors", [])}


def _put(api, layer: str, body: bytes, ctype: str = "application/geo+json",
         digest: Optional[str] = None, kind: str = "blobs") -> requests.Response:
    return api.session.put(f"{api.base}/api/v1/layers/{layer}/{kind}/{digest or sha(body)}",
                           data=body, headers={"Content-Type": ctype}, timeout=30)


def _commit(api, route: str, body: Any, ctype: str = "application/json") -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.session.post(f"{api.base}/api/v1/{route}", data=data, timeout=30, headers={
        "Content-Type": ctype, "If-Match": f'"{api.current_id()}"'})


def _healthy(server) -> None:
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200


# -- identifiers are matched whole: a trailing newline is never accepted ----------------
def test_trailing_newline_in_any_identifier_is_refused(api, server, stored_keys):
    assert _put(api, "risk_points", GOOD).status_code == 201
    before = stored_keys()
    good_sha, current = sha(GOOD), api.current_id()
    base = f"{server.url}/api/v1/layers"
    answers = [
        api.session.put(f"{base}/risk_points/blobs/{good_sha}%0A", data=GOOD, timeout=10,
                        headers={"Content-Type": "application/geo+json"}),
        api.session.put(f"{base}/risk_points%0A/blobs/{good_sha}", data=GOOD, timeout=10,
                        headers={"Content-Type": "application/geo+json"}),
        api.session.head(f"{base}/risk_points/blobs/{good_sha}%0A", timeout=10),
        _commit(api, "releases", {"layers": {"risk_points": good_sha + "\n"}}),
        _commit(api, "rollback", {"release_id": current + "\n"}),
        _put(api, "risk_points", json.dumps({"base": good_sha + "\n", "upsert": [],
                                             "delete": []}).encode(), PATCH_TYPE,
             digest="b" * 64),
        _put(api, "risk_points", collection([risk_point(1, uid=risk_point(1)["properties"]
                                                         ["uid"] + "\n")])),
    ]
    for resp in answers:
        if resp.request.method == "HEAD":  # no body: the status says it
            assert resp.status_code in (400, 404)
        else:
            _refused(resp)
    for path in (f"/data/blobs/{good_sha}.geojson%0A", f"/data/releases/{current}.json%0A"):
        assert requests.get(server.url + path, timeout=10).status_code == 404
    assert stored_keys() == before
    assert api.current_id() == current
    _healthy(server)


# -- numbers beyond float range --------------------------------------------------------
@pytest.mark.parametrize("text", [
    b'"coordinates":[1' + b"0" * 400 + b',22.14]',
    b'"coordinates":[105.83,-' + b"9" * 300 + b"]",
    b'"coordinates":[105.83,22.14,' + b"7" * 500 + b"]",
])
def test_huge_integer_coordinates_are_refused(api, server, stored_keys, text):
    before = stored_keys()
    body = GOOD.replace(b'"coordinates": [105.83, 22.14]', text)
    assert body != GOOD
    problem = _refused(_put(api, "risk_points", body), 422)
    assert "bad-position" in _codes(problem)
    assert stored_keys() == before
    _healthy(server)


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 300), 2 ** 53, 10 ** 4000])
def test_huge_integer_properties_are_refused(api, server, stored_keys, value):
    before = stored_keys()
    body = GOOD.replace(b'"related_cases": 2', b'"related_cases": ' + str(value).encode())
    problem = _refused(_put(api, "risk_points", body), 422)
    assert "ATTR_BAD_VALUE" in _codes(problem)
    zones = collection([zone(1, households=value)])
    _refused(_put(api, "isolation_zones", zones), 422)
    assert stored_keys() == before


# -- lone surrogates, on every path ------------------------------------------------------
def test_lone_surrogates_in_a_patch_and_a_commit_are_refused(api, server, stored_keys):
    assert _put(api, "risk_points", GOOD).status_code == 201
    before = stored_keys()
    feature = json.dumps(risk_point(1, name="Chợ \ud800"))  # json escapes it as \ud800
    patch = f'{{"base": "{sha(GOOD)}", "upsert": [{feature}], "delete": []}}'.encode()
    problem = _refused(_put(api, "risk_points", patch, PATCH_TYPE, digest="e" * 64), 400)
    assert "invalid-text" in _codes(problem)
    key_patch = patch.replace(b'"name"', b'"\\udc00"')
    _refused(_put(api, "risk_points", key_patch, PATCH_TYPE, digest="e" * 64), 400)
    _refused(_commit(api, "releases", b'{"message": "\\ud800"}'), 400)
    assert stored_keys() == before


# -- query parameters: ASCII digits only --------------------------------------------------
@pytest.mark.parametrize("digits", ["²", "٣", "５", "1²", "१०", " 7", "-1", "1e3", "0x10"])
def test_non_ascii_digits_in_query_parameters(api, server, digits):
    resp = api.session.get(f"{server.url}/api/v1/releases", params={"limit": digits},
                           timeout=10)
    if digits.strip() == "7":
        assert resp.status_code in (200, 400)
    else:
        _refused(resp, 400)
    for name in ("limit", "offset"):
        resp = requests.get(f"{server.url}/ogcapi/collections/risk_points/items",
                            params={name: digits}, timeout=10)
        if digits.strip() == "7":
            assert resp.status_code == 200
        else:
            _refused(resp, 400)


# -- OGC API datetime at the edges of the calendar -----------------------------------------
@pytest.mark.parametrize("value", [
    "9999-12-31", "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59",
    "0001-01-01/9999-12-31", "../9999-12-31", "0001-01-01T00:00:00+23:59/..",
    "9999-12-31T23:59:59.999999-12:00", "10000-01-01", "0000-01-01", "2021-02-30",
    "2021-06-01T25:00:00", "٢٠٢١-06-01", "2021-06-01T08:00:00+99:00"])
def test_ogc_datetime_edges_are_answered_not_crashed(server, value):
    resp = requests.get(f"{server.url}/ogcapi/collections/risk_points/items",
                        params={"datetime": value}, timeout=10)
    assert resp.status_code in (200, 400), (value, resp.status_code, resp.text[:200])
    if resp.status_code == 400:
        _refused(resp, 400)
    else:
        assert resp.json()["type"] == "FeatureCollection"


def test_a_published_date_at_the_calendar_edge_keeps_the_ogc_api_up(api, server):
    layer = collection([zone(1, effective_until="9999-12-31T23:59:59+07:00"),
                        zone(2, effective_from="0001-01-02T00:00:00+07:00")])
    resp = api.publish_layer("isolation_zones", layer)
    assert resp.status_code == 201, resp.text
    items = requests.get(f"{server.url}/ogcapi/collections/isolation_zones/items",
                         params={"datetime": "2021-06-12"}, timeout=10)
    assert items.status_code == 200 and items.json()["numberMatched"] == 2


# -- Content-Type on every write route ---------------------------------------------------------
@pytest.mark.parametrize("ctype", [
    None, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/json; charset=latin-1", "application/geo+json; q=1", "application/jsonx", "*/*"])
def test_write_routes_refuse_other_content_types(api, server, stored_keys, ctype):
    before, current = stored_keys(), api.current_id()
    headers = {"If-Match": f'"{current}"'}
    if ctype is not None:
        headers["Content-Type"] = ctype
    session = api.session
    answers = [
        session.put(f"{server.url}/api/v1/layers/risk_points/blobs/{sha(GOOD)}", data=GOOD,
                    headers=headers, timeout=10),
        session.post(f"{server.url}/api/v1/releases", data=b"{}", headers=headers, timeout=10),
        session.post(f"{server.url}/api/v1/rollback", data=json.dumps(
            {"release_id": current}), headers=headers, timeout=10),
    ]
    for resp in answers:
        problem = _refused(resp, 415)
        assert problem["accepted_types"]
    assert stored_keys() == before and api.current_id() == current


def test_documented_content_types_are_accepted(api, server):
    for ctype in ("application/geo+json", "application/json", "Application/GEO+JSON",
                  "application/geo+json; charset=utf-8", 'application/json;charset="UTF-8"'):
        resp = _put(api, "risk_points", GOOD, ctype)
        assert resp.status_code in (200, 201), (ctype, resp.text)
    resp = _commit(api, "releases", {"layers": {"risk_points": resp.json()["sha256"]}},
                   "application/json; charset=utf-8")
    assert resp.status_code == 201, resp.text


def test_anonymous_write_gets_401_before_415(server):
    resp = requests.post(f"{server.url}/api/v1/releases", data=b"{}", timeout=10,
                         headers={"Content-Type": "text/plain"})
    _refused(resp, 401)


# -- one rule for unknown members ----------------------------------------------------------
@pytest.mark.parametrize("member", ["publisher", "release_id", "sequence", "kind",
                                    "created_at", "profile", "format", "parent_id",
                                    "model_version", "changes"])
def test_commit_body_refuses_server_owned_members(api, server, member):
    current = api.current_id()
    problem = _refused(_commit(api, "releases", {"message": "x", member: "forged"}), 422)
    assert "server-owned-member" in _codes(problem)
    assert api.current_id() == current


def test_commit_bodies_refuse_unknown_members(api, server):
    current = api.current_id()
    for route, body in (("releases", {"message": "x", "layer": {}}),
                        ("releases", {"Layers": {}}),
                        ("rollback", {"release_id": current, "layers": {}}),
                        ("rollback", {"release_id": current, "publisher": "someone"})):
        problem = _refused(_commit(api, route, body), 422)
        assert _codes(problem) & {"unknown-member", "server-owned-member"}
    assert api.current_id() == current


@pytest.mark.parametrize("where,member,code", [
    ("feature", "crs", "crs-member"), ("feature", "foo", "unknown-member"),
    ("feature", "title", "unknown-member"), ("geometry", "crs", "crs-member"),
    ("geometry", "name", "unknown-member"), ("collection", "crs", "crs-member"),
    ("collection", "foo", "unknown-member")])
def test_foreign_members_are_refused_at_every_level(api, server, stored_keys, where, member,
                                                     code):
    before = stored_keys()
    for feature in (risk_point(1), zone(1)):
        layer = "risk_points" if feature["geometry"]["type"] == "Point" else "isolation_zones"
        doc: Dict[str, Any] = {"type": "FeatureCollection", "features": [feature]}
        target = {"feature": feature, "geometry": feature["geometry"], "collection": doc}[where]
        target[member] = {"type": "name", "properties": {"name": "EPSG:4326"}}
        problem = _refused(_put(api, layer, json.dumps(doc).encode()), 422)
        assert code in _codes(problem), problem
    assert stored_keys() == before


def test_bbox_members_are_accepted_and_replaced(api, server):
    feature = risk_point(1)
    feature["bbox"] = [0, 0, 1, 1]
    feature["geometry"]["bbox"] = [0, 0, 1, 1]
    doc = {"type": "FeatureCollection", "bbox": [0, 0, 1, 1], "features": [feature]}
    resp = _put(api, "risk_points", json.dumps(doc).encode())
    assert resp.status_code in (200, 201), resp.text
    stored = requests.get(server.url + resp.json()["href"], timeout=10).json()
    assert "bbox" not in stored["features"][0] and "bbox" not in stored["features"][0]["geometry"]


# -- the embedded server: slow and oversized requests --------------------------------------------
@pytest.fixture
def short_server(tmp_path):
    """The endpoint with 1 s header and body timeouts (configurable for tests)."""
    limits = Limits(header_timeout_s=1.0, body_timeout_s=1.0)
    config = Config(data_dir=tmp_path / "data", fsync=False, limits=limits)
    from covidmaps_publish.tokens import TokenStore

    token = TokenStore(config.state_dir).create("officer-1")
    with ServerThread(config) as srv:
        srv.token = token  # type: ignore[attr-defined]
        yield srv


def test_headers_that_never_complete_are_cut_off(short_server):
    answer = raw_exchange(short_server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1")
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    assert b"application/problem+json" in answer
    # a connection that sends nothing at all is closed, without an answer
    assert raw_exchange(short_server.port, b"") == b""


def test_headers_over_64_kib_are_refused_with_431(short_server):
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n"
    answer = raw_exchange(short_server.port, big)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(800)) + b"\r\n"
    assert raw_exchange(short_server.port, many).startswith(b"HTTP/1.1 431 ")
    url = b"GET /healthz?" + b"q" * (65 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert raw_exchange(short_server.port, url).startswith(b"HTTP/1.1 431 ")
    # 16 MiB of headers: refused after the first 64 KiB, the rest is never read
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"c" * (16 * 1024 * 1024)
    assert raw_exchange(short_server.port, huge).startswith(b"HTTP/1.1 431 ")
    ok = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Fits: " + (
        b"d" * (60 * 1024)) + b"\r\n\r\n"
    assert raw_exchange(short_server.port, ok).startswith(b"HTTP/1.1 200 ")


def test_a_stalled_body_is_cut_off(short_server):
    token = short_server.token
    body = collection([risk_point(9)])
    head = (f"PUT /api/v1/layers/risk_points/blobs/{sha(body)} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    answer = raw_exchange(short_server.port, head + body[:10])
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:100]
    # a body nobody reads (the answer is a 401): the connection is closed all the same
    anonymous = (b"POST /api/v1/releases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                 b"\r\nContent-Length: 1000\r\n\r\n{")
    answer = raw_exchange(short_server.port, anonymous)
    assert answer.startswith(b"HTTP/1.1 401 ") and answer != b"TIMEOUT"
    assert requests.get(short_server.url + "/healthz", timeout=10).status_code == 200


def test_keep_alive_requests_still_work(short_server):
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(short_server.url + "/healthz", timeout=10).status_code == 200
