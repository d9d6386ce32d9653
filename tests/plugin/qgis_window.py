"""Run a script inside a real QGIS window (``qgis.bin --code``) under a private Xvfb.

The desktop tests prepare a profile and a scene, then call ``run_in_qgis_window``:
the script drives the window (with ``window_harness.py``: start-up, steps on
timers, the message log, screenshots, the watchdog), writes what it saw to
``result_path`` (JSON) and quits QGIS. If QGIS does not quit, the screen is
saved to ``stuck`` (it shows the dialog or error that blocked it) and QGIS is
killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Dict

from .installed_plugin import desktop_env
from .xvfb import screenshot as screenshot_taken
from .xvfb import xvfb

HARNESS_DIR = Path(__file__).resolve().parent
QGIS_TIMEOUT_S = 120
EXIT_GRACE_S = 15  # after the result file is written, QGIS only has to quit


def wait_for_exit(process: subprocess.Popen, result_path: Path) -> bool:
    """True when QGIS quit by itself; gives up soon after the result is written."""
    deadline = time.monotonic() + QGIS_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            process.wait(timeout=1)
            return True
        except subprocess.TimeoutExpired:
            if result_path.is_file():
                deadline = min(deadline, time.monotonic() + EXIT_GRACE_S)
    return False


def run_in_qgis_window(script: Path, profiles: Path, result_path: Path, stuck: Path,
                       screen: str, **env: str) -> Dict[str, Any]:
    """The JSON ``script`` wrote to ``result_path``, run in QGIS with ``profiles``.

    ``env`` is added to the desktop environment (``desktop_env``: a real
    display, QGIS's import hook, deprecations from the plugin as errors).
    """
    runtime = result_path.parent / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    environment = desktop_env(XDG_RUNTIME_DIR=str(runtime), **env)
    # the scripts import what they share (window_harness.py) from here
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HARNESS_DIR), environment.get("PYTHONPATH", "")) if p)
    command = ["qgis.bin", "--nologo", "--noversioncheck", "--profiles-path", str(profiles),
               "--code", str(script)]
    log = result_path.parent / "qgis.log"
    with xvfb(screen) as display, open(log, "wb") as out:
        environment["DISPLAY"] = display
        process = subprocess.Popen(command, env=environment, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        if not wait_for_exit(process, result_path):
            screenshot_taken(display, stuck)
            os.killpg(process.pid, signal.SIGKILL)  # our own session: qgis.bin only
            process.wait()
    assert result_path.is_file(), (
        f"no result (screen at timeout: {stuck})\n" + log.read_text(errors="replace")[-4000:])
    return json.loads(result_path.read_text(encoding="utf-8"))
