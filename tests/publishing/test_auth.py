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
