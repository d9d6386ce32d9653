"""Reading and writing attribute values in the editing logic.

Storage is decided once in ``core.fields`` (datetimes as ISO text with the
province offset, dates as QDate); these helpers only adapt it to the
editing code, which works with aware ``datetime`` and ``date`` objects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ...model import LayerDef, parse_instant
from ..fields import to_python_value, to_stored_value


def read_instant(value: Any) -> Optional[dt.datetime]:
    """An aware datetime from an attribute value (NULL -> None)."""
    return parse_instant(to_python_value(value))


def read_date(value: Any) -> Optional[dt.date]:
    plain = to_python_value(value)
    if isinstance(plain, dt.datetime):
        return plain.date()
    if isinstance(plain, dt.date):
        return plain
    instant = parse_instant(plain)
    return instant.date() if instant else None


def read_int(value: Any) -> Optional[int]:
    plain = to_python_value(value)
    return None if plain in (None, "") else int(plain)


def stored(layer_def: LayerDef, name: str, value: Any) -> Any:
    """``value`` as the layer stores field ``name``."""
    return to_stored_value(layer_def.field(name), value)
