"""The rules registry: each rule is a small function that declares the codes
it may emit and the layers it applies to. The engine runs them in
registration order; tests check that every code has a rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Tuple

from .findings import Finding, FindingCode

if TYPE_CHECKING:
    from .context import ValidationContext
    from .table import LayerTable

Check = Callable[["ValidationContext", "LayerTable"], Iterable[Finding]]
# field -> the instant (epoch seconds) the rule compares that field's values with
Moments = Callable[["ValidationContext", "LayerTable"], Dict[str, float]]


@dataclass(frozen=True)
class Rule:
    name: str
    theme: str  # geometry, attributes, time, privacy
    codes: Tuple[FindingCode, ...]
    check: Check
    layers: Optional[Tuple[str, ...]] = None  # None: every model layer
    geometry: Optional[str] = None  # only layers of this geometry type ("Point"...)
    # the findings of a row depend on that row alone (and on the profile,
    # the options and the reference shapes, not on "now"): a row unchanged
    # since the last check keeps its findings (engine.py)
    row_local: bool = False
    # the findings of a row depend on that row alone but for comparing some
    # of its times with instants derived from "now" (these, by field): a
    # row unchanged since the last check keeps its findings unless one of
    # those times lies between the instant of then and that of now (its
    # verdict can have changed)
    moments: Optional[Moments] = None
    # its findings quote those instants: when one moves, the rows that had
    # findings are checked again too
    quotes_moments: bool = False

    def applies_to(self, table: LayerTable) -> bool:
        if self.layers is not None and table.name not in self.layers:
            return False
        return self.geometry is None or table.layer_def.geometry_type.value == self.geometry


def at_now(*names: str) -> Moments:
    """``Rule.moments`` of a rule that compares the fields ``names`` and the
    layer's ``hide_after_field`` (whether a row is shown) with "now"."""
    def moments(ctx: ValidationContext, table: LayerTable) -> Dict[str, float]:
        hide_after = table.layer_def.hide_after_field
        return {name: ctx.now_s for name in (*names, *((hide_after,) if hide_after else ()))}
    return moments


RULES: List[Rule] = []


def rule(theme: str, *codes: FindingCode, layers: Optional[Tuple[str, ...]] = None,
         geometry: Optional[str] = None, row_local: bool = False,
         moments: Optional[Moments] = None, quotes_moments: bool = False
         ) -> Callable[[Check], Check]:
    """Register the decorated function as a rule emitting ``codes``."""

    def register(check: Check) -> Check:
        RULES.append(Rule(check.__name__, theme, codes, check, layers, geometry, row_local,
                          moments, quotes_moments))
        return check

    return register
