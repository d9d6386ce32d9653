"""Bulk work on whole layers (pure Python, shared by the plugin's exporter
and the server's checks).

Reading or checking 100,000 features allocates millions of small objects
(dicts, lists, floats), and CPython's cyclic garbage collector scans the
live ones again and again while they are made: about a third of the time
of the server's check of a 100,000-feature layer. Those objects form no
reference cycles (parsed JSON, feature dicts), so reference counting frees
them anyway; :func:`collector_paused` turns the cyclic collector off for the
duration of such work and back on after, even when several threads do bulk
work at once (the collector is process-wide: it resumes when the last one
ends, and only if it was on before the first began).
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

_lock = threading.Lock()
_active = 0  # bulk sections running now
_was_enabled = False  # the collector's state when the first one began


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nestable, thread-safe)."""
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
