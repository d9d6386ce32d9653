"""Valid sample features for the publish tests (built from the model's
value lists, so they follow the model)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Dict, List

from covidmaps_plugin.model import MODEL


def uid(n: int, salt: str = "") -> str:
    return str(uuid.UUID(hashlib.md5(f"{salt}{n}".encode()).hexdigest()))  # noqa: S324


def risk_point(n: int, lon: float = 105.83, lat: float = 22.14, **over: Any) -> Dict[str, Any]:
    props = {
        "uid": uid(n, "rp"), "name": f"Chợ số {n}", "place_type": "market",
        "address": "Phường Đức Xuân", "exposure_start": "2021-06-10T07:00:00+07:00",
        "exposure_end": "2021-06-10T11:00:00+07:00", "announced_on": "2021-06-12",
        "visible_until": "2099-06-24T11:00:00+07:00", "related_cases": 2, "disinfected": False,
        "district_code": "058", "status": "active", "updated_at": "2021-06-12T08:00:00+07:00",
    }
    props.update(over)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}


def zone(n: int, ring: Any = None, **over: Any) -> Dict[str, Any]:
    x, y = 105.80 + 0.01 * (n % 20), 22.10 + 0.01 * (n // 20 % 20)
    ring = ring or [[x, y], [x + 0.005, y], [x + 0.005, y + 0.005], [x, y + 0.005], [x, y]]
    props = {
        "uid": uid(n, "z"), "name": f"Thôn {n}", "measure": "lockdown", "scale": "hamlet",
        "effective_from": "2021-06-12T00:00:00+07:00", "district_code": "061",
        "status": "in_force", "updated_at": "2021-06-12T08:00:00+07:00",
    }
    props.update(over)
    return {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
            "properties": props}


def collection(features: List[Dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


LAYERS = MODEL.layer_names
