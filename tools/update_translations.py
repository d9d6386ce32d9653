"""Keep ``covidmaps_plugin/i18n/covidmaps_<lang>.ts`` in step with the code.

Finds every interface text of the plugin (literal arguments of ``tr()``,
``tr_later()`` and ``QCoreApplication.translate("CovidMaps", ...)``) and
rewrites the .ts files: existing translations are kept, new texts are added
as unfinished (to be translated by hand, e.g. in Qt Linguist), texts no
longer in the code are dropped. English is the source language, so
``covidmaps_en.ts`` simply repeats each text. ``tests/plugin/test_i18n.py``
fails while a text is missing or untranslated.

    .venv/bin/python tools/update_translations.py          # rewrite the .ts files
    .venv/bin/python tools/update_translations.py --check  # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import ast
import sys

# only our own .ts files are parsed (trusted input)
import xml.etree.ElementTree as ET  # noqa: N817  # nosec B405
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "covidmaps_plugin"
I18N_DIR = PACKAGE_DIR / "i18n"
CONTEXT = "CovidMaps"
LANGUAGES = {"vi": "vi_VN", "en": "en_US"}
MARKERS = {"tr", "tr_later"}
# the data model carries its own vi/en labels and never calls tr()
SKIPPED_DIRS = {"model", "__pycache__"}


def _literal(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def texts_in_source(source: str) -> List[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in MARKERS:
            text = _literal(node.args[0])
        elif name == "translate" and len(node.args) >= 2 and _literal(node.args[0]) == CONTEXT:
            text = _literal(node.args[1])
        else:
            continue
        if text:
            found.append(text)
    return found


def python_files(package_dir: Path = PACKAGE_DIR) -> Iterable[Path]:
    for path in sorted(package_dir.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(package_dir).parts):
            yield path


def code_texts(package_dir: Path = PACKAGE_DIR) -> List[str]:
    """Every interface text in the plugin's code, sorted, without duplicates."""
    texts = set()
    for path in python_files(package_dir):
        texts.update(texts_in_source(path.read_text(encoding="utf-8")))
    return sorted(texts)


def ts_path(language: str) -> Path:
    return I18N_DIR / f"covidmaps_{language}.ts"


def read_ts(path: Path) -> Dict[str, Tuple[str, bool]]:
    """source text -> (translation, finished) from a .ts file (empty if absent)."""
    if not path.is_file():
        return {}
    messages = {}
    for message in ET.parse(path).getroot().iter("message"):  # noqa: S314  # nosec B314
        source = message.findtext("source") or ""
        translation = message.find("translation")
        text = "" if translation is None else (translation.text or "")
        finished = translation is not None and translation.get("type") is None and bool(text)
        messages[source] = (text, finished)
    return messages


def render_ts(language: str, texts: List[str], existing: Dict[str, Tuple[str, bool]]) -> str:
    root = ET.Element("TS", version="2.1", language=LANGUAGES[language], sourcelanguage="en_US")
    context = ET.SubElement(root, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for text in texts:
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = text
        translation = ET.SubElement(message, "translation")
        if language == "en":
            translation.text = text
            continue
        old, finished = existing.get(text, ("", False))
        translation.text = old
        if not finished:
            translation.set("type", "unfinished")
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n{body}\n'


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale .ts files")
    args = parser.parse_args(argv)
    texts = code_texts()
    stale = []
    for language in LANGUAGES:
        path = ts_path(language)
        rendered = render_ts(language, texts, read_ts(path))
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if rendered != current:
            stale.append(path)
            if not args.check:
                path.write_text(rendered, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'updated'}: {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
