"""What the validator reports: stable codes, severities, bilingual messages.

A code never changes meaning once released (the dock, the Processing report
and saved reports refer to it). Every code has exactly one severity and one
message template per language; ``{placeholders}`` are filled from the
finding's parameters. A parameter given as a :class:`Bilingual` pair (field
labels, the model's own rule messages) is filled in the matching language.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from ...model import MODEL

_MODEL_LAYERS = {layer.name: layer for layer in MODEL.layers}


class Severity(enum.Enum):
    """``ERROR`` blocks publishing; ``WARNING`` needs the officer's
    confirmation; ``INFO`` is only shown."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Bilingual(NamedTuple):
    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en


class FindingCode(enum.Enum):
    # --- layers as a whole
    LAYER_MISSING = "LAYER_MISSING"
    LAYER_FIELD_MISSING = "LAYER_FIELD_MISSING"
    # --- geometry
    GEOM_MISSING = "GEOM_MISSING"
    GEOM_WRONG_TYPE = "GEOM_WRONG_TYPE"
    GEOM_NON_FINITE = "GEOM_NON_FINITE"
    GEOM_RING_NOT_CLOSED = "GEOM_RING_NOT_CLOSED"
    GEOM_INVALID = "GEOM_INVALID"
    GEOM_TOO_COMPLEX = "GEOM_TOO_COMPLEX"
    GEOM_METRES_AS_DEGREES = "GEOM_METRES_AS_DEGREES"
    GEOM_DEGREES_AS_METRES = "GEOM_DEGREES_AS_METRES"
    GEOM_OUTSIDE_PROVINCE = "GEOM_OUTSIDE_PROVINCE"
    GEOM_PARTLY_OUTSIDE = "GEOM_PARTLY_OUTSIDE"
    GEOM_AREA_TOO_SMALL = "GEOM_AREA_TOO_SMALL"
    GEOM_AREA_TOO_LARGE = "GEOM_AREA_TOO_LARGE"
    GEOM_ZONE_OVERLAP = "GEOM_ZONE_OVERLAP"
    GEOM_DISTRICT_MISMATCH = "GEOM_DISTRICT_MISMATCH"
    # --- attributes
    ATTR_REQUIRED = "ATTR_REQUIRED"
    ATTR_REQUIRED_IF = "ATTR_REQUIRED_IF"
    ATTR_BAD_VALUE = "ATTR_BAD_VALUE"
    ATTR_NOT_IN_LIST = "ATTR_NOT_IN_LIST"
    ATTR_OUT_OF_RANGE = "ATTR_OUT_OF_RANGE"
    ATTR_TOO_LONG = "ATTR_TOO_LONG"
    ATTR_DATE_ORDER = "ATTR_DATE_ORDER"
    ATTR_NUMBER_ORDER = "ATTR_NUMBER_ORDER"
    ATTR_DATE_TOO_OLD = "ATTR_DATE_TOO_OLD"
    ATTR_DATE_TOO_FAR = "ATTR_DATE_TOO_FAR"
    ATTR_ZONE_REF_MISSING = "ATTR_ZONE_REF_MISSING"
    ATTR_DUPLICATE = "ATTR_DUPLICATE"
    UID_MISSING = "UID_MISSING"
    UID_MALFORMED = "UID_MALFORMED"
    UID_DUPLICATE = "UID_DUPLICATE"
    # --- time: what publishing will hide or what looks stale
    TIME_EXPIRED_HIDDEN = "TIME_EXPIRED_HIDDEN"
    TIME_STATUS_STALE = "TIME_STATUS_STALE"
    TIME_PERIOD_ENDED = "TIME_PERIOD_ENDED"
    # --- publication: what the officer added that the public will not see
    PUBLISH_NOT_APPROVED = "PUBLISH_NOT_APPROVED"
    # --- privacy (Ministry of Health instruction 4191/BYT-TT-KT)
    PRIVACY_PHONE = "PRIVACY_PHONE"
    PRIVACY_CITIZEN_ID = "PRIVACY_CITIZEN_ID"
    PRIVACY_PATIENT_CODE = "PRIVACY_PATIENT_CODE"
    PRIVACY_RESIDENCE = "PRIVACY_RESIDENCE"
    # --- epidemic levels (rules_levels.py)
    LEVEL_OVERLAP = "LEVEL_OVERLAP"
    LEVEL_GAP = "LEVEL_GAP"
    LEVEL_UNIT_MISSING = "LEVEL_UNIT_MISSING"
    LEVEL_NONE_NOW = "LEVEL_NONE_NOW"
    LEVEL_UNIT_UNKNOWN = "LEVEL_UNIT_UNKNOWN"
    LEVEL_OUT_OF_SCHEME = "LEVEL_OUT_OF_SCHEME"


