"""The guard of boundary.py: whatever an input stage (a parser or a
check of client input) raises, no route answers 5xx. Each stage is reached
through a real request, made to raise each kind of exception, and the answer
must be the stage's 4xx as application/problem+json, with nothing stored,
the bug logged at ERROR with its traceback and counted (the fuzz suite
fails when that count moves: the mapping refuses, it does not hide)."""

from __future__ import annotations

import gzip
import itertools
import json
import logging
from typing import Any, Callable, Dict, Tuple

import covidmaps_publish.api  # noqa: F401 - registers the API's stages
import covidmaps_publish.ogcapi  # noqa: F401 - registers the OGC API's stages
import pytest
import requests
from covidmaps_publish import boundary
from publish_samples import collection, risk_point, sha

GOOD = collection([risk_point(1)])
GEOJSON = {"Content-Type": "application/geo+json"}
JSON = {"Content-Type": "application/json"}

Request = Callable[[Any, str], requests.Response]
_FRESH = itertools.count(100)


def _put_blob(api, base: str, body: bytes = GOOD, **headers: str) -> requests.Response:
    return api.session.put(f"{base}/api/v1/layers/risk_points/blobs/{sha(body)}", data=body,
                           headers={**GEOJSON, **headers}, timeout=30)


def _commit(api, base: str, route: str, body: Dict[str, Any], **headers: str
            ) -> requests.Response:
    return api.session.post(f"{base}/api/v1/{route}", data=json.dumps(body).encode(),
                            timeout=30, headers={**JSON, "If-Match": f'"{api.current_id()}"',
                                                 **headers})


def _patch(api, base: str) -> requests.Response:
    # a well-formed patch (ids included) whose claimed hash is not its result:
    # checked feature by feature ("patch-check"), then rebuilt whole ("patch-apply")
    feature = {**risk_point(2), "id": risk_point(2)["properties"]["uid"]}
    body = json.dumps({"base": api.good_sha, "upsert": [feature], "delete": []}).encode()
    return api.session.put(f"{base}/api/v1/layers/risk_points/blobs/{'f' * 64}", data=body,
                           headers={"Content-Type": "application/vnd.covidmaps.patch+json"},
                           timeout=30)


# stage -> a request that runs it (every stage of boundary.STAGES must be here)
REACH: Dict[str, Request] = {
    "json": lambda api, b: _commit(api, b, "releases", {}),
    "publish-body": lambda api, b: _commit(api, b, "releases", {"message": "x"}),
    "rollback-body": lambda api, b: _commit(api, b, "rollback",
                                            {"release_id": api.current_id()}),
    "if-match": lambda api, b: _commit(api, b, "releases", {}),
    "idempotency-key": lambda api, b: _commit(api, b, "releases", {}, **{
        "Idempotency-Key": "k-1"}),
    # a layer never seen before: the publisher memoises checks of the same bytes
    "layer": lambda api, b: _put_blob(api, b, collection([risk_point(next(_FRESH))])),
    "content-type": lambda api, b: _put_blob(api, b),
    "content-length": lambda api, b: _put_blob(api, b),
    "content-encoding": lambda api, b: _put_blob(api, b),
    "gzip": lambda api, b: api.session.put(
        f"{b}/api/v1/layers/risk_points/blobs/{sha(GOOD)}", data=gzip.compress(GOOD),
        headers={**GEOJSON, "Content-Encoding": "gzip"}, timeout=30),
    "patch": _patch,
    "patch-apply": _patch,
    "patch-check": _patch,
    "credentials-in-url": lambda api, b: api.session.get(f"{b}/api/v1/whoami", timeout=30),
    "authorization": lambda api, b: api.session.get(f"{b}/api/v1/whoami", timeout=30),
    "history-query": lambda api, b: api.session.get(f"{b}/api/v1/releases?limit=3",
                                                    timeout=30),
    "ogc-query": lambda api, b: requests.get(f"{b}/ogcapi/collections", timeout=30),
    "ogc-known-params": lambda api, b: requests.get(f"{b}/ogcapi/collections", timeout=30),
    "ogc-format": lambda api, b: requests.get(f"{b}/ogcapi/?f=json", timeout=30),
    "ogc-items-query": lambda api, b: requests.get(
        f"{b}/ogcapi/collections/risk_points/items?limit=2", timeout=30),
    "accept-language": lambda api, b: requests.get(f"{b}/ogcapi/", timeout=30),
    "host": lambda api, b: requests.get(f"{b}/ogcapi/", timeout=30),
}

# what a bug in a stage might raise
FAULTS: Tuple[BaseException, ...] = (
    ValueError("x"), TypeError("x"), KeyError("x"), IndexError("x"), AttributeError("x"),
    OverflowError("x"), ZeroDivisionError("x"), RecursionError("x"),
    UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), MemoryError(),
    AssertionError("x"), RuntimeError("x"), LookupError("x"), OSError("x"),
)


def test_every_stage_is_reached_by_the_guard_test():
    assert set(REACH) == set(boundary.STAGES), (
        "a new input stage needs a request in REACH that runs it")


@pytest.mark.parametrize("storage_backend", ["local"], indirect=True)
@pytest.mark.parametrize("stage", sorted(REACH))
def test_an_exception_inside_any_input_stage_is_a_4xx_problem(api, server, stored_keys,
                                                                monkeypatch, caplog, stage):
    put = _put_blob(api, server.url)
    assert put.status_code == 201, put.text
    api.good_sha = put.json()["sha256"]
    status = None
    before, current = stored_keys(), api.current_id()
    for fault in FAULTS:
        calls: list = []

        def broken(*args: Any, _fault: BaseException = fault, _calls: list = calls,
                   **kwargs: Any) -> Any:
            _calls.append(1)
            raise _fault

        bugs = boundary.bug_count()
        with monkeypatch.context() as patch, caplog.at_level(logging.ERROR):
            patch.setattr(boundary.STAGES[stage], "__wrapped__", broken)
            caplog.clear()
            resp = REACH[stage](api, server.url)
        assert calls, f"the request of REACH[{stage!r}] does not run the stage"
        assert 400 <= resp.status_code < 500, (stage, fault, resp.status_code, resp.text)
        status = status or resp.status_code
        assert resp.status_code == status  # one status per stage, whatever the fault
        assert resp.headers["Content-Type"] == "application/problem+json"
        problem = resp.json()
        assert problem["type"].endswith("/input-not-checkable") and problem["stage"] == stage
        assert boundary.bug_count() == bugs + 1
        logged = [r for r in caplog.records if r.name == boundary.__name__]
        assert logged and logged[0].exc_info is not None  # with its traceback
    assert stored_keys() == before
    assert api.current_id() == current
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
