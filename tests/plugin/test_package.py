"""The installable zip built by tools/package_plugin.py (``make package``)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import zipfile
from pathlib import Path

from qgis.PyQt.QtCore import QFile, QTranslator

from .installed_plugin import PLUGIN, ROOT, build_zip, vi_translations


def names(zip_path: Path) -> list:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def test_one_top_folder_with_what_qgis_needs(plugin_zip: Path):
    entries = names(plugin_zip)
    assert all(name.startswith(f"{PLUGIN}/") for name in entries)
    for needed in ("__init__.py", "metadata.txt", "LICENSE", "plugin.py", "resources_rc.py",
                   "i18n/covidmaps_vi.qm", "resources/icons/covidmaps.svg",
                   "model/profiles/bac_kan_2020.json", "model/__init__.py", "model/wire.py"):
        assert f"{PLUGIN}/{needed}" in entries, needed


def test_every_source_file_is_packaged(plugin_zip: Path):
    entries = set(names(plugin_zip))
    sources = [p for p in (ROOT / PLUGIN).rglob("*.py")
               if not {"__pycache__", "build"} & set(p.parts) and p.name != "resources_rc.py"]
    assert sources
    missing = [str(p) for p in sources if f"{PLUGIN}/{p.relative_to(ROOT / PLUGIN)}" not in entries]
    assert missing == []


def test_no_tests_caches_or_sources_of_generated_files(plugin_zip: Path):
    for name in names(plugin_zip):
        parts = Path(name).parts
        assert "__pycache__" not in parts and "tests" not in parts, name
        assert not name.endswith((".pyc", ".ts")), name
        # the model's distribution metadata stays out (QGIS needs the sources only)
        assert not any(part.endswith(".egg-info") for part in parts), name
        assert name != f"{PLUGIN}/model/pyproject.toml", name


def test_generated_files_are_not_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [name for name in tracked if name.endswith((".qm", "resources_rc.py"))]


def test_build_is_reproducible(tmp_path: Path):
    first = build_zip(tmp_path / "first")
    again = build_zip(tmp_path / "again")
    assert again.read_bytes() == first.read_bytes()
    version = (ROOT / "metadata.txt").read_text(encoding="utf-8").split("\nversion=")[1].split()[0]
    assert (tmp_path / "again" / f"{PLUGIN}-{version}.zip").read_bytes() == again.read_bytes()


def test_compiled_translation_and_resources_work(plugin_zip: Path, tmp_path: Path):
    with zipfile.ZipFile(plugin_zip) as archive:
        archive.extractall(tmp_path)
    translator = QTranslator()
    assert translator.load(str(tmp_path / PLUGIN / "i18n" / "covidmaps_vi.qm"))
    expected = vi_translations()["Create workspace"]
    assert translator.translate("CovidMaps", "Create workspace") == expected

    spec = importlib.util.spec_from_file_location(
        "covidmaps_test_resources_rc", tmp_path / PLUGIN / "resources_rc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # registers the resources
    try:
        assert QFile.exists(":/plugins/covidmaps_plugin/icons/covidmaps.svg")
    finally:
        module.qCleanupResources()


def test_resources_qrc_lists_every_icon():
    listed = re.findall(r'alias="icons/([^"]+)">covidmaps_plugin/resources/icons/\1<',
                        (ROOT / "resources.qrc").read_text(encoding="utf-8"))
    icons = sorted(p.name for p in (ROOT / PLUGIN / "resources" / "icons").iterdir())
    assert sorted(listed) == icons, "add the new icon to resources.qrc"
