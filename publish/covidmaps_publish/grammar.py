"""Every identifier grammar of the endpoint, defined once.

Each pattern is matched WHOLE (``fullmatch``; never ``match`` with a ``$``,
which also accepts a final newline: "<sha>\\n" would pass one check and fail
a stricter one deeper). Patterns are ASCII-only (``re.ASCII``: ``\\d`` would
also accept Arabic-Indic or full-width digits that ``int()`` reads, and
``isdigit()`` accepts superscripts that ``int()`` refuses). Everything that
checks an identifier calls the ``is_*`` functions or ``Grammar.fullmatch``;
tests/publish/test_grammar.py makes sure no other module compiles its own.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Tuple

_FLAGS = re.ASCII

# 64 lower-case hex digits: blob, tile set and archive names
SHA256 = re.compile(r"[0-9a-f]{64}", _FLAGS)
# release ids: zero-padded sequence, dash, 8 hex digits of the manifest hash
RELEASE_ID = re.compile(r"[0-9]{6,12}-[0-9a-f]{8}", _FLAGS)
# layer ids of the model and the reference layers (lower-case snake case)
LAYER_ID = re.compile(r"[a-z][a-z0-9_]{0,39}", _FLAGS)
# a tile of a format 1 tile set's tiles.json: {z}/{x}/{y}, decimal without
# leading zeros (verify.py); ranges are checked by the caller
TILE_NAME = re.compile(r"(0|[1-9][0-9]?)/(0|[1-9][0-9]{0,5})/(0|[1-9][0-9]{0,5})", _FLAGS)
# a canonical UUID as str(uuid.UUID(text)) writes it
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", _FLAGS)
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
# a release-tree storage key (storage/base.py refuses anything else)
STORAGE_KEY = re.compile(
    r"manifest\.json"
    r"|releases/[0-9]{6,12}-[0-9a-f]{8}\.json(?:\.sig)?"
    r"|blobs/[0-9a-f]{64}\.geojson(?:\.gz|\.br)?"
    # open data (feed.py, downloads.py, signing.py): the feed and the signing
    # keys are replaced like the pointer; CSV downloads and per-key PEMs are
    # content-addressed
    r"|feed\.atom|keys\.json|public-key\.pem|keys/[0-9a-f]{16}\.pem"
    r"|downloads/[0-9a-f]{64}\.csv(?:\.gz|\.br)?"
    r"|tiles/[0-9a-f]{64}\.pmtiles"
    # format-1 tile sets (read by verify only): tiles/<sha>/tiles.json, {z}/{x}/{y}.pbf
    r"|tiles/[0-9a-f]{64}/(?:tiles\.json"
    r"|(?:[0-9]|1[0-6])/(?:0|[1-9][0-9]{0,4})/(?:0|[1-9][0-9]{0,4})\.pbf(?:\.gz|\.br)?)",
    _FLAGS)
# public read paths
RELEASE_PATH = re.compile(r"/data/releases/([0-9]{6,12}-[0-9a-f]{8})\.json", _FLAGS)
BLOB_PATH = re.compile(r"/data/blobs/([0-9a-f]{64})\.geojson", _FLAGS)
PMTILES_PATH = re.compile(r"/data/tiles/([0-9a-f]{64})\.pmtiles", _FLAGS)
# open data files (served from storage as they are: feed, keys, signatures, CSV)
OPEN_DATA_PATH = re.compile(
    r"/data/(feed\.atom|keys\.json|public-key\.pem|keys/[0-9a-f]{16}\.pem"
    r"|releases/[0-9]{6,12}-[0-9a-f]{8}\.json\.sig|downloads/[0-9a-f]{64}\.csv)", _FLAGS)
# a signing key's id: the first 16 hex digits of the SHA-256 of its raw public key
KEY_ID = re.compile(r"[0-9a-f]{16}", _FLAGS)
# write API paths: segments of visible ASCII but "/" (each is then checked with
# its own grammar above)
_SEGMENT = r"([\x21-\x2e\x30-\x7e]+)"
API_BLOB_PATH = re.compile(rf"/api/v1/layers/{_SEGMENT}/blobs/{_SEGMENT}", _FLAGS)
# built web-map file names with a content hash (immutable)
HASHED_ASSET = re.compile(
    r"[\x21-\x2e\x30-\x7e]*[.-][0-9A-Za-z_-]{8,}\.(?:js|css|woff2?|png|svg|webp)", _FLAGS)


def _whole(pattern: re.Pattern[str], value: Any) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None


def is_sha256(value: Any) -> bool:
    return _whole(SHA256, value)


def is_release_id(value: Any) -> bool:
    return _whole(RELEASE_ID, value)


def is_layer_id(value: Any) -> bool:
    return _whole(LAYER_ID, value)


def is_key_id(value: Any) -> bool:
    return _whole(KEY_ID, value)


def is_uuid(value: Any) -> bool:
    return _whole(UUID, value)


def tile_name(name: Any) -> Optional[Tuple[int, int, int]]:
    """(z, x, y) of a tile name ``{z}/{x}/{y}`` (a format 1 tiles.json)."""
    match = TILE_NAME.fullmatch(name) if type(name) is str else None
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def query_int(text: str) -> Optional[int]:
    """A query parameter's whole number (ASCII digits only), else None."""
    match = QUERY_INT.fullmatch(text)
    return None if match is None else int(text)
