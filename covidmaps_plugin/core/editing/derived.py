"""Defaults derived from another field while the officer fills a form.

The one rule: a derived default may fill an empty field, and it follows its
source field only while the value is still the one it derived. A value the
officer entered is never replaced. (QGIS's own form re-evaluates default
expressions on every change; the expressions keep a field's own value, see
``core.expressions.default_expression``, and this class does the following.)

Pure logic over attribute values: the form (``gui/tools/feature_form.py``)
feeds it the changes and applies what it returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ...model import RISK_POINT_VISIBLE_DAYS, Default, LayerDef
from .values import read_instant, stored

Derive = Callable[[Any], Optional[dt.datetime]]


def _plus_visible_days(source: Any) -> Optional[dt.datetime]:
    instant = read_instant(source)
    return None if instant is None else instant + dt.timedelta(days=RISK_POINT_VISIBLE_DAYS)


# model default -> (the field it is derived from, how)
DERIVATIONS: Dict[Default, Tuple[str, Derive]] = {
    Default.EXPOSURE_END_PLUS_DAYS: ("exposure_end", _plus_visible_days),
}


def _same(value: Any, derived: Optional[dt.datetime]) -> bool:
    instant = read_instant(value)
    return instant is not None and derived is not None and instant == derived


def _empty(value: Any) -> bool:
    return read_instant(value) is None


class DerivedDefaults:
    """Tracks the derived fields of one new feature's form."""

    def __init__(self, layer_def: LayerDef, attributes: Mapping[str, Any]) -> None:
        self.layer_def = layer_def
        # target field -> (source field, derive, the source value last seen)
        self._targets: Dict[str, Tuple[str, Derive]] = {}
        self._last_source: Dict[str, Any] = {}
        for fld in layer_def.fields:
            if fld.default in DERIVATIONS:
                source, derive = DERIVATIONS[fld.default]
                self._targets[fld.name] = (source, derive)
                self._last_source[fld.name] = attributes.get(source)

    @property
    def sources(self) -> Tuple[str, ...]:
        return tuple(source for source, _derive in self._targets.values())

    def updates(self, changed: str, value: Any, current: Mapping[str, Any]) -> Dict[str, Any]:
        """Field -> stored value to set after ``changed`` became ``value``
        (``current``: the form's values). Empty when nothing follows."""
        result: Dict[str, Any] = {}
        for target, (source, derive) in self._targets.items():
            if source != changed:
                continue
            previous = derive(self._last_source.get(target))
            self._last_source[target] = value
            now_derived = derive(value)
            held = current.get(target)
            if now_derived is None:
                continue  # nothing to derive from: leave the field as it is
            if _empty(held) or _same(held, previous):
                if not _same(held, now_derived):
                    result[target] = stored(self.layer_def, target, now_derived)
        return result
