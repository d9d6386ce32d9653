"""Layer data for the web map tests: a small sample province and a release
whose attribute values are script payloads.

Features are built from the data model (every public field of the layer is
present, null when empty) so that they match what the plugin exports and the
server accepts; the reference outlines come from the plugin's profile data
(Natural Earth outline, approximate district polygons).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any, Dict, List, Tuple

from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.profile import ProvinceProfile

FeatureCollection = Dict[str, Any]

# Zones are squares of this half-size (degrees) around their centre.
ZONE_HALF = 0.006

# One row per feature: (lon, lat, district_code, status, attributes).
Row = Tuple[float, float, str, str, Dict[str, Any]]

RISK_POINTS: List[Row] = [
    (
        105.8300,
        21.9500,
        "065",
        "active",
        {
            "name": "Chợ Mới",
            "place_type": "market",
            "address": "Thị trấn Đồng Tâm, huyện Chợ Mới",
            "exposure_start": "2026-11-20T06:00:00+07:00",
            "exposure_end": "2026-11-20T11:30:00+07:00",
            "announced_on": "2026-11-21",
            "visible_until": "2026-12-04T11:30:00+07:00",
            "advice": "Người đến chợ trong thời gian trên cần khai báo y tế.\n"
            "Theo dõi sức khỏe 14 ngày.",
            "related_cases": 2,
            "disinfected": True,
            "disinfected_on": "2026-11-21",
        },
    ),
    (
        105.8340,
        22.1470,
        "058",
        "active",
        {
            "name": "Siêu thị Bắc Kạn",
            "place_type": "shop",
            "address": "Số 12 đường Trường Chinh",
            "exposure_start": "2026-11-22T17:00:00+07:00",
            "exposure_end": "2026-11-22T19:00:00+07:00",
            "announced_on": "2026-11-23",
            "visible_until": "2026-12-06T19:00:00+07:00",
            "advice": "Khai báo y tế ngay.",
            "related_cases": 1,
            "disinfected": False,
        },
    ),
    (
        105.8420,
        22.1540,
        "058",
        "active",
        {
            "name": "Bến xe khách Bắc Kạn",
            "place_type": "transport",
            "address": "Phường Phùng Chí Kiên",
            "exposure_start": "2026-11-23T05:30:00+07:00",
            "exposure_end": "2026-11-23T07:00:00+07:00",
            "announced_on": "2026-11-24",
            "visible_until": "2026-12-07T07:00:00+07:00",
            "advice": "Hành khách đi chuyến 6 giờ cần liên hệ trạm y tế.",
            "related_cases": 3,
            "disinfected": True,
            "disinfected_on": "2026-11-24",
        },
    ),
    (
        105.6200,
        22.4300,
        "061",
        "active",
        {
            "name": "Nhà hàng Hồ Ba Bể",
            "place_type": "restaurant",
            "address": "Xã Nam Mẫu, huyện Ba Bể",
            "exposure_start": "2026-11-21T11:00:00+07:00",
            "exposure_end": "2026-11-21T13:00:00+07:00",
            "announced_on": "2026-11-22",
            "visible_until": "2026-12-05T13:00:00+07:00",
            "advice": "Theo dõi sức khỏe.",
            "related_cases": 1,
            "disinfected": False,
        },
    ),
    (
        106.0900,
        22.1700,
        "066",
        "active",
        {
            "name": "Trường THCS Yến Lạc",
            "place_type": "school",
            "address": "Thị trấn Yến Lạc, huyện Na Rì",
            "exposure_start": "2026-11-24T07:00:00+07:00",
            "exposure_end": "2026-11-24T16:30:00+07:00",
            "announced_on": "2026-11-25",
            "visible_until": "2026-12-08T16:30:00+07:00",
            "advice": "Học sinh nghỉ học, phụ huynh theo dõi sức khỏe.",
            "related_cases": 4,
            "disinfected": False,
        },
    ),
]

FACILITIES: List[Row] = [
    (
        105.8500,
        22.1600,
        "058",
        "operating",
        {
            "name": "Ký túc xá Trường Cao đẳng Bắc Kạn",
            "address": "Phường Huyền Tụng",
            "facility_type": "school",
            "managing_agency": "Sở Y tế Bắc Kạn",
            "decision_no": "120/QĐ-UBND",
            "decision_date": "2026-11-10",
            "issuing_authority": "UBND tỉnh Bắc Kạn",
            "capacity": 200,
            "occupancy": 137,
            "figures_as_of": "2026-11-25T08:00:00+07:00",
            "target_group": "f1",
            "duty_phone": "0209 3870 115",
            "opened_on": "2026-11-11",
        },
    ),
    (
        105.5800,
        22.1800,
        "064",
        "standby",
        {
            "name": "Trung tâm Y tế huyện Chợ Đồn",
            "address": "Thị trấn Bằng Lũng",
            "facility_type": "health",
            "capacity": 80,
            "occupancy": 0,
            "figures_as_of": "2026-11-25T08:00:00+07:00",
            "target_group": "returnees",
            "duty_phone": "+84 209 3882 222",
        },
    ),
    (
        106.0000,
        22.4300,
        "062",
        "suspended",
        {
            "name": "Doanh trại Ngân Sơn",
            "address": "Thị trấn Nà Phặc",
            "facility_type": "military",
            "capacity": 150,
            "occupancy": 20,
            "figures_as_of": "2026-11-24T17:00:00+07:00",
            "duty_phone": "069 2345 678",
        },
    ),
]

ZONES: List[Row] = [
    (
        105.8380,
        22.1500,
        "058",
        "in_force",
        {
            "name": "Tổ 7 phường Đức Xuân",
            "measure": "area_isolation",
            "regime": "directive_16",
            "scale": "cluster",
            "decision_no": "45/QĐ-UBND",
            "issuing_authority": "UBND thành phố Bắc Kạn",
            "signed_on": "2026-11-22",
            "effective_from": "2026-11-22T18:00:00+07:00",
            "effective_until": "2026-12-06T18:00:00+07:00",
            "households": 86,
            "residents": 310,
        },
    ),
    (
        105.8300,
        21.9600,
        "065",
        "upcoming",
        {
            "name": "Thôn Nà Khu, xã Yên Đĩnh",
            "measure": "lockdown",
            "regime": "directive_15",
            "scale": "hamlet",
            "decision_no": "52/QĐ-UBND",
            "issuing_authority": "UBND huyện Chợ Mới",
            "signed_on": "2026-11-25",
            "effective_from": "2026-11-26T00:00:00+07:00",
            "households": 120,
            "residents": 455,
        },
    ),
]

CHECKPOINTS: List[Row] = [
    (
        105.8330,
        21.8700,
        "065",
        "operating",
        {
            "name": "Chốt Thanh Mai",
            "checkpoint_type": "province_gate",
            "road": "Quốc lộ 3",
            "forces": "joint",
            "hours": "24/24",
            "requirements": "Khai báo y tế, xuất trình giấy xét nghiệm âm tính.",
            "decision_no": "110/QĐ-BCĐ",
            "issuing_authority": "Ban Chỉ đạo tỉnh",
            "opened_on": "2026-11-15",
            "duty_phone": "0209 3811 113",
        },
    ),
    (
        105.8440,
        22.1440,
        "058",
        "operating",
        {
            "name": "Chốt tổ 7 Đức Xuân",
            "checkpoint_type": "zone_gate",
            "road": "Đường Nguyễn Văn Tố",
            "forces": "police",
            "hours": "06:00–22:00",
            "requirements": "Chỉ cho người có giấy phép ra vào.",
        },
    ),
    (
        106.1500,
        22.3000,
        "066",
        "suspended",
        {
            "name": "Chốt Kim Hỷ",
            "checkpoint_type": "mobile",
            "road": "Tỉnh lộ 256",
            "forces": "militia",
            "hours": "07:00–19:00",
            "requirements": "Đo thân nhiệt.",
        },
    ),
]

ROWS: Dict[str, List[Row]] = {
    "risk_points": RISK_POINTS,
    "quarantine_facilities": FACILITIES,
    "isolation_zones": ZONES,
    "checkpoints": CHECKPOINTS,
}

# The rows are written as of 25/11/2026; every date is moved by the days
# since then, so that risk points stay "visible" whenever the tests run.
WRITTEN_ON = dt.date(2026, 11, 25)
PROVINCE_TZ = dt.timezone(dt.timedelta(hours=7))
DAY_SHIFT = dt.timedelta(days=(dt.datetime.now(PROVINCE_TZ).date() - WRITTEN_ON).days)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shift(value: Any) -> Any:
    """A row's date or datetime string moved to the test's "today"."""
    if not isinstance(value, str):
        return value
    if _DATE.match(value):
        return (dt.date.fromisoformat(value) + DAY_SHIFT).isoformat()
    try:
        return (dt.datetime.fromisoformat(value) + DAY_SHIFT).isoformat()
    except ValueError:
        return value


UPDATED_AT_AS_WRITTEN = "2026-11-25T09:12:00+07:00"
UPDATED_AT = shift(UPDATED_AT_AS_WRITTEN)


def stable_uid(layer: str, index: int, salt: str = "") -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"covidmaps-web-test/{salt}{layer}/{index}"))


def zone_polygon(lon: float, lat: float, half: float = ZONE_HALF) -> List[List[List[List[float]]]]:
    """A square MultiPolygon, exterior counter-clockwise (RFC 7946)."""
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return [[[[round(x, 6), round(y, 6)] for x, y in ring]]]


def _feature(layer: str, index: int, row: Row, salt: str) -> Dict[str, Any]:
    lon, lat, district, status, attrs = row
    layer_def = MODEL.layer(layer)
    uid = stable_uid(layer, index, salt)
    values = {
        "uid": uid,
        "district_code": district,
        "status": status,
        "updated_at": UPDATED_AT_AS_WRITTEN,
        "source_doc": "TB-01/SYT",
        **attrs,
    }
    props = {
        f.name: shift(values.get(f.name))
        if f.type.value in ("date", "datetime")
        else values.get(f.name)
        for f in layer_def.public_fields
    }
    if layer_def.geometry_type.value == "Point":
        geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
    else:
        geometry = {"type": "MultiPolygon", "coordinates": zone_polygon(lon, lat)}
    return {"type": "Feature", "id": uid, "geometry": geometry, "properties": props}


def collection(features: List[Dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["id"])}


def sample_layers(
    rows: Dict[str, List[Row]] = ROWS, salt: str = ""
) -> Dict[str, FeatureCollection]:
    """The sample province's four layers as release blobs (FeatureCollections)."""
    return {
        layer: collection([_feature(layer, i, row, salt) for i, row in enumerate(layer_rows)])
        for layer, layer_rows in rows.items()
    }


