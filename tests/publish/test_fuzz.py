"""Property-based fuzzing (Hypothesis) of every parser and query parameter
of the endpoint, through the real server on 127.0.0.1, on both storage
backends (a local directory and SeaweedFS S3): layer uploads, feature
patches, commit bodies (publish and rollback), OGC API query strings, the
history query, and request headers.

Every generated input is bad by construction (a valid one would rightly be
stored), so each must be answered 4xx (GET routes: 2xx or 4xx), never 5xx,
never hang; nothing may be stored, no input stage may raise an unexpected
exception (boundary.py counts them), and the server stays alive.

Reproducible: the "covidmaps-fuzz" profile has a fixed example count and
``derandomize=True`` (set COVIDMAPS_FUZZ_EXAMPLES to run more locally).
The counts are written to tests/artifacts/fuzz_summary.json.
"""

from __future__ import annotations

import gzip
import json
import os
import string
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import quote

import covidmaps_publish.ogcapi  # noqa: F401 - registers the OGC API's stages
import pytest
import requests
from covidmaps_publish import boundary
from hardening_samples import raw_exchange
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from publish_samples import collection, risk_point, sha, uid

from covidmaps_plugin.model import MODEL

EXAMPLES = int(os.environ.get("COVIDMAPS_FUZZ_EXAMPLES", "150"))
settings.register_profile(
    "covidmaps-fuzz", max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    phases=(Phase.explicit, Phase.generate), print_blob=False,
    suppress_health_check=list(HealthCheck))
FUZZ = settings.get_profile("covidmaps-fuzz")
TIMEOUT_S = 30.0  # a request with no answer by then counts as a hang
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SUMMARY: Dict[str, Dict[str, int]] = {}

PATCH_TYPE = "application/vnd.covidmaps.patch+json"
RP_FIELDS = [f.name for f in MODEL.layer("risk_points").fields]


# -- bookkeeping ------------------------------------------------------------------------
class Fuzzer:
    """Sends one generated request, classifies the answer, keeps the counts."""

    def __init__(self, server: Any, token: str, backend: str, parser: str) -> None:
        self.server, self.backend, self.parser = server, backend, parser
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.counts = SUMMARY.setdefault(f"{backend}/{parser}", {
            "cases": 0, "2xx": 0, "4xx": 0, "5xx": 0, "other": 0, "hangs": 0,
            "bytes_stored": 0, "stage_bugs": 0})

    def send(self, method: str, path: str, ok_2xx: bool = False, auth: bool = True,
             **kw: Any) -> Optional[requests.Response]:
        self.counts["cases"] += 1
        bugs = boundary.bug_count()
        sender = self.session if auth else requests
        try:
            resp = sender.request(method, self.server.url + path, timeout=TIMEOUT_S, **kw)
        except requests.Timeout:
            self.counts["hangs"] += 1
            raise AssertionError(f"no answer within {TIMEOUT_S:g} s: {method} "
                                 f"{path[:200]}") from None
        self._count(resp.status_code)
        assert resp.status_code < 500, (method, path[:200], resp.status_code, resp.text[:500])
        if resp.status_code >= 400:
            assert resp.headers.get("Content-Type") == "application/problem+json", resp.text[:200]
        else:
            assert ok_2xx, (method, path[:200], resp.status_code, resp.text[:300])
        self._no_stage_bug(bugs, resp.text[:300])
        assert requests.get(self.server.url + "/healthz", timeout=TIMEOUT_S).status_code == 200
        return resp

    def _no_stage_bug(self, before: int, answer: str) -> None:
        """The example fails (and is shrunk) when an input stage raised
        anything but a ProblemError, although the client got a 4xx."""
        found = boundary.bug_count() - before
        self.counts["stage_bugs"] += found
        assert found == 0, f"an input stage raised an unexpected exception: {answer}"

    def send_raw(self, request: bytes) -> None:
        self.counts["cases"] += 1
        bugs = boundary.bug_count()
        answer = raw_exchange(self.server.port, request, TIMEOUT_S)
        if answer == b"TIMEOUT":
            self.counts["hangs"] += 1
            raise AssertionError(f"no answer within {TIMEOUT_S:g} s: {request[:200]!r}")
        while answer.startswith(b"HTTP/1.1 1"):  # 100 Continue before the answer
            answer = answer.split(b"\r\n\r\n", 1)[-1]
        status = int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0
        self._count(status)
        assert 400 <= status < 500, (request[:300], answer[:300])
        assert b"application/problem+json" in answer.split(b"\r\n\r\n", 1)[0], answer[:300]
        self._no_stage_bug(bugs, answer[:300].decode("latin-1"))
        assert requests.get(self.server.url + "/healthz", timeout=TIMEOUT_S).status_code == 200

    def _count(self, status: int) -> None:
        key = {2: "2xx", 4: "4xx", 5: "5xx"}.get(status // 100, "other")
        self.counts[key] += 1


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    if not SUMMARY:
        return
    total = {k: sum(c[k] for c in SUMMARY.values()) for k in next(iter(SUMMARY.values()))}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fuzz_summary.json").write_text(json.dumps(
        {"examples_per_parser": EXAMPLES, "derandomize": True, "total": total,
         "by_backend_and_parser": SUMMARY}, indent=1) + "\n")
    print(f"\nfuzz summary: {json.dumps(total)}")


