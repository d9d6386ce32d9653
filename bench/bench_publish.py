"""Publishing benchmark (prints figures and ratios; not a test).

    .venv/bin/python bench/bench_publish.py [--points 100000] [--zones 2000]
    .venv/bin/python bench/bench_publish.py --national   (bench_national.py)

1. Builds a workspace with N risk points and M isolation zones (copies of
   the sample's published features with new uids, moved a little).
2. Full publish (validate, export, upload, server checks, commit) through
   the real pipeline to a real endpoint on 127.0.0.1 (limits raised for the
   size) vs QGIS's default GeoJSON export (QgsVectorFileWriter) of the same
   layers, in the same process and run: time with a breakdown per stage,
   and bytes on the wire (brotli, as served) vs the default export raw and
   gzipped. The server's share comes from its own timing log records.
3. Republish after changing one feature: wall time and bytes uploaded vs
   the full publish.
4. The endpoint's vector tiles (tippecanoe -> PMTiles, built on the server
   while the upload goes on): build time, and the bytes a phone downloads
   for the province's initial view (the byte ranges a PMTiles reader asks for).
5. Public reads while publishing: a separate process fetches
   /data/manifest.json in a loop during the full publish; its latency
   percentiles (goal: p99 <= 50 ms).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the plugin's QGIS-side packages (core, gui) from this checkout; the model
# and the endpoint are installed distributions (make setup)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qgis.core import (  # noqa: E402 - after the platform variable
    QgsApplication,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsGeometry,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)


def scale_layer(gpkg: Path, layer: str, count: int, step_deg: float) -> None:
    """Add copies of the layer's published features until it holds ``count``
    features. The originals stay (so references to them, e.g. checkpoints ->
    zones, still resolve); each copy is moved a little, but only as far as
    keeps it inside the province outline, so the workspace validates clean."""
    vl = QgsVectorLayer(f"{gpkg}|layername={layer}", layer, "ogr")
    outline = QgsVectorLayer(f"{gpkg}|layername=province", "province", "ogr")
    province = QgsGeometry.unaryUnion([f.geometry() for f in outline.getFeatures()])
    inside = QgsGeometry.createGeometryEngine(province.constGet())
    inside.prepareGeometry()
    templates = [f for f in vl.getFeatures() if f["approved"] and f["status"] in (
        "active", "in_force", "extended")]
    uid_index = vl.fields().indexOf("uid")
    fid_index = vl.fields().indexOf("fid")
    batch = []
    side = max(1, int(math.sqrt(count)))
    for i in range(max(0, count - vl.featureCount())):
        template = templates[i % len(templates)]
        feature = QgsFeature(template)
        attributes = template.attributes()
        attributes[uid_index] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{layer}/{i}"))
        attributes[fid_index] = None  # a new one
        feature.setAttributes(attributes)
        dx = ((i % side) / side - 0.5) * step_deg
        dy = ((i // side % side) / side - 0.5) * step_deg
        for scale in (1.0, 0.5, 0.25, 0.0):  # a bounded shift that stays inside
            geometry = QgsGeometry(template.geometry())
            geometry.translate(dx * scale, dy * scale)
            if scale == 0.0 or inside.contains(geometry.constGet()):
                break
        feature.setGeometry(geometry)
        batch.append(feature)
        if len(batch) == 20_000:  # in batches: a national layer never sits in memory whole
            _add(vl, batch)
    _add(vl, batch)


def _add(vl: QgsVectorLayer, batch: List[QgsFeature]) -> None:
    provider = vl.dataProvider()
    ok, _ = provider.addFeatures(batch)
    assert ok, provider.lastError()
    batch.clear()


def default_geojson(gpkg: Path, out: Path) -> Tuple[float, float, int, int]:
    """QGIS's default GeoJSON export of the two big layers: seconds wall and
    CPU, bytes raw and gzipped."""
    start, cpu = time.perf_counter(), time.process_time()
    paths = []
    for layer in ("risk_points", "isolation_zones"):
        vl = QgsVectorLayer(f"{gpkg}|layername={layer}", layer, "ogr")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GeoJSON"
        target = out / f"{layer}.geojson"
        error = QgsVectorFileWriter.writeAsVectorFormatV3(
            vl, str(target), QgsCoordinateTransformContext(), options)
        assert error[0] == QgsVectorFileWriter.NoError, error
        paths.append(target)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    datas = [p.read_bytes() for p in paths]
    return seconds, cpu, sum(map(len, datas)), sum(len(gzip.compress(d, 6)) for d in datas)


# stages inside other stages (the server's own timing; request body coding)
NESTED_STAGES = ("server check", "compress", "store", "commit", "client gzip", "server gunzip",
                 "tile input", "tippecanoe", "tile build", "server tiles (commit waits)",
                 "early upload request",
                 "commit waits for blobs", "commit waits for downloads", "commit reader refresh",
                 "csv build", "csv compress and store")


class Stages:
    """Seconds per named stage: client steps by wrapping the pipeline's
    functions, server steps from the publisher's own timing log records."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = defaultdict(float)
        # CPU seconds of the thread that ran the stage: what the stage costs
        # whatever else the shared machine is doing
        self.cpu: Dict[str, float] = defaultdict(float)
        self._undo: List[Callable[[], None]] = []

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - start
                self.cpu[stage] += time.thread_time() - cpu

        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, original))

    def emit(self, record: logging.LogRecord) -> None:
        for stage, seconds in getattr(record, "timings", {}).items():
            self.seconds[stage] += seconds
        for stage, seconds in getattr(record, "cpu_timings", {}).items():
            self.cpu[stage] += seconds

    def restore(self) -> None:
        while self._undo:
            self._undo.pop()()


