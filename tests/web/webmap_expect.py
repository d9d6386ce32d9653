"""Expected values computed from the test data (never typed by hand)."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Any, Dict

from covidmaps_plugin.model import MODEL

PROVINCE = dt.timezone(dt.timedelta(hours=7))


def vn_datetime(iso: str) -> str:
    """dd/mm/yyyy HH:mm in province time."""
    return dt.datetime.fromisoformat(iso).astimezone(PROVINCE).strftime("%d/%m/%Y %H:%M")


def vn_date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def ascii_fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    ).lower()


def titles(lang: str) -> Dict[str, str]:
    return {layer.name: layer.title(lang) for layer in MODEL.layers}


def props_by_name(layers: Dict[str, Any], layer: str, name: str) -> Dict[str, Any]:
    return next(
        f["properties"] for f in layers[layer]["features"] if f["properties"]["name"] == name
    )


def value_label(layer: str, field: str, value: str, lang: str = "vi") -> str:
    return MODEL.layer(layer).field(field).value_list.choice(value).label(lang)


def first_with(layers: Dict[str, Any], layer: str, *fields: str) -> Dict[str, Any]:
    """The first feature's properties that have every one of ``fields``."""
    return next(
        f["properties"]
        for f in layers[layer]["features"]
        if all(f["properties"].get(n) not in (None, "") for n in fields)
    )


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Metres between two WGS 84 positions (the web map uses the same formula)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def in_force(features: Any, day: str) -> list:
    """Epidemic-level records in force on ``day`` (yyyy-mm-dd)."""
    return [f for f in features if f["properties"]["effective_from"] <= day
            and (f["properties"]["effective_until"] is None
                 or day <= f["properties"]["effective_until"])]


def on_map(name: str, fc: Dict[str, Any], day: str = "") -> list:
    """The features the map counts for a layer: every one, except that an
    epidemic level counts while it is in force (on ``day``, default today)."""
    if name != "epidemic_levels":
        return list(fc["features"])
    return in_force(fc["features"], day or dt.datetime.now(PROVINCE).date().isoformat())