@pytest.fixture
def fuzz(server, token, storage_backend, stored_keys) -> Iterator[Callable[[str], Fuzzer]]:
    """A Fuzzer per parser; afterwards nothing new may be stored and no
    input stage may have raised an unexpected exception."""
    storage = storage_backend.open(server.app.config.data_dir)
    made: List[Fuzzer] = []

    def sizes() -> Dict[str, int]:
        return {k: len(storage.get(k) or b"") for k in stored_keys()
                if k != "manifest.json"}

    pointer = requests.get(server.url + "/data/manifest.json", timeout=10).json()["release_id"]
    bugs = boundary.bug_count()

    before: Dict[str, int] = {}

    def make(parser: str) -> Fuzzer:
        # the snapshot is taken here: a test may store its fixtures (a patch base) first
        before.update(sizes())
        made.append(Fuzzer(server, token, storage_backend.name, parser))
        return made[-1]

    yield make
    after = sizes()
    new = sum(after[k] for k in after if k not in before)
    for fuzzer in made:
        fuzzer.counts["bytes_stored"] += new
        fuzzer.session.close()
    storage.close()
    assert new == 0, sorted(set(after) - set(before))[:10]
    now = requests.get(server.url + "/data/manifest.json", timeout=10).json()["release_id"]
    assert now == pointer
    assert boundary.bug_count() == bugs, "an input stage raised an unexpected exception"


def _examples(name: str, values: List[Any], **fixed: Any) -> Callable[[Any], Any]:
    """Explicit examples (a seed corpus of the classes issue 12 found): run
    first, every time, whatever the generator draws."""
    def decorate(test: Any) -> Any:
        for value in reversed(values):
            test = example(**{name: value, **fixed})(test)
        return test

    return decorate


# -- strategies: values that are wrong wherever they are put --------------------------------
HUGE_INTS = st.one_of(st.integers(min_value=2 ** 53, max_value=10 ** 600),
                      st.integers(max_value=-(2 ** 53), min_value=-(10 ** 600)))
SURROGATE_TEXT = st.builds(lambda a, s, b: a + s + b, st.text(max_size=5),
                           st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"]),
                           st.text(max_size=5))
NEWLINE_TEXT = st.builds(lambda t, nl: t + nl, st.text(string.hexdigits, max_size=70),
                         st.sampled_from(["\n", "\r\n", "\x00", " ", "\u2028"]))
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False,
                                                                         allow_infinity=False),
                      st.text(max_size=20), HUGE_INTS, SURROGATE_TEXT)
JSON_ANY = st.recursive(JSON_LEAF, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)),
    max_leaves=12)
# never a valid coordinate: out of range, huge, not a number
BAD_COORD = st.one_of(HUGE_INTS, st.floats(min_value=181, max_value=1e308),
                      st.floats(max_value=-181, min_value=-1e308), st.text(max_size=8),
                      st.none(), st.booleans(), st.lists(st.integers(), max_size=3))
