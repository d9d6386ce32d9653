"""The token in the QGIS authentication database, only its id in the
settings; the environment variable for headless runs; clear messages when
there is no usable token. A fresh QGIS in a subprocess, so the session's
auth DB and master password stay untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCENARIO = Path(__file__).with_name("auth_scenario.py")
DIALOG_SCENARIO = Path(__file__).with_name("auth_dialog_scenario.py")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _fresh_qgis(tmp_path):
    config = tmp_path / "qgis-config"
    config.mkdir(mode=0o700)
    env = dict(os.environ, QGIS_AUTH_DB_DIR_PATH=str(config),
               QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(config))
    env.pop("COVIDMAPS_TOKEN", None)
    return env


def test_token_lives_in_the_auth_db(endpoint, workspace_copy, tmp_path):
    config = tmp_path / "qgis-config"
    config.mkdir(mode=0o700)
    env = dict(os.environ, QGIS_AUTH_DB_DIR_PATH=str(config),
               QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(config))
    env.pop("COVIDMAPS_TOKEN", None)
    done = subprocess.run(
        [sys.executable, str(SCENARIO), endpoint.url, endpoint.token, str(workspace_copy)],
        env=env, capture_output=True, text=True, timeout=180, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(lines[0][len("REPORT "):])

    assert "mật khẩu chính" in report["warning_before"]
    assert "mật khẩu chính" in report["authcfg_before_master"]
    assert "COVIDMAPS_TOKEN" in report["nothing"]
    assert report["env"] == {"Authorization": "Bearer cmp_from_env"}
    assert report["master_set"] and report["warning_after"] is None
    assert report["basic"] == {"Authorization": f"Bearer {endpoint.token}"}
    assert report["esri"] == {"Authorization": "Bearer cmp_esri"}
    assert "PKI-Paths" in report["unsupported"] and "Basic" in report["unsupported"]
    assert "zzzzzzz" in report["unknown"]
    assert report["settings_has_authcfg"] and not report["settings_has_token"]
    assert not report["db_has_token"]  # encrypted under the master password
    assert report["published"] == endpoint.manifest()["release_id"]


def test_first_time_token_set_up_in_the_dialog(endpoint, workspace_copy, tmp_path):
    """Paste, Save token: the plugin makes the auth config, nothing in plain
    settings, the master-password warning goes once it is set, publish works."""
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, str(DIALOG_SCENARIO), endpoint.url, endpoint.token,
         str(workspace_copy), str(ARTIFACTS)],
        env=_fresh_qgis(tmp_path), capture_output=True, text=True, timeout=300, check=False)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(lines[0][len("REPORT "):])
    assert report["help_visible"]
    assert "COVIDMAPS_TOKEN" not in report["help_text"] + report["no_token_status"]
    assert "environment" not in report["no_token_status"]
    assert report["no_token_status"] and (
        "Lưu mã" in report["no_token_status"] or "Save token" in report["no_token_status"])
    assert report["warning_before"] and report["master_set"]
    assert report["warning_after"] is None  # refreshed once the password is set
    assert "khoảng trắng" in report["bad_paste_status"] or "spaces" in report["bad_paste_status"]
    assert report["authcfg"] and report["paste_cleared"] and not report["help_after"]
    assert report["headers"] == {"Authorization": f"Bearer {endpoint.token}"}
    assert report["settings_has_authcfg"] and not report["settings_has_token"]
    assert not report["db_has_token"]  # encrypted under the master password
    assert report["previewed"], report["preview_status"]
    assert endpoint.manifest()["release_id"] in report["result"]
