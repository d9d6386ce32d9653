"""The rules registry: each rule is a small function that declares the codes
it may emit and the layers it applies to. The engine runs them in
registration order; tests check that every code has a rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, List, Optional, Tuple

from .findings import Finding, FindingCode

if TYPE_CHECKING:
    from .context import ValidationContext
    from .table import LayerTable

Check = Callable[["ValidationContext", "LayerTable"], Iterable[Finding]]


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

    def applies_to(self, table: LayerTable) -> bool:
        if self.layers is not None and table.name not in self.layers:
            return False
        return self.geometry is None or table.layer_def.geometry_type.value == self.geometry


RULES: List[Rule] = []


def rule(theme: str, *codes: FindingCode, layers: Optional[Tuple[str, ...]] = None,
         geometry: Optional[str] = None, row_local: bool = False) -> Callable[[Check], Check]:
    """Register the decorated function as a rule emitting ``codes``."""

    def register(check: Check) -> Check:
        RULES.append(Rule(check.__name__, theme, codes, check, layers, geometry, row_local))
        return check

    return register
