"""The packaged plugin in a real QGIS desktop (Xvfb), in English and in Vietnamese.

Builds the zip with tools/package_plugin.py, installs it into a fresh
profile, starts ``qgis.bin`` with ``desktop_script.py`` and checks what the
script saw: toolbar, menu, Processing provider, a workspace created through
the plugin's own task, no critical log message, and a clean unload/reload.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from covidmaps_plugin.gui.actions import ACTION_NAME_PREFIX, ACTIONS
from covidmaps_plugin.model import MODEL
from covidmaps_plugin.model.profile import default_profile

from .installed_plugin import ROOT, install, vi_translations
from .qgis_window import run_in_qgis_window

pytestmark = pytest.mark.gui

SCRIPT = Path(__file__).resolve().parent / "desktop_script.py"
ARTIFACTS = ROOT / "tests" / "artifacts"
WITH_SAMPLE = True  # the screenshot shows a working map, as in training
SCREEN = "1440x900x24"


def expected_text(text: str, language: Optional[str]) -> str:
    return vi_translations().get(text, text) if language == "vi" else text


def run_qgis_desktop(tmp_path: Path, plugin_zip: Path, language: Optional[str],
                     screenshot: Path) -> Dict[str, Any]:
    profiles = tmp_path / "profiles"
    install(plugin_zip, profiles, language)
    result_path = tmp_path / "result.json"
    (tmp_path / "ws").mkdir()
    return run_in_qgis_window(
        SCRIPT, profiles, result_path, ARTIFACTS / f"qgis_stuck_{screenshot.stem}.png", SCREEN,
        COVIDMAPS_DESKTOP_RESULT=str(result_path),
        COVIDMAPS_DESKTOP_WORKSPACE=str(tmp_path / "ws" / "bac_kan.gpkg"),
        COVIDMAPS_DESKTOP_SCREENSHOT=str(screenshot),
        COVIDMAPS_DESKTOP_SAMPLE="1" if WITH_SAMPLE else "0")


def png_size(path: Path) -> List[int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return list(struct.unpack(">II", header[16:24]))


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def check_plugin_ui(state: Dict[str, Any], language: Optional[str]) -> None:
    assert len(state["toolbars"]) == 1, state["toolbars"]
    toolbar = state["toolbars"][0]
    assert toolbar["visible"]
    assert [a["id"] for a in toolbar["actions"]] == [ACTION_NAME_PREFIX + s.id for s in ACTIONS]
    assert [a["text"] for a in toolbar["actions"]] == [
        expected_text(s.text, language) for s in ACTIONS]
    # QGIS renders toolbar tooltips in bold; compare the text
    assert [strip_tags(a["tooltip"]) for a in toolbar["actions"]] == [
        expected_text(s.tooltip, language) for s in ACTIONS]
    assert all(a["has_icon"] for a in toolbar["actions"])
    assert [m["title"] for m in state["menus"]] == ["CovidMaps"]
    assert state["menus"][0]["actions"] == [expected_text(s.text, language) for s in ACTIONS]
    assert state["provider"] and state["algorithm"]
    assert state["translated_sample"] == expected_text("Create workspace", language)


def check_nothing_left(state: Dict[str, Any]) -> None:
    assert state["toolbars"] == []
    assert state["menus"] == []
    assert state["action_objects"] == []
    assert state["named_objects"] == []  # no dock, dialog or widget left behind
    assert not state["provider"] and not state["algorithm"]
    assert state["translated_sample"] == "Create workspace"  # translator removed


@pytest.mark.parametrize("language", [None, "vi"], ids=["system-locale", "vi"])
def test_plugin_in_qgis_desktop(tmp_path: Path, plugin_zip: Path, language: Optional[str]):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = f"_{language}" if language else ""
    screenshot = ARTIFACTS / f"qgis_plugin_loaded{suffix}.png"
    result = run_qgis_desktop(tmp_path, plugin_zip, language, screenshot)

    assert result["python_errors"] == []
    assert result["critical_messages"] == []
    assert result["plugin_loaded"]
    assert result["plugin_file"].startswith(str(tmp_path / "profiles"))  # the installed zip
    check_plugin_ui(result["loaded"], language)

    assert result["create_ok"], result["create_message"]
    province_crs = default_profile().crs
    assert (result["project_crs"], result["canvas_crs"]) == (province_crs, province_crs)
    by_layer = {lyr["covidmaps_layer"]: lyr for lyr in result["layers"]}
    for layer in MODEL.layers:
        assert by_layer[layer.name]["valid"]
        assert "bac_kan.gpkg" in by_layer[layer.name]["source"]
    if WITH_SAMPLE:
        assert sum(by_layer[layer.name]["features"] for layer in MODEL.layers) > 0

    assert result["screenshot_saved"]
    assert png_size(screenshot)[0] >= 1024

    assert result["unload_returned"]
    check_nothing_left(result["unloaded"])
    assert result["reload_returned"]
    check_plugin_ui(result["reloaded"], language)
    check_nothing_left(result["unloaded_again"])
