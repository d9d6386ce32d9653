"""Generate the fictional sample day of Bắc Kạn (covidmaps_plugin/data/sample/).

Run ``.venv/bin/python tools/make_sample_data.py`` after changing the tables
below; the output is deterministic (fixed seed, uuid5 ids). Pure Python.

Everything here is invented for demonstrations and tests: commune names are
real places (addresses), business names are marked "(tên giả định)", case
codes and decision numbers are made up. No residences among risk points.
Dates are relative to the sample day ("D-3 08:00" = 3 days before, 08:00
province time); ``core/sample_data.py`` shifts them so the sample day is today.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "covidmaps_plugin" / "data" / "sample" / "bac_kan_sample.json"
PROFILE = ROOT / "covidmaps_plugin" / "model" / "profiles" / "bac_kan_2020.json"
NAMESPACE = uuid.UUID("6f1c2a57-5d1e-4c1b-9a57-2f0b3c7e9d11")

DISTRICT_LABEL = {
    "058": "TP Bắc Kạn", "060": "huyện Pác Nặm", "061": "huyện Ba Bể", "062": "huyện Ngân Sơn",
    "063": "huyện Bạch Thông", "064": "huyện Chợ Đồn", "065": "huyện Chợ Mới", "066": "huyện Na Rì",
}
COMMUNES = {
    "058": ["phường Đức Xuân", "phường Phùng Chí Kiên", "phường Nguyễn Thị Minh Khai",
            "phường Sông Cầu", "phường Huyền Tụng", "phường Xuất Hóa"],
    "060": ["xã Bộc Bố", "xã Nhạn Môn", "xã Cao Tân"],
    "061": ["thị trấn Chợ Rã", "xã Khang Ninh", "xã Thượng Giáo"],
    "062": ["thị trấn Vân Tùng", "thị trấn Nà Phặc", "xã Thượng Quan"],
    "063": ["xã Phủ Thông", "xã Cẩm Giàng", "xã Quân Hà"],
    "064": ["thị trấn Bằng Lũng", "xã Ngọc Phái", "xã Đại Sảo"],
    "065": ["thị trấn Đồng Tâm", "xã Yên Đĩnh", "xã Thanh Thịnh"],
    "066": ["thị trấn Yến Lạc", "xã Kim Lư", "xã Lương Thượng"],
}

# (district, place_type, name pattern, status, approved, exposure_start_day, days)
# {c} = commune name; statuses/approval mixed so "what is published" is non-trivial
RISK_POINTS = [
    ("058", "market", "Chợ Phố Ngân", "active", True, -3, 1),
    ("058", "market", "Chợ Đức Xuân", "active", True, -5, 2),
    ("058", "shop", "Siêu thị mini An Phú (tên giả định)", "active", True, -2, 1),
    ("058", "restaurant", "Quán phở Hương Quê (tên giả định)", "active", True, -4, 1),
    ("058", "health_facility", "Phòng khám đa khoa Tâm An (tên giả định)", "active", True, -6, 1),
    ("058", "transport", "Bến xe khách Bắc Kạn", "active", True, -3, 1),
    ("058", "office", "Bộ phận một cửa UBND {c}", "active", False, -1, 1),
    ("058", "school", "Trường Tiểu học {c}", "expired", True, -30, 2),
    ("058", "religious_site", "Chùa Phúc Lâm (tên giả định)", "withdrawn", True, -8, 1),
    ("058", "shop", "Cửa hàng điện máy Minh Long (tên giả định)", "active", True, -17, 1),
    ("060", "market", "Chợ phiên {c}", "active", True, -4, 1),
    ("060", "health_facility", "Trạm Y tế {c}", "active", True, -2, 1),
    ("060", "event", "Đám cưới tại nhà văn hóa thôn Nà Coóc (giả định)", "active", False, -3, 1),
    ("061", "market", "Chợ Chợ Rã", "active", True, -5, 1),
    ("061", "restaurant", "Nhà hàng Hồ Xanh (tên giả định)", "active", True, -6, 1),
    ("061", "transport", "Bến thuyền du lịch (tên giả định)", "active", True, -9, 2),
    ("061", "school", "Trường THCS {c}", "expired", True, -28, 3),
    ("061", "shop", "Cửa hàng tạp hóa Thu Hà (tên giả định)", "active", True, -2, 1),
    ("062", "market", "Chợ {c}", "active", True, -3, 1),
    ("062", "restaurant", "Quán cơm Đèo Gió (tên giả định)", "active", True, -7, 1),
    ("062", "health_facility", "TTYT huyện Ngân Sơn (khu khám bệnh)", "active", True, -1, 1),
    ("062", "office", "Bưu điện {c}", "withdrawn", True, -5, 1),
    ("063", "market", "Chợ Phủ Thông", "active", True, -4, 1),
    ("063", "shop", "Cửa hàng vật tư nông nghiệp Tân Tiến (tên giả định)", "active", True, -6, 2),
    ("063", "school", "Trường Mầm non {c}", "active", False, -2, 1),
    ("063", "event", "Giải bóng chuyền tại sân vận động {c}", "active", True, -16, 1),
    ("064", "market", "Chợ Bằng Lũng", "active", True, -3, 1),
    ("064", "restaurant", "Quán bún chả Bản Tàn (tên giả định)", "active", True, -5, 1),
    ("064", "health_facility", "Trạm Y tế {c}", "active", True, -4, 1),
    ("064", "religious_site", "Đền Bản Lác (tên giả định)", "expired", True, -35, 1),
    ("064", "office", "Bộ phận một cửa UBND {c}", "active", True, -2, 1),
    ("065", "market", "Chợ Đồng Tâm", "active", True, -2, 1),
    ("065", "transport", "Trạm dừng nghỉ QL3 (tên giả định)", "active", True, -6, 1),
    ("065", "shop", "Cửa hàng xăng dầu số 9 (tên giả định)", "active", True, -4, 1),
    ("065", "school", "Trường Tiểu học {c}", "active", False, -1, 1),
    ("065", "restaurant", "Quán lẩu Suối Mát (tên giả định)", "expired", True, -25, 1),
    ("066", "market", "Chợ Yến Lạc", "active", True, -3, 1),
    ("066", "health_facility", "TTYT huyện Na Rì (khoa khám bệnh)", "active", True, -5, 1),
    ("066", "shop", "Cửa hàng tạp hóa Hồng Nhung (tên giả định)", "active", True, -7, 1),
    ("066", "other", "Điểm thu mua nông sản {c} (tên giả định)", "active", True, -2, 1),
]

# (district, facility_type, name, status, approved, capacity, occupancy, target_group)
FACILITIES = [
    ("058", "school", "Khu cách ly Trường Cao đẳng (ký túc xá, giả định)", "operating", True,
     300, 142, "returnees"),
    ("058", "military", "Khu cách ly doanh trại số 1 (giả định)", "operating", True, 200, 87, "f1"),
    ("058", "hotel", "Khách sạn Hoa Sen (tên giả định, cách ly có thu phí)", "operating", False,
     40, 12, "returnees"),
    ("061", "school", "Trường Phổ thông Dân tộc nội trú huyện Ba Bể (giả định)", "operating",
     True, 150, 34, "f1"),
    ("065", "health", "Trung tâm Y tế huyện Chợ Mới (khu cách ly)", "standby", True, 80, 0,
     "mixed"),
    ("066", "school", "Trường THCS thị trấn Yến Lạc (giả định)", "closed", True, 120, 0, "f1"),
]

# (district, scale, measure, regime, name, status, approved, from_day, until_day, radius_m,
#  households, residents)
ZONES = [
    ("058", "building", "lockdown", "directive_15", "Tòa nhà văn phòng số 12 (giả định), {c}",
     "in_force", True, -5, 9, 40, 0, 0),
    ("058", "cluster", "area_isolation", "directive_16", "Phố Trường Chinh (đoạn giả định), {c}",
     "in_force", True, -4, 10, 250, 64, 251),
    ("058", "cluster", "area_isolation", "directive_16", "Cụm dân cư tổ 9 (giả định), {c}",
     "upcoming", True, 1, 15, 200, 38, 142),
    ("060", "building", "lockdown", "directive_15", "Khu tập thể trường học (giả định), {c}",
     "extended", True, -16, 5, 60, 6, 21),
    ("061", "hamlet", "area_isolation", "directive_16", "Thôn Nà Làng (giả định), {c}",
     "in_force", True, -6, 8, 900, 85, 377),
    ("062", "hamlet", "area_isolation", "directive_16", "Thôn Khuổi Slưn (giả định), {c}",
     "in_force", False, -1, 13, 800, 42, 190),
    ("063", "cluster", "area_isolation", "directive_16", "Cụm dân cư chợ Phủ Thông (giả định)",
     "extended", True, -18, 3, 300, 51, 205),
    ("064", "hamlet", "social_distancing", "directive_19", "Thôn Bản Duồng (giả định), {c}",
     "upcoming", True, 1, 14, 1000, 97, 410),
    ("065", "commune", "social_distancing", "directive_16", "Toàn bộ {c}",
     "lifted", True, -21, -2, 2600, 820, 3400),
    ("066", "commune", "social_distancing", "directive_16", "Trung tâm {c} (giả định)",
     "in_force", True, -3, 11, 2200, 640, 2710),
]

# (district, checkpoint_type, name, road, lon, lat, status, approved, forces, zone_index)
CHECKPOINTS = [
    ("065", "province_gate", "Chốt cửa ngõ QL3 giáp Thái Nguyên", "QL3", 105.815, 21.845,
     "operating", True, "joint", None),
    ("062", "province_gate", "Chốt cửa ngõ QL3 hướng Cao Bằng", "QL3", 105.99, 22.50,
     "operating", True, "joint", None),
    ("061", "province_gate", "Chốt QL279 giáp Tuyên Quang", "QL279", 105.62, 22.40,
     "operating", True, "police", None),
    ("066", "province_gate", "Chốt QL3B giáp Lạng Sơn", "QL3B", 106.19, 22.16,
     "operating", True, "joint", None),
    ("064", "province_gate", "Chốt ĐT254 giáp Tuyên Quang", "ĐT254", 105.54, 22.20,
     "suspended", True, "militia", None),
    ("066", "province_gate", "Chốt ĐT256 giáp Thái Nguyên", "ĐT256", 106.07, 22.03,
     "disbanded", True, "militia", None),
    ("058", "zone_gate", "Chốt vùng cách ly tuyến phố Trường Chinh", "Đường Trường Chinh",
     None, None, "operating", True, "police", 1),
    ("066", "zone_gate", "Chốt vùng cách ly trung tâm xã", "QL279", None, None,
     "operating", True, "joint", 9),
    ("058", "medical_station", "Trạm y tế lưu động Bến xe Bắc Kạn", "QL3", 105.838, 22.142,
     "operating", False, "health", None),
]

ADVICE = ("Người đã đến địa điểm trong thời gian trên cần khai báo y tế, tự theo dõi sức khỏe "
          "14 ngày và liên hệ trạm y tế gần nhất khi có triệu chứng.")
REQUIREMENTS = "Khai báo y tế; xuất trình giấy xét nghiệm âm tính còn hiệu lực (giả định)."


def _seeds() -> dict:
    profile = json.loads(PROFILE.read_text(encoding="utf-8"))
    return profile["extra"]["approximate_district_seeds"]


def _uid(kind: str, index: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{index}"))


def _near(rng: random.Random, seeds: dict, code: str, spread: float):
    """A point near the district seed, clearly nearer to it than to any other."""
    x0, y0 = seeds[code]
    while True:
        x, y = x0 + rng.uniform(-spread, spread), y0 + rng.uniform(-spread, spread)
        dist = sorted((math.hypot(x - sx, y - sy), c) for c, (sx, sy) in seeds.items())
        if dist[0][1] == code and dist[0][0] < 0.7 * dist[1][0]:
            return round(x, 6), round(y, 6)


def _octagon(lon: float, lat: float, radius_m: float) -> str:
    dlat = radius_m / 111320.0
    dlon = radius_m / (111320.0 * math.cos(math.radians(lat)))
    ring = [(lon + dlon * math.cos(math.pi * k / 4), lat + dlat * math.sin(math.pi * k / 4))
            for k in range(8)]
    ring.append(ring[0])
    coords = ", ".join(f"{x:.6f} {y:.6f}" for x, y in ring)
    return f"MULTIPOLYGON ((({coords})))"


def _day(offset: int, time: str = "") -> str:
    text = f"D{offset:+d}"
    return f"{text} {time}" if time else text


def _common(code: str, status: str, approved: bool, doc: str, note: str = "") -> dict:
    return {"district_code": code, "status": status, "source_doc": doc,
            "updated_at": _day(0, "07:30"), "updated_by": "so-y-te-bac-kan (mẫu)",
            "approved": approved, "internal_note": note or None}


def risk_points(rng, seeds):
    out = []
    for i, (code, kind, name, status, approved, start, days) in enumerate(RISK_POINTS):
        commune = rng.choice(COMMUNES[code])
        lon, lat = _near(rng, seeds, code, 0.03)
        end = start + days - 1
        disinfected = status != "active" or i % 3 == 0
        attrs = {
            "uid": _uid("risk_points", i), "name": name.format(c=commune), "place_type": kind,
            "address": f"{commune}, {DISTRICT_LABEL[code]}",
            "exposure_start": _day(start, "07:00"), "exposure_end": _day(end, "18:00"),
            "announced_on": _day(min(end + 1, 0)), "visible_until": _day(end + 14, "18:00"),
            "advice": ADVICE, "related_cases": 1 + i % 4, "disinfected": disinfected,
            "disinfected_on": _day(min(end + 1, 0)) if disinfected else None,
            **_common(code, status, approved, f"TB {100 + i}/TB-SYT (giả định)"),
            "case_refs": f"BN-GD{1000 + i} (giả định)",
            "location_precision": "exact" if i % 5 else "approximate",
        }
        out.append({"lon": lon, "lat": lat, "attributes": attrs})
    return out


def facilities(rng, seeds):
    out = []
    for i, (code, kind, name, status, approved, cap, occ, group) in enumerate(FACILITIES):
        commune = rng.choice(COMMUNES[code])
        lon, lat = _near(rng, seeds, code, 0.025)
        attrs = {
            "uid": _uid("quarantine_facilities", i), "name": name,
            "address": f"{commune}, {DISTRICT_LABEL[code]}", "facility_type": kind,
            "managing_agency": "Ban Chỉ đạo phòng, chống dịch (giả định)",
            "decision_no": f"{1200 + i}/QĐ-UBND (giả định)",
            "issuing_authority": "UBND tỉnh Bắc Kạn" if code == "058" else
            f"UBND {DISTRICT_LABEL[code]}",
            "decision_date": _day(-40 + i), "capacity": cap, "occupancy": occ,
            "figures_as_of": _day(0, "07:00"), "target_group": group,
            "duty_phone": f"0209 38{70 + i:02d} 115 (giả định)", "opened_on": _day(-38 + i),
            "closed_on": _day(-10) if status == "closed" else None,
            **_common(code, status, approved, f"{1200 + i}/QĐ-UBND (giả định)"),
        }
        out.append({"lon": lon, "lat": lat, "attributes": attrs})
    return out


def zones(rng, seeds):
    out = []
    for i, row in enumerate(ZONES):
        (code, scale, measure, regime, name, status, approved, start, until, radius,
         households, residents) = row
        commune = rng.choice(COMMUNES[code])
        lon, lat = _near(rng, seeds, code, 0.02 if radius > 1000 else 0.03)
        lifted = status == "lifted"
        attrs = {
            "uid": _uid("isolation_zones", i), "name": name.format(c=commune),
            "measure": measure, "regime": regime, "scale": scale,
            "decision_no": f"{300 + i}/QĐ-UBND (giả định)",
            "issuing_authority": f"UBND {DISTRICT_LABEL[code]}",
            "signed_on": _day(start - 1), "effective_from": _day(start, "12:00"),
            "effective_until": _day(until, "12:00"),
            "lifted_decision_no": f"{400 + i}/QĐ-UBND (giả định)" if lifted else None,
            "lifted_on": _day(until, "12:00") if lifted else None,
            "households": households or None, "residents": residents or None,
            **_common(code, status, approved, f"{300 + i}/QĐ-UBND (giả định)"),
            "geometry_source": "buffer" if scale != "commune" else "admin_boundary",
        }
        out.append({"wkt": _octagon(lon, lat, radius), "lon": lon, "lat": lat,
                    "attributes": attrs})
    return out


def checkpoints(rng, seeds, zone_rows):
    out = []
    for i, row in enumerate(CHECKPOINTS):
        code, kind, name, road, lon, lat, status, approved, forces, zone = row
        zone_uid = None
        if zone is not None:
            zone_uid = zone_rows[zone]["attributes"]["uid"]
            # at the zone's eastern edge
            lon, lat = zone_rows[zone]["lon"], zone_rows[zone]["lat"]
            radius = ZONES[zone][9]
            lon = round(lon + radius / (111320.0 * math.cos(math.radians(lat))) * 0.9, 6)
        attrs = {
            "uid": _uid("checkpoints", i), "name": name, "checkpoint_type": kind, "road": road,
            "forces": forces, "hours": "24/24", "requirements": REQUIREMENTS,
            "zone_uid": zone_uid, "decision_no": f"{500 + i}/QĐ-BCĐ (giả định)",
            "issuing_authority": "Ban Chỉ đạo phòng, chống dịch tỉnh (giả định)",
            "opened_on": _day(-20 + i), "closed_on": _day(-3) if status == "disbanded" else None,
            "duty_phone": f"0209 38{80 + i:02d} 113 (giả định)",
            **_common(code, status, approved, f"{500 + i}/QĐ-BCĐ (giả định)"),
            "commander": f"Cán bộ trực chốt số {i + 1} (giả định)",
        }
        out.append({"lon": lon, "lat": lat, "attributes": attrs})
    return out


# Epidemic levels (issue 17): every district at level 1 for two weeks, then
# the weekly decision raises three of them; Bạch Thông's level ends in two
# days with no successor yet, so the daily "ending soon" list has an entry.
LEVEL_AUTHORITY = "Ban chỉ đạo phòng, chống dịch COVID-19 tỉnh (mẫu)"
LEVEL_CHANGES = {
    "058": (2, None, "Hạn chế tụ tập trên 20 người nơi công cộng; chợ bán hàng thiết yếu."),
    "063": (3, 2, "Dừng dịch vụ không thiết yếu; học sinh học trực tuyến."),
    "065": (2, None, "Hạn chế tụ tập trên 20 người nơi công cộng."),
}


def epidemic_levels(seeds):
    """Records joined to the district polygons by ``unit`` when the workspace
    is built (the polygon is never stored here)."""
    out = []
    names = {d["code"]: d["name"] for d in json.loads(PROFILE.read_text(encoding="utf-8"))[
        "districts"]}

    def record(index, code, level, start, until, doc, measures, stamped):
        attrs = {"uid": _uid("epidemic_levels", index), "name": names[code],
                 "unit_kind": "district", "unit_code": code, "level": level,
                 "scheme": "nq128", "effective_from": _day(start),
                 "effective_until": None if until is None else _day(until),
                 "decision_no": doc, "issuing_authority": LEVEL_AUTHORITY,
                 "measures": measures, **_common(code, "announced", True, doc,
                                                 "Dữ liệu mẫu để tập huấn.")}
        attrs["updated_at"] = _day(stamped, "16:00")
        return {"unit": code, "attributes": attrs}

    for index, code in enumerate(sorted(seeds)):
        change = LEVEL_CHANGES.get(code)
        out.append(record(index, code, 1, -20, -7 if change else None,
                          "QĐ 1801/QĐ-BCĐ (giả định)", "Thực hiện 5K; bình thường mới.", -21))
        if code == "058":
            # announced, then replaced by the next decision the same week:
            # kept in the workspace's history, never published
            replaced = record(200 + index, code, 3, -6, None, "QĐ 1876/QĐ-BCĐ (giả định)",
                              "Phong tỏa chợ trung tâm.", -8)
            replaced["attributes"]["status"] = "withdrawn"
            out.append(replaced)
        if change:
            level, until, measures = change
            out.append(record(100 + index, code, level, -6, until,
                              "QĐ 1877/QĐ-BCĐ (giả định)", measures, -7))
    return out


def build() -> dict:
    rng = random.Random(20210615)  # noqa: S311  # nosec B311 - deterministic sample
    seeds = _seeds()
    zone_rows = zones(rng, seeds)
    return {
        "description": "Fictional sample day for Bắc Kạn (CovidMaps demo and tests). "
                       "Dates are relative to the sample day: 'D-3 08:00'.",
        "profile": "bac_kan_2020",
        "layers": {
            "risk_points": risk_points(rng, seeds),
            "quarantine_facilities": facilities(rng, seeds),
            "isolation_zones": zone_rows,
            "checkpoints": checkpoints(rng, seeds, zone_rows),
            "epidemic_levels": epidemic_levels(seeds),
        },
    }


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
