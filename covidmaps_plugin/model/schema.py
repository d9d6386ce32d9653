"""Building blocks of the CovidMaps data model.

Pure Python on purpose: the QGIS plugin, the Processing algorithms, the
publishing server and the web map's manifest are all derived from the same
objects, and the server must be able to import them without QGIS.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterator, Optional, Tuple


class FieldType(enum.Enum):
    """Storage type of a field; mapped to QVariant types in ``core`` and to
    JSON types on the server."""

    UUID = "uuid"  # text holding a canonical lower-case UUID
    STRING = "string"
    INTEGER = "integer"
    REAL = "real"
    BOOLEAN = "boolean"
    DATE = "date"  # calendar date, no time zone
    DATETIME = "datetime"  # instant, stored and exported with its UTC offset


class GeometryType(enum.Enum):
    POINT = "Point"
    MULTIPOLYGON = "MultiPolygon"


class Visibility(enum.Enum):
    """Whether a field may leave the officer's machine."""

    PUBLIC = "public"
    INTERNAL = "internal"  # never exported; the server drops it too


class Default(enum.Enum):
    """Default values that need a runtime context (now, the QGIS user...)."""

    NEW_UUID = "new_uuid"
    NOW = "now"
    TODAY = "today"
    CURRENT_USER = "current_user"
    FALSE = "false"
    # ``approved``: the workspace's approval policy (``APPROVE_NEW_META``);
    # approved unless the workspace asks for a second person's review
    APPROVAL_POLICY = "approval_policy"
    # visible_until of a risk point: exposure_end + RISK_POINT_VISIBLE_DAYS days
    EXPOSURE_END_PLUS_DAYS = "exposure_end_plus_days"


class ValueSource(enum.Enum):
    """Value lists that come from the province profile, not from the model."""

    DISTRICTS = "districts"
    COMMUNES = "communes"
    ISOLATION_ZONES = "isolation_zones"  # a checkpoint's zone_uid
    # a district or commune code (epidemic levels: the unit the level is for)
    ADMIN_UNITS = "admin_units"


@dataclass(frozen=True)
class Choice:
    """One allowed value of a value list, with its labels."""

    value: str
    label_vi: str
    label_en: str

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en


@dataclass(frozen=True)
class ValueList:
    name: str
    choices: Tuple[Choice, ...]

    @property
    def values(self) -> Tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def choice(self, value: str) -> Choice:
        for c in self.choices:
            if c.value == value:
                return c
        raise KeyError(f"{value!r} is not in value list {self.name!r}")

    def __iter__(self) -> Iterator[Choice]:
        return iter(self.choices)


@dataclass(frozen=True)
class FieldDef:
    """One attribute of a layer."""

    name: str
    type: FieldType
    label_vi: str
    label_en: str
    visibility: Visibility = Visibility.PUBLIC
    required: bool = False
    value_list: Optional[ValueList] = None
    value_source: Optional[ValueSource] = None
    default: Optional[Default] = None
    max_length: Optional[int] = None  # strings
    min_value: Optional[float] = None  # numbers
    max_value: Optional[float] = None
    multiline: bool = False
    # A phone number an institution publishes on purpose (duty line).
    # The privacy rule exempts these fields from the phone-number check.
    institutional_phone: bool = False
    # a list field guessed from this text field while empty (model/guesses.py)
    guessed_from: Optional[str] = None
    # the web map needs it to draw a feature (symbol, colour) at any zoom,
    # or, the uid, to find it again: vector tiles carry only these below
    # their maximum zoom (a name is not drawn there), and a popup reads the
    # rest from the maximum zoom's tile when it opens (publish vectortiles.py)
    drawn: bool = False
    help_vi: str = ""
    help_en: str = ""

    @property
    def public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en


class RuleKind(enum.Enum):
    NOT_AFTER = "not_after"  # lower <= upper (dates, e.g. start <= end)
    NOT_GREATER = "not_greater"  # lower <= upper (numbers, occupancy <= capacity)
    REQUIRED_IF_STATUS = "required_if_status"  # lower required when status in statuses
    REQUIRED_IF_TRUE = "required_if_true"  # lower required when boolean field upper is true


@dataclass(frozen=True)
class CrossFieldRule:
    """A constraint that involves two fields or a field and the status.

    Every consumer (QGIS form constraint, validator, server check) derives
    its own check from these, so the rule is written once.
    """

    code: str
    kind: RuleKind
    lower: str
    upper: str = ""
    statuses: Tuple[str, ...] = ()
    message_vi: str = ""
    message_en: str = ""

    @property
    def fields(self) -> Tuple[str, ...]:
        return tuple(f for f in (self.lower, self.upper) if f)


@dataclass(frozen=True)
class StyleDef:
    """How a layer looks, in QGIS and on the web map (same palette)."""

    # colour per status value, "#rrggbb"
    status_colors: Tuple[Tuple[str, str], ...]
    stroke_color: str
    symbol: str  # circle, square, triangle, diamond (points); fill (zones)
    size_px: float = 10.0
    fill_opacity: float = 0.35  # zones only
    # Dash pattern per status for zones ("solid" or "dash"), so that status
    # does not depend on colour alone (colour-blind readers).
    status_strokes: Tuple[Tuple[str, str], ...] = ()

    def color_for(self, status: str) -> str:
        return dict(self.status_colors)[status]

    def stroke_for(self, status: str) -> str:
        return dict(self.status_strokes).get(status, "solid")


@dataclass(frozen=True)
class LayerDef:
    name: str
    title_vi: str
    title_en: str
    geometry_type: GeometryType
    fields: Tuple[FieldDef, ...]
    status_list: ValueList
    # statuses that the public map shows (others are hidden at publish)
    published_statuses: Tuple[str, ...]
    style: StyleDef
    rules: Tuple[CrossFieldRule, ...] = ()
    # a date/datetime field after which a feature is hidden at publish
    hide_after_field: Optional[str] = None
    # fields shown in a popup / list, in order (public only)
    summary_fields: Tuple[str, ...] = ()
    # first on the form, in the order an announcement gives them, so the
    # officer types them one after the other with Tab
    typed_first: Tuple[str, ...] = ()
    description_vi: str = ""
    description_en: str = ""
    # whether the endpoint may publish the layer as a PMTiles archive when it
    # is large; a layer whose map picks the record in force from all of a
    # unit's dated records (epidemic levels) needs its whole GeoJSON instead
    vector_tiles: bool = True

    def title(self, lang: str = "vi") -> str:
        return self.title_vi if lang == "vi" else self.title_en

    @property
    def field_names(self) -> Tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def public_fields(self) -> Tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.public)

    @property
    def drawn_fields(self) -> Tuple[str, ...]:
        """The public fields the map draws a feature with (``FieldDef.drawn``)."""
        return tuple(f.name for f in self.fields if f.drawn and f.public)

    @property
    def internal_fields(self) -> Tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if not f.public)

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no field {name!r}")

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


@dataclass(frozen=True)
class DataModel:
    version: int
    layers: Tuple[LayerDef, ...]
    value_lists: Tuple[ValueList, ...] = field(default=())

    def layer(self, name: str) -> LayerDef:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"unknown layer {name!r}")

    @property
    def layer_names(self) -> Tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)