# JSON number texts Python's json either refuses or turns into something refused
BAD_NUMBER_TEXT = st.one_of(
    st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e99999", b"1" * 5000,
                     b"0x10", b"+1", b".5", b"01", b"1.", b"--1"]),
    st.integers(min_value=2 ** 53, max_value=10 ** 600).map(lambda n: str(n).encode()))
NOT_UUID = st.one_of(NEWLINE_TEXT, SURROGATE_TEXT, st.text(max_size=40), HUGE_INTS,
                     st.just(uid(1, "rp").upper()), st.just(uid(1, "rp") + "\n"))
UNKNOWN_NAME = st.text(min_size=1, max_size=30).filter(
    lambda n: n not in ("type", "id", "geometry", "properties", "bbox", "coordinates",
                        "features", "name"))


def _feature() -> Dict[str, Any]:
    return risk_point(1)


@st.composite
def bad_layer_doc(draw: Any) -> bytes:
    """A valid risk_points layer with one thing made wrong."""
    features = [risk_point(i) for i in range(draw(st.integers(1, 3)))]
    doc: Dict[str, Any] = {"type": "FeatureCollection", "features": features}
    target = draw(st.integers(0, len(features) - 1))
    feature = features[target]
    kind = draw(st.sampled_from(["coord", "uid", "int-field", "member", "geom-member",
                                 "unknown-field", "feature", "geometry", "number-text",
                                 "collection-member", "properties", "deep"]))
    if kind == "coord":
        feature["geometry"]["coordinates"][draw(st.integers(0, 1))] = draw(BAD_COORD)
    elif kind == "uid":
        feature["properties"]["uid"] = draw(NOT_UUID)
    elif kind == "int-field":
        feature["properties"]["related_cases"] = draw(st.one_of(
            HUGE_INTS, st.floats(allow_nan=False, allow_infinity=False).filter(
                lambda f: f != int(f)), st.text(max_size=5), SURROGATE_TEXT))
    elif kind == "member":
        feature[draw(UNKNOWN_NAME)] = draw(JSON_ANY)
    elif kind == "geom-member":
        feature["geometry"][draw(st.sampled_from(["crs", "name", "Type", "x"]))] = draw(JSON_ANY)
    elif kind == "collection-member":
        doc[draw(st.sampled_from(["crs", "Features", "meta", "\ud800"]))] = draw(JSON_ANY)
    elif kind == "unknown-field":
        name = draw(st.text(min_size=1, max_size=20).filter(lambda n: n not in RP_FIELDS))
        feature["properties"][name] = draw(JSON_ANY)
    elif kind == "feature":
        features[target] = draw(JSON_ANY.filter(lambda v: not isinstance(v, dict) or not v))
    elif kind == "geometry":
        feature["geometry"] = draw(JSON_ANY)
    elif kind == "properties":
        feature["properties"] = draw(st.one_of(JSON_ANY.filter(
            lambda v: not isinstance(v, dict)), st.just({})))
    elif kind == "deep":
        depth = draw(st.integers(17, 3000))
        feature["properties"]["name"] = "@DEEP@"
        return json.dumps(doc).encode().replace(b'"@DEEP@"', b"[" * depth + b"]" * depth)
    if kind == "number-text":
        body = json.dumps(doc).encode()
        return body.replace(b"105.83", draw(BAD_NUMBER_TEXT), 1)
    body = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    return body


@st.composite
def corrupted_bytes(draw: Any, base: bytes) -> bytes:
    """``base`` with bytes no UTF-8 JSON text may hold inserted somewhere."""
    at = draw(st.integers(0, len(base)))
    junk = draw(st.binary(min_size=1, max_size=4).map(lambda b: b"\xff" + b))
    return base[:at] + junk + base[at:]


# -- the parsers ----------------------------------------------------------------------------
def _seeded(**over: Any) -> bytes:
    """One feature of the classes issue 12 found, as explicit examples."""
    feature = risk_point(1)
    for path, value in over.items():
        *parents, last = path.split(".")
        target: Any = feature
        for part in parents:
            target = target[int(part)] if part.isdecimal() else target[part]  # test data
        if last.isdecimal():
            target[int(last)] = value
        else:
            target[last] = value
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


