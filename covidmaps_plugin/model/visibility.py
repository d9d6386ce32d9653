"""Which features the public map shows now: one rule for export, preview,
validator and server.

A feature is published when it is approved, its status is one of the layer's
``published_statuses`` and, for layers with a ``hide_after_field`` (risk
points: ``visible_until``), that moment has not passed. "Now" is an aware
datetime; dates are read in the province's time zone (UTC+7).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

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


def hidden_reasons(
    layer: LayerDef,
    approved: Sequence[Any],
    status: Sequence[Any],
    hide_after: Optional[Sequence[Any]],
    now: dt.datetime,
) -> List[Optional[str]]:
    """:func:`hidden_reason` of every row of a layer given as columns (the
    ``hide_after_field`` column None when the layer has none). A layer's rows
    share few distinct (approved, status, time) triples: each is decided
    once, by :func:`hidden_reason` itself."""
    ends: Sequence[Any] = hide_after if hide_after is not None else [None] * len(approved)
    decided: Dict[Tuple[Any, Any, Any], Optional[str]] = {}
    reasons: List[Optional[str]] = []
    for key in zip(approved, status, ends):
        try:
            reasons.append(decided[key])
        except KeyError:
            attributes = {"approved": key[0], "status": key[1]}
            if layer.hide_after_field:
                attributes[layer.hide_after_field] = key[2]
            decided[key] = reason = hidden_reason(layer, attributes, now)
            reasons.append(reason)
        except TypeError:  # an unhashable value: decided alone
            attributes = {"approved": key[0], "status": key[1]}
            if layer.hide_after_field:
                attributes[layer.hide_after_field] = key[2]
            reasons.append(hidden_reason(layer, attributes, now))
    return reasons
