"""Model field types as GeoPackage/QGIS fields, and how values are stored.

Storage decisions (the exporter and the validator rely on them):

* Layers are stored in WGS 84 (EPSG:4326), the CRS of the release contract;
  the project shows them in the province's local CRS (EPSG:9213 for Bắc Kạn)
  with the profile's datum transformation, so no value is reprojected twice.
* ``DATETIME`` is ISO 8601 **text with its UTC offset** in province time,
  ``YYYY-MM-DDTHH:MM:SS+07:00``. A GeoPackage DATETIME column only holds UTC
  and QGIS 3.22 drops the offset when reading it, so text is the lossless
  choice; all stored values share the province offset, so they also sort.
* ``DATE`` is a GeoPackage DATE (``QDate``); ``BOOLEAN`` a GeoPackage boolean;
  ``UUID`` 36-character lower-case text without braces.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from qgis.core import QgsField, QgsFields, QgsWkbTypes
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QVariant

from ..compat import FieldKind, new_field
from ..model import FieldDef, FieldType, GeometryType, LayerDef, parse_instant
from ..model.visibility import PROVINCE_TZ

STORAGE_CRS = "EPSG:4326"

_STORAGE = {
    FieldType.UUID: (FieldKind.STRING, "String", 36),
    FieldType.STRING: (FieldKind.STRING, "String", 0),
    FieldType.INTEGER: (FieldKind.INT, "Integer", 0),
    FieldType.REAL: (FieldKind.DOUBLE, "Real", 0),
    FieldType.BOOLEAN: (FieldKind.BOOL, "Boolean", 0),
    FieldType.DATE: (FieldKind.DATE, "Date", 0),
    FieldType.DATETIME: (FieldKind.STRING, "String", 25),  # len("2021-06-01T08:00:00+07:00")
}

WKB_TYPES = {
    GeometryType.POINT: QgsWkbTypes.Type.Point,
    GeometryType.MULTIPOLYGON: QgsWkbTypes.Type.MultiPolygon,
}


def qgs_field(fld: FieldDef) -> QgsField:
    kind, type_name, length = _STORAGE[fld.type]
    if fld.type is FieldType.STRING and fld.max_length:
        length = fld.max_length
    return new_field(fld.name, kind, type_name, length)


def qgs_fields(layer: LayerDef) -> QgsFields:
    fields = QgsFields()
    for fld in layer.fields:
        fields.append(qgs_field(fld))
    return fields


# ------------------------------------------------------------- date/time text

def offset_text(tz: dt.tzinfo = PROVINCE_TZ) -> str:
    """``+07:00`` for the province's zone (Vietnam has no summer time)."""
    offset = dt.datetime(2021, 1, 1, tzinfo=tz).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def qt_datetime_format(tz: dt.tzinfo = PROVINCE_TZ) -> str:
    """The Qt format of stored datetimes (for the DateTime editor widget)."""
    return f"yyyy-MM-dd'T'HH:mm:ss'{offset_text(tz)}'"


def to_stored_datetime(value: Any, tz: dt.tzinfo = PROVINCE_TZ) -> Optional[str]:
    """Any instant (aware datetime, ISO text, QDateTime) as stored text.

    The instant is kept exactly (to the second) and written in province time
    with its offset; a naive value is taken as province time.
    """
    if isinstance(value, QDateTime):
        # toPyDateTime() would drop the offset; ISO text keeps it
        value = value.toString(Qt.DateFormat.ISODate) if value.isValid() else None
    instant = parse_instant(value)
    if instant is None:
        return None
    return instant.astimezone(tz).replace(microsecond=0).isoformat()


def to_stored_value(fld: FieldDef, value: Any, tz: dt.tzinfo = PROVINCE_TZ) -> Any:
    """A Python value (e.g. from JSON) as the value to put in a QgsFeature."""
    if value is None or value == "":
        return None
    if fld.type is FieldType.DATETIME:
        return to_stored_datetime(value, tz)
    if fld.type is FieldType.DATE:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        return QDate(value.year, value.month, value.day)
    if fld.type is FieldType.BOOLEAN:
        return bool(value)
    if fld.type is FieldType.INTEGER:
        return int(value)
    if fld.type is FieldType.REAL:
        return float(value)
    return str(value)


def to_python_value(value: Any) -> Any:
    """A value read from a QgsFeature as plain Python (None, str, int, date...)."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, QDate):
        return value.toPyDate() if value.isValid() else None
    if isinstance(value, QDateTime):
        return value.toPyDateTime() if value.isValid() else None
    return value