LAYER_SEEDS = [
    _seeded(**{"geometry.coordinates.0": 10 ** 400}),
    _seeded(**{"geometry.coordinates.1": -(10 ** 300)}),
    _seeded(**{"properties.related_cases": 10 ** 500}),
    _seeded(**{"properties.uid": uid(1, "rp") + "\n"}),
    _seeded(**{"properties.name": "Chợ \ud800"}),
    _seeded(**{"geometry.crs": {"type": "name"}}),
    _seeded(**{"crs": {"type": "name"}}),
    _seeded(**{"title": "x"}),
]


def test_fuzz_layer_uploads(fuzz):
    fz = fuzz("layer")

    @FUZZ
    @_examples("body", LAYER_SEEDS, gzipped=False, layer="risk_points")
    @given(body=st.one_of(bad_layer_doc(), bad_layer_doc(),
                          corrupted_bytes(collection([risk_point(1)])),
                          JSON_ANY.map(lambda v: json.dumps(v).encode("utf-8",
                                                                      "surrogatepass"))),
           gzipped=st.booleans(), layer=st.sampled_from(["risk_points", "risk_points",
                                                         "isolation_zones", "districts"]))
    def case(body: bytes, gzipped: bool, layer: str) -> None:
        if body == b'{"type": "FeatureCollection", "features": []}':
            return  # the one valid document an arbitrary value can be
        headers = {"Content-Type": "application/geo+json"}
        data = gzip.compress(body) if gzipped else body
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        fz.send("PUT", f"/api/v1/layers/{layer}/blobs/{sha(body)}", data=data,
                headers=headers)

    case()


@st.composite
def bad_patch(draw: Any, base_sha: str) -> bytes:
    kind = draw(st.sampled_from(["any", "base", "upsert", "delete", "member", "raw"]))
    patch: Dict[str, Any] = {"base": base_sha, "upsert": [risk_point(2)], "delete": []}
    if kind == "any":
        return json.dumps(draw(JSON_ANY)).encode("utf-8", "surrogatepass")
    if kind == "base":
        patch["base"] = draw(st.one_of(NEWLINE_TEXT, JSON_ANY, st.just(base_sha.upper())))
    elif kind == "upsert":  # valid or not: the claimed hash never matches, nothing stored
        poked = risk_point(3)
        poked["properties"]["related_cases"] = draw(st.one_of(HUGE_INTS, SURROGATE_TEXT))
        patch["upsert"] = draw(st.one_of(JSON_ANY, st.lists(st.one_of(
            JSON_ANY, st.just(risk_point(3)), st.just(poked)), max_size=2)))
    elif kind == "delete":
        patch["delete"] = draw(st.lists(st.one_of(JSON_ANY, NOT_UUID), min_size=1, max_size=3))
    elif kind == "member":
        patch[draw(UNKNOWN_NAME.filter(lambda n: n not in ("base", "upsert", "delete")))] = 1
    else:
        return draw(corrupted_bytes(json.dumps(patch).encode()))
    return json.dumps(patch).encode("utf-8", "surrogatepass")


def test_fuzz_feature_patches(fuzz, api):
    put = api.put_layer("risk_points", collection([risk_point(1)]))
    assert put.status_code == 201
    base_sha = put.json()["sha256"]
    fz = fuzz("patch")

    surrogate = json.dumps(risk_point(2, name="\ud800"))
    seeds = [f'{{"base": "{base_sha}", "upsert": [{surrogate}], "delete": []}}'.encode(),
             json.dumps({"base": base_sha + "\n", "upsert": [], "delete": []}).encode(),
             json.dumps({"base": base_sha, "upsert": [], "delete": ["\udc00"]}).encode(),
             b'{"base": "' + base_sha.encode() + b'", "upsert": ' + b"[" * 5000 + b"]" * 5000
             + b"}"]

    @FUZZ
    @_examples("body", seeds, claimed="f" * 64)
    @given(body=bad_patch(base_sha), claimed=st.text("0123456789abcdef", min_size=64,
                                                     max_size=64))
    def case(body: bytes, claimed: str) -> None:
        fz.send("PUT", f"/api/v1/layers/risk_points/blobs/{claimed}", data=body,
                headers={"Content-Type": PATCH_TYPE})

    case()


SERVER_OWNED = ["publisher", "release_id", "sequence", "kind", "created_at", "profile",
                "format", "parent_id", "changes", "model_version", "tiles"]


