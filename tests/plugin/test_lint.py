"""Static checks over the plugin and the tools: ruff, bandit, detect-secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

from .installed_plugin import PLUGIN, ROOT

BIN = Path(sys.executable).parent  # the venv's console scripts
SKIPPED = {"__pycache__", ".ruff_cache", ".pytest_cache"}


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


def checked_files() -> List[str]:
    files = []
    for top in (ROOT / PLUGIN, ROOT / "tools"):
        files += [str(p.relative_to(ROOT)) for p in sorted(top.rglob("*"))
                  if p.is_file() and not SKIPPED.intersection(p.parts) and p.suffix != ".qm"]
    return files + ["metadata.txt", "resources.qrc"]


def test_ruff_is_clean_over_the_plugin():
    done = run(str(BIN / "ruff"), "check", "--no-cache", PLUGIN, "tools")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bandit_finds_nothing_blocking():
    # blocking = medium or high severity; `make lint` also lists the low ones
    done = run(str(BIN / "bandit"), "-q", "-ll", "-c", "pyproject.toml", "-r", PLUGIN, "tools")
    assert done.returncode == 0, done.stdout + done.stderr


def test_detect_secrets_finds_nothing_new():
    done = run(str(BIN / "detect-secrets-hook"), "--baseline", ".secrets.baseline",
               *checked_files())
    assert done.returncode == 0, done.stdout + done.stderr


def test_detect_secrets_would_catch_a_secret(tmp_path: Path):
    leaked = tmp_path / "settings.py"
    # a made-up AWS-style key: the check must not be blind
    key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"  # pragma: allowlist secret
    leaked.write_text(f'aws_secret_access_key = "{key}"\n')
    done = run(str(BIN / "detect-secrets-hook"), "--baseline", ".secrets.baseline", str(leaked))
    assert done.returncode != 0


def test_the_other_release_runner_is_sound_and_refuses_what_it_does_not_know():
    # tools/debian_root.sh (make test-other) builds multi-GB roots, so make
    # test does not run it; its syntax and argument handling are checked here
    script = ROOT / "tools" / "debian_root.sh"
    assert run("bash", "-n", str(script)).returncode == 0
    unknown = run("bash", str(script), "wheezy")
    assert unknown.returncode == 2 and "unknown release 'wheezy'" in unknown.stderr
    usage = run("bash", str(script))
    assert usage.returncode == 2 and "tools/debian_root.sh RELEASE" in usage.stdout