# ----------------------------------------------------------------- XSS


# Every payload, if it ever ran, would set window.__pwned or request the
# watcher URL (a loopback server the test watches).
def script_payloads(watch_url: str) -> List[str]:
    return [
        f"<img src=x onerror=\"window.__pwned=1;fetch('{watch_url}/img')\">",
        f"<svg onload=\"window.__pwned=1;new Image().src='{watch_url}/svg'\">",
        f'</script><script>window.__pwned=1;fetch("{watch_url}/script")</script>',
        f'"><script>window.__pwned=1</script><img src="{watch_url}/attr">',
        f"javascript:window.__pwned=1;fetch('{watch_url}/js')",
        f'<iframe srcdoc="<script>parent.__pwned=1</script>" src="{watch_url}/iframe"></iframe>',
        f'<a href="javascript:window.__pwned=1">x</a><style>@import "{watch_url}/css";</style>',
        "\u202eevil\u202c \u200b<b>bold</b> \ufeff"
        "{{constructor.constructor('window.__pwned=1')()}}",
        f'<img src="{watch_url}/long" alt="' + "A" * 5000 + '">',
    ]


def xss_layers(watch_url: str) -> Dict[str, FeatureCollection]:
    """The sample layers with every free-text value replaced by a payload."""
    payloads = script_payloads(watch_url)
    layers = sample_layers(salt="xss/")
    counter = 0
    for name, fc in layers.items():
        layer_def = MODEL.layer(name)
        for feature in fc["features"]:
            props = feature["properties"]
            for fld in layer_def.public_fields:
                if (
                    fld.type.value == "string"
                    and fld.value_list is None
                    and fld.value_source is None
                ):
                    limit = fld.max_length or 10000
                    props[fld.name] = payloads[counter % len(payloads)][:limit]
                    counter += 1
            if "duty_phone" in props:
                props["duty_phone"] = f"javascript:fetch('{watch_url}/tel')"[:40]
    return layers


