"""Time rules: what publishing will hide because it expired, and statuses
that the dates say are out of date (warnings: the officer decides)."""

from __future__ import annotations

from typing import Dict, Iterator

from ...model import MODEL, RuleKind
from .context import ValidationContext
from .findings import Bilingual, Finding, FindingCode
from .registry import at_now, rule
from .rules_attributes import display
from .table import LayerTable

C = FindingCode
ZONES = MODEL.layer("isolation_zones")
ZONE_END_FIELD = ZONES.field("effective_until").name


def _status_label(table: LayerTable, value: str) -> Bilingual:
    try:
        choice = table.layer_def.status_list.choice(value)
    except KeyError:
        return Bilingual(value, value)
    return Bilingual(choice.label_vi, choice.label_en)


def _closing_dates(ctx: ValidationContext, table: LayerTable) -> Dict[str, float]:
    return at_now(*(r.lower for r in table.layer_def.rules
                    if r.kind is RuleKind.REQUIRED_IF_STATUS))(ctx, table)


@rule("time", C.TIME_EXPIRED_HIDDEN, moments=at_now())
def expired_hidden(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """Approved, published status, but its ``hide_after_field`` has passed
    (``model.visibility`` will leave it out of the release)."""
    name = table.layer_def.hide_after_field
    if not name:
        return
    fld = table.layer_def.field(name)
    reasons = ctx.hidden_reasons(table)
    for row, until in enumerate(table.column(name)):
        if isinstance(until, float) and until < ctx.now_s and reasons[row] == "expired":
            yield ctx.finding(table, row, C.TIME_EXPIRED_HIDDEN, name, value=display(fld, until))


@rule("time", C.TIME_STATUS_STALE, moments=_closing_dates)
def stale_status(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    """A closing date has passed (the model requires it for a closing status)
    but the feature is still in a published status."""
    layer_def = table.layer_def
    status = table.column("status")
    for model_rule in layer_def.rules:
        if model_rule.kind is not RuleKind.REQUIRED_IF_STATUS:
            continue
        fld = layer_def.field(model_rule.lower)
        expected = _status_label(table, model_rule.statuses[0])
        for row, when in enumerate(table.column(fld.name)):
            if (isinstance(when, float) and when <= ctx.now_s
                    and status[row] not in model_rule.statuses
                    and status[row] in layer_def.published_statuses):
                yield ctx.finding(table, row, C.TIME_STATUS_STALE, fld.name,
                                  value=display(fld, when),
                                  status=_status_label(table, status[row]), expected=expected)


@rule("time", C.TIME_PERIOD_ENDED, layers=(ZONES.name,), moments=at_now(ZONE_END_FIELD))
def zone_period_ended(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    fld = ZONES.field(ZONE_END_FIELD)
    status = table.column("status")
    lifted = table.column("lifted_on")
    for row, until in enumerate(table.column(ZONE_END_FIELD)):
        if (isinstance(until, float) and until < ctx.now_s and lifted[row] is None
                and ctx.published(table)[row]):
            yield ctx.finding(table, row, C.TIME_PERIOD_ENDED, fld.name,
                              value=display(fld, until), status=_status_label(table, status[row]))
