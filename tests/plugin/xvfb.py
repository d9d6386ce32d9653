"""A private Xvfb X server on a free display, for one real QGIS window."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Iterator

START_TIMEOUT_S = 30


@contextlib.contextmanager
def xvfb(screen: str = "1440x900x24") -> Iterator[str]:
    """Yield the DISPLAY (e.g. ``:7``) of a fresh Xvfb; stop it afterwards.

    ``-displayfd`` makes Xvfb pick a free display itself and report it, so
    parallel runs on a shared machine do not collide.
    """
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def screenshot(display: str, path: Path) -> bool:
    """The whole X screen as PNG (ImageMagick), to see what blocked a window."""
    try:
        done = subprocess.run(["import", "-display", display, "-window", "root", str(path)],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False  # only a diagnostic: never hide the real failure behind it
    return done.returncode == 0
