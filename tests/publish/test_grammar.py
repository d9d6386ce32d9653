"""Identifier grammars are defined once (the wire contract's in
covidmaps_plugin/model/wire.py, the field values' in model/field_rules.py,
the endpoint's own HTTP ones in covidmaps_publish/grammar.py) and matched
whole everywhere: a trailing newline or a non-ASCII digit never passes one
check to fail a stricter one deeper."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from covidmaps_publish import grammar

from covidmaps_plugin.model import field_rules, wire

PACKAGE = Path(grammar.__file__).resolve().parent
# byte-level lexing of JSON text (not identifiers): the only other patterns
# scanners of JSON text, not identifier checks: the strict parser's depth
# scan, the cutting of the server's own canonical bytes into tippecanoe input
# and into a tile patch's changed points (tile_patch.py), and the scan of a
# canonical point layer's features (checks/canonical.py)
LEXERS = {PACKAGE / "checks" / "jsonparse.py", PACKAGE / "tile_input.py",
          PACKAGE / "tile_patch.py", PACKAGE / "checks" / "canonical.py"}

VALID = {
    wire.SHA256: "ab" * 32,
    wire.RELEASE_ID: "000042-3f9a1c2b",
    wire.LAYER_ID: "risk_points",
    wire.TILE_NAME: "12/3301/1790",
    wire.UUID: "3f2b8c1e-0d4a-4b6e-9c1a-2f5e8d7c6b5a",
    grammar.QUERY_INT: "25",
    grammar.CONTENT_LENGTH: "1024",
    grammar.DATE_ONLY: "2021-06-12",
    grammar.SAFE_HOST: "covidmaps.example.gov.vn:8443",
    grammar.IDEMPOTENCY_KEY: "6c1f0c1e-3a52",
    wire.STORAGE_KEY: "blobs/" + "ab" * 32 + ".geojson",
    wire.RELEASE_PATH: "/data/releases/000042-3f9a1c2b.json",
    wire.BLOB_PATH: "/data/blobs/" + "ab" * 32 + ".geojson",
    grammar.BYTE_RANGE: "bytes=0-126",
    wire.PMTILES_PATH: "/data/tiles/" + "ab" * 32 + ".pmtiles",
    wire.API_BLOB_PATH: "/api/v1/layers/risk_points/blobs/x",
    grammar.HASHED_ASSET: "app-RIFF7RQY.js",
    wire.OPEN_DATA_PATH: "/data/downloads/" + "ab" * 32 + ".csv",
    wire.KEY_ID: "3f9a1c2b7d4e5f60",
    field_rules.COMMUNE_CODE: "01234",
    field_rules.DATETIME: "2021-06-12T08:30:00+07:00",
    grammar.NOT_XML_CHAR: "\x0b",
}
NON_ASCII_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_every_grammar_has_a_sample():
    patterns = {v for module in (grammar, wire, field_rules) for v in vars(module).values()
                if isinstance(v, re.Pattern)}
    assert patterns == set(VALID)


@pytest.mark.parametrize("pattern", list(VALID), ids=lambda p: p.pattern[:30])
def test_grammars_match_whole_and_ascii_only(pattern):
    text = VALID[pattern]
    assert pattern.fullmatch(text)
    for suffix in ("\n", "\r\n", " ", "\x00", "\u2028"):
        assert not pattern.fullmatch(text + suffix), repr(text + suffix)
        assert not pattern.fullmatch(suffix + text)
    if any(c.isdigit() for c in text):
        assert not pattern.fullmatch(text.translate(NON_ASCII_DIGITS))
        assert not pattern.fullmatch(text.translate(str.maketrans("0123456789",
                                                                  "０１２３４５６７８９")))


def test_the_helpers_refuse_near_misses():
    sha = "ab" * 32
    assert wire.is_sha256(sha) and not wire.is_sha256(sha + "\n")
    assert not wire.is_sha256(sha.upper()) and not wire.is_sha256(None)
    assert wire.is_release_id("000042-3f9a1c2b")
    assert not wire.is_release_id("000042-3f9a1c2b\n")
    for name in ("9/406/223\n", "09/406/223", "9/406/223/", "٩/406/223", "/9/406/223", 7):
        assert wire.tile_name(name) is None, name
    assert wire.tile_name("9/406/223") == (9, 406, 223)
    assert wire.tile_name("9/406/223\n") is None
    for text in ("²", "٣", "５", "1²", " 7", "7 ", "-1", "+1", "1e3", "", "1" * 10):
        assert grammar.query_int(text) is None, text
    assert grammar.query_int("0") == 0 and grammar.query_int("999999999") == 999999999


def _sources():
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "grammar.py")


def test_no_other_module_defines_an_identifier_grammar():
    offenders = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name, owner = node.func.attr, node.func.value
            # re.compile/re.match/re.fullmatch/re.search outside grammar.py
            if isinstance(owner, ast.Name) and owner.id == "re" and path not in LEXERS:
                offenders.append(f"{path.name}:{node.lineno} re.{name}")
            # str.isdigit and friends accept digits int() refuses
            if name in ("isdigit", "isnumeric", "isdecimal"):
                offenders.append(f"{path.name}:{node.lineno} .{name}()")
            # .match()/.search() on a grammar: only whole matches
            if name in ("match", "search") and isinstance(owner, (ast.Name, ast.Attribute)) and (
                    path not in LEXERS):
                label = owner.id if isinstance(owner, ast.Name) else owner.attr
                if label.isupper() or label.startswith("_") and label[1:].isupper():
                    offenders.append(f"{path.name}:{node.lineno} {label}.{name}()")
    assert not offenders, offenders


def test_grammar_patterns_have_no_dollar_anchor():
    for pattern in VALID:
        assert "$" not in pattern.pattern, pattern.pattern  # "$" accepts a final "\n"