def blob_bytes(fc: FeatureCollection) -> bytes:
    """Compact, key-ordered JSON bytes (the release format's canonical form)."""
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode(
        "utf-8"
    )


def layer_bbox(fc: FeatureCollection) -> List[float]:
    xs: List[float] = []
    ys: List[float] = []

    def visit(coords: Any) -> None:
        if isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                visit(c)

    for f in fc["features"]:
        visit(f["geometry"]["coordinates"])
    return [min(xs), min(ys), max(xs), max(ys)] if xs else []


def profile_reference(profile: ProvinceProfile) -> Dict[str, FeatureCollection]:
    """Province and district outlines (needs an initialised QGIS)."""
    from covidmaps_plugin.core.profile_data import default_reference_features

    out: Dict[str, FeatureCollection] = {}
    for ref_id, features in default_reference_features(profile).items():
        if not features:
            continue
        out[ref_id] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": code,
                    "geometry": json.loads(geom.asJson(6)),
                    # as the plugin exports them: the shipped outlines are approximate
                    "properties": {"code": code, "name": name, "accuracy": "approximate"},
                }
                for code, name, _parent, _source, geom in features
            ],
        }
    return out


# ------------------------------------------------- the plugin's sample province


def plugin_sample_layers() -> Dict[str, FeatureCollection]:
    """The plugin's sample province (core/sample_data.py, its sample day =
    today) exported by the plugin's own export, exactly as an officer would
    publish it: approved, currently visible features, public fields only.
    Needs an initialised QGIS."""
    import datetime as dt_

    from qgis.core import QgsVectorLayer

    from covidmaps_plugin.core.export import export_layer
    from covidmaps_plugin.core.fields import STORAGE_CRS, qgs_fields
    from covidmaps_plugin.core.profile_data import default_reference_features
    from covidmaps_plugin.core.sample_data import sample_features
    from covidmaps_plugin.model import PROVINCE_TZ as MODEL_TZ
    from covidmaps_plugin.model import default_profile

    # the sample epidemic levels take the districts' polygons, as in a workspace
    districts = default_reference_features(default_profile())["districts"]
    features, _day = sample_features(units={code: geom for code, _n, _p, _s, geom in districts})
    now = dt_.datetime.now(MODEL_TZ)
    out: Dict[str, FeatureCollection] = {}
    for layer_def in MODEL.layers:
        kind = "Point" if layer_def.geometry_type.value == "Point" else "MultiPolygon"
        layer = QgsVectorLayer(f"{kind}?crs={STORAGE_CRS}", layer_def.name, "memory")
        layer.dataProvider().addAttributes(list(qgs_fields(layer_def)))
        layer.updateFields()
        ok, _ = layer.dataProvider().addFeatures(features[layer_def.name])
        assert ok, f"sample features of {layer_def.name} not added"
        out[layer_def.name] = json.loads(export_layer(layer_def, layer, now).data)
    return out


def earlier_of(layers: Dict[str, FeatureCollection]) -> Dict[str, FeatureCollection]:
    """The situation one release earlier: half the risk points, one zone less."""
    earlier = json.loads(json.dumps(layers))
    risk = earlier["risk_points"]["features"]
    earlier["risk_points"]["features"] = risk[: len(risk) // 2]
    earlier["isolation_zones"]["features"] = earlier["isolation_zones"]["features"][1:]
    return earlier
