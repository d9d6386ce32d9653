"""OGC API – Features over a release published through the real write API:
the documents, items queries (bbox, datetime, paging, property filters),
errors, and the two clients that matter, QGIS's OAPIF provider and GDAL's
OAPIF driver."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator, List, Set

import pytest
import requests
from published_endpoint import FIRST_DAY, RISK_POINTS, Published, start_published

from covidmaps_plugin.model import MODEL

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    published = start_published(tmp_path_factory.mktemp("ogc") / "data")
    try:
        yield published
    finally:
        published.stop()


def get(endpoint: Published, path: str, **kw: Any) -> requests.Response:
    return requests.get(f"{endpoint.url}/ogcapi{path}", timeout=20, **kw)


def uids(features: List[Dict[str, Any]]) -> Set[str]:
    return {f["properties"]["uid"] for f in features}


def items(endpoint: Published, layer: str, **params: Any) -> Dict[str, Any]:
    response = get(endpoint, f"/collections/{layer}/items", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/geo+json")
    return response.json()


# ------------------------------------------------------------------ documents

def test_landing_page_and_conformance(endpoint):
    for path in ("", "/"):
        landing = get(endpoint, path)
        assert landing.status_code == 200
        rels = {link["rel"]: link["href"] for link in landing.json()["links"]}
        assert {"self", "service-desc", "conformance", "data"} <= set(rels)
        assert rels["data"] == f"{endpoint.url}/ogcapi/collections"
    conformance = get(endpoint, "/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    api = get(endpoint, "/api")
    assert api.status_code == 200 and api.json()["openapi"].startswith("3.0")
    # a browser asking for HTML still gets the JSON document, not an error
    html = get(endpoint, "/", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.json()["links"]


def test_collections_follow_the_manifest(endpoint):
    manifest = requests.get(f"{endpoint.url}/data/manifest.json", timeout=10).json()
    by_id = {layer["id"]: layer for layer in manifest["layers"]}
    collections = get(endpoint, "/collections").json()["collections"]
    assert [c["id"] for c in collections] == list(MODEL.layer_names)
    for coll in collections:
        layer = by_id[coll["id"]]
        assert coll["title"] == layer["title"]["vi"]
        assert coll["itemType"] == "feature"
        assert coll["crs"] == [CRS84]
        if layer["bbox"]:
            assert coll["extent"]["spatial"]["bbox"] == [layer["bbox"]]
    english = get(endpoint, "/collections/risk_points",
                  headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert english.json()["title"] == by_id["risk_points"]["title"]["en"]
    assert english.headers["Content-Language"] == "en"
    temporal = english.json()["extent"]["temporal"]["interval"][0]
    last = FIRST_DAY + dt.timedelta(days=RISK_POINTS - 1 + 2)
    assert [dt.datetime.fromisoformat(t) for t in temporal] == [FIRST_DAY, last]


# ---------------------------------------------------------------------- items

def test_paging_visits_every_feature_once(endpoint):
    first = items(endpoint, "risk_points")
    assert first["numberMatched"] == RISK_POINTS
    assert first["numberReturned"] == len(first["features"]) == 10  # default limit
    seen: List[str] = []
    page = first
    pages = 0
    while True:
        pages += 1
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt:
            break
        response = requests.get(nxt[0], timeout=10)
        page = response.json()
        assert any(link["rel"] == "prev" for link in page["links"])
    assert pages == 3
    assert sorted(seen) == sorted(uids(endpoint.features["risk_points"]))
    # a limit above the maximum is served (clamped), not refused
    assert items(endpoint, "risk_points", limit=5000)["numberReturned"] == RISK_POINTS


def test_bbox_selects_the_features_inside(endpoint):
    box = (105.55, 21.95, 105.80, 22.20)
    expected = {f["properties"]["uid"] for f in endpoint.features["risk_points"]
                if box[0] <= f["geometry"]["coordinates"][0] <= box[2]
                and box[1] <= f["geometry"]["coordinates"][1] <= box[3]}
    assert 0 < len(expected) < RISK_POINTS
    result = items(endpoint, "risk_points", bbox=",".join(map(str, box)), limit=100)
    assert uids(result["features"]) == expected
    assert result["numberMatched"] == len(expected)
    # the next link keeps the filter
    small = items(endpoint, "risk_points", bbox=",".join(map(str, box)), limit=2)
    nxt = next(link["href"] for link in small["links"] if link["rel"] == "next")
    assert "bbox=" in nxt


def _exposure(feature: Dict[str, Any]):
    props = feature["properties"]
    return (dt.datetime.fromisoformat(props["exposure_start"]),
            dt.datetime.fromisoformat(props["exposure_end"]))


@pytest.mark.parametrize("query, start, end", [
    ("2021-06-05T12:00:00+07:00", "2021-06-05T12:00:00+07:00", "2021-06-05T12:00:00+07:00"),
    ("2021-06-05T05:00:00Z/2021-06-07T00:00:00Z", "2021-06-05T12:00:00+07:00",
     "2021-06-07T07:00:00+07:00"),
    ("../2021-06-03T00:00:00+07:00", None, "2021-06-03T00:00:00+07:00"),
    ("2021-06-20T09:00:00+07:00/..", "2021-06-20T09:00:00+07:00", None),
    ("2021-06-10", "2021-06-10T00:00:00+07:00", "2021-06-10T23:59:59.999999+07:00"),
])
def test_datetime_matches_the_exposure_window(endpoint, query, start, end):
    q_start = dt.datetime.fromisoformat(start) if start else None
    q_end = dt.datetime.fromisoformat(end) if end else None
    expected = set()
    for feature in endpoint.features["risk_points"]:
        f_start, f_end = _exposure(feature)
        if (q_end is None or f_start <= q_end) and (q_start is None or f_end >= q_start):
            expected.add(feature["properties"]["uid"])
    assert 0 < len(expected) < RISK_POINTS
    assert uids(items(endpoint, "risk_points", datetime=query, limit=100)["features"]) == expected


def test_property_filter_and_offset(endpoint):
    everything = items(endpoint, "risk_points", limit=100)
    tail = items(endpoint, "risk_points", offset=20, limit=100)
    assert [f["id"] for f in tail["features"]] == [f["id"] for f in everything["features"]][20:]
    assert items(endpoint, "risk_points", status="active")["numberMatched"] == RISK_POINTS
    assert items(endpoint, "risk_points", status="expired")["numberMatched"] == 0


def test_one_item_and_unknowns(endpoint):
    feature = endpoint.features["isolation_zones"][1]
    uid = feature["properties"]["uid"]
    one = get(endpoint, f"/collections/isolation_zones/items/{uid}")
    assert one.status_code == 200
    assert one.headers["Content-Type"].startswith("application/geo+json")
    body = one.json()
    assert body["id"] == uid and body["geometry"]["type"] == "MultiPolygon"
    assert any(link["rel"] == "self" for link in body["links"])
    for path in ("/collections/isolation_zones/items/00000000-0000-0000-0000-000000000000",
                 "/collections/no_such_layer", "/collections/no_such_layer/items",
                 "/nothing/here"):
        missing = get(endpoint, path)
        assert missing.status_code == 404, path
        assert missing.headers["Content-Type"] == "application/problem+json"
        assert missing.json()["detail"]
    post = requests.post(f"{endpoint.url}/ogcapi/collections", timeout=10)
    assert post.status_code == 405 and "GET" in post.headers["Allow"]


@pytest.mark.parametrize("query, parameter", [
    ("bbox=1,2,3", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=105,23,106,22", "bbox"),
    ("bbox=nan,21,106,22", "bbox"),
    ("bbox=105,21,200,22", "bbox"),
    ("limit=0", "limit"),
    ("limit=-3", "limit"),
    ("limit=ten", "limit"),
    ("offset=-1", "offset"),
    ("datetime=yesterday", "datetime"),
    ("datetime=2021-06-10/2021-06-01", "datetime"),
    ("datetime=2021-06-01/2021-06-02/2021-06-03", "datetime"),
    ("datetime=..", "datetime"),
    ("f=html", "f"),
    ("bbox-crs=EPSG:3857&bbox=1,2,3,4", "bbox-crs"),
    ("limit=1&limit=2", "limit"),
])
def test_bad_parameters_get_a_clear_400(endpoint, query, parameter):
    response = get(endpoint, f"/collections/risk_points/items?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["parameter"] == parameter and problem["detail"]


def test_unknown_parameter_is_named(endpoint):
    response = get(endpoint, "/collections/risk_points/items?colour=red")
    assert response.status_code == 400
    assert "colour" in response.json()["detail"]


def test_a_new_release_is_served_at_once(tmp_path):
    published = start_published(tmp_path / "data")
    try:
        before = items(published, "risk_points", limit=100)
        assert before["numberMatched"] == RISK_POINTS
        fewer = published.features["risk_points"][:5]
        published.publish({"risk_points": fewer})
        after = items(published, "risk_points", limit=100)
        assert uids(after["features"]) == uids(fewer)
    finally:
        published.stop()


# -------------------------------------------------------------- real clients

def test_qgis_oapif_provider_opens_the_layers(endpoint, qgis_app):
    from qgis.core import QgsFeatureRequest, QgsRectangle, QgsVectorLayer

    layer = QgsVectorLayer(f"url='{endpoint.url}/ogcapi' typename='risk_points'", "rp", "OAPIF")
    assert layer.isValid(), layer.error().summary()
    assert layer.featureCount() == RISK_POINTS
    names = set(layer.fields().names())
    public = {f.name for f in MODEL.layer("risk_points").public_fields}
    internal = {f.name for f in MODEL.layer("risk_points").internal_fields}
    assert public <= names and not (internal & names)
    got = {f["uid"] for f in layer.getFeatures()}
    assert got == uids(endpoint.features["risk_points"])
    box = QgsRectangle(105.55, 21.95, 105.80, 22.20)
    in_box = [f for f in layer.getFeatures(QgsFeatureRequest().setFilterRect(box))]
    expected = [f for f in endpoint.features["risk_points"]
                if box.contains(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][1])]
    assert len(in_box) == len(expected) > 0

    zones = QgsVectorLayer(f"url='{endpoint.url}/ogcapi' typename='isolation_zones'", "z",
                           "OAPIF")
    assert zones.isValid()
    assert zones.featureCount() == len(endpoint.features["isolation_zones"])


def test_gdal_oapif_driver(endpoint):
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    dataset = gdal.OpenEx(f"OAPIF:{endpoint.url}/ogcapi", gdal.OF_VECTOR)
    names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]
    assert names == list(MODEL.layer_names)
    layer = dataset.GetLayerByName("risk_points")
    assert layer.GetFeatureCount() == RISK_POINTS
    ids = set()
    for feature in layer:
        ids.add(feature.GetField("uid"))
    assert ids == uids(endpoint.features["risk_points"])
    layer.SetSpatialFilterRect(105.55, 21.95, 105.80, 22.20)
    assert 0 < layer.GetFeatureCount() < RISK_POINTS
    zones = dataset.GetLayerByName("isolation_zones")
    first = zones.GetNextFeature()
    assert first.GetGeometryRef().GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbPolygon)
