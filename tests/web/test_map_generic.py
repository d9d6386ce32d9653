"""The web map is generic: its JavaScript names no field or layer of the
model (what it does with a field comes from the manifest's display hints,
model/display_hints.py), and its pure modules pass their unit tests under
``node --test`` (publish/web/test/*.test.mjs), run here so ``make test``
and CI run them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Set

import pytest

from covidmaps_plugin.model.definition import MODEL
from covidmaps_plugin.model.manifest_meta import layer_meta

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "publish" / "web"
SRC = WEB / "src"

# Words that are field names of the model but also ordinary words of the
# map's own vocabulary. For these only a read of a feature's properties
# (`props.name`, `properties.name`, `p.name`, `['name']`) or the bare string
# literal counts as naming the field.
GENERIC: Dict[str, str] = {
    "name": "field descriptions (`field.name`), the profile's and districts' names, file names",
    "level": "the manifest's `levels` member (levels and their meanings) and level numbers",
    "scheme": "the manifest's `levels.schemes`",
    "scale": "Leaflet's scale bar and zoom scales",
    "uid": "the `data-uid` attribute the list and popups carry (the public id)",
    "advice": "the release notice's `advice` member (profile notice, not a layer field)",
}
# Part of the release contract itself (docs/release-format.md): every layer
# has it, the manifest's `status` labels and `style.status_colors` are keyed
# by its values and the tiles' cluster counts are `n_<status>`.
CONTRACT = {"status"}
# Files that read data other than the model's layers, and which word of it.
OTHER_DATA: Dict[str, Dict[str, str]] = {
    "backdrop.js": {"name": "the reference outlines' district names (the province profile)"},
}

_FEATURE_READ = r"(?:\b(?:props|properties|p|q)\.{w}\b|\[\s*'{w}'\s*\]|'{w}')"


def _model_words() -> Set[str]:
    words = set()
    for layer in MODEL.layers:
        words.add(layer.name)
        words.update(f.name for f in layer.fields)
    return words - CONTRACT


def _code_of(text: str) -> str:
    """The code of a JS source without comments and without the text of
    strings; a string that is one identifier ('capacity') is kept as
    'capacity', since that is how code names a field."""
    out: List[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            body = text[i + 1:j]
            out.append(f" '{body}' " if re.fullmatch(r"[A-Za-z_]\w*", body) else " '' ")
            i = j + 1
        elif c == "`":
            j = i + 1
            while j < n and text[j] != "`":
                if text.startswith("${", j):  # keep the expressions of a template
                    depth, k = 1, j + 2
                    while k < n and depth:
                        depth += {"{": 1, "}": -1}.get(text[k], 0)
                        k += 1
                    out.append(" " + text[j + 2:k - 1] + " ")
                    j = k
                else:
                    j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def model_words_in_web_src() -> Dict[str, List[str]]:
    """{file: [model words its code names]} over publish/web/src/*.js."""
    found: Dict[str, List[str]] = {}
    for path in sorted(SRC.glob("*.js")):
        code = _code_of(path.read_text(encoding="utf-8"))
        hits = []
        for word in sorted(_model_words() - set(OTHER_DATA.get(path.name, {}))):
            pattern = _FEATURE_READ.format(w=word) if word in GENERIC else rf"\b{word}\b"
            if re.search(pattern, code):
                hits.append(word)
        if hits:
            found[path.name] = hits
    return found


def test_the_scan_finds_a_field_named_in_code():
    # the scan itself can fail: code naming fields is found, prose is not
    code = _code_of("const a = props.capacity; // capacity\nconst b = p['name'];"
                    " t('Search by name or address'); `${q.road} road`; f.name; x.level;")
    assert re.search(r"\bcapacity\b", code)
    assert "'name'" in code and "q.road" in code
    assert "Search" not in code and "// capacity" not in code
    assert not re.search(_FEATURE_READ.format(w="level"), code)
    prose = "f.name; profile.name; el('span', {class: 'legend-name'})"
    assert not re.search(_FEATURE_READ.format(w="name"), prose)


def test_the_web_map_names_no_model_field():
    assert model_words_in_web_src() == {}


def _node() -> str:
    node = shutil.which("node")
    if not node:
        pytest.fail("node is needed for the web map's unit tests (make setup installs it)")
    return node


def test_pure_modules_pass_their_node_unit_tests(tmp_path):
    """publish/web/test/*.test.mjs under ``node --test``, with the manifest
    entries the model produces today (so the tests read real hints)."""
    layers = tmp_path / "layers.json"
    layers.write_text(json.dumps([layer_meta(layer) for layer in MODEL.layers]), encoding="utf-8")
    tests = sorted(str(p) for p in (WEB / "test").glob("*.test.mjs"))
    assert len(tests) >= 5, tests
    proc = subprocess.run(
        [_node(), "--test", *tests], cwd=WEB, capture_output=True, text=True, timeout=300,
        env={"PATH": str(Path(_node()).parent), "COVIDMAPS_LAYERS_JSON": str(layers),
             "TZ": "UTC"},
    )
    summary = "\n".join(line for line in proc.stdout.splitlines() if line.startswith("# "))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert re.search(r"^# fail 0$", summary, re.M), summary
    assert not re.search(r"^# pass 0$", summary, re.M), summary
