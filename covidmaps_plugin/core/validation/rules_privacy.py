"""Privacy rules (errors): personal data in public free-text fields.

Only public fields are checked: internal ones (case_refs, commander...)
never leave the machine. Fields with a value list hold codes, not text.
A field flagged ``institutional_phone`` (duty lines) may hold a phone number.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Tuple

from ...model import MODEL, FieldDef, FieldType, LayerDef
from .context import ValidationContext
from .findings import Finding, FindingCode
from .privacy_patterns import (
    CITIZEN_ID,
    PATIENT_CODE,
    PHONE,
    RESIDENCE,
    Match,
    find_personal_data,
)
from .registry import rule
from .table import LayerTable

C = FindingCode
CODES = {PHONE: C.PRIVACY_PHONE, CITIZEN_ID: C.PRIVACY_CITIZEN_ID,
         PATIENT_CODE: C.PRIVACY_PATIENT_CODE, RESIDENCE: C.PRIVACY_RESIDENCE}
# Homes do not belong in this layer at all, so house numbers count too.
HOUSE_NUMBER_LAYERS = (MODEL.layer("risk_points").name,)


def free_text_fields(layer_def: LayerDef) -> Tuple[FieldDef, ...]:
    return tuple(f for f in layer_def.public_fields
                 if f.type is FieldType.STRING and f.value_list is None
                 and f.value_source is None)


@rule("privacy", C.PRIVACY_PHONE, C.PRIVACY_CITIZEN_ID, C.PRIVACY_PATIENT_CODE,
      C.PRIVACY_RESIDENCE, row_local=True)
def personal_data(ctx: ValidationContext, table: LayerTable) -> Iterator[Finding]:
    house_numbers = table.name in HOUSE_NUMBER_LAYERS
    for fld in free_text_fields(table.layer_def):
        phones = not fld.institutional_phone
        seen: Dict[str, List[Match]] = {}  # texts repeat a lot (advice, addresses)
        for row, text in enumerate(table.column(fld.name)):
            if not text:
                continue
            matches = seen.get(text)
            if matches is None:
                matches = seen[text] = find_personal_data(
                    text, phones=phones, house_numbers=house_numbers)
            for match in matches:
                yield ctx.finding(table, row, CODES[match.kind], fld.name, value=match.text)
