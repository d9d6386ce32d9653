"""Heavy work on big layers in worker processes, not in the server's own.

Checking a layer of tens of MB and making its CSV download are seconds of
Python in the interpreter that also answers public reads: in a thread of
the server they hold its interpreter lock and a read of
``/data/manifest.json`` waits behind them. In a worker process they cost
the event loop only the hand-over of the bytes.

Compression is not sent here: zlib and brotli release the interpreter lock
while they compress, so threads of the server do it without stalling
reads, and without pickling the layer to two workers (two more copies of
80 MB, and a queue behind the check and the CSV).

Small inputs (every layer of a province's daily publish but the largest)
stay in the calling thread: a hand-over costs more than it saves there.

A big ``bytes`` argument goes to the worker as a file, not through the
pool's pipe: pickled, a national layer of 1 GB costs the server one more
copy (the pickle) and the worker two (the bytes received, then unpickled)
while it crosses. Written to a private file (``spool_dir``) it costs the
server nothing more and the worker one read.
The pool starts on first use ("spawn": the server has threads, and a fork
of a threaded process may inherit a lock some thread held) and lives as
long as the endpoint.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import multiprocessing
import os
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, List, Optional, TypeVar

from .privatedir import ensure_private_dir

log = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS = 2  # a check and a CSV at a time: the machines have 2 cores and up
# a bytes argument at least this big crosses to the worker as a file
SPILL_MIN_BYTES = 1024 * 1024


class _Spilled:
    """A bytes argument written to a file for the worker to read (picklable)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __getstate__(self) -> str:
        return self.path

    def __setstate__(self, state: str) -> None:
        self.path = state


def _spill(args: tuple, directory: Optional[Path]) -> tuple:
    """``args`` with each big bytes argument written to a private file
    (mkstemp: 0600) and replaced by its ``_Spilled``."""
    out: List[Any] = []
    for arg in args:
        if isinstance(arg, bytes) and len(arg) >= SPILL_MIN_BYTES:
            if directory is not None:
                ensure_private_dir(directory)
            fd, name = tempfile.mkstemp(prefix="offload-", suffix=".tmp",
                                        dir=None if directory is None else str(directory))
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(arg)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            arg = _Spilled(name)
        out.append(arg)
    return tuple(out)


def _unspill(args: tuple, as_files: bool = False) -> tuple:
    """The worker's side of ``_spill``: each file read back, or with
    ``as_files`` its path (the function reads it as it goes)."""
    return tuple((Path(a.path) if as_files else Path(a.path).read_bytes())
                 if isinstance(a, _Spilled) else a for a in args)


def _remove_spilled(args: tuple) -> None:
    for arg in args:
        if isinstance(arg, _Spilled):
            Path(arg.path).unlink(missing_ok=True)


def _in_worker(func: Callable[..., T], args: tuple, spool_dir: Optional[Path] = None,
               as_files: bool = False) -> Any:
    """``func(*args)`` in a worker, then its garbage handed back to the
    system: a worker lives on between tasks, and the parse of a layer of
    tens of MB would otherwise stay in its heap (hundreds of MB, idle).
    A big bytes result (a layer's CSV) comes back as a file, like a big
    argument goes (``Offload.call`` reads it); with ``as_files`` the
    function gets big arguments as paths and may return the path of a file
    it wrote beside them, which comes back the same way."""
    try:
        result = func(*_unspill(args, as_files))
        if as_files and isinstance(result, Path):
            return _Spilled(str(result))
        if isinstance(result, bytes) and len(result) >= SPILL_MIN_BYTES:
            return _spill((result,), spool_dir)[0]
        return result
    finally:
        gc.collect()
        _malloc_trim()


@functools.lru_cache(maxsize=1)
def _malloc_trim_function() -> Optional[Callable[[int], int]]:
    """glibc's ``malloc_trim``, looked up once per worker: ``find_library``
    runs ``ldconfig`` in a subprocess, too dear for every task."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)


def _malloc_trim() -> None:
    """glibc's ``malloc_trim(0)`` where there is one (elsewhere nothing)."""
    trim = _malloc_trim_function()
    if trim is not None:
        trim(0)


class Offload:
    """Runs a function in a worker process when its input is big."""

    def __init__(self, min_bytes: int, workers: int = WORKERS,
                 spool_dir: Optional[Path] = None) -> None:
        self.min_bytes = min_bytes
        self.workers = workers
        # where big bytes arguments are written for a worker (private;
        # None: the system's temp directory, still 0600 files)
        self.spool_dir = spool_dir
        self._pool: Optional[ProcessPoolExecutor] = None
        self._lock = threading.Lock()
        # how many calls went to a worker process (tests assert on it)
        self.offloaded = 0
        self._unavailable = False  # no worker processes here (see _executor)

    def wants(self, size: int) -> bool:
        return not self._unavailable and self.min_bytes >= 0 and size >= self.min_bytes

    def _executor(self) -> Optional[ProcessPoolExecutor]:
        with self._lock:
            if self._pool is None and not self._unavailable:
                try:
                    self._pool = ProcessPoolExecutor(
                        max_workers=self.workers,
                        mp_context=multiprocessing.get_context("spawn"))
                except (OSError, ImportError, NotImplementedError) as exc:
                    # e.g. no writable /dev/shm for the pool's semaphores: the
                    # work stays in the server's threads, as before the pool
                    log.error("no worker processes (%s): big layers are checked in the "
                              "server process", exc)
                    self._unavailable = True
            if self._pool is not None:
                self.offloaded += 1
            return self._pool

    def submit(self, size: int, func: Callable[..., T], *args: Any,
               as_files: bool = False) -> Future:
        """``func(*args)`` in a worker when ``size`` is big, else now (a
        finished future). ``func`` must be a module-level function and its
        arguments and result picklable. A big bytes result of a worker is
        a file here: use ``call``, which reads it. ``as_files``: in a
        worker, ``func`` gets each big bytes argument as the path of its
        private file and may return a path (see _in_worker); here, or a
        small argument, it gets the bytes and must return bytes."""
        pool = self._executor() if self.wants(size) else None
        if pool is None:
            done: Future = Future()
            try:
                done.set_result(func(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller as is
                done.set_exception(exc)
            return done
        spilled = _spill(args, self.spool_dir)
        try:
            future = pool.submit(_in_worker, func, spilled, self.spool_dir, as_files)
        except BaseException:
            _remove_spilled(spilled)
            raise
        # removed once the worker is done with them, whatever happened to it
        future.add_done_callback(lambda _done: _remove_spilled(spilled))
        return future

    def call(self, size: int, func: Callable[..., T], *args: Any, as_files: bool = False) -> T:
        """``submit(...).result()``; a worker that died (killed, out of
        memory) costs a new pool and one retry here, in this process."""
        future = self.submit(size, func, *args, as_files=as_files)
        try:
            result = future.result()
            if isinstance(result, _Spilled):  # a big bytes result, in a file
                try:
                    return Path(result.path).read_bytes()  # type: ignore[return-value]
                finally:
                    _remove_spilled((result,))
            return result
        except BrokenProcessPool:
            log.error("a worker process died; %s runs in the server process",
                      getattr(func, "__name__", func))
            with self._lock:
                self._pool = None
            return func(*args)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
