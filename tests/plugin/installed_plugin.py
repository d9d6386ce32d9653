"""Build the plugin zip and install it into a fresh QGIS profile, as a user would."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, Optional

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "covidmaps_plugin"


def vi_translations() -> Dict[str, str]:
    """Finished Vietnamese translations from covidmaps_vi.ts (source text -> Vietnamese)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import update_translations
    finally:
        sys.path.pop(0)
    messages = update_translations.read_ts(update_translations.ts_path("vi"))
    return {source: text for source, (text, finished) in messages.items() if finished}


def build_zip(out_dir: Path) -> Path:
    """Run ``tools/package_plugin.py`` (what ``make package`` runs) into ``out_dir``."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "package_plugin.py"), "--out", str(out_dir)],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def profile_settings(language: Optional[str]) -> Dict[str, Dict[str, str]]:
    """QGIS3.ini of a quiet test profile with the plugin enabled."""
    settings = {
        "PythonPlugins": {PLUGIN: "true"},
        # no tips dialog, no news feed or plugin repository fetch (loopback only)
        "qgis": {"showTips322": "false", "checkVersion": "false"},
        "core": {"NewsFeed\\httpsfeedqgisorg\\disabled": "true"},
        "app": {"plugin_installer\\checkOnStart": "false"},
    }
    if language:
        settings["locale"] = {"userLocale": language, "overrideFlag": "true"}
    return settings


def install(zip_path: Path, profiles_path: Path, language: Optional[str] = None) -> Path:
    """Unzip into ``<profiles>/profiles/default/python/plugins`` and enable it.

    Returns the profile folder. QGIS desktop takes ``--profiles-path`` =
    ``profiles_path``; ``qgis_process`` takes ``QGIS_CUSTOM_CONFIG_PATH``.
    """
    profile = profiles_path / "profiles" / "default"
    plugins_dir = profile / "python" / "plugins"
    plugins_dir.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(plugins_dir)
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str  # keep the keys' case
    ini.read_dict(profile_settings(language))
    (profile / "QGIS").mkdir()
    with open(profile / "QGIS" / "QGIS3.ini", "w", encoding="utf-8") as fh:
        ini.write(fh, space_around_delimiters=False)
    return profile


STARTUP_SCRIPT = ROOT / "tests" / "plugin" / "qgis_startup.py"


def desktop_env(**extra: str) -> Dict[str, str]:
    """The environment of a real QGIS window under Xvfb.

    No offscreen platform (the display is Xvfb's); QGIS's own import hook as a
    user has it (without it QGIS cannot unload plugins at exit and shows an
    error dialog); deprecations from the plugin raised as errors.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "QGIS_NO_OVERRIDE_IMPORT")}
    env["PYQGIS_STARTUP"] = str(STARTUP_SCRIPT)
    env.update(extra)
    return env
