"""The CovidMaps data model (pure Python; importable without QGIS)."""

from .definition import (
    APPROVE_NEW_META,
    MODEL,
    MODEL_VERSION,
    RISK_POINT_VISIBLE_DAYS,
    approves_new,
)
from .profile import ProvinceProfile, default_profile, load_profile
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
from .visibility import (
    PROVINCE_TZ,
    hidden_reason,
    hidden_reasons,
    is_published,
    parse_instant,
)

__all__ = [
    "MODEL", "MODEL_VERSION", "RISK_POINT_VISIBLE_DAYS", "APPROVE_NEW_META", "approves_new",
    "PROVINCE_TZ",
    "Choice", "CrossFieldRule", "DataModel", "Default", "FieldDef", "FieldType",
    "GeometryType", "LayerDef", "RuleKind", "StyleDef", "ValueList", "ValueSource",
    "Visibility", "ProvinceProfile", "default_profile", "load_profile",
    "hidden_reason", "hidden_reasons", "is_published", "parse_instant",
]
