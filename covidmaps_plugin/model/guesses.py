"""Choices guessed from a feature's name, to fill an empty list field.

An officer types the place's name from an announcement ("Chợ phiên xã Bằng
Vân", "Quán phở Hương Giang"); the kind of place is usually in its first
words. The form fills «Loại địa điểm» from the name while the officer has
not chosen one (``core/editing/derived.py``: a guess fills an empty field
and never replaces a choice). Words are matched whole, with their Vietnamese
tone marks (unaccented "cho" is also "for"), case-insensitively; the word
that comes first in the name wins ("Quán cơm chợ Phủ Thông" is a restaurant).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Dict, Optional, Pattern, Sequence, Tuple

# place_type code -> words that name it, Vietnamese and English
PLACE_TYPE_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("market", ("chợ", "market")),
    ("shop", ("siêu thị", "cửa hàng", "tạp hóa", "tạp hoá", "hiệu thuốc", "nhà thuốc",
              "supermarket", "shop", "store", "pharmacy")),
    ("restaurant", ("quán", "nhà hàng", "quán ăn", "quán cà phê", "restaurant", "café",
                    "cafe", "eatery")),
    ("health_facility", ("bệnh viện", "trạm y tế", "phòng khám", "trung tâm y tế",
                         "hospital", "clinic", "health station")),
    ("school", ("trường", "mầm non", "school", "kindergarten")),
    ("religious_site", ("chùa", "nhà thờ", "đền", "church", "pagoda", "temple")),
    ("transport", ("bến xe", "xe khách", "nhà ga", "bus station", "coach", "station")),
    ("office", ("ủy ban", "uỷ ban", "ubnd", "office")),
)


def _nfc(text: str) -> str:
    # the same letter typed on different keyboards (composed or not)
    return unicodedata.normalize("NFC", text).casefold()


def _pattern(words: Sequence[Tuple[str, Tuple[str, ...]]]) -> Pattern[str]:
    alternatives = sorted({_nfc(w) for _code, ws in words for w in ws}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in alternatives) + r")(?!\w)")


_PLACE_PATTERN = _pattern(PLACE_TYPE_WORDS)
_PLACE_CODE = {_nfc(w): code for code, ws in PLACE_TYPE_WORDS for w in ws}


def place_type_from_name(name: object) -> Optional[str]:
    """The place_type code the name suggests, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    found = _PLACE_PATTERN.search(_nfc(name))
    return _PLACE_CODE[found.group(1)] if found else None


# value list name -> guess from text (FieldDef.guessed_from names the text field)
GUESSERS: Dict[str, Callable[[object], Optional[str]]] = {
    "place_type": place_type_from_name,
}
