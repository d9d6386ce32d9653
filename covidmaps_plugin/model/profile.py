"""Province profile: the province a deployment serves (pure data, no QGIS).

The default profile is Bắc Kạn as of 2020. A province replaces the outline
and district polygons with its official boundaries through
``core/profile_import.py``; the JSON document here holds what every
component needs without a GIS: codes, names, CRS, extent and initial view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

# shipped profiles are package data of the model (its distribution carries them)
PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE_ID = "bac_kan_2020"

BBox = Tuple[float, float, float, float]  # min lon, min lat, max lon, max lat (WGS 84)


@dataclass(frozen=True)
class AdminUnit:
    code: str  # GSO code: 3 digits for districts, 5 for communes
    name: str
    parent_code: str = ""  # a commune's district


@dataclass(frozen=True)
class ProvinceProfile:
    id: str
    name: str
    name_en: str
    gso_code: str
    crs: str  # local metric CRS, e.g. EPSG:9213
    transformation: str  # local CRS -> WGS 84, e.g. EPSG:6960
    bbox: BBox  # extent in WGS 84, used by validator and server
    bbox_tolerance_deg: float  # slack around bbox for "outside the province"
    initial_center: Tuple[float, float]  # lon, lat
    initial_zoom: float
    timezone: str
    districts: Tuple[AdminUnit, ...]
    communes: Tuple[AdminUnit, ...] = ()
    extra: Dict[str, Any] = field(default_factory=dict)
    # what the public map says on its first screen: the province's hotline
    # and one line of advice (Vietnamese, English); the officer edits them
    hotline: str = ""
    advice_vi: str = ""
    advice_en: str = ""
    # the open-data licence of the published map and whom to credit:
    # {"id": "CC-BY-4.0", "name": ..., "url": ..., "attribution": {"vi": ..., "en": ...}}
    licence: Dict[str, Any] = field(default_factory=dict)

    def district(self, code: str) -> Optional[AdminUnit]:
        return next((d for d in self.districts if d.code == code), None)

    @property
    def district_codes(self) -> Tuple[str, ...]:
        return tuple(d.code for d in self.districts)

    @property
    def commune_codes(self) -> Tuple[str, ...]:
        return tuple(c.code for c in self.communes)

    def contains_lonlat(self, lon: float, lat: float, tolerance: Optional[float] = None) -> bool:
        tol = self.bbox_tolerance_deg if tolerance is None else tolerance
        x0, y0, x1, y1 = self.bbox
        return x0 - tol <= lon <= x1 + tol and y0 - tol <= lat <= y1 + tol

    def notice(self) -> Dict[str, Any]:
        """The hotline and advice as the release manifest carries them."""
        return {"hotline": self.hotline, "advice": {"vi": self.advice_vi, "en": self.advice_en}}

    def summary(self) -> Dict[str, Any]:
        """What the release manifest carries about the province."""
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "gso_code": self.gso_code,
            "bbox": list(self.bbox),
            "timezone": self.timezone,
            "initial_view": {"center": list(self.initial_center), "zoom": self.initial_zoom},
            "districts": [{"code": d.code, "name": d.name} for d in self.districts],
            "notice": self.notice(),
            "licence": dict(self.licence),
        }

    def to_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "gso_code": self.gso_code,
            "crs": self.crs,
            "transformation": self.transformation,
            "bbox": list(self.bbox),
            "bbox_tolerance_deg": self.bbox_tolerance_deg,
            "initial_center": list(self.initial_center),
            "initial_zoom": self.initial_zoom,
            "timezone": self.timezone,
            "districts": [{"code": d.code, "name": d.name} for d in self.districts],
            "communes": [
                {"code": c.code, "name": c.name, "district": c.parent_code} for c in self.communes
            ],
            "extra": dict(self.extra),
            "hotline": self.hotline,
            "advice_vi": self.advice_vi,
            "advice_en": self.advice_en,
            "licence": dict(self.licence),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> ProvinceProfile:
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            name_en=str(data.get("name_en", data["name"])),
            gso_code=str(data.get("gso_code", "")),
            crs=str(data["crs"]),
            transformation=str(data.get("transformation", "")),
            bbox=tuple(float(v) for v in data["bbox"]),  # type: ignore[arg-type]
            bbox_tolerance_deg=float(data.get("bbox_tolerance_deg", 0.02)),
            initial_center=tuple(float(v) for v in data["initial_center"]),  # type: ignore[arg-type]
            initial_zoom=float(data.get("initial_zoom", 9)),
            timezone=str(data.get("timezone", "Asia/Ho_Chi_Minh")),
            districts=tuple(AdminUnit(str(d["code"]), str(d["name"])) for d in data["districts"]),
            communes=tuple(
                AdminUnit(str(c["code"]), str(c["name"]), str(c.get("district", "")))
                for c in data.get("communes", ())
            ),
            extra=dict(data.get("extra", {})),
            hotline=str(data.get("hotline", "")),
            advice_vi=str(data.get("advice_vi", "")),
            advice_en=str(data.get("advice_en", "")),
            licence=dict(data.get("licence") or {}),
        )


def load_profile(path_or_id: str = DEFAULT_PROFILE_ID) -> ProvinceProfile:
    """A profile from a JSON file path, or a profile id shipped with the plugin."""
    path = Path(path_or_id)
    if not path.suffix:
        path = PROFILE_DIR / f"{path_or_id}.json"
    with open(path, encoding="utf-8") as fh:
        return ProvinceProfile.from_dict(json.load(fh))


def default_profile() -> ProvinceProfile:
    return load_profile(DEFAULT_PROFILE_ID)
