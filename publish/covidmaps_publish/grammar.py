"""The endpoint's own HTTP grammars (query parameters, headers, web-map file
names), defined once. The grammars of the wire contract that the plugin and
the web map share — hashes, release ids, the release tree's file names, the
public and write-API paths — are the model's (``covidmaps_plugin.model.wire``);
storage keys and routes take theirs from there.

Each pattern is matched WHOLE (``fullmatch``; never ``match`` with a ``$``,
which also accepts a final newline). Patterns are ASCII-only (``re.ASCII``:
``\\d`` would also accept Arabic-Indic or full-width digits that ``int()``
reads, and ``isdigit()`` accepts superscripts that ``int()`` refuses).
tests/publish/test_grammar.py makes sure no other module compiles its own.
"""

from __future__ import annotations

import re
from typing import Optional

_FLAGS = re.ASCII

# a whole number in a query parameter: ASCII digits, at most 9 of them
QUERY_INT = re.compile(r"[0-9]{1,9}", _FLAGS)
# Content-Length: ASCII digits (18 of them are far beyond any limit)
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}", _FLAGS)
# one byte range of a Range header (RFC 9110, 14.1.2), the unit lower-cased
BYTE_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})", _FLAGS)
# a calendar date (a datetime interval end that means "the whole day")
DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", _FLAGS)
# a Host header fit to go into links: host[:port] or [v6]:port
SAFE_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?",
                       _FLAGS)
# Idempotency-Key: 1-200 visible ASCII characters (a UUID, typically)
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}", _FLAGS)
# a GSO commune code (5 ASCII digits), for a server whose profile lists no communes
COMMUNE_CODE = re.compile(r"[0-9]{5}", _FLAGS)
# one character XML 1.0 does not allow at all (feed.py replaces it in a
# publisher's message); not ASCII-only by nature
NOT_XML_CHAR = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# built web-map file names with a content hash (immutable)
HASHED_ASSET = re.compile(
    r"[\x21-\x2e\x30-\x7e]*[.-][0-9A-Za-z_-]{8,}\.(?:js|css|woff2?|png|svg|webp)", _FLAGS)


def query_int(text: str) -> Optional[int]:
    """A query parameter's whole number (ASCII digits only), else None."""
    match = QUERY_INT.fullmatch(text)
    return None if match is None else int(text)
