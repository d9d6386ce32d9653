"""Publication rules: features the public map will not show although
nothing but the approval keeps them off it (a feature the officer added
must never vanish silently)."""

from __future__ import annotations

from typing import Iterator

from ...model import hidden_reason
from .context import ValidationContext
from .findings import Finding, FindingCode
from .registry import at_now, rule
from .table import LayerTable

C = FindingCode
APPROVED = "approved"


@rule("publication", C.PUBLISH_NOT_APPROVED, moments=at_now())
def not_approved(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Not approved, but in a published status and not expired: approving
    it is all that is missing. (Withdrawn, closed or expired features stay
    off the map for their own reason and are not reported here.)"""
    layer_def = table.layer_def
    if APPROVED not in layer_def.field_names:
        return
    status = table.column("status")
    reasons = ctx.hidden_reasons(table)
    for row in [r for r, reason in enumerate(reasons) if reason == "not_approved"]:
        attributes = {APPROVED: True, "status": status[row]}
        if layer_def.hide_after_field:
            # ctx.hidden_reason reads the row's time the same way
            until = table.column(layer_def.hide_after_field)[row]
            if isinstance(until, float) and until == until and until < ctx.now_s:
                continue
        if hidden_reason(layer_def, attributes, ctx.now) is None:
            yield ctx.finding(table, row, C.PUBLISH_NOT_APPROVED, APPROVED)
