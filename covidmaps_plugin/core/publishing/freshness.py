"""How current the published data is: the manifest's ``data_updated_at``.

Not the publish time (publishing yesterday's data again does not make it
fresher) but the newest "last updated" instant among the features that are
actually published, read from the model's ``updated_at`` field (public,
required, set on every edit). Falls back to "now" only when nothing is
published at all.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Optional

from ...model import MODEL, PROVINCE_TZ, FieldType, parse_instant
from ..export import UPDATED_FIELD, LayerExport

# The export is canonical compact JSON (no whitespace, keys sorted), so each
# published feature's value appears as ``"updated_at":"<ISO instant>"``.
# Scanning the bytes is ~20x cheaper than parsing 100,000 features again,
# and cannot match inside a string value: a quote there is always escaped.
_VALUE = re.compile(b'"' + UPDATED_FIELD.encode() + b'":"([^"\\\\]+)"')


def _check_model() -> None:
    """Fail at import, not with a silently wrong date, if the model changes."""
    for layer in MODEL.layers:
        fld = layer.field(UPDATED_FIELD)
        if not (fld.public and fld.type is FieldType.DATETIME):
            raise RuntimeError(f"{layer.name}.{UPDATED_FIELD} is not a public date and time")


_check_model()


def latest_update(exports: Iterable[LayerExport]) -> Optional[dt.datetime]:
    """The newest ``updated_at`` of the published features (None: none has
    one): carried by an export made from rows read in bulk, else read from
    its bytes."""
    latest: Optional[dt.datetime] = None
    for export in exports:
        if export.newest_update_known:
            found = [export.newest_update] if export.newest_update is not None else []
        else:
            found = [instant for instant in (parse_instant(text.decode("utf-8"))
                                             for text in set(_VALUE.findall(export.data)))
                     if instant is not None]
        for instant in found:
            if latest is None or instant > latest:
                latest = instant
    return latest


def data_updated_at(exports: Iterable[LayerExport], now: dt.datetime) -> str:
    """``data_updated_at`` for the manifest: ISO 8601 with the province's
    offset, to the second. An ``updated_at`` in the future (a typo, which the
    validator warns about) is capped at ``now``: no data is newer than its
    publication."""
    latest = latest_update(exports)
    when = now if latest is None or latest > now else latest
    return when.astimezone(PROVINCE_TZ).isoformat(timespec="seconds")
