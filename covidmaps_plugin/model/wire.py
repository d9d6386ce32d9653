"""The wire contract, defined once: identifier grammars, the release tree's
file names, the public and write-API paths, content types and the problem
codes a client acts on. The endpoint (storage keys, routes, checks), the
plugin's client and, through a generated file, the web map's service worker
(``python -m covidmaps_plugin.model.wire``) take them from here;
tests/model/test_wire.py fails on a stray copy anywhere else.

Each pattern is matched WHOLE (``fullmatch``; never ``match`` with a ``$``,
which also accepts a final newline: "<sha>\\n" would pass one check and fail
a stricter one deeper). Patterns are ASCII-only (``re.ASCII``: ``\\d`` would
also accept Arabic-Indic or full-width digits that ``int()`` reads).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

_FLAGS = re.ASCII

# -- identifiers (regular-expression text, composed below) ---------------------
# 64 lower-case hex digits: blob, archive and download names
SHA256_TEXT = "[0-9a-f]{64}"
# release ids: zero-padded sequence, dash, 8 hex digits of the manifest hash
RELEASE_ID_TEXT = "[0-9]{6,12}-[0-9a-f]{8}"
# a signing key's id: the first 16 hex digits of the SHA-256 of its raw public key
KEY_ID_TEXT = "[0-9a-f]{16}"
# layer ids of the model and the reference layers (lower-case snake case)
LAYER_ID_TEXT = "[a-z][a-z0-9_]{0,39}"
# a canonical UUID as str(uuid.UUID(text)) writes it (a feature's uid)
UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

SHA256 = re.compile(SHA256_TEXT, _FLAGS)
RELEASE_ID = re.compile(RELEASE_ID_TEXT, _FLAGS)
KEY_ID = re.compile(KEY_ID_TEXT, _FLAGS)
LAYER_ID = re.compile(LAYER_ID_TEXT, _FLAGS)
UUID = re.compile(UUID_TEXT, _FLAGS)
# a tile of a format 1 tile set's tiles.json: {z}/{x}/{y}, decimal without
# leading zeros; ranges are checked by the caller
TILE_NAME = re.compile(r"(0|[1-9][0-9]?)/(0|[1-9][0-9]{0,5})/(0|[1-9][0-9]{0,5})", _FLAGS)


def _whole(pattern: re.Pattern[str], value: Any) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None


def is_sha256(value: Any) -> bool:
    return _whole(SHA256, value)


def is_release_id(value: Any) -> bool:
    return _whole(RELEASE_ID, value)


def is_key_id(value: Any) -> bool:
    return _whole(KEY_ID, value)


def is_uuid(value: Any) -> bool:
    return _whole(UUID, value)


def tile_name(name: Any) -> Optional[Tuple[int, int, int]]:
    """(z, x, y) of a tile name ``{z}/{x}/{y}`` (a format 1 tiles.json)."""
    match = TILE_NAME.fullmatch(name) if type(name) is str else None
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


# -- the release tree (paths relative to /data/, docs/release-format.md) --------
_FIELDS = {"sha256": SHA256_TEXT, "release_id": RELEASE_ID_TEXT, "key_id": KEY_ID_TEXT}
COMPRESSED = (".gz", ".br")  # stored variants of a file, served by Accept-Encoding


@dataclass(frozen=True)
class FileName:
    """One kind of file of the release tree: the name it is written under
    and, derived from that one template, the grammar that recognises it."""

    template: str  # e.g. "blobs/{sha256}.geojson"; at most one {field}
    variants: Tuple[str, ...] = ()  # suffixes of stored variants (".gz", ".br")

    def name(self, value: str = "", suffix: str = "") -> str:
        """The file's name for ``value`` (a hash, a release id, a key id)."""
        if suffix and suffix not in self.variants:
            raise ValueError(f"{self.template} has no {suffix!r} variant")
        return self.template.format(**{f: value for f in _FIELDS}) + suffix

    def name_match(self, name: str) -> Optional[str]:
        """The value in ``name`` if it is this kind of file (no variant), else None."""
        match = re.fullmatch(self.text, name, _FLAGS) if type(name) is str else None
        return None if match is None else (match.group(1) if match.groups() else "")

    @property
    def text(self) -> str:
        """Regular-expression text of the name, its value as group 1."""
        out = re.escape(self.template)
        for field_name, grammar in _FIELDS.items():
            out = out.replace(re.escape("{" + field_name + "}"), f"({grammar})")
        return out

    @property
    def stored_text(self) -> str:
        """The name or one of its variants (no capture group)."""
        plain = re.sub(r"\((?!\?)", "(?:", self.text)
        if not self.variants:
            return plain
        return plain + "(?:" + "|".join(re.escape(v) for v in self.variants) + ")?"


POINTER = FileName("manifest.json")
RELEASE = FileName("releases/{release_id}.json")
SIGNATURE = FileName("releases/{release_id}.json.sig")
BLOB = FileName("blobs/{sha256}.geojson", COMPRESSED)
PMTILES = FileName("tiles/{sha256}.pmtiles")
DOWNLOAD = FileName("downloads/{sha256}.csv", COMPRESSED)
FEED = FileName("feed.atom")
KEYS = FileName("keys.json")
PUBLIC_KEY = FileName("public-key.pem")
KEY_PEM = FileName("keys/{key_id}.pem")
# format 1 tile sets of old releases (read by verify only)
TILEJSON = FileName("tiles/{sha256}/tiles.json")
_FORMAT1_TILE = (rf"tiles/{SHA256_TEXT}/(?:[0-9]|1[0-6])/(?:0|[1-9][0-9]{{0,4}})"
                 r"/(?:0|[1-9][0-9]{0,4})\.pbf(?:\.gz|\.br)?")


