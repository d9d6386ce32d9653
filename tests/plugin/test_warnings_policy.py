"""Deprecation warnings raised from our own modules fail the tests.

The filter lives in pyproject.toml (``filterwarnings``). This test runs pytest
on a seeded test whose deprecated call is made from a module named like ours,
and on the same call from a module that is not ours, so the filter is shown to
catch what it must and only that.
"""

from __future__ import annotations

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