class _TimingHandler(logging.Handler):
    def __init__(self, stages: Stages) -> None:
        super().__init__(logging.DEBUG)
        self.stages = stages

    def emit(self, record: logging.LogRecord) -> None:
        self.stages.emit(record)


@contextmanager
def measured() -> Iterator[Stages]:
    from covidmaps_publish.publisher import Publisher

    from covidmaps_plugin.core.publishing import pipeline
    from covidmaps_plugin.core.publishing.client import PublishClient

    stages = Stages()
    stages.wrap(pipeline, "validate_source", "validate")
    from covidmaps_plugin.core.export_cache import EXPORTS

    stages.wrap(EXPORTS, "export_layers", "export")
    stages.wrap(pipeline, "export_reference", "export")
    stages.wrap(pipeline, "open_source", "open workspace")
    stages.wrap(pipeline, "data_updated_at", "freshness scan")
    # a layer's upload: the patch or the whole blob (gzip body, HTTP, the server's work)
    stages.wrap(pipeline, "send_layer", "upload request")
    # and those sent while the workspace is validated (early.py): they run
    # beside the validation, so they are not added to the wall-time sum
    from covidmaps_plugin.core.publishing import early

    stages.wrap(early, "send_layer", "early upload request")
    stages.wrap(PublishClient, "current_manifest", "read base release")
    from covidmaps_publish import http

    from covidmaps_plugin.core.publishing import client
    stages.wrap(client, "wire_body", "client gzip")  # and below, the server's gunzip
    stages.wrap(http, "gunzip_capped", "server gunzip")
    stages.wrap(Publisher, "release_tiles", "server tiles (commit waits)")
    stages.wrap(PublishClient, "publish", "commit request")
    stages.wrap(Publisher, "publish", "commit")  # the server's side of it
    loggers = [logging.getLogger(f"covidmaps_publish.{name}")
               for name in ("publisher", "vectortiles", "downloads")]
    handler = _TimingHandler(stages)
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield stages
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)
        stages.restore()


PHONE_VIEWPORT = (390, 844)  # CSS pixels of a common phone screen
FIT_PADDING = 8  # publish/web/src/main.js initialView: fitBounds(profile bbox, padding 8)
TILE_PX = 256  # publish/web/src/tiles.js


