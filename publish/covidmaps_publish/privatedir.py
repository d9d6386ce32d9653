"""The data directory's ``private/`` tree (tokens, audit log, idempotency
records): 0700 directories and 0600 files, whatever starts the endpoint
(systemd's StateDirectoryMode, a shell with umask 022, a container).

Created with those modes, and tightened at start-up when an older version,
an administrator's ``cp`` or a restore left them wider. Symbolic links are
left alone (chmod would follow them out of the tree).
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and parents up to it) as 0700; tighten it to 0700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path, DIR_MODE)


def secure_tree(root: Path) -> None:
    """``ensure_private_dir(root)`` and every directory below it 0700, every
    regular file 0600."""
    root = Path(root)
    ensure_private_dir(root)
    for base, dirs, files in os.walk(root):
        for name in dirs:
            _tighten(Path(base) / name, DIR_MODE)
        for name in files:
            _tighten(Path(base) / name, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        return
    if stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)


def remove_stale_files(directory: Path, min_age_s: float) -> int:
    """Remove the files of ``directory`` not modified for ``min_age_s``
    seconds (what a crashed writer left behind); returns how many. Younger
    files may belong to a live writer of another process sharing the
    directory and are kept."""
    removed = 0
    cutoff = time.time() - min_age_s
    for entry in Path(directory).iterdir():
        try:
            if entry.stat().st_mtime <= cutoff:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