@st.composite
def bad_publish_body(draw: Any) -> bytes:
    body: Dict[str, Any] = {"message": "x"}
    kind = draw(st.sampled_from(["owned", "unknown", "layers", "message", "time", "any",
                                 "raw"]))
    if kind == "owned":
        body[draw(st.sampled_from(SERVER_OWNED))] = draw(JSON_ANY)
    elif kind == "unknown":
        body[draw(UNKNOWN_NAME.filter(lambda n: n not in (
            "layers", "reference", "message", "data_updated_at")))] = draw(JSON_ANY)
    elif kind == "layers":
        name = draw(st.sampled_from(["layers", "reference"]))
        body[name] = draw(st.one_of(JSON_ANY.filter(lambda v: v != {}), st.dictionaries(
            st.sampled_from(["risk_points", "province", "patients", "risk_points\n"]),
            st.one_of(NEWLINE_TEXT, st.text("0123456789abcdef", min_size=64, max_size=64),
                      JSON_ANY), min_size=1, max_size=2)))
    elif kind == "message":
        body["message"] = draw(st.one_of(SURROGATE_TEXT, st.text(min_size=501, max_size=600),
                                         JSON_ANY.filter(lambda v: not isinstance(v, str))))
    elif kind == "time":
        body["data_updated_at"] = draw(st.one_of(st.sampled_from([
            "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "2021-02-30T00:00:00",
            "soon", "2021-06-01T08:00:00+99:00", "2021-06-01T24:00:01"]),
            JSON_ANY.filter(lambda v: not isinstance(v, str) and v is not None)))
    elif kind == "any":
        return json.dumps(draw(JSON_ANY.filter(
            lambda v: not isinstance(v, dict) or bool(set(v) - {"message"})))
                          ).encode("utf-8", "surrogatepass")
    else:
        return draw(corrupted_bytes(json.dumps(body).encode()))
    return json.dumps(body).encode("utf-8", "surrogatepass")


def test_fuzz_commit_bodies(fuzz, api):
    fz = fuzz("commit-body")

    seeds = [json.dumps({"message": "x", name: "forged"}).encode() for name in SERVER_OWNED]
    seeds += [json.dumps({"layers": {"risk_points": "a" * 64 + "\n"}}).encode(),
              b'{"message": "\\ud800"}', b'{"message": "x", "layer": {}}',
              json.dumps({"data_updated_at": "9999-12-31T23:59:59-23:59"}).encode(),
              b'{"message": ' + b"[" * 3000 + b"]" * 3000 + b"}"]

    @FUZZ
    @_examples("body", seeds, target="x", extra={}, rollback=False)
    @given(body=bad_publish_body(), target=st.one_of(
        st.from_regex(r"\A[0-9]{6,12}-[0-9a-f]{8}\n?\Z"), NEWLINE_TEXT, JSON_ANY),
        extra=st.dictionaries(UNKNOWN_NAME, JSON_ANY, max_size=2), rollback=st.booleans())
    def case(body: bytes, target: Any, extra: Dict[str, Any], rollback: bool) -> None:
        headers = {"Content-Type": "application/json", "If-Match": f'"{api.current_id()}"'}
        if rollback:
            data = json.dumps({"release_id": target, **extra}).encode("utf-8", "surrogatepass")
            fz.send("POST", "/api/v1/rollback", data=data, headers=headers)
        else:
            fz.send("POST", "/api/v1/releases", data=body, headers=headers)

    case()


QUERY_NAMES = st.one_of(st.sampled_from(["bbox", "bbox-crs", "crs", "limit", "offset",
                                         "datetime", "f", "name", "status", "uid"]),
                        st.text(max_size=10))
DATETIME_TEXT = st.one_of(
    st.builds(lambda y, m, d, rest: f"{y}-{m}-{d}{rest}",
              st.sampled_from(["0001", "9999", "2021", "0000", "10000", "٢٠٢١"]),
              st.sampled_from(["01", "12", "13", "00", "02"]),
              st.sampled_from(["01", "31", "30", "00"]),
              st.sampled_from(["", "T00:00:00+14:00", "T23:59:59-23:59", "T25:00:00",
                               "T00:00:00Z", "/..", "/9999-12-31", "T00:00:00.999999+23:59"])),
    st.text(max_size=30))
