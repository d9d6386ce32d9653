"""National-size publish (``bench_publish.py --national``; prints figures, not a test).

1,000,000 risk points + 20,000 isolation zones published through the real
plugin pipeline (validate, export, upload) to the endpoint running in a
**separate process** (``covidmaps_publish`` with its limits raised for the
size), so the memory of each side is its own:

- QGIS side: this process's peak resident set (``VmHWM``: the kernel's
  high-water mark, so no sample can miss the peak), for the whole run and
  sampled during the publish alone;
- endpoint: the server process's own ``VmHWM``, and the sum over its process
  tree (server + tile input + tippecanoe) sampled every 0.2 s.

Both must stay <= 4 GiB. The time is reported as the same ratio as the
100k bench: full publish / QGIS's default GeoJSON export, measured in this
run. Workspace creation is not timed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess  # nosec B404 - this interpreter on a fixed script
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

GIB = 1024 ** 3

# The endpoint, alone in its process; prints its URL, serves until stdin
# closes, then prints its stages (the server's rows of the stage table: its
# timing log records and its commit's steps, as bench_publish.measured takes
# them in one process) as one JSON line.
ENDPOINT_CHILD = """
import json, logging, sys, time
from collections import defaultdict
from pathlib import Path
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.publisher import Publisher
from covidmaps_publish.server import ServerThread
logging.basicConfig(level=sys.argv[3], stream=sys.stderr,
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
stages = {"seconds": defaultdict(float), "cpu": defaultdict(float)}

class Timings(logging.Handler):
    def emit(self, record):
        for kind, member in (("seconds", "timings"), ("cpu", "cpu_timings")):
            for stage, seconds in getattr(record, member, {}).items():
                stages[kind][stage] += seconds

for name in ("publisher", "vectortiles", "downloads"):
    logger = logging.getLogger("covidmaps_publish." + name)
    logger.addHandler(Timings(logging.DEBUG))
    logger.setLevel(logging.DEBUG)

def timed(name, stage):
    original = getattr(Publisher, name)
    def run(*args, **kwargs):
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            stages["seconds"][stage] += time.perf_counter() - start
            stages["cpu"][stage] += time.thread_time() - cpu
    setattr(Publisher, name, run)

timed("release_tiles", "server tiles (commit waits)")
timed("publish", "commit")
config = Config(data_dir=Path(sys.argv[1]), fsync=False, limits=Limits(**json.loads(sys.argv[2])))
with ServerThread(config) as server:
    print(server.url, flush=True)
    sys.stdin.read()
print(json.dumps(stages), flush=True)
"""


def _status_kib(pid: int, key: str) -> int:
    """A ``/proc/PID/status`` figure in KiB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            out.append(child)
            todo.append(child)
    return out


def _tmpfs_scratch_kib() -> int:
    """What the tile builds' scratch directories in /dev/shm hold, in KiB
    (the blocks their files take: tmpfs pages). Run the bench alone: any
    other endpoint's builds there would count too."""
    total = 0
    for directory in glob.glob("/dev/shm/covidmaps-tiles-*"):
        for root, _dirs, files in os.walk(directory):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass  # removed meanwhile
    return total // 1024


class PeakMemory:
    """Samples RSS every ``period`` s: this process alone, and a process tree."""

    def __init__(self, tree_root: int, period: float = 0.2,
                 trace: Optional[Path] = None) -> None:
        self.tree_root = tree_root
        # with ``trace``: one line per sample (time, this process, each
        # process of the tree, MiB), to find which stage holds the peak
        self.trace = trace
        self.period = period
        self.self_peak = 0  # KiB
        self.tree_peak = 0  # KiB
        self.tree_top: Dict[str, int] = {}  # biggest RSS seen per process name
        # tippecanoe's scratch files in /dev/shm (vectortiles.scratch_root
        # puts them there when it has room): memory too, but in no RSS
        self.scratch_peak = 0  # KiB
        self.tree_and_scratch_peak = 0  # KiB, at the same sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        out = open(self.trace, "w", encoding="utf-8") if self.trace else None  # noqa: SIM115
        while not self._stop.is_set():
            own = _status_kib(os.getpid(), "VmRSS")
            self.self_peak = max(self.self_peak, own)
            total = 0
            row = [time.strftime("%H:%M:%S"), f"qgis={own // 1024}"]
            for pid in [self.tree_root, *_descendants(self.tree_root)]:
                rss = _status_kib(pid, "VmRSS")
                total += rss
                try:
                    name = Path(f"/proc/{pid}/comm").read_text().strip()
                except OSError:
                    continue
                self.tree_top[name] = max(self.tree_top.get(name, 0), rss)
                row.append(f"{name}:{pid}={rss // 1024}")
            self.tree_peak = max(self.tree_peak, total)
            scratch = _tmpfs_scratch_kib()
            self.scratch_peak = max(self.scratch_peak, scratch)
            self.tree_and_scratch_peak = max(self.tree_and_scratch_peak, total + scratch)
            if out is not None:
                out.write(" ".join(row) + f" tree={total // 1024} shm={scratch // 1024}\n")
                out.flush()
            self._stop.wait(self.period)
        if out is not None:
            out.close()

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def endpoint_process(data_dir: Path, limits: Dict[str, Any], log_path: Path,
                     log_level: str = "INFO") -> Iterator[subprocess.Popen]:
    """The endpoint in a child process (its URL in ``proc.url``)."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603  # nosec B603 - this interpreter, fixed script
        [sys.executable, "-c", ENDPOINT_CHILD, str(data_dir), json.dumps(limits), log_level],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
    try:
        assert proc.stdout is not None
        proc.url = proc.stdout.readline().decode().strip()  # type: ignore[attr-defined]
        if not proc.url.startswith("http"):  # type: ignore[attr-defined]
            raise RuntimeError(f"the endpoint did not start (see {log_path})")
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            # its stages, once it has stopped serving
            proc.stages = json.loads(proc.stdout.readline() or "{}")  # type: ignore[attr-defined]
            proc.wait(120)
        except (subprocess.TimeoutExpired, ValueError):
            proc.kill()
            proc.wait()
        log.close()


def stage_feedback(say: Any) -> Any:
    """A feedback that says when the publish passes validation (20 %),
    export (45 %) and the change preview (50 %): marks for the trace."""
    from qgis.core import QgsFeedback

    feedback = QgsFeedback()
    marks = {20: "validated", 45: "exported", 50: "prepared; uploading"}
    seen: set = set()

    def on_progress(value: float) -> None:
        for mark, text in marks.items():
            if value >= mark and mark not in seen:
                seen.add(mark)
                say(text)

    feedback.progressChanged.connect(on_progress)
    return feedback


def run(args: argparse.Namespace, work: Path) -> None:
    from bench_publish import (
        default_geojson,
        manifest_latency,
        measured,
        percentile,
        print_phone_views,
        print_stages,
        scale_layer,
    )
    from covidmaps_publish.tokens import TokenStore
    from qgis.core import QgsProject

    from covidmaps_plugin.core.publishing.auth import auth_headers
    from covidmaps_plugin.core.publishing.pipeline import PublishRequest, publish
    from covidmaps_plugin.core.workspace import create_workspace

    def say(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    gpkg = work / "bench.gpkg"
    project = QgsProject()
    create_workspace(gpkg, with_sample=True, project=project)
    project.clear()
    del project
    say(f"building the workspace: {args.points} risk points, {args.zones} zones")
    scale_layer(gpkg, "risk_points", args.points, 0.6)  # spread over the province
    scale_layer(gpkg, "isolation_zones", args.zones, 0.3)
    say(f"workspace built ({gpkg.stat().st_size / 1e6:.0f} MB); QGIS side VmHWM so far "
        f"{_status_kib(os.getpid(), 'VmHWM') / 1024:.0f} MiB")
    qgis_s, qgis_cpu, raw, gz = default_geojson(gpkg, work)
    for name in ("risk_points", "isolation_zones"):
        (work / f"{name}.geojson").unlink(missing_ok=True)
    say(f"QGIS default GeoJSON export: {qgis_s:.1f} s, {raw} B raw, {gz} B gzip")
    data_dir = work / "endpoint"
    limits = {"max_blob_bytes": 4 * GIB, "max_features": 10 * args.points,
              "max_vertices_total": 10 ** 10}
    state = data_dir / "private"
    token = TokenStore(state).create("bench")
    trace = Path(args.memory_trace) if args.memory_trace else None
    log_path = (trace.with_suffix(".endpoint.log") if trace
                else work.parent / f"{work.name}-endpoint.log")
    with endpoint_process(data_dir, limits, log_path,
                          "DEBUG" if trace else "INFO") as proc:
        request = PublishRequest(gpkg, proc.url, auth_headers(token=token),  # type: ignore[attr-defined]
                                 confirm_warnings=True)
        before = _status_kib(os.getpid(), "VmHWM")
        error: Optional[BaseException] = None
        with PeakMemory(proc.pid, trace=trace) as mem, measured() as stages, \
                manifest_latency(proc.url, work) as latencies:  # type: ignore[attr-defined]
            start, cpu = time.perf_counter(), time.process_time()
            try:
                full = publish(request, stage_feedback(say) if trace else None,
                               log=say if trace else None)
            except BaseException as exc:  # noqa: BLE001 - reported below with the memory
                error = exc
            full_s, full_cpu = time.perf_counter() - start, time.process_time() - cpu
        server_hwm = _status_kib(proc.pid, "VmHWM")
    qgis_hwm = _status_kib(os.getpid(), "VmHWM")
    say(f"full publish: {full_s:.1f} s wall, {full_cpu:.1f} s CPU (QGIS side)"
        + (f" - FAILED: {error!r}" if error else ""))
    print(f"national: {args.points} risk points, {args.zones} isolation zones")
    print(f"QGIS side peak RSS: {qgis_hwm / 1024:.0f} MiB (VmHWM, whole run; "
          f"{before / 1024:.0f} MiB before the publish), sampled during the publish "
          f"{mem.self_peak / 1024:.0f} MiB (goal <= 4096)")
    print(f"endpoint peak RSS: server process {server_hwm / 1024:.0f} MiB (VmHWM), "
          f"its process tree {mem.tree_peak / 1024:.0f} MiB (sampled sum; biggest per "
          f"process: {', '.join(f'{k} {v / 1024:.0f}' for k, v in sorted(mem.tree_top.items()))}"
          f" MiB) (goal <= 4096)")
    print(f"endpoint's tile scratch in /dev/shm (tmpfs: memory, in no RSS): peak "
          f"{mem.scratch_peak / 1024:.0f} MiB; process tree + scratch at once: "
          f"{mem.tree_and_scratch_peak / 1024:.0f} MiB (goal <= 4096; vectortiles.scratch_root "
          f"uses /dev/shm only for at most SCRATCH_TMPFS_MAX of scratch and when it has room for "
          f"twice that, else the data directory)")
    print(f"ratio full publish / default export, wall: {full_s / qgis_s:.2f} "
          f"({full_s:.1f} / {qgis_s:.1f} s; goal <= 2), CPU of the QGIS side: "
          f"{full_cpu / qgis_cpu:.2f}")
    # the QGIS side's stages measured here, the endpoint's in its process
    for kind, table in (("seconds", stages.seconds), ("cpu", stages.cpu)):
        for stage, seconds in getattr(proc, "stages", {}).get(kind, {}).items():
            table[stage] += seconds
    print_stages(stages, full_s)
    print(f"/data/manifest.json during the publish, {len(latencies)} requests: p50 "
          f"{1000 * percentile(latencies, 0.5):.1f} ms, p99 "
          f"{1000 * percentile(latencies, 0.99):.1f} ms")
    if error is not None:
        raise error
    print(f"sent {full.bytes_uploaded} B on the wire ({', '.join(full.uploaded)})")
    manifest = json.loads((data_dir / "public" / "data" / "manifest.json").read_text("utf-8"))
    print_phone_views(data_dir, manifest, gz)
