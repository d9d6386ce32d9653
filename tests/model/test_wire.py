"""The wire contract has one owner, ``covidmaps_plugin/model/wire.py``: its
grammars, file names, content types and problem codes are written nowhere
else in the source tree (a copy added anywhere fails here), the web map's
generated copy is current, and the names it makes are the names it accepts."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from covidmaps_plugin.model import wire

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "covidmaps_plugin" / "model" / "wire.py"
GENERATED = ROOT / "publish" / "web" / "src" / "generated" / "wire.json"
SKIPPED_DIRS = {"node_modules", "dist", "build", "__pycache__", "generated"}

# what may not be written outside wire.py: (what it is, a pattern finding a copy)
COPIES: Dict[str, re.Pattern[str]] = {
    "SHA-256 name pattern": re.compile(r"\{64\}"),
    "release-id pattern": re.compile(r"\{6,12\}|\]\+?-\[0-9a-f\]\{8\}"),
    "signing key id pattern": re.compile(r"\[0-9a-f\]\{16\}"),
    "content type": re.compile("|".join(re.escape(media) for media in (
        wire.GEOJSON_MEDIA, wire.PROBLEM_MEDIA, wire.PATCH_MEDIA, wire.PMTILES_MEDIA,
        wire.MVT_MEDIA))),
    "problem code": re.compile("|".join(re.escape(code) for code in (
        wire.BAD_HASH, wire.HASH_MISMATCH, wire.STALE_RELEASE, wire.BASE_NOT_FOUND,
        wire.PATCH_MISMATCH, wire.INVALID_PATCH))),  # a whole string literal
}


def _sources() -> Iterator[Path]:
    for top in ("covidmaps_plugin", "publish", "tools", "bench"):
        for path in sorted((ROOT / top).rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if parts & SKIPPED_DIRS or any(p.endswith(".egg-info") for p in parts):
                continue
            if path.is_file() and path != OWNER and path.suffix in (
                    ".py", ".js", ".mjs", ".conf", ".html", ".service"):
                yield path


def _python_literals(path: Path) -> Iterator[Tuple[int, str]]:
    """Every string constant of a module but its docstrings (prose may name
    a code or a type; code must import it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                id(node) not in docstrings):
            yield node.lineno, node.value


def _text_lines(path: Path) -> Iterator[Tuple[int, str]]:
    """Lines of a JS or nginx file without their comments."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".js", ".mjs"):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    for number, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)//.*$", "", line) if path.suffix in (".js", ".mjs") else (
            line.split("#", 1)[0] if not line.lstrip().startswith("location") else line)
        yield number, line


def stray_copies() -> List[str]:
    found = []
    for path in _sources():
        pieces = _python_literals(path) if path.suffix == ".py" else _text_lines(path)
        for line, text in pieces:
            for what, pattern in COPIES.items():
                codes_only = what == "problem code"
                if (pattern.fullmatch(text.strip()) if codes_only else pattern.search(text)):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {what}: {text.strip()[:80]}")
    return found


def test_no_copy_of_the_wire_grammars_outside_the_model():
    assert stray_copies() == []


def test_the_scan_finds_a_copy(tmp_path, monkeypatch):
    """The scan can fail: a module with its own copies is reported."""
    rogue = ROOT / "publish" / "covidmaps_publish" / "_rogue_wire_copy.py"
    rogue.write_text('SHA = r"[0-9a-f]{64}"\nRID = "[0-9]{6,12}-[0-9a-f]{8}"\n'
                     'CT = "application/geo+json"\nCODE = "patch-mismatch"\n'
                     'def f():\n    """Prose may say application/geo+json."""\n',
                     encoding="utf-8")
    try:
        found = stray_copies()
    finally:
        rogue.unlink()
    assert [f.split(": ")[1] for f in found] == [
        "SHA-256 name pattern", "release-id pattern", "content type", "problem code"], found


def test_the_web_maps_generated_copy_is_current():
    generated = subprocess.run([sys.executable, "-m", "covidmaps_plugin.model.wire"],
                               capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert json.loads(GENERATED.read_text(encoding="utf-8")) == json.loads(generated), (
        "run `make web` to regenerate publish/web/src/generated/wire.json")


SHA = "ab" * 32


@pytest.mark.parametrize("kind, value", [
    (wire.BLOB, SHA), (wire.DOWNLOAD, SHA), (wire.PMTILES, SHA), (wire.TILEJSON, SHA),
    (wire.RELEASE, "000042-3f9a1c2b"), (wire.SIGNATURE, "000042-3f9a1c2b"),
    (wire.KEY_PEM, "0123" * 4), (wire.POINTER, ""), (wire.FEED, ""), (wire.KEYS, ""),
    (wire.PUBLIC_KEY, "")])
def test_each_name_it_makes_is_a_name_it_accepts(kind, value):
    name = kind.name(value)
    assert wire.STORAGE_KEY.fullmatch(name) and kind.name_match(name) == value
    for suffix in kind.variants:
        assert wire.STORAGE_KEY.fullmatch(kind.name(value, suffix))
        assert kind.name_match(kind.name(value, suffix)) is None  # a variant is not the file
    assert not wire.STORAGE_KEY.fullmatch(name + "\n")
    assert not wire.STORAGE_KEY.fullmatch(name.upper()) or name == name.upper()


def test_names_refuse_what_is_not_their_grammar():
    with pytest.raises(ValueError):
        wire.BLOB.name(SHA, ".zip")
    assert wire.BLOB.name_match(f"blobs/{SHA.upper()}.geojson") is None
    assert wire.RELEASE.name_match("releases/42-3f9a1c2b.json") is None
    assert not wire.STORAGE_KEY.fullmatch(f"blobs/{SHA}.geojson/../../x")
    assert wire.stored_type(wire.BLOB.name(SHA, ".br")) == "application/geo+json; charset=utf-8"
    assert wire.stored_type(wire.PMTILES.name(SHA)) == wire.PMTILES_MEDIA
    assert wire.problem_code(wire.PROBLEM_TYPE_BASE + wire.PATCH_MISMATCH) == "patch-mismatch"
    assert wire.problem_code("https://elsewhere.invalid/problems/patch-mismatch") == ""
