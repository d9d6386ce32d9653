"""What counts as a number in an upload: one rule for coordinates, numeric
properties and bounds.

JSON numbers arrive as Python ``float`` or ``int``. A float must be finite
(``1e400`` parses as infinity); an int must lie within I-JSON's exact range
(RFC 7493: +-(2**53 - 1)), which every reader of the data (JavaScript, the
GeoPackage, float64 maths) holds exactly. ``math.isfinite`` is never called
on an int: an int of hundreds of digits makes it raise OverflowError.
"""

from __future__ import annotations

import math
from typing import Any

MAX_EXACT_INT = 2 ** 53 - 1


def is_number(value: Any) -> bool:
    """A finite float or an int within +-MAX_EXACT_INT (never a bool)."""
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    if kind is int:
        return -MAX_EXACT_INT <= value <= MAX_EXACT_INT
    return False


def is_whole_number(value: Any) -> bool:
    """An int (not a bool) within +-MAX_EXACT_INT."""
    return type(value) is int and -MAX_EXACT_INT <= value <= MAX_EXACT_INT
