"""The validation dock in a real QGIS desktop (Xvfb), in Vietnamese, on the
sample workspace with a few mistakes: a screenshot for people, and checks
that the dock found them and that clicking an error selected the feature.

The plugin is built and installed into a fresh profile with the helpers of
``tests/plugin`` (the same zip a user installs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from plugin.installed_plugin import ROOT, build_zip, desktop_env, install

from covidmaps_plugin.model.profile import default_profile

pytestmark = pytest.mark.gui

SCRIPT = Path(__file__).resolve().parent / "dock_screenshot_script.py"
SCREENSHOT = ROOT / "tests" / "artifacts" / "validation_dock.png"
QGIS_TIMEOUT_S = 120


def run_qgis(tmp_path: Path) -> dict:
    profiles = tmp_path / "profiles"
    install(build_zip(tmp_path / "dist"), profiles, "vi")
    (tmp_path / "runtime").mkdir(mode=0o700)
    result_path = tmp_path / "result.json"
    env = desktop_env(COVIDMAPS_DOCK_RESULT=str(result_path),
               COVIDMAPS_DOCK_WORKSPACE=str(tmp_path / "bac_kan.gpkg"),
               COVIDMAPS_DOCK_SCREENSHOT=str(SCREENSHOT),
               XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    command = ["xvfb-run", "-a", "-s", "-screen 0 1600x900x24", "qgis.bin", "--nologo",
               "--noversioncheck", "--profiles-path", str(profiles), "--code", str(SCRIPT)]
    log = tmp_path / "qgis.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=QGIS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session only
            process.wait()
    assert result_path.is_file(), log.read_text(errors="replace")[-4000:]
    return json.loads(result_path.read_text(encoding="utf-8"))


def test_validation_dock_in_qgis_desktop(tmp_path):
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    result = run_qgis(tmp_path)
    assert result["python_errors"] == [] and result["critical_messages"] == []
    assert result["action_found"] and result["dock_found"]
    assert all(result["draw_zone"].values()), result["draw_zone"]
    counts = result["counts"]
    assert counts["error"] >= 4 and counts["warning"] >= 1
    # grouped by severity, Vietnamese labels, with the counts
    assert result["groups"][:2] == [f"Lỗi ({counts['error']})",
                                    f"Cảnh báo ({counts['warning']})"]
    codes = {f["code"] for f in result["findings"]}
    assert {"ATTR_NUMBER_ORDER", "ATTR_REQUIRED", "PRIVACY_PHONE", "ATTR_DATE_ORDER"} <= codes
    assert result["selected_zone_ids"] == [result["spoiled_zone"]]
    assert result["extent_changed"]
    # the desktop's layer-tree bridge must not have reset the province CRS
    assert result["project_crs"] == default_profile().crs
    assert result["screenshot_saved"] and SCREENSHOT.stat().st_size > 50_000
