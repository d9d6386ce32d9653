"""The plugin's Qt6 claim (``supportsQt6=True`` in metadata.txt) has a check behind it.

QGIS's own migration script (``pyqt5_to_pyqt6.py``) rewrites the Qt5-only
idioms below; this test fails on any of them in ``covidmaps_plugin/``, so the
plugin stays loadable by a Qt6 build of QGIS. The only file allowed to spell a
Qt5 form is ``compat.py``, which picks the spelling by version.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from .installed_plugin import PLUGIN, ROOT

SOURCE = ROOT / PLUGIN
COMPAT = SOURCE / "compat.py"

# Classes Qt6 moved from QtWidgets to QtGui.
MOVED_TO_QTGUI = {"QAction", "QActionGroup", "QShortcut", "QUndoCommand", "QUndoStack",
                  "QFileSystemModel"}
# Removed in Qt6 (or only present in Qt5 modules).
REMOVED = {"QRegExp", "QRegExpValidator", "QDesktopWidget"}
# Qt5-only method spellings.
QT5_METHODS = {"exec_", "print_"}


def plugin_modules() -> List[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(tree: ast.AST) -> Dict[str, Tuple[str, str]]:
    """Local name -> (module, imported name) for every ``from qgis... import``."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qgis"):
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module, alias.name)
    return names


def qt5_idioms(path: Path) -> Iterator[str]:
    """Every Qt5-only idiom in one module, as ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    imported = _imports(tree)
    class_level_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            class_level_names.update(id(stmt) for stmt in node.body)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            modules = [module] if module else [a.name for a in node.names]
            for name in modules:
                if name and re.match(r"(PyQt[56]|PySide[26]|sip)\b", name):
                    yield f"{where}:{line}: imports {name} directly (use qgis.PyQt)"
            if module and module.endswith("QtWidgets"):
                moved = MOVED_TO_QTGUI.intersection(a.name for a in node.names)
                if moved:
                    yield (f"{where}:{line}: {', '.join(sorted(moved))} from QtWidgets "
                           "(Qt6 has it in QtGui: import it from covidmaps_plugin.compat)")
            removed = REMOVED.intersection(a.name for a in getattr(node, "names", []))
            if removed:
                yield f"{where}:{line}: {', '.join(sorted(removed))} does not exist in Qt6"
        elif isinstance(node, ast.Attribute):
            if node.attr in QT5_METHODS:
                yield f"{where}:{line}: .{node.attr}() is Qt5-only (use .{node.attr[:-1]}())"
            elif node.attr in ("SIGNAL", "SLOT"):
                yield f"{where}:{line}: old-style {node.attr}() connections do not exist in Qt6"
            elif isinstance(node.value, ast.Name) and node.value.id in imported:
                problem = _unscoped_enum(*imported[node.value.id], node.attr)
                if problem:
                    yield f"{where}:{line}: {node.value.id}.{node.attr} {problem}"
        elif isinstance(node, ast.Assign) and id(node) not in class_level_names:
            value = node.value
            if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id == "pyqtSignal"):
                yield (f"{where}:{line}: pyqtSignal outside a class body "
                       "(a signal is a class attribute of a QObject subclass)")


def _unscoped_enum(module: str, class_name: str, attr: str) -> str:
    """Why ``class_name.attr`` is Qt5-only, or "" when it is fine.

    PyQt5 lets ``Qt.AlignLeft`` stand for ``Qt.AlignmentFlag.AlignLeft``;
    PyQt6 knows only the scoped form, which PyQt5 and QGIS 3.22 accept too.
    """
    try:
        owner = getattr(importlib.import_module(module), class_name)
        value = getattr(owner, attr)
    except (ImportError, AttributeError):
        return ""
    if class_name == "QVariant" and isinstance(value, int):
        return ("is a QVariant type constant (QGIS 3.38+ types fields by QMetaType: "
                "use covidmaps_plugin.compat.new_field / FieldKind)")
    enum_type = type(value)
    if isinstance(value, int) and enum_type not in (int, bool) and isinstance(owner, type):
        if getattr(owner, enum_type.__name__, None) is enum_type:
            return f"is an unscoped enum (write {class_name}.{enum_type.__name__}.{attr})"
    return ""


def test_no_qt5_only_idioms_in_the_plugin():
    found = [problem for path in plugin_modules() if path != COMPAT
             for problem in qt5_idioms(path)]
    assert not found, "Qt5-only idioms (metadata.txt claims supportsQt6):\n" + "\n".join(found)


SEEDED = '''
from qgis.PyQt.QtCore import Qt, QVariant, pyqtSignal
from qgis.PyQt.QtWidgets import QAction, QMessageBox
from qgis.core import QgsField, QgsFieldConstraints
from PyQt5.QtCore import QTimer

changed = pyqtSignal()
align = Qt.AlignLeft
scoped = Qt.AlignmentFlag.AlignLeft
field = QgsField("name", QVariant.String)
kind = QgsFieldConstraints.ConstraintNotNull
answer = QMessageBox.Yes

def ask(box):
    return box.exec_()
'''


@pytest.mark.parametrize("needle", [
    "QAction from QtWidgets", "imports PyQt5.QtCore directly", "pyqtSignal outside a class",
    "Qt.AlignLeft is an unscoped enum (write Qt.AlignmentFlag.AlignLeft)",
    "QVariant.String is a QVariant type constant",
    "QgsFieldConstraints.ConstraintNotNull is an unscoped enum",
    "QMessageBox.Yes is an unscoped enum",
    ".exec_() is Qt5-only"])
def test_the_check_catches_each_idiom(tmp_path, needle):
    # the check must not be blind: each seeded idiom is reported, the scoped one is not
    module = tmp_path / "seeded_qt5_idioms.py"
    module.write_text(SEEDED, encoding="utf-8")
    found = list(qt5_idioms(module))
    assert any(needle in problem for problem in found), found
    assert not any("AlignmentFlag.AlignLeft is" in problem for problem in found)


def test_metadata_claims_qt6_only_with_this_check():
    text = (ROOT / "metadata.txt").read_text(encoding="utf-8")
    assert re.search(r"^supportsQt6=True$", text, re.MULTILINE)
