"""Deprecation warnings raised from our own modules fail the tests.

The filter lives in pyproject.toml (``filterwarnings``). This test runs pytest
on a seeded test whose deprecated call is made from a module named like ours,
and on the same call from a module that is not ours, so the filter is shown to
catch what it must and only that.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from .installed_plugin import ROOT

SEEDED_TEST = textwrap.dedent('''
    import types, warnings

    def _module(name):
        module = types.ModuleType(name)
        exec(
            "import warnings\\n"
            "def old_api():\\n"
            "    warnings.warn('old_api() is deprecated', DeprecationWarning, stacklevel=2)\\n"
            "def call():\\n"
            "    old_api()\\n", module.__dict__)
        return module

    def test_from_the_plugin():
        _module("covidmaps_plugin.core.seeded").call()

    def test_from_the_endpoint():
        _module("covidmaps_publish.seeded").call()

    def test_from_someone_else():
        _module("somebody_else.seeded").call()
''')


def test_a_deprecation_from_our_code_fails_the_run(tmp_path):
    seeded = tmp_path / "test_seeded_deprecation.py"
    seeded.write_text(SEEDED_TEST, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), str(seeded)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    out = done.stdout + done.stderr
    assert "FAILED" in out and "test_from_the_plugin" in out, out
    assert "test_from_the_endpoint" in out.split("short test summary")[-1], out
    assert "2 failed, 1 passed" in out, out


DESKTOP_PROBE = textwrap.dedent('''
    import json, os, sys, types
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QTimer

    def outcome(name):
        module = types.ModuleType(name)
        exec("import warnings\\n"
             "def call():\\n"
             "    warnings.warn('old', DeprecationWarning)\\n", module.__dict__)
        try:
            module.call()
        except DeprecationWarning:
            return "error"
        return "passed"

    result = {"plugin": outcome("covidmaps_plugin.gui.seeded"),
              "other": outcome("somebody_else.seeded")}
    with open(os.environ["PROBE_RESULT"], "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    QTimer.singleShot(0, QgsApplication.instance().quit)
''')


def test_a_deprecation_from_the_plugin_is_an_error_in_the_qgis_window_too(tmp_path):
    from .installed_plugin import desktop_env
    from .xvfb import xvfb

    script = tmp_path / "probe.py"
    script.write_text(DESKTOP_PROBE, encoding="utf-8")
    result = tmp_path / "result.json"
    (tmp_path / "runtime").mkdir(mode=0o700)
    env = desktop_env(PROBE_RESULT=str(result), XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    with xvfb() as display:
        env["DISPLAY"] = display
        subprocess.run(["qgis.bin", "--nologo", "--noversioncheck", "--profiles-path",
                        str(tmp_path / "profiles"), "--code", str(script)],
                       env=env, capture_output=True, timeout=120, check=False)
    assert json.loads(result.read_text(encoding="utf-8")) == {"plugin": "error",
                                                              "other": "passed"}
