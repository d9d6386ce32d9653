"""Windows-safe plugin code: officers mostly run QGIS on Windows.

Three things are checked here, on the real PyQGIS of this machine:
- the plugin uses no POSIX-only API and no hard-coded POSIX path, and every
  text file it opens names its encoding (Windows' default is not UTF-8, and
  the plugin's files are Vietnamese);
- a workspace whose path has Vietnamese letters and spaces is created, opened
  from its embedded project, checked, exported and read for publishing;
- the plugin never holds a workspace open in a way that blocks a second QGIS
  (another process) from reading it and saving edits to it.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest
from qgis.core import QgsProject

from covidmaps_plugin.core import create_workspace, open_workspace
from covidmaps_plugin.core.export import export_layers
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.core.validation.engine import validate_workspace
from covidmaps_plugin.model import MODEL

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "covidmaps_plugin"

POSIX_MODULES = {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "signal",
                 "posix", "crypt", "syslog"}
POSIX_CALLS = {"fork", "forkpty", "getuid", "geteuid", "getgid", "getegid", "setsid",
               "killpg", "getpgid", "setuid", "setgid", "mkfifo", "chown", "lchown",
               "sync", "getloadavg", "nice", "uname"}
POSIX_PATH = re.compile(r"^(~/|/(tmp|var|usr|etc|home|opt|dev|proc|srv|root|run|mnt)(/|$))")
TEXT_OPENERS = {"open", "read_text", "write_text", "fdopen"}


def posix_only(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in POSIX_MODULES:
                    yield f"{where}:{line}: imports {alias.name} (POSIX only)"
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in POSIX_MODULES:
                yield f"{where}:{line}: imports from {node.module} (POSIX only)"
        elif isinstance(node, ast.Attribute):
            if (isinstance(node.value, ast.Name) and node.value.id == "os"
                    and node.attr in POSIX_CALLS):
                yield f"{where}:{line}: os.{node.attr} does not exist on Windows"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if POSIX_PATH.match(node.value):
                yield f"{where}:{line}: hard-coded POSIX path {node.value!r}"
        elif isinstance(node, ast.Call):
            yield from _text_without_encoding(node, where)


def _text_without_encoding(call: ast.Call, where) -> Iterator[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in TEXT_OPENERS:
        return
    if any(k.arg == "encoding" for k in call.keywords):
        return
    if name in ("open", "fdopen"):
        if isinstance(func, ast.Attribute) and not (
                isinstance(func.value, ast.Name) and func.value.id in ("os", "io", "codecs")):
            return  # tarfile.open, zipfile.open, a layer's open(): not a text file
        mode_args = [a for a in call.args[1:2]] + [k.value for k in call.keywords
                                                   if k.arg == "mode"]
        mode = mode_args[0].value if mode_args and isinstance(mode_args[0], ast.Constant) else "r"
        if "b" in str(mode) or (name == "fdopen" and not mode_args):
            return
    yield (f"{where}:{call.lineno}: {name}() of a text file without encoding= "
           "(Windows would use its ANSI code page)")


def plugin_modules():
    return sorted(p for p in PLUGIN.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_plugin_uses_no_posix_only_api():
    found = [problem for path in plugin_modules() for problem in posix_only(path)]
    assert not found, "\n".join(found)


SEEDED = '''
import os, fcntl
from signal import SIGTERM
os.fork()
scratch = "/tmp/covidmaps"
home = "~/covidmaps"
with open("notes.txt") as fh:
    pass
with open("data.bin", "rb") as fh:
    pass
'''


@pytest.mark.parametrize("needle", ["imports fcntl", "imports from signal", "os.fork",
                                    "'/tmp/covidmaps'", "'~/covidmaps'",
                                    "open() of a text file without encoding"])
def test_the_scan_is_not_blind(tmp_path, needle):
    module = tmp_path / "seeded.py"
    module.write_text(SEEDED, encoding="utf-8")
    found = list(posix_only(module))
    assert any(needle in problem for problem in found), found
    assert sum("without encoding" in problem for problem in found) == 1  # not the "rb" one


# ------------------------------------------------------------ Vietnamese paths

VIETNAMESE_DIR = "Sở Y tế Bắc Kạn/Bản đồ dịch 2021"
VIETNAMESE_FILE = "vùng làm việc Chợ Đồn.gpkg"


def test_a_workspace_under_a_vietnamese_path_with_spaces(tmp_path):
    folder = tmp_path / VIETNAMESE_DIR
    folder.mkdir(parents=True)
    path = folder / VIETNAMESE_FILE
    created = QgsProject()
    workspace = create_workspace(path, with_sample=True, project=created)
    counts = {name: workspace.layer(name).featureCount() for name in MODEL.layer_names}
    created.clear()
    assert path.is_file() and all(counts.values()), counts

    # opened again from the project stored inside the GeoPackage: every layer
    # resolves to this file, not to a mangled path
    reopened = QgsProject()
    try:
        again = open_workspace(path, project=reopened)
        for name in MODEL.layer_names:
            layer = again.layer(name)
            assert layer.isValid(), (name, layer.source())
            assert layer.featureCount() == counts[name]
            assert VIETNAMESE_FILE in layer.source() or "%" in layer.source(), layer.source()
        # the check reads every feature (a layer it could not read would be
        # missing from the checked count)
        report = validate_workspace(again)
        assert not any(f.code.value.startswith("LAYER_") for f in report.findings), report.findings
        exports = export_layers(again.layers())
        assert {name: exports[name].feature_count + len(exports[name].hidden)
                for name in counts} == counts
    finally:
        reopened.clear()

    source = open_source(path)
    assert {name: layer.featureCount() for name, layer in source.layers.items()} == counts


# ------------------------------------------------------------ no blocking lock

SECOND_QGIS = textwrap.dedent('''
    import sys
    from qgis.core import QgsApplication, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    path, uid = sys.argv[1], sys.argv[2]
    layer = QgsVectorLayer(f"{path}|layername=quarantine_facilities", "f", "ogr")
    assert layer.isValid(), "cannot open"
    count = layer.featureCount()
    feature = next(f for f in layer.getFeatures() if f["uid"] == uid)
    assert layer.startEditing()
    layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), "Sửa từ QGIS thứ hai")
    if not layer.commitChanges():
        print("COMMIT FAILED", layer.commitErrors())
        sys.exit(3)
    print("OK", count, flush=True)
    del feature, layer  # before exitQgis, or PyQGIS crashes on exit
    app.exitQgis()
''')


def test_an_open_workspace_does_not_block_a_second_qgis(tmp_path):
    path = tmp_path / "chung nhau.gpkg"
    project = QgsProject()
    try:
        workspace = create_workspace(path, with_sample=True, project=project)
        # the first QGIS has the workspace open and is editing another layer
        points = workspace.layer("risk_points")
        assert points.startEditing()
        facilities = workspace.layer("quarantine_facilities")
        first = next(facilities.getFeatures())
        script = tmp_path / "second_qgis.py"
        script.write_text(SECOND_QGIS, encoding="utf-8")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run([sys.executable, str(script), str(path), first["uid"]],
                              capture_output=True, text=True, timeout=120, env=env, check=False)
        assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr
        # ... and sees the second one's saved edit
        facilities.dataProvider().reloadData()
        again = next(f for f in facilities.getFeatures() if f["uid"] == first["uid"])
        assert again["name"] == "Sửa từ QGIS thứ hai"
        points.rollBack()
    finally:
        project.clear()