@dataclass(frozen=True)
class CodeSpec:
    severity: Severity
    message_vi: str
    message_en: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
C = FindingCode

# Placeholders: {layer_title} layer title, {field} field label, {value} the value,
# others as named. Messages say what is wrong AND what to do.
CATALOG: Dict[FindingCode, CodeSpec] = {
    C.LAYER_MISSING: CodeSpec(
        _E, "Thiếu lớp «{layer_title}» trong vùng làm việc. Hãy mở lại hoặc tạo lại vùng làm việc.",
        "The workspace has no «{layer_title}» layer. Reopen or recreate the workspace."),
    C.LAYER_FIELD_MISSING: CodeSpec(
        _E, "Lớp «{layer_title}» thiếu trường «{field}». Hãy nâng cấp vùng làm việc.",
        "Layer «{layer_title}» lacks the field «{field}». Upgrade the workspace."),
    C.GEOM_MISSING: CodeSpec(
        _E, "Đối tượng chưa có vị trí/hình dạng. Hãy vẽ lại trên bản đồ.",
        "The feature has no geometry. Draw it on the map."),
    C.GEOM_WRONG_TYPE: CodeSpec(
        _E, "Sai kiểu hình học: {actual} (cần {expected}). Hãy vẽ lại đối tượng.",
        "Wrong geometry type: {actual} (expected {expected}). Redraw the feature."),
    C.GEOM_NON_FINITE: CodeSpec(
        _E, "Tọa độ không hợp lệ (NaN hoặc vô cực); vùng làm việc không lưu được đối "
        "tượng này. Hãy vẽ lại đối tượng.",
        "Coordinates are not numbers (NaN or infinite); the workspace cannot save this "
        "feature. Redraw the feature."),
    C.GEOM_RING_NOT_CLOSED: CodeSpec(
        _E, "Đường bao của vùng không khép kín. Hãy vẽ lại vùng.",
        "A ring of the zone is not closed. Redraw the zone."),
    C.GEOM_INVALID: CodeSpec(
        _E, "Hình dạng vùng không hợp lệ: {reason_vi} gần ({x}, {y}). Hãy sửa các đỉnh tại đó.",
        "Invalid zone shape: {reason} near ({x}, {y}). Fix the vertices there."),
    C.GEOM_TOO_COMPLEX: CodeSpec(
        _E, "Vùng có {vertices} đỉnh, vượt giới hạn {limit}. Hãy đơn giản hóa hình dạng.",
        "The zone has {vertices} vertices, over the limit of {limit}. Simplify it."),
    C.GEOM_METRES_AS_DEGREES: CodeSpec(
        _E, "Tọa độ ({x}, {y}) là mét (VN-2000) nhưng lớp dùng độ (WGS 84). "
            "Hãy nhập lại dữ liệu với đúng hệ tọa độ EPSG:9213.",
        "Coordinates ({x}, {y}) are metres (VN-2000) in a layer in degrees (WGS 84). "
        "Re-import the data with the right CRS (EPSG:9213)."),
    C.GEOM_DEGREES_AS_METRES: CodeSpec(
        _E, "Tọa độ ({x}, {y}) trông như độ nhưng lớp dùng mét. "
            "Hãy nhập lại dữ liệu với hệ tọa độ WGS 84 (EPSG:4326).",
        "Coordinates ({x}, {y}) look like degrees in a layer in metres. "
        "Re-import the data as WGS 84 (EPSG:4326)."),
    C.GEOM_OUTSIDE_PROVINCE: CodeSpec(
        _E, "Vị trí nằm ngoài tỉnh {province}. Hãy kiểm tra và di chuyển đối tượng.",
        "The feature lies outside {province}. Check it and move it."),
    C.GEOM_PARTLY_OUTSIDE: CodeSpec(
        _W, "Một phần vùng nằm ngoài tỉnh {province}. Hãy kiểm tra ranh giới vùng.",
        "Part of the zone lies outside {province}. Check the zone's outline."),
    C.GEOM_AREA_TOO_SMALL: CodeSpec(
        _W, "Diện tích vùng chỉ {area} m² (dưới {limit} m²). Hãy kiểm tra vùng có bị vẽ nhầm.",
        "The zone covers only {area} m² (under {limit} m²). Check it was drawn right."),
    C.GEOM_AREA_TOO_LARGE: CodeSpec(
        _E, "Diện tích vùng {area} km² lớn hơn cả tỉnh ({limit} km²). Hãy vẽ lại vùng.",
        "The zone covers {area} km², more than the province ({limit} km²). Redraw it."),
    C.GEOM_ZONE_OVERLAP: CodeSpec(
        _W, "Vùng chồng lấn {overlap} m² với vùng «{other}» cùng biện pháp đang áp dụng. "
            "Hãy gộp hoặc sửa ranh giới.",
        "The zone overlaps zone «{other}» of the same measure in force by {overlap} m². "
        "Merge them or fix the outlines."),
    C.GEOM_DISTRICT_MISMATCH: CodeSpec(
        _W, "Đối tượng ghi huyện {value} nhưng nằm trong huyện {actual}. "
            "Hãy sửa mã huyện hoặc vị trí.",
        "The feature says district {value} but lies in district {actual}. "
        "Fix the district or the location."),
    C.ATTR_REQUIRED: CodeSpec(
        _E, "Chưa nhập «{field}». Hãy điền thông tin này.",
        "«{field}» is empty. Fill it in."),
    C.ATTR_REQUIRED_IF: CodeSpec(
        _E, "Chưa nhập «{field}»: {rule}",
        "«{field}» is empty: {rule}"),
    C.ATTR_BAD_VALUE: CodeSpec(
        _E, "Không đọc được giá trị «{value}» của «{field}». Hãy nhập lại.",
        "The value «{value}» of «{field}» cannot be read. Enter it again."),
    C.ATTR_NOT_IN_LIST: CodeSpec(
        _E, "«{field}» có giá trị «{value}» không thuộc danh mục. Hãy chọn từ danh sách.",
        "«{field}» holds «{value}», which is not in its list. Pick a listed value."),
    C.ATTR_OUT_OF_RANGE: CodeSpec(
        _E, "«{field}» = {value} nằm ngoài khoảng {min} – {max}. Hãy sửa lại.",
        "«{field}» = {value} is outside {min} – {max}. Correct it."),
    C.ATTR_TOO_LONG: CodeSpec(
        _E, "«{field}» dài {length} ký tự, tối đa {limit}. Hãy rút gọn.",
        "«{field}» has {length} characters, at most {limit}. Shorten it."),
    C.ATTR_DATE_ORDER: CodeSpec(
        _E, "{rule} («{field}» {value} > «{other}» {other_value}). Hãy sửa ngày.",
        "{rule} («{field}» {value} > «{other}» {other_value}). Fix the dates."),
    C.ATTR_NUMBER_ORDER: CodeSpec(
        _E, "{rule} («{field}» {value} > «{other}» {other_value}). Hãy sửa số liệu.",
        "{rule} («{field}» {value} > «{other}» {other_value}). Fix the figures."),
    C.ATTR_DATE_TOO_OLD: CodeSpec(
        _W, "«{field}» là {value}, trước {limit}. Hãy kiểm tra năm đã nhập.",
        "«{field}» is {value}, before {limit}. Check the year."),
    C.ATTR_DATE_TOO_FAR: CodeSpec(
        _W, "«{field}» là {value}, quá xa trong tương lai (sau {limit}). Hãy kiểm tra năm.",
        "«{field}» is {value}, far in the future (after {limit}). Check the year."),
    C.ATTR_ZONE_REF_MISSING: CodeSpec(
        _E, "Chốt gắn với vùng cách ly {value} không tồn tại. Hãy chọn lại vùng.",
        "The checkpoint refers to isolation zone {value}, which does not exist. "
        "Pick the zone again."),
    C.ATTR_DUPLICATE: CodeSpec(
        _W, "Có thể trùng với đối tượng «{value}» cách {distance} m ({other}). "
            "Hãy xóa bản trùng hoặc đổi tên.",
        "Possible duplicate of «{value}» {distance} m away ({other}). "
        "Delete the duplicate or rename it."),
    C.UID_MISSING: CodeSpec(
        _E, "Đối tượng chưa có mã định danh. Hãy tạo mã mới (UUID).",
        "The feature has no identifier. Generate a new one (UUID)."),
    C.UID_MALFORMED: CodeSpec(
        _E, "Mã định danh «{value}» không phải UUID chữ thường. Hãy tạo mã mới.",
        "Identifier «{value}» is not a lower-case UUID. Generate a new one."),
    C.UID_DUPLICATE: CodeSpec(
        _E, "Mã định danh {value} bị dùng cho {count} đối tượng. Hãy tạo mã mới cho bản sao.",
        "Identifier {value} is used by {count} features. Give the copies new ones."),
    C.TIME_EXPIRED_HIDDEN: CodeSpec(
        _W, "«{field}» ({value}) đã qua: đối tượng sẽ bị ẩn khi công bố. "
            "Hãy chuyển trạng thái hoặc gia hạn.",
        "«{field}» ({value}) has passed: the feature will be hidden when published. "
        "Change its status or extend it."),
    C.TIME_STATUS_STALE: CodeSpec(
        _W, "«{field}» là {value} (đã qua) nhưng trạng thái vẫn là «{status}». "
            "Hãy chuyển sang «{expected}».",
        "«{field}» is {value} (past) but the status is still «{status}». "
        "Set it to «{expected}»."),
    C.TIME_PERIOD_ENDED: CodeSpec(
        _W, "«{field}» ({value}) đã qua nhưng vùng vẫn ở trạng thái «{status}». "
            "Hãy gia hạn hoặc dỡ bỏ.",
        "«{field}» ({value}) has passed but the zone is still «{status}». "
        "Extend or lift it."),
    C.PUBLISH_NOT_APPROVED: CodeSpec(
        _W, "Chưa được duyệt công bố nên sẽ KHÔNG hiện trên bản đồ công khai. Nếu cần công bố, "
            "hãy đánh dấu «{field}» trên thẻ đầu tiên của biểu mẫu.",
        "Not approved, so it will NOT be published on the public map. To publish it, tick "
        "«{field}» on the first tab of its form."),
    C.PRIVACY_PHONE: CodeSpec(
        _E, "«{field}» chứa số điện thoại cá nhân ({value}). Không được công bố; hãy xóa.",
        "«{field}» holds a personal phone number ({value}). It must not be published; "
        "remove it."),
    C.PRIVACY_CITIZEN_ID: CodeSpec(
        _E, "«{field}» chứa số giống CMND/CCCD ({value}). Không được công bố; hãy xóa.",
        "«{field}» holds what looks like a citizen ID number ({value}). It must not be "
        "published; remove it."),
    C.PRIVACY_PATIENT_CODE: CodeSpec(
        _E, "«{field}» chứa mã bệnh nhân ({value}). Không công bố mã ca bệnh gắn với "
            "địa điểm; hãy xóa (dùng «Mã ca bệnh liên quan» nội bộ).",
        "«{field}» holds a patient code ({value}). Case codes linked to places are not "
        "published; remove it (use the internal case references)."),
    C.PRIVACY_RESIDENCE: CodeSpec(
        _E, "«{field}» chỉ đến nhà riêng/hộ gia đình ({value}). Không công bố nơi ở; "
            "hãy ghi địa danh chung (thôn, tổ).",
        "«{field}» points at a private home ({value}). Residences are not published; "
        "give the hamlet or street instead."),
    C.LEVEL_OVERLAP: CodeSpec(
        _E, "{unit}: hai cấp độ cùng áp dụng từ ngày {day}. Hãy kết thúc cấp độ cũ trước "
            "ngày đó (công cụ Cấp độ dịch làm việc này).",
        "{unit}: two levels in force from {day}. End the older one the day before "
            "(the Epidemic level tool does this)."),
    C.LEVEL_GAP: CodeSpec(
        _E, "{unit}: không có cấp độ nào từ ngày {day}. Hãy công bố cấp độ cho khoảng này "
            "hoặc kéo dài cấp độ trước.",
        "{unit}: no level in force from {day}. Announce a level for that time or extend "
            "the one before."),
    C.LEVEL_UNIT_MISSING: CodeSpec(
        _E, "{unit} chưa có cấp độ dịch. Mỗi đơn vị phải có một cấp độ đang áp dụng.",
        "{unit} has no epidemic level. Every unit needs one level in force."),
    C.LEVEL_NONE_NOW: CodeSpec(
        _E, "{unit}: cấp độ đã hết hiệu lực, từ ngày {day} chưa có cấp độ mới. Hãy công bố "
            "cấp độ mới.",
        "{unit}: the level ended; none in force from {day}. Announce the new level."),
    C.LEVEL_UNIT_UNKNOWN: CodeSpec(
        _E, "Mã đơn vị «{value}» không có trong hồ sơ tỉnh ({kind}). Hãy chọn lại đơn vị.",
        "Unit code «{value}» is not in the province profile ({kind}). Choose the unit again."),
    C.LEVEL_OUT_OF_SCHEME: CodeSpec(
        _E, "Cấp {value} không có trong {scheme}. Hãy chọn cấp {allowed}.",
        "Level {value} is not in {scheme}. Choose level {allowed}."),
}

