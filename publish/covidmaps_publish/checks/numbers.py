"""What counts as a number in an upload: one rule for coordinates, numeric
properties and bounds, owned by the model (``model.field_rules``: the
plugin's checks and the endpoint's read numbers the same way).

JSON numbers arrive as Python ``float`` or ``int``. A float must be finite
(``1e400`` parses as infinity); an int must lie within I-JSON's exact range
(RFC 7493: +-(2**53 - 1)).
"""

from __future__ import annotations

from covidmaps_plugin.model.field_rules import MAX_EXACT_INT, is_number, is_whole_number

__all__ = ["MAX_EXACT_INT", "is_number", "is_whole_number"]
