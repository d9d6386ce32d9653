"""Patterns of personal data in free text (pure Python, no QGIS), after
Ministry of Health instruction 4191/BYT-TT-KT: no patient identity, case
codes linked to places, addresses of homes, or personal phone numbers.

What is matched, and what deliberately is not:

* phone: Vietnamese mobile numbers, 10 digits ``0[35789]x xxx xxxx`` or
  ``+84``/``0084`` + 9 digits, the carrier code written together and single
  spaces, dots or dashes between groups. Not matched: landlines ``02xx``
  (institutions publish them), hotlines ``1800``/``1900``, dates
  (``05-06-2021``, ``08.06.2021``: the carrier code would need two adjacent
  digits), decision numbers (``123/QĐ-UBND``: a slash ends a number), digits
  glued to other digits.
* citizen ID: exactly 9 (CMND) or 12 (CCCD) digits standing alone (not part
  of a longer number, a decimal, a date or a ``/`` reference).
* patient code: ``BN1234``, ``BN 1234``, ``BN-1234``, ``bệnh nhân (số) 1234``,
  ``ca bệnh (số) 1234``. Not matched: ``BN`` inside a word, a count such as
  "3 ca bệnh".
* residence: ``nhà ông/bà/anh/chị...``, ``gia đình ông...``, ``hộ ông...``,
  ``tư gia``, ``nhà riêng``, ``nơi ở của`` everywhere; house numbers
  (``số nhà 12``, ``nhà số 12``, ``SN 12``) only where homes do not belong
  (risk points). Not matched: ``nhà văn hóa``, ``nhà hàng``, ``nhà thờ``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, NamedTuple

PHONE_RE = re.compile(
    r"(?<![\d/])(?:\(?\+84\)?|0084|0)[ .\-]?[35789]\d(?:[ .\-]?\d){7}(?![\d/])")
CITIZEN_ID_RE = re.compile(r"(?<![\d.,/\-])(?:\d{12}|\d{9})(?![\d.,/\-])")
PATIENT_RE = re.compile(
    r"(?<![^\W\d_])BN\s?[-.:#]?\s?\d{1,6}(?!\d)"
    r"|\bb[eệ]nh\s+nh[aâ]n\s+(?:s[oố]\s*)?(?:BN\s*)?\d{1,6}(?!\d)"
    r"|\bca\s+b[eệ]nh\s+(?:s[oố]\s*)?\d{1,6}(?!\d)",
    re.IGNORECASE,
)
_PERSON = r"(?:ông|bà|anh|chị|cô|chú|bác|cháu|em)"
RESIDENCE_RE = re.compile(
    rf"\bnhà\s+{_PERSON}\b|\b(?:hộ\s+gia\s+đình|gia\s+đình|hộ)\s+{_PERSON}\b"
    r"|\btư\s+gia\b|\bnhà\s+riêng\b|\bnơi\s+ở\s+của\b",
    re.IGNORECASE,
)
HOUSE_NUMBER_RE = re.compile(
    r"\bsố\s+nhà\s*\d+|\bnhà\s+số\s*\d+|(?<![^\W\d_])SN\s*\d+", re.IGNORECASE)

PHONE, CITIZEN_ID, PATIENT_CODE, RESIDENCE = "phone", "citizen_id", "patient_code", "residence"


class Match(NamedTuple):
    kind: str
    text: str


def mask(text: str) -> str:
    """Show enough of a number to find it, not enough to publish it."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    hidden = set(digits[3:-2]) if len(digits) > 6 else set()
    return "".join("•" if i in hidden else ch for i, ch in enumerate(text))


_NO_DIGITS = str.maketrans("", "", "0123456789")
# syllables without which a pattern cannot match (searched in casefolded text)
_PATIENT_HINTS = re.compile("bn|nh")  # "BN", "bệnh nhân", "ca bệnh"
_RESIDENCE_HINTS = re.compile("nhà|hộ|gia|nơi")
_HOUSE_HINTS = re.compile("nhà|sn")


def find_personal_data(text: str, *, phones: bool = True, house_numbers: bool = False
                       ) -> List[Match]:
    """Personal data found in ``text``, at most one match per kind.

    Cheap necessary conditions (digit count, key syllables) decide which
    patterns can match at all, so clean text costs no regex search.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    lowered = text.casefold()
    digits = len(text) - len(text.translate(_NO_DIGITS))
    found: List[Match] = []
    if digits >= 9:
        if phones:
            match = PHONE_RE.search(text)
            if match:
                found.append(Match(PHONE, mask(match.group(0))))
        match = CITIZEN_ID_RE.search(text)
        if match:
            found.append(Match(CITIZEN_ID, mask(match.group(0))))
    if digits and _PATIENT_HINTS.search(lowered):
        match = PATIENT_RE.search(text)
        if match:
            found.append(Match(PATIENT_CODE, match.group(0)))
    match = None
    if _RESIDENCE_HINTS.search(lowered):
        match = RESIDENCE_RE.search(text)
    if match is None and house_numbers and digits and _HOUSE_HINTS.search(lowered):
        match = HOUSE_NUMBER_RE.search(text)
    if match:
        found.append(Match(RESIDENCE, match.group(0)))
    return found
