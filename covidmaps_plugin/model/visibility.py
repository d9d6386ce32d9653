"""Which features the public map shows now: one rule for export, preview,
validator and server.

A feature is published when it is approved, its status is one of the layer's
``published_statuses`` and, for layers with a ``hide_after_field`` (risk
points: ``visible_until``), that moment has not passed. "Now" is an aware
datetime; dates are read in the province's time zone (UTC+7).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from .schema import LayerDef

PROVINCE_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")


def parse_instant(value: Any) -> Optional[dt.datetime]:
    """An aware datetime from an ISO 8601 string, a date or a datetime.

    Naive values are taken as province time (that is what an officer in
    Bắc Kạn means when typing 08:00); a bare date means 00:00 province time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            result = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=PROVINCE_TZ)
    return result


def is_truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "t")
    return bool(value)


def hidden_reason(
    layer: LayerDef, attributes: Mapping[str, Any], now: dt.datetime
) -> Optional[str]:
    """Why a feature is not on the public map, or None if it is.

    Returns one of ``"not_approved"``, ``"status"``, ``"expired"``.
    """
    if not is_truthy(attributes.get("approved")):
        return "not_approved"
    if attributes.get("status") not in layer.published_statuses:
        return "status"
    if layer.hide_after_field:
        until = parse_instant(attributes.get(layer.hide_after_field))
        if until is not None and until < now:
            return "expired"
    return None


def is_published(layer: LayerDef, attributes: Mapping[str, Any], now: dt.datetime) -> bool:
    return hidden_reason(layer, attributes, now) is None
