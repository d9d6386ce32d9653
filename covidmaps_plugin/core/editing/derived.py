"""Defaults derived from another field while the officer fills a form.

The one rule: a derived default may fill an empty field, and it follows its
source field only while the value is still the one it derived. A value the
officer entered is never replaced. The same goes for a choice guessed from
the name (``model/guesses.py``: "Chợ ..." is a market). (QGIS's own form re-evaluates default
expressions on every change; the expressions keep a field's own value, see
``core.expressions.default_expression``, and this class does the following.)

Pure logic over attribute values: the form (``gui/tools/feature_form.py``)
feeds it the changes and applies what it returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from ...model import RISK_POINT_VISIBLE_DAYS, Default, FieldDef, LayerDef
from ...model.guesses import GUESSERS
from ..fields import to_python_value
from .values import read_instant, stored

Derive = Callable[[Any], Any]
Read = Callable[[Any], Any]  # a held value as comparable Python (None: empty)


def _plus_visible_days(source: Any) -> Optional[dt.datetime]:
    instant = read_instant(source)
    return None if instant is None else instant + dt.timedelta(days=RISK_POINT_VISIBLE_DAYS)


def _read_text(value: Any) -> Optional[str]:
    plain = to_python_value(value)
    return None if plain in (None, "") else str(plain)


# model default -> (the field it is derived from, how)
DERIVATIONS: Dict[Default, Tuple[str, Derive]] = {
    Default.EXPOSURE_END_PLUS_DAYS: ("exposure_end", _plus_visible_days),
}


def _derivation(fld: FieldDef) -> Optional[Tuple[str, Derive, Read]]:
    """(source field, derive, read) of a derived field, None for the others."""
    if fld.default in DERIVATIONS:
        source, derive = DERIVATIONS[fld.default]
        return source, derive, read_instant
    if fld.guessed_from and fld.value_list is not None and fld.value_list.name in GUESSERS:
        return fld.guessed_from, GUESSERS[fld.value_list.name], _read_text
    return None


class DerivedDefaults:
    """Tracks the derived fields of one new feature's form."""

    def __init__(self, layer_def: LayerDef, attributes: Mapping[str, Any]) -> None:
        self.layer_def = layer_def
        # target field -> (source field, derive, read)
        self._targets: Dict[str, Tuple[str, Derive, Read]] = {}
        # target field -> the value last derived for it (None: none yet)
        self._last: Dict[str, Any] = {}
        for fld in layer_def.fields:
            derivation = _derivation(fld)
            if derivation is not None:
                self._targets[fld.name] = derivation
                self._last[fld.name] = derivation[1](attributes.get(derivation[0]))

    @property
    def sources(self) -> Tuple[str, ...]:
        return tuple(source for source, _derive, _read in self._targets.values())

    def updates(self, changed: str, value: Any, current: Mapping[str, Any]) -> Dict[str, Any]:
        """Field -> stored value to set after ``changed`` became ``value``
        (``current``: the form's values). Empty when nothing follows."""
        result: Dict[str, Any] = {}
        for target, (source, derive, read) in self._targets.items():
            if source != changed:
                continue
            now_derived = derive(value)
            if now_derived is None:
                continue  # nothing to derive from: leave the field as it is
            previous, self._last[target] = self._last[target], now_derived
            held = read(current.get(target))
            # empty, or still what was derived before: the officer's own value stays
            if held is None or (previous is not None and held == previous):
                if held != now_derived:
                    result[target] = stored(self.layer_def, target, now_derived)
        return result