# GEOS validity reasons in Vietnamese (GEOS reports them in English).
GEOS_REASONS_VI: Tuple[Tuple[str, str], ...] = (
    ("ring self-intersection", "đường bao tự cắt hoặc tự chạm"),
    ("self-intersection", "các cạnh cắt nhau"),
    ("holes are nested", "lỗ nằm trong lỗ"),
    ("nested holes", "lỗ nằm trong lỗ"),
    ("hole lies outside shell", "lỗ nằm ngoài vùng"),
    ("nested shells", "vùng nằm trong vùng"),
    ("interior is disconnected", "phần bên trong bị tách rời"),
    ("too few points", "quá ít đỉnh"),
    ("invalid coordinate", "tọa độ không hợp lệ"),
    ("duplicate rings", "đường bao trùng nhau"),
    ("ring is not closed", "đường bao không khép kín"),
)


def geos_reason_vi(reason: str) -> str:
    lowered = reason.lower()
    for english, vietnamese in GEOS_REASONS_VI:
        if lowered.startswith(english):
            return vietnamese
    return reason


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    severity: Severity
    layer: str  # model layer name ("" for the workspace as a whole)
    fid: Optional[int]  # QGIS feature id
    uid: Optional[str]
    field: Optional[str]  # model field name
    message_vi: str
    message_en: str
    # WGS 84 lon/lat to zoom to, when the feature has a usable location
    location: Optional[Tuple[float, float]] = None
    params: Mapping[str, Any] = field(default_factory=dict)
    # the feature's ``name`` when the check ran (how officers know a feature)
    feature_name: Optional[str] = None

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def feature_label(self) -> str:
        """The feature as the validation dock names it: its name, else
        ``#fid``, else "—" (a finding about a layer as a whole)."""
        if self.feature_name:
            return self.feature_name
        return f"#{self.fid}" if self.fid is not None else "—"

    def layer_title(self, lang: str = "vi") -> str:
        layer = _MODEL_LAYERS.get(self.layer)
        return layer.title(lang) if layer is not None else self.layer

    def described(self, lang: str = "vi") -> str:
        """The message prefixed by what it is about, for lists that show
        findings of every layer in one column (publish dialog, Processing
        log): "Điểm nguy cơ «Chợ Phủ Thông»: «Hiển thị đến» ... đã qua"."""
        title = self.layer_title(lang)
        if self.fid is None and not self.feature_name:
            return f"{title}: {self.message(lang)}" if title else self.message(lang)
        return f"{title} «{self.feature_label()}»: {self.message(lang)}"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "layer": self.layer,
            "fid": self.fid,
            "uid": self.uid,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "location": list(self.location) if self.location else None,
            "feature_name": self.feature_name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The finding :meth:`to_dict` wrote (e.g. in the JSON report of
        ``covidmaps:validate``, which the validation dock reads back)."""
        location = data.get("location")
        fid = data.get("fid")
        return cls(
            code=FindingCode(data["code"]), severity=Severity(data["severity"]),
            layer=str(data.get("layer") or ""), fid=None if fid is None else int(fid),
            uid=data.get("uid"), field=data.get("field"),
            message_vi=str(data.get("message_vi") or ""),
            message_en=str(data.get("message_en") or ""),
            location=(float(location[0]), float(location[1])) if location else None,
            feature_name=data.get("feature_name"),
        )


def _render(template: str, params: Mapping[str, Any], lang: str) -> str:
    values = {k: (v.get(lang) if isinstance(v, Bilingual) else v) for k, v in params.items()}
    return template.format(**values)


def make_finding(
    code: FindingCode,
    layer: str,
    fid: Optional[int] = None,
    uid: Optional[str] = None,
    field_name: Optional[str] = None,
    location: Optional[Tuple[float, float]] = None,
    feature_name: Optional[str] = None,
    **params: Any,
) -> Finding:
    spec = CATALOG[code]
    return Finding(
        code=code,
        severity=spec.severity,
        layer=layer,
        fid=fid,
        uid=uid,
        field=field_name,
        message_vi=_render(spec.message_vi, params, "vi"),
        message_en=_render(spec.message_en, params, "en"),
        location=location,
        params=params,
        feature_name=feature_name,
    )


@dataclass
class ValidationReport:
    findings: List[Finding] = field(default_factory=list)
    checked: Dict[str, int] = field(default_factory=dict)  # features per layer

    @property
    def counts(self) -> Dict[Severity, int]:
        result = {s: 0 for s in Severity}
        for f in self.findings:
            result[f.severity] += 1
        return result

    @property
    def blocking(self) -> bool:
        """True when an error forbids publishing."""
        return any(f.severity is Severity.ERROR for f in self.findings)

    def by_code(self) -> Dict[FindingCode, int]:
        result: Dict[FindingCode, int] = {}
        for f in self.findings:
            result[f.code] = result.get(f.code, 0) + 1
        return result

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "blocking": self.blocking,
            "counts": {s.value: n for s, n in self.counts.items()},
            "checked": dict(self.checked),
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValidationReport:
        return cls([Finding.from_dict(f) for f in data.get("findings", ())],
                   {str(k): int(v) for k, v in (data.get("checked") or {}).items()})