def _world_px(lon: float, lat: float, zoom: int) -> Tuple[float, float]:
    """Web Mercator pixel coordinates at ``zoom`` (256 px tiles, like Leaflet)."""
    scale = TILE_PX * 2 ** zoom
    siny = math.sin(math.radians(lat))
    return ((lon + 180) / 360 * scale,
            (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * scale)


def fit_zoom(bbox: List[float]) -> int:
    """Leaflet's fitBounds zoom for the province bbox on a phone: the largest
    whole zoom at which it fits in the viewport less the padding."""
    width, height = (v - 2 * FIT_PADDING for v in PHONE_VIEWPORT)
    zoom = 0
    for z in range(19):
        x0, y1 = _world_px(bbox[0], bbox[1], z)
        x1, y0 = _world_px(bbox[2], bbox[3], z)
        if x1 - x0 <= width and y1 - y0 <= height:
            zoom = z
    return zoom


def view_px(lon: float, lat: float, zoom: int) -> Tuple[float, float, float, float]:
    """The phone viewport's pixel bounds centred on (lon, lat) at ``zoom``."""
    cx, cy = _world_px(lon, lat, zoom)
    w, h = PHONE_VIEWPORT
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def served_size(path: Path) -> int:
    """What a phone downloads for a file: its brotli variant on disk, else
    (the manifest) the brotli variant the endpoint makes in memory
    (representation.py; nginx gzips it on the fly, a few % more)."""
    from covidmaps_publish.representation import MIN_COMPRESS, brotli_bytes

    br = path.with_name(path.name + ".br")
    if br.exists():
        return br.stat().st_size
    data = path.read_bytes()
    return len(brotli_bytes(data)) if len(data) >= MIN_COMPRESS else len(data)


def view_bytes(data_dir: Path, manifest: Dict[str, Any], zoom: int,
               bounds: Tuple[float, float, float, float]) -> Tuple[int, int]:
    """(bytes, tiles) a phone downloads for a view: the manifest, the plain
    GeoJSON of untiled and reference layers (brotli, as served), and of each
    tiled layer what a PMTiles reader fetches: its first 16 KiB (header and
    root directory), then the tiles that cover the view."""
    from pmtiles.reader import MmapSource, Reader

    public = data_dir / "public" / "data"
    total = served_size(public / "manifest.json")
    px0, py0, px1, py1 = bounds
    count = 0
    for entry in list(manifest["layers"]) + list(manifest.get("reference", ())):
        tiles = entry.get("tiles")
        if not tiles:
            total += served_size(public / entry["blob"]["href"])
            continue
        total += min(16384, tiles["size"])
        z = max(tiles["minzoom"], min(zoom, tiles["maxzoom"]))
        scale = 2 ** (zoom - z) * TILE_PX
        with open(public / tiles["href"], "rb") as f:
            reader = Reader(MmapSource(f))
            for x in range(int(px0 // scale), int(px1 // scale) + 1):
                for y in range(int(py0 // scale), int(py1 // scale) + 1):
                    tile = reader.get(z, x, y)
                    if tile:  # no entry: an empty tile, nothing fetched
                        total += len(tile)
                        count += 1
    return total, count


def print_phone_views(data_dir: Path, manifest: Dict[str, Any], default_gzip: int) -> None:
    tiled = [e for e in manifest["layers"] if e.get("tiles")]
    if not tiled:
        print("no layer has vector tiles in this release")
        return
    print("PMTiles archives: " + ", ".join(
        f"{e['id']} {e['tiles']['size']} B z{e['tiles']['minzoom']}-{e['tiles']['maxzoom']}"
        f" (clusters to z{e['tiles']['cluster_maxzoom']})" for e in tiled))
    bbox = manifest["profile"]["bbox"]
    zoom = fit_zoom(bbox)
    x0, y1 = _world_px(bbox[0], bbox[1], zoom)
    x1, y0 = _world_px(bbox[2], bbox[3], zoom)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = PHONE_VIEWPORT
    first, count = view_bytes(data_dir, manifest, zoom, (cx - w / 2, cy - h / 2,
                                                         cx + w / 2, cy + h / 2))
    # every layer is drawn at every zoom from the archives' minzoom
    undrawn = [e["id"] for e in tiled if e["tiles"]["minzoom"] > zoom]
    print(f"a phone's first view (fitBounds of the province, zoom {zoom}): manifest + untiled "
          f"and reference layers + {count} tiles, brotli: {first} B; / default gzip: "
          f"{first / default_gzip:.4f} (goal <= 0.02); layers not drawn: "
          f"{', '.join(undrawn) or 'none'}")


# A separate process, so its own timing is not disturbed by this one's GIL.
MANIFEST_POLLER = """
import http.client, os, sys, time, urllib.parse
url, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
lat = []
while not os.path.exists(stop):
    t = time.perf_counter()
    conn.request("GET", u.path, headers={"Accept-Encoding": "br"})
    conn.getresponse().read()
    lat.append(time.perf_counter() - t)
    time.sleep(0.005)
open(out, "w").write(" ".join(map(str, lat)))
"""


@contextmanager
def manifest_latency(url: str, work: Path) -> Iterator[List[float]]:
    """Latencies (s) of /data/manifest.json fetched by another process in a
    loop (one keep-alive connection, 5 ms apart) while the block runs."""
    import subprocess  # noqa: S404  # nosec B404 - this interpreter on a fixed script

    stop, out = work / "poll.stop", work / "poll.out"
    proc = subprocess.Popen([sys.executable, "-c", MANIFEST_POLLER,  # noqa: S603  # nosec B603
                             f"{url}/data/manifest.json", str(stop), str(out)])
    samples: List[float] = []
    try:
        yield samples
    finally:
        stop.write_text("")
        proc.wait(60)
        samples.extend(float(v) for v in out.read_text().split())


def _descendants_cpu() -> float:
    """CPU seconds of this process's live descendants (the endpoint's worker
    processes) and of the children they waited for, from /proc."""
    parents: Dict[int, int] = {}
    times: Dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(v) for v in fields[11:15]) / tick
    ours, grew = {os.getpid()}, True
    while grew:
        new = {pid for pid, parent in parents.items() if parent in ours} - ours
        ours |= new
        grew = bool(new)
    return sum(times[pid] for pid in ours if pid != os.getpid())


def all_cpu() -> float:
    """CPU seconds of this process, of the children it waited for (tippecanoe)
    and of its live descendants (the endpoint's worker processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.process_time() + children.ru_utime + children.ru_stime
            + _descendants_cpu())


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


STAGE_ROWS = [("validate", "validate"), ("open workspace", "open workspace"),
            ("export (canonical GeoJSON)", "export"),
            ("read base release", "read base release"), ("freshness scan", "freshness scan"),
            ("blob upload requests", "upload request"),
            ("blob uploads during validation (thread)", "early upload request"),
            ("  of which client gzip of the body", "client gzip"),
            ("  of which server gunzip", "server gunzip"),
            ("  of which server check", "server check"),
            ("  of which server compression", "compress"),
            ("  of which server blob writes", "store"),
            ("commit request", "commit request"), ("  of which server commit", "commit"),
            ("  of which waiting for the tiles", "server tiles (commit waits)"),
            ("  of which waiting for blobs stored", "commit waits for blobs"),
            ("  of which waiting for CSV downloads", "commit waits for downloads"),
            ("  of which reader refresh", "commit reader refresh"),
            ("server CSV build (background)", "csv build"),
            ("server CSV compress + store", "csv compress and store"),
            ("server tile build (background thread)", "tile build"),
            ("  of which tippecanoe input", "tile input"),
            ("  of which tippecanoe", "tippecanoe")]


def print_stages(stages: Stages, total_s: float) -> None:
    """The stage table: wall seconds and CPU seconds of the thread running it."""
    s, c = stages.seconds, stages.cpu
    print("  stage                                  wall s   CPU s (of the thread running it)")
    for label, key in STAGE_ROWS:
        if key in s:
            print(f"  {label:<38} {s[key]:7.2f} {c[key]:7.2f}")
    client_s = sum(v for k, v in s.items() if k not in NESTED_STAGES)
    print(f"  {'other (not wrapped)':<38} {total_s - client_s:7.2f}")


@contextmanager
def endpoint(args: argparse.Namespace, config: Any, limits: Dict[str, Any],
             work: Path) -> Iterator[Any]:
    """The endpoint serving ``config.data_dir`` (its URL in ``.url``): a
    thread of this process, or with ``--endpoint-process`` a process of its
    own, as on a real server (no GIL shared with QGIS; the two still share
    this machine's cores)."""
    if not args.endpoint_process:
        from covidmaps_publish.server import ServerThread

        with ServerThread(config) as server:
            yield server
        return
    from bench_national import endpoint_process

    with endpoint_process(config.data_dir, limits, work / "endpoint.log") as proc:
        yield proc


def run(args: argparse.Namespace, work: Path) -> None:
    from covidmaps_publish.config import Config, Limits
    from covidmaps_publish.tokens import TokenStore

    from covidmaps_plugin.core.export_cache import EXPORTS
    from covidmaps_plugin.core.publishing.auth import auth_headers
    from covidmaps_plugin.core.publishing.pipeline import PublishRequest, publish
    from covidmaps_plugin.core.workspace import create_workspace

    gpkg = work / "bench.gpkg"
    project = QgsProject()
    create_workspace(gpkg, with_sample=True, project=project)
    project.clear()
    del project
    scale_layer(gpkg, "risk_points", args.points, 0.2)
    scale_layer(gpkg, "isolation_zones", args.zones, 0.1)
    limits: Dict[str, Any] = {
        "max_blob_bytes": 1024 ** 3, "max_features": 10 * args.points,
        "max_vertices_total": 10 ** 9,
        **({"tiles_min_features": 1 << 62, "tiles_min_bytes": 1 << 62} if args.no_tiles else {})}
    config = Config(data_dir=work / "endpoint", fsync=False, limits=Limits(**limits))
    token = TokenStore(config.state_dir).create("bench")
    qgis_s, qgis_cpu, raw, gz = default_geojson(gpkg, work)
    with endpoint(args, config, limits, work) as server:
        def request(**kwargs: Any) -> PublishRequest:
            return PublishRequest(gpkg, server.url, auth_headers(token=token),
                                  confirm_warnings=True, **kwargs)

        with measured() as stages, manifest_latency(server.url, work) as latencies:
            start, cpu = time.perf_counter(), all_cpu()
            full = publish(request())
            full_s, full_cpu = time.perf_counter() - start, all_cpu() - cpu
        blobs = config.data_dir / "public" / "data" / "blobs"
        brotli = sum(p.stat().st_size for p in blobs.glob("*.geojson.br"))
        manifest = json.loads((blobs.parent / "manifest.json").read_text("utf-8"))

        vl = QgsVectorLayer(f"{gpkg}|layername=risk_points", "rp", "ogr")
        feature = next(vl.getFeatures())
        vl.startEditing()
        vl.changeAttributeValue(feature.id(), vl.fields().indexOf("name"), "Bench edit")
        assert vl.commitChanges()
        del vl, feature
        with measured() as again_stages:
            start, cpu = time.perf_counter(), all_cpu()
            again = publish(request())
            again_s, again_cpu = time.perf_counter() - start, all_cpu() - cpu
        # the daily case: one figure of one facility (a small layer) changes
        vl = QgsVectorLayer(f"{gpkg}|layername=quarantine_facilities", "qf", "ogr")
        feature = next(f for f in vl.getFeatures() if f["approved"])
        vl.startEditing()
        vl.changeAttributeValue(feature.id(), vl.fields().indexOf("name"), "Bench edit")
        assert vl.commitChanges()
        del vl, feature
        hits = EXPORTS.hits
        start = time.perf_counter()
        small = publish(request())
        small_s = time.perf_counter() - start
        small_hits = EXPORTS.hits - hits

    s = stages.seconds
    print(f"workspace: {args.points} risk points, {args.zones} isolation zones; the endpoint "
          + ("in its own process (server rows of the stage tables: not shown)"
             if args.endpoint_process else "in this process (a thread, sharing the GIL)"))
    print(f"full publish (validate, export, upload, server checks and tiles, commit): "
          f"{full_s:.2f} s "
          f"wall, {full_cpu:.2f} s CPU (all processes); sent {full.bytes_uploaded} B on the wire "
          f"({', '.join(full.uploaded)})")
    print_stages(stages, full_s)
    no_validation = full_s - s["validate"]
    print(f"publish without validation (full - validate): {no_validation:.2f} s")
    print(f"QGIS default GeoJSON export of the two layers: {qgis_s:.2f} s, {raw} B raw, "
          f"{gz} B gzip")
    print(f"ratio full publish / default export, wall: {full_s / qgis_s:.2f} (without "
          f"validation: {no_validation / qgis_s:.2f}; goal <= 2)")
    print(f"ratio full publish / default export, CPU of every process (load-independent): "
          f"{full_cpu / qgis_cpu:.2f} ({full_cpu:.2f} / {qgis_cpu:.2f} s)")
    print(f"ratio served brotli ({brotli} B) / default raw: {brotli / raw:.3f} (goal <= 0.083); "
          f"/ default gzip: {brotli / gz:.3f} (goal <= 0.25)")
    print_phone_views(config.data_dir, manifest, gz)
    print(f"republish after one edit: {again_s:.2f} s wall ({again_cpu:.2f} s CPU, all "
          f"processes), ratio to full: {again_s / full_s:.3f} (goal <= 0.1); uploaded "
          f"{again.bytes_uploaded} B "
          f"(layers: {', '.join(again.uploaded)}), ratio to full: "
          f"{again.bytes_uploaded / full.bytes_uploaded:.2e} (goal <= 0.02)")
    print_stages(again_stages, again_s)
    print(f"republish after one edit in a small layer (a facility): {small_s:.2f} s wall, "
          f"ratio to full: {small_s / full_s:.3f} (goal <= 0.1); layers whose export was "
          f"reused: {small_hits}; uploaded {small.bytes_uploaded} B "
          f"(layers: {', '.join(small.uploaded)})")
    print(f"/data/manifest.json during the full publish, another process, {len(latencies)} "
          f"requests: p50 {1000 * percentile(latencies, 0.5):.1f} ms, p99 "
          f"{1000 * percentile(latencies, 0.99):.1f} ms (goal <= 50), max "
          f"{1000 * max(latencies or [float('nan')]):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--zones", type=int, default=2_000)
    parser.add_argument("--no-tiles", action="store_true",
                        help="publish without vector tiles (no layer is large enough)")
    parser.add_argument("--endpoint-process", action="store_true",
                        help="the endpoint in its own process, as deployed (default: a thread "
                             "of this process; the two then share one GIL)")
    parser.add_argument("--national", action="store_true",
                        help="1,000,000 points + 20,000 zones, the endpoint in its own process: "
                             "peak memory of each side and the time ratio (bench_national.py)")
    parser.add_argument("--memory-trace", metavar="FILE",
                        help="with --national: RSS of each process every 0.2 s to FILE, the "
                             "endpoint's debug log beside it (FILE.endpoint.log)")
    args = parser.parse_args()
    if args.national:
        given = {a for a in sys.argv[1:] if a.startswith("--")}  # a smaller trial keeps its sizes
        args.points = args.points if "--points" in given else 1_000_000
        args.zones = args.zones if "--zones" in given else 20_000
    app = QgsApplication([], False)
    app.initQgis()
    work = Path(tempfile.mkdtemp(prefix="bench_publish_"))
    try:
        if args.national:
            import bench_national
            bench_national.run(args, work)
        else:
            run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # every QGIS object made in run() must be gone before exitQgis,
        # or its destructor runs on a torn-down QGIS at exit (segfault)
        gc.collect()
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