QUERY_VALUES = st.one_of(st.text(max_size=30), DATETIME_TEXT,
                         st.sampled_from(["²", "٣", "５", "1e3", "-1", "9" * 30, " 7 ",
                                          "1,2,3", "1,2,3,4,5,6", "nan,nan,nan,nan",
                                          "1e999,0,1,1", "-181,-91,181,91", "json", "html"]),
                         HUGE_INTS.map(str))


def test_fuzz_ogc_query_strings(fuzz):
    fz = fuzz("ogc-query")

    seeds = [[("datetime", v)] for v in (
        "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59/..",
        "0001-01-01/9999-12-31")] + [[("limit", "²")], [("offset", "٣")],
                                     [("bbox", "1" * 400 + ",0,1,1")]]

    @FUZZ
    @_examples("params", seeds, raw=b"", path="/ogcapi/collections/risk_points/items")
    @given(params=st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=4),
           raw=st.binary(max_size=40),
           path=st.sampled_from(["/ogcapi/collections/risk_points/items", "/ogcapi/",
                                 "/ogcapi/collections", "/ogcapi/collections/risk_points",
                                 "/ogcapi/collections/risk_points/items/x",
                                 "/ogcapi/conformance"]))
    def case(params: List[Any], raw: bytes, path: str) -> None:
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
        fz.send("GET", f"{path}?{query}", ok_2xx=True, auth=False)
        fz.send("GET", f"{path}?{quote(raw, safe='=&')}", ok_2xx=True, auth=False)

    case()


def test_fuzz_history_query(fuzz):
    fz = fuzz("history-query")

    @FUZZ
    @_examples("params", [[("limit", "²")], [("limit", "٣")], [("limit", "５")],
                          [("limit", "1" * 400)]])
    @given(params=st.lists(st.tuples(st.sampled_from(["limit", "Limit", "token"]),
                                     QUERY_VALUES), max_size=3))
    def case(params: List[Any]) -> None:
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params)
        fz.send("GET", f"/api/v1/releases?{query}", ok_2xx=True)

    case()


HEADER_TEXT = st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=255),
                                max_size=60), NEWLINE_TEXT.map(lambda t: t.strip("\r\n")),
                        st.sampled_from(['"000000-00000000"', "*", "W/", '""', "gzip, br",
                                         "application/json; charset=utf-16", "x-gzip"]))


def test_fuzz_request_headers(fuzz, token):
    fz = fuzz("headers")
    names = ["Content-Type", "Content-Encoding", "If-Match", "Idempotency-Key",
             "Authorization", "Content-Length", "Transfer-Encoding", "Host", "Expect"]

    seeds = [{"Content-Type": "text/plain"}, {"Content-Type": ""},
             {"X-Big": "a" * (70 * 1024)}, {"Content-Encoding": "br"},
             {"Idempotency-Key": "k" * 500}, {"If-Match": "\u00e9"}]

    @FUZZ
    @_examples("headers", seeds, route="/api/v1/releases", method="POST", body=b"")
    @given(headers=st.dictionaries(st.sampled_from(names), HEADER_TEXT, min_size=1,
                                   max_size=4),
           route=st.sampled_from(["/api/v1/releases", "/api/v1/rollback",
                                  f"/api/v1/layers/risk_points/blobs/{'a' * 64}"]),
           method=st.sampled_from(["POST", "PUT"]),
           # never a body that could commit (If-Match "*" onto release 0 would)
           body=st.sampled_from([b'{"publisher": "x"}', b'{"layers": {"patients": "x"}}',
                                 b"", b"\x1f\x8b\x08"]))
    def case(headers: Dict[str, str], route: str, method: str, body: bytes) -> None:
        sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Content-Length": str(len(body)), "Host": "127.0.0.1",
                "If-Match": '"000000-00000000"', **headers}
        # a wrong length would wait for bytes that never come (cut off after 10 s: slow)
        sent.pop("Transfer-Encoding", None)
        sent["Content-Length"] = str(len(body))
        sent["Connection"] = "close"
        lines = [f"{method} {route} HTTP/1.1"] + [f"{k}: {v}" for k, v in sent.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body
        fz.send_raw(request)

    case()
