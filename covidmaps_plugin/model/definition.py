"""THE CovidMaps data model: five layers, their fields, value lists, rules and
styles. Everything else (QGIS forms and styles, validator, export, server
checks, the manifest the web map reads) is derived from ``MODEL``.

Change a field here and every consumer follows; bump ``MODEL_VERSION`` when a
stored workspace needs an upgrade step (see ``core/upgrade.py``).
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

from . import levels as lv
from . import palette
from .schema import (
    Choice,
    CrossFieldRule,
    DataModel,
    Default,
    FieldDef,
    FieldType,
    GeometryType,
    LayerDef,
    RuleKind,
    StyleDef,
    ValueList,
    ValueSource,
    Visibility,
)

MODEL_VERSION = 2

# A risk point stays on the public map this many days after exposure ends
# (one incubation period), unless the officer sets visible_until by hand.
RISK_POINT_VISIBLE_DAYS = 14

INTERNAL = Visibility.INTERNAL

# The approval policy of a workspace (its ``covidmaps_meta`` key): "true"
# (the default) approves what the workspace's own officer adds, so nothing
# the officer adds is left off the map unnoticed; "false" makes new features
# wait for a reviewer. Either way the validator names every feature that
# will not be published because it is not approved.
APPROVE_NEW_META = "approve_new"


def approves_new(meta: Optional[Mapping[str, str]]) -> bool:
    """Whether a workspace with ``meta`` approves new features by default."""
    value = str((meta or {}).get(APPROVE_NEW_META, "true")).strip().lower()
    return value not in ("false", "0", "no")


def _vl(name: str, *choices: Tuple[str, str, str]) -> ValueList:
    return ValueList(name, tuple(Choice(v, vi, en) for v, vi, en in choices))


# --------------------------------------------------------------- value lists

RISK_POINT_STATUS = _vl(
    "risk_point_status",
    ("active", "Đang cảnh báo", "Active"),
    ("expired", "Hết thời hạn cảnh báo", "Expired"),
    ("withdrawn", "Đã thu hồi", "Withdrawn"),
)

PLACE_TYPE = _vl(
    "place_type",
    ("market", "Chợ", "Market"),
    ("shop", "Cửa hàng, siêu thị", "Shop"),
    ("restaurant", "Nhà hàng, quán ăn", "Restaurant"),
    ("health_facility", "Cơ sở y tế", "Health facility"),
    ("school", "Trường học", "School"),
    ("office", "Cơ quan, công sở", "Office"),
    ("religious_site", "Cơ sở tôn giáo", "Religious site"),
    ("transport", "Phương tiện, bến xe", "Transport"),
    ("event", "Sự kiện, tụ tập đông người", "Event"),
    ("other", "Khác", "Other"),
)

LOCATION_PRECISION = _vl(
    "location_precision",
    ("exact", "Chính xác", "Exact"),
    ("approximate", "Gần đúng", "Approximate"),
    ("centroid", "Tâm xã/thôn", "Commune/hamlet centre"),
)

FACILITY_STATUS = _vl(
    "facility_status",
    ("operating", "Đang hoạt động", "Operating"),
    ("standby", "Sẵn sàng tiếp nhận", "Standby"),
    ("suspended", "Tạm dừng", "Suspended"),
    ("closed", "Đã đóng", "Closed"),
)

FACILITY_TYPE = _vl(
    "facility_type",
    ("military", "Doanh trại quân đội", "Military barracks"),
    ("school", "Trường học, ký túc xá", "School or dormitory"),
    ("health", "Cơ sở y tế", "Health facility"),
    ("hotel", "Khách sạn (cách ly có thu phí)", "Hotel (paid quarantine)"),
    ("other", "Khác", "Other"),
)

TARGET_GROUP = _vl(
    "target_group",
    ("f1", "F1 (tiếp xúc gần)", "F1 close contacts"),
    ("returnees", "Người về từ vùng dịch", "Returnees from outbreak areas"),
    ("entry", "Người nhập cảnh", "International arrivals"),
    ("mixed", "Nhiều nhóm", "Mixed"),
)

ZONE_STATUS = _vl(
    "zone_status",
    ("upcoming", "Sắp áp dụng", "Upcoming"),
    ("in_force", "Đang cách ly", "In force"),
    ("extended", "Đã gia hạn", "Extended"),
    ("lifted", "Đã dỡ bỏ", "Lifted"),
)

MEASURE = _vl(
    "measure",
    ("lockdown", "Phong tỏa", "Lockdown"),
    ("area_isolation", "Cách ly y tế vùng", "Area isolation"),
    ("social_distancing", "Giãn cách xã hội", "Social distancing"),
)

REGIME = _vl(
    "regime",
    ("directive_15", "Chỉ thị 15/CT-TTg", "Directive 15"),
    ("directive_16", "Chỉ thị 16/CT-TTg", "Directive 16"),
    ("directive_19", "Chỉ thị 19/CT-TTg", "Directive 19"),
    ("other", "Khác", "Other"),
)

SCALE = _vl(
    "scale",
    ("building", "Tòa nhà, hộ gia đình", "Building"),
    ("cluster", "Cụm dân cư, tuyến phố", "Cluster or street"),
    ("hamlet", "Thôn, tổ", "Hamlet"),
    ("commune", "Xã, phường", "Commune"),
    ("district", "Huyện, thành phố", "District"),
)

GEOMETRY_SOURCE = _vl(
    "geometry_source",
    ("digitized", "Vẽ tay", "Digitized"),
    ("admin_boundary", "Theo ranh giới hành chính", "Administrative boundary"),
    ("buffer", "Vùng đệm quanh điểm", "Buffer around a point"),
)

CHECKPOINT_STATUS = _vl(
    "checkpoint_status",
    ("operating", "Đang hoạt động", "Operating"),
    ("suspended", "Tạm dừng", "Suspended"),
    ("disbanded", "Đã giải thể", "Disbanded"),
)

CHECKPOINT_TYPE = _vl(
    "checkpoint_type",
    ("province_gate", "Chốt cửa ngõ tỉnh", "Province gate"),
    ("zone_gate", "Chốt vùng cách ly", "Isolation zone gate"),
    ("medical_station", "Trạm y tế lưu động", "Medical station"),
    ("mobile", "Chốt lưu động", "Mobile checkpoint"),
)

FORCES = _vl(
    "forces",
    ("police", "Công an", "Police"),
    ("military", "Quân sự", "Military"),
    ("health", "Y tế", "Health"),
    ("militia", "Dân quân", "Militia"),
    ("joint", "Liên ngành", "Joint forces"),
)


LEVEL_STATUS = _vl(
    "level_status",
    ("announced", "Đã công bố", "Announced"),
    ("withdrawn", "Đã thay thế, thu hồi", "Replaced or withdrawn"),
)

LEVEL_SCHEME = _vl("level_scheme", *lv.scheme_choices())

UNIT_KIND = _vl(
    "unit_kind",
    (lv.UNIT_DISTRICT, "Huyện, thành phố", "District"),
    (lv.UNIT_COMMUNE, "Xã, phường, thị trấn", "Commune"),
)


# ---------------------------------------------------------- common fields

def _common_head() -> Tuple[FieldDef, ...]:
    return (
        FieldDef(
            "uid", FieldType.UUID, "Mã định danh", "Identifier",
            required=True, default=Default.NEW_UUID, drawn=True,
            help_vi="Mã cố định của đối tượng, dùng làm id công khai.",
            help_en="Stable id of the feature, used as its public id.",
        ),
    )


def _common_tail(status: ValueList) -> Tuple[FieldDef, ...]:
    return (
        FieldDef(
            "district_code", FieldType.STRING, "Huyện/thành phố", "District",
            required=True, value_source=ValueSource.DISTRICTS, max_length=3,
        ),
        FieldDef(
            "commune_code", FieldType.STRING, "Xã/phường/thị trấn", "Commune",
            value_source=ValueSource.COMMUNES, max_length=5,
        ),
        FieldDef(
            "status", FieldType.STRING, "Trạng thái", "Status",
            required=True, value_list=status, drawn=True,
        ),
        FieldDef(
            "source_doc", FieldType.STRING, "Văn bản, thông báo", "Source document",
            max_length=120,
            help_vi="Số thông báo/quyết định làm căn cứ.",
            help_en="Number of the notice or decision this is based on.",
        ),
        FieldDef(
            "updated_at", FieldType.DATETIME, "Cập nhật lúc", "Updated at",
            required=True, default=Default.NOW,
        ),
        FieldDef(
            "updated_by", FieldType.STRING, "Người cập nhật", "Updated by",
            visibility=INTERNAL, default=Default.CURRENT_USER, max_length=80,
        ),
        FieldDef(
            "approved", FieldType.BOOLEAN, "Đã duyệt công bố", "Approved for publication",
            visibility=INTERNAL, required=True, default=Default.APPROVAL_POLICY,
            help_vi="Chỉ đối tượng đã duyệt mới được công bố.",
            help_en="Only approved features are published.",
        ),
        FieldDef(
            "internal_note", FieldType.STRING, "Ghi chú nội bộ", "Internal note",
            visibility=INTERNAL, multiline=True, max_length=2000,
        ),
    )


def _name(label_vi: str = "Tên", label_en: str = "Name") -> FieldDef:
    return FieldDef("name", FieldType.STRING, label_vi, label_en, required=True, max_length=200)


def _address() -> FieldDef:
    return FieldDef("address", FieldType.STRING, "Địa chỉ", "Address", max_length=300)


def _decision() -> Tuple[FieldDef, ...]:
    return (
        FieldDef("decision_no", FieldType.STRING, "Số quyết định", "Decision number",
                 max_length=80),
        FieldDef(
            "issuing_authority", FieldType.STRING, "Cơ quan ban hành", "Issuing authority",
            max_length=200,
        ),
    )


def _phone() -> FieldDef:
    return FieldDef(
        "duty_phone", FieldType.STRING, "Điện thoại trực", "Duty phone",
        max_length=40, institutional_phone=True,
        help_vi="Chỉ số điện thoại trực của cơ quan, không dùng số cá nhân.",
        help_en="The institution's duty line only, never a personal number.",
    )


def _not_after(code: str, lower: str, upper: str, vi: str, en: str) -> CrossFieldRule:
    return CrossFieldRule(code, RuleKind.NOT_AFTER, lower, upper, message_vi=vi, message_en=en)


def _required_if(
    code: str, fld: str, statuses: Tuple[str, ...], vi: str, en: str
) -> CrossFieldRule:
    return CrossFieldRule(
        code, RuleKind.REQUIRED_IF_STATUS, fld, statuses=statuses, message_vi=vi, message_en=en
    )


# --------------------------------------------------------------- the layers

RISK_POINTS = LayerDef(
    name="risk_points",
    title_vi="Điểm có nguy cơ lây nhiễm cao",
    title_en="High-risk infection points",
    geometry_type=GeometryType.POINT,
    fields=_common_head() + (
        _name("Tên địa điểm", "Place name"),
        FieldDef("place_type", FieldType.STRING, "Loại địa điểm", "Place type",
                 required=True, value_list=PLACE_TYPE, guessed_from="name",
                 help_vi="Điền sẵn theo tên (Chợ, Quán, Trường...) nếu chưa chọn.",
                 help_en="Filled from the name (Market, Restaurant, School...) "
                         "until chosen."),
        _address(),
        FieldDef("exposure_start", FieldType.DATETIME, "Thời gian nguy cơ từ", "Exposure from",
                 required=True),
        # drawn: a point whose exposure ended long ago is drawn grey (web symbols.js ageOf)
        FieldDef("exposure_end", FieldType.DATETIME, "Thời gian nguy cơ đến", "Exposure until",
                 required=True, drawn=True),
        FieldDef("announced_on", FieldType.DATE, "Ngày thông báo", "Announced on",
                 required=True, default=Default.TODAY),
        FieldDef("visible_until", FieldType.DATETIME, "Hiển thị đến", "Visible until",
                 required=True, default=Default.EXPOSURE_END_PLUS_DAYS,
                 help_vi="Mặc định: kết thúc thời gian nguy cơ + 14 ngày.",
                 help_en="Default: end of exposure + 14 days."),
        FieldDef("advice", FieldType.STRING, "Khuyến cáo", "Advice", multiline=True,
                 max_length=1000),
        FieldDef("related_cases", FieldType.INTEGER, "Số ca bệnh liên quan", "Related cases",
                 min_value=0, max_value=100000),
        FieldDef("disinfected", FieldType.BOOLEAN, "Đã khử khuẩn", "Disinfected",
                 default=Default.FALSE),
        FieldDef("disinfected_on", FieldType.DATE, "Ngày khử khuẩn", "Disinfected on"),
    ) + _common_tail(RISK_POINT_STATUS) + (
        FieldDef("case_refs", FieldType.STRING, "Mã ca bệnh liên quan", "Case references",
                 visibility=INTERNAL, max_length=500,
                 help_vi="Không bao giờ công bố (Công văn 4191/BYT-TT-KT).",
                 help_en="Never published (MoH instruction 4191/BYT-TT-KT)."),
        FieldDef("location_precision", FieldType.STRING, "Độ chính xác vị trí",
                 "Location precision", visibility=INTERNAL, value_list=LOCATION_PRECISION),
    ),
    status_list=RISK_POINT_STATUS,
    published_statuses=("active",),
    hide_after_field="visible_until",
    rules=(
        _not_after("exposure_order", "exposure_start", "exposure_end",
                   "Thời gian nguy cơ kết thúc trước khi bắt đầu.",
                   "Exposure ends before it starts."),
        _not_after("visible_after_exposure", "exposure_end", "visible_until",
                   "Thời hạn hiển thị phải sau khi kết thúc thời gian nguy cơ.",
                   "Visible-until must be after the end of exposure."),
        CrossFieldRule("disinfected_date", RuleKind.REQUIRED_IF_TRUE, "disinfected_on",
                       "disinfected",
                       message_vi="Đã khử khuẩn thì cần ngày khử khuẩn.",
                       message_en="A disinfected place needs the disinfection date."),
    ),
    style=StyleDef(
        status_colors=palette.RISK_POINT_COLORS, stroke_color=palette.STROKE,
        symbol="circle", size_px=11,
    ),
    summary_fields=("name", "place_type", "address", "exposure_start", "exposure_end",
                    "advice", "disinfected", "updated_at"),
    typed_first=("name", "exposure_start", "exposure_end"),
    description_vi="Nơi người mắc bệnh đã đến trong thời gian có thể lây nhiễm.",
    description_en="Places that a case visited while infectious.",
)

QUARANTINE_FACILITIES = LayerDef(
    name="quarantine_facilities",
    title_vi="Điểm cách ly tập trung",
    title_en="Centralized quarantine facilities",
    geometry_type=GeometryType.POINT,
    fields=_common_head() + (
        _name("Tên cơ sở cách ly", "Facility name"),
        _address(),
        FieldDef("facility_type", FieldType.STRING, "Loại cơ sở", "Facility type",
                 required=True, value_list=FACILITY_TYPE),
        FieldDef("managing_agency", FieldType.STRING, "Đơn vị quản lý", "Managing agency",
                 max_length=200),
        *_decision(),
        FieldDef("decision_date", FieldType.DATE, "Ngày quyết định", "Decision date"),
        FieldDef("capacity", FieldType.INTEGER, "Sức chứa (người)", "Capacity (people)",
                 required=True, min_value=0, max_value=20000),
        FieldDef("occupancy", FieldType.INTEGER, "Đang cách ly (người)", "Occupancy (people)",
                 min_value=0, max_value=20000),
        FieldDef("figures_as_of", FieldType.DATETIME, "Số liệu tính đến", "Figures as of",
                 default=Default.NOW),
        FieldDef("target_group", FieldType.STRING, "Đối tượng cách ly", "Target group",
                 value_list=TARGET_GROUP),
        _phone(),
        FieldDef("opened_on", FieldType.DATE, "Ngày bắt đầu hoạt động", "Opened on"),
        FieldDef("closed_on", FieldType.DATE, "Ngày đóng", "Closed on"),
    ) + _common_tail(FACILITY_STATUS),
    status_list=FACILITY_STATUS,
    published_statuses=("operating", "standby", "suspended"),
    rules=(
        CrossFieldRule("occupancy_le_capacity", RuleKind.NOT_GREATER, "occupancy", "capacity",
                       message_vi="Số người đang cách ly vượt quá sức chứa.",
                       message_en="Occupancy exceeds capacity."),
        _not_after("facility_dates", "opened_on", "closed_on",
                   "Ngày đóng trước ngày bắt đầu hoạt động.",
                   "Closed before it opened."),
        _required_if("facility_closed_on", "closed_on", ("closed",),
                     "Cơ sở đã đóng cần có ngày đóng.",
                     "A closed facility needs its closing date."),
    ),
    style=StyleDef(
        status_colors=palette.FACILITY_COLORS, stroke_color=palette.STROKE,
        symbol="square", size_px=12,
    ),
    summary_fields=("name", "address", "facility_type", "capacity", "occupancy",
                    "figures_as_of", "duty_phone", "updated_at"),
    description_vi="Cơ sở cách ly tập trung đang được sử dụng hoặc sẵn sàng.",
    description_en="Centralized quarantine facilities in use or on standby.",
)

ISOLATION_ZONES = LayerDef(
    name="isolation_zones",
    title_vi="Vùng cách ly y tế",
    title_en="Medical isolation zones",
    geometry_type=GeometryType.MULTIPOLYGON,
    fields=_common_head() + (
        _name("Tên vùng cách ly", "Zone name"),
        FieldDef("measure", FieldType.STRING, "Biện pháp", "Measure", required=True,
                 value_list=MEASURE),
        FieldDef("regime", FieldType.STRING, "Căn cứ áp dụng", "Regime", value_list=REGIME),
        FieldDef("scale", FieldType.STRING, "Quy mô", "Scale", required=True, value_list=SCALE),
        *_decision(),
        FieldDef("signed_on", FieldType.DATE, "Ngày ký", "Signed on"),
        FieldDef("effective_from", FieldType.DATETIME, "Hiệu lực từ", "Effective from",
                 required=True),
        FieldDef("effective_until", FieldType.DATETIME, "Hiệu lực đến", "Effective until"),
        FieldDef("lifted_decision_no", FieldType.STRING, "Số quyết định dỡ bỏ",
                 "Lifting decision number", max_length=80),
        FieldDef("lifted_on", FieldType.DATETIME, "Dỡ bỏ lúc", "Lifted on"),
        FieldDef("households", FieldType.INTEGER, "Số hộ", "Households",
                 min_value=0, max_value=1000000),
        FieldDef("residents", FieldType.INTEGER, "Số nhân khẩu", "Residents",
                 min_value=0, max_value=5000000),
    ) + _common_tail(ZONE_STATUS) + (
        FieldDef("geometry_source", FieldType.STRING, "Nguồn hình dạng", "Geometry source",
                 visibility=INTERNAL, value_list=GEOMETRY_SOURCE),
    ),
    status_list=ZONE_STATUS,
    published_statuses=("upcoming", "in_force", "extended"),
    rules=(
        _not_after("zone_effective_order", "effective_from", "effective_until",
                   "Hiệu lực kết thúc trước khi bắt đầu.",
                   "The zone's effect ends before it starts."),
        _not_after("zone_lifted_order", "effective_from", "lifted_on",
                   "Ngày dỡ bỏ trước ngày có hiệu lực.",
                   "Lifted before it took effect."),
        _required_if("zone_lifted_fields", "lifted_on", ("lifted",),
                     "Vùng đã dỡ bỏ cần có ngày dỡ bỏ.",
                     "A lifted zone needs the date it was lifted."),
    ),
    style=StyleDef(
        status_colors=palette.ZONE_COLORS, stroke_color=palette.STROKE,
        symbol="fill", fill_opacity=0.35,
        status_strokes=(("upcoming", "dash"), ("in_force", "solid"),
                        ("extended", "solid"), ("lifted", "dash")),
    ),
    summary_fields=("name", "measure", "regime", "scale", "decision_no", "issuing_authority",
                    "effective_from", "effective_until", "households", "residents",
                    "updated_at"),
    description_vi="Khu vực phong tỏa, cách ly y tế hoặc giãn cách xã hội.",
    description_en="Areas under lockdown, medical isolation or social distancing.",
)

CHECKPOINTS = LayerDef(
    name="checkpoints",
    title_vi="Chốt kiểm soát dịch bệnh",
    title_en="Disease-control checkpoints",
    geometry_type=GeometryType.POINT,
    fields=_common_head() + (
        _name("Tên chốt", "Checkpoint name"),
        FieldDef("checkpoint_type", FieldType.STRING, "Loại chốt", "Checkpoint type",
                 required=True, value_list=CHECKPOINT_TYPE),
        FieldDef("road", FieldType.STRING, "Tuyến đường", "Road", max_length=120),
        FieldDef("forces", FieldType.STRING, "Lực lượng", "Forces", value_list=FORCES),
        FieldDef("hours", FieldType.STRING, "Thời gian hoạt động", "Hours", max_length=120),
        FieldDef("requirements", FieldType.STRING, "Yêu cầu khi qua chốt", "Requirements",
                 multiline=True, max_length=1000),
        FieldDef("zone_uid", FieldType.UUID, "Thuộc vùng cách ly", "Isolation zone",
                 value_source=ValueSource.ISOLATION_ZONES),
        *_decision(),
        FieldDef("opened_on", FieldType.DATE, "Ngày lập chốt", "Opened on"),
        FieldDef("closed_on", FieldType.DATE, "Ngày giải thể", "Closed on"),
        _phone(),
    ) + _common_tail(CHECKPOINT_STATUS) + (
        FieldDef("commander", FieldType.STRING, "Chỉ huy chốt", "Commander",
                 visibility=INTERNAL, max_length=120,
                 help_vi="Tên cán bộ không được công bố.",
                 help_en="Staff names are never published."),
    ),
    status_list=CHECKPOINT_STATUS,
    published_statuses=("operating", "suspended"),
    rules=(
        _not_after("checkpoint_dates", "opened_on", "closed_on",
                   "Ngày giải thể trước ngày lập chốt.",
                   "Disbanded before it opened."),
        _required_if("checkpoint_closed_on", "closed_on", ("disbanded",),
                     "Chốt đã giải thể cần có ngày giải thể.",
                     "A disbanded checkpoint needs its closing date."),
    ),
    style=StyleDef(
        status_colors=palette.CHECKPOINT_COLORS, stroke_color=palette.STROKE,
        symbol="triangle", size_px=12,
    ),
    summary_fields=("name", "checkpoint_type", "road", "hours", "requirements", "forces",
                    "duty_phone", "updated_at"),
    description_vi="Chốt kiểm soát ra vào tỉnh và vùng cách ly.",
    description_en="Checkpoints at the province's gates and around isolation zones.",
)

# The fifth layer: one record per unit and period (model/levels.py). The
# polygon is the unit's reference polygon from the profile (official or
# approximate), joined by unit_code when the record is written and again at
# export; it is never drawn by hand.
EPIDEMIC_LEVELS = LayerDef(
    name=lv.LAYER_NAME,
    title_vi="Cấp độ dịch theo địa bàn",
    title_en="Epidemic levels by area",
    geometry_type=GeometryType.MULTIPOLYGON,
    # the map chooses each unit's record in force by date from the blob
    vector_tiles=False,
    fields=_common_head() + (
        _name("Đơn vị hành chính", "Administrative unit"),
        FieldDef("unit_kind", FieldType.STRING, "Cấp đơn vị", "Unit kind", required=True,
                 value_list=UNIT_KIND),
        FieldDef("unit_code", FieldType.STRING, "Mã đơn vị", "Unit code", required=True,
                 value_source=ValueSource.ADMIN_UNITS, max_length=5,
                 help_vi="Mã GSO của huyện (3 số) hoặc xã (5 số) trong hồ sơ tỉnh.",
                 help_en="GSO code of the district (3 digits) or commune (5 digits)."),
        FieldDef("level", FieldType.INTEGER, "Cấp độ dịch", "Epidemic level", required=True,
                 min_value=1, max_value=4),
        FieldDef("scheme", FieldType.STRING, "Thang cấp độ", "Level scheme", required=True,
                 value_list=LEVEL_SCHEME),
        FieldDef("effective_from", FieldType.DATE, "Áp dụng từ ngày", "Effective from",
                 required=True, default=Default.TODAY),
        FieldDef("effective_until", FieldType.DATE, "Áp dụng đến ngày", "Effective until",
                 help_vi="Để trống: đến khi có quyết định mới.",
                 help_en="Empty: until a new decision."),
        FieldDef("decision_no", FieldType.STRING, "Số quyết định", "Decision number",
                 required=True, max_length=80),
        FieldDef("issuing_authority", FieldType.STRING, "Cơ quan ban hành", "Issuing authority",
                 max_length=200),
        FieldDef("measures", FieldType.STRING, "Biện pháp áp dụng", "Measures in force",
                 multiline=True, max_length=1000),
    ) + _common_tail(LEVEL_STATUS),
    status_list=LEVEL_STATUS,
    published_statuses=("announced",),
    rules=(
        _not_after("level_dates", "effective_from", "effective_until",
                   "Ngày hết hiệu lực trước ngày áp dụng.",
                   "The level ends before it takes effect."),
    ),
    style=StyleDef(
        status_colors=palette.LEVEL_STATUS_COLORS, stroke_color=palette.STROKE,
        symbol="fill", fill_opacity=0.45,
        status_strokes=(("announced", "solid"), ("withdrawn", "dash")),
    ),
    summary_fields=("level", "effective_from", "effective_until", "decision_no",
                    "issuing_authority", "measures"),
    description_vi="Cấp độ dịch COVID-19 của từng huyện, xã theo quyết định của "
                   "Ban chỉ đạo (Nghị quyết 128/NQ-CP: cấp 1 xanh, 2 vàng, 3 cam, 4 đỏ).",
    description_en="COVID-19 level of each district or commune as the steering committee "
                   "announces it (Resolution 128: 1 green, 2 yellow, 3 orange, 4 red).",
)

# Order matters: it is the drawing order (zones under points) reversed in the
# layer tree, and the order of the legend.
MODEL = DataModel(
    version=MODEL_VERSION,
    layers=(RISK_POINTS, QUARANTINE_FACILITIES, ISOLATION_ZONES, CHECKPOINTS, EPIDEMIC_LEVELS),
    value_lists=(
        RISK_POINT_STATUS, PLACE_TYPE, LOCATION_PRECISION, FACILITY_STATUS, FACILITY_TYPE,
        TARGET_GROUP, ZONE_STATUS, MEASURE, REGIME, SCALE, GEOMETRY_SOURCE,
        CHECKPOINT_STATUS, CHECKPOINT_TYPE, FORCES, LEVEL_STATUS, LEVEL_SCHEME, UNIT_KIND,
    ),
)