def format1_tile_name(tileset_sha256: str, z: int, x: int, y: int, suffix: str = "") -> str:
    return f"tiles/{tileset_sha256}/{z}/{x}/{y}.pbf{suffix}"


_TREE = (POINTER, RELEASE, SIGNATURE, BLOB, PMTILES, DOWNLOAD, FEED, KEYS, PUBLIC_KEY, KEY_PEM,
         TILEJSON)
# every name a release tree may hold (storage backends refuse anything else)
STORAGE_KEY = re.compile("|".join([f.stored_text for f in _TREE] + [_FORMAT1_TILE]), _FLAGS)

# -- URL paths ------------------------------------------------------------------
DATA_PREFIX = "/data/"
_DATA = re.escape(DATA_PREFIX)
RELEASE_PATH = re.compile(_DATA + RELEASE.text, _FLAGS)
BLOB_PATH = re.compile(_DATA + BLOB.text, _FLAGS)
PMTILES_PATH = re.compile(_DATA + PMTILES.text, _FLAGS)
# open data files, served from storage as they are: feed, keys, signatures, CSV
OPEN_DATA_PATH = re.compile(_DATA + "(" + "|".join(
    re.sub(r"\((?!\?)", "(?:", f.text) for f in (FEED, KEYS, PUBLIC_KEY, KEY_PEM, SIGNATURE,
                                                  DOWNLOAD)) + ")", _FLAGS)
# the immutable files a reader caches forever (the service worker's list)
IMMUTABLE_DATA_TEXT = "|".join(re.sub(r"\((?!\?)", "(?:", f.text) for f in (RELEASE, BLOB))

API_PREFIX = "/api/v1/"
# write API paths: segments of visible ASCII but "/" (each is then checked
# with its own grammar above)
_SEGMENT = r"([\x21-\x2e\x30-\x7e]+)"
API_BLOB_PATH = re.compile(rf"{re.escape(API_PREFIX)}layers/{_SEGMENT}/blobs/{_SEGMENT}", _FLAGS)


def api_blob_path(layer: str, sha256: str) -> str:
    """``api/v1/layers/<layer>/blobs/<sha256>`` (relative to the endpoint)."""
    return f"{API_PREFIX[1:]}layers/{layer}/blobs/{sha256}"


# -- content types ----------------------------------------------------------------
UTF8 = "; charset=utf-8"
JSON_MEDIA = "application/json"
GEOJSON_MEDIA = "application/geo+json"
PROBLEM_MEDIA = "application/problem+json"
# a feature patch of a stored blob (docs/api.md, "Patches")
PATCH_MEDIA = "application/vnd.covidmaps.patch+json"
PMTILES_MEDIA = "application/vnd.pmtiles"
MVT_MEDIA = "application/vnd.mapbox-vector-tile"  # format 1 tile sets
CSV_MEDIA = "text/csv"
ATOM_MEDIA = "application/atom+xml"
PEM_MEDIA = "application/x-pem-file"

# what each file of the release tree is served as, by its last suffix
STORED_TYPES: Dict[str, str] = {
    ".json": JSON_MEDIA + UTF8, ".sig": JSON_MEDIA + UTF8, ".geojson": GEOJSON_MEDIA + UTF8,
    ".pmtiles": PMTILES_MEDIA, ".pbf": MVT_MEDIA, ".csv": CSV_MEDIA + UTF8,
    ".atom": ATOM_MEDIA + UTF8, ".pem": PEM_MEDIA,
}


def stored_type(name: str) -> str:
    """The Content-Type of a release-tree file (a .gz/.br variant: its plain file's)."""
    for suffix in COMPRESSED:
        if name.endswith(suffix):
            name = name[:-len(suffix)]
    return STORED_TYPES[name[name.rindex("."):]]


# -- problem codes (RFC 9457 ``type``: PROBLEM_TYPE_BASE + code) -------------------
PROBLEM_TYPE_BASE = "https://covidmaps.invalid/problems/"
BAD_HASH = "bad-hash"  # a blob name that is not a SHA-256
HASH_MISMATCH = "hash-mismatch"  # an upload whose bytes do not hash to its name
STALE_RELEASE = "stale-release"  # If-Match names a release that is no longer current
BASE_NOT_FOUND = "base-not-found"  # a patch's base blob is not stored
PATCH_MISMATCH = "patch-mismatch"  # a patch's result does not hash to its name
INVALID_PATCH = "invalid-patch"
# after these a client sends the whole layer instead of a patch: the
# server's base differs from the client's. Any other refusal of a patch
# would refuse the whole layer too.
PATCH_FALLBACKS = (BASE_NOT_FOUND, PATCH_MISMATCH, INVALID_PATCH)


def problem_code(problem_type: Any) -> str:
    """The code of a problem's ``type`` URI ("" for anything else)."""
    text = str(problem_type or "")
    return text[len(PROBLEM_TYPE_BASE):] if text.startswith(PROBLEM_TYPE_BASE) else ""


# -- the web map's copy, generated at build time ---------------------------------------
def web_contract() -> Dict[str, str]:
    """What the web map's service worker needs (publish/web/src/generated/wire.json)."""
    return {"immutable_data": IMMUTABLE_DATA_TEXT}


if __name__ == "__main__":  # the web map's build writes this to src/generated/wire.json
    sys.stdout.write(json.dumps(web_contract(), indent=2, sort_keys=True) + "\n")
