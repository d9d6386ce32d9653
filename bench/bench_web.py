"""Benchmark of the public web map: a cold load and a repeat visit under Slow-3G emulation.

Publishes the plugin's sample province through the real endpoint, opens the map in
Debian's Chromium with the network throttled through CDP (400 kbit/s down
and up, 400 ms latency, cache disabled) and prints, beside the budgets:

- time to first features drawn (the app's performance mark 'features-drawn'),
- JS + CSS bytes as shipped (brotli), and the whole transfer of the load,

with the basemap configured (config.json naming a tile server on 127.0.0.1,
throttled like the rest; its tiles are not counted in the budgets, but the
first features must not wait for them) and, as the reference, without it.

Then a large province (``--points`` risk points, ``--zones`` zones; 100,000
and 2,000 by default), published through the real endpoint, which builds
the PMTiles archives: the phone's first province view, whether every layer
is drawn there, the bytes it transfers beside QGIS's default GeoJSON export
of the two large layers gzipped (goal: every layer drawn, <= 0.02), and its
first features on Slow-3G.

The repeat visit: a first visit (not throttled) installs the service worker
and fills its caches; the second visit, throttled, draws from the cache
(the worker still asks the network for /data/manifest.json first). Printed
beside the same repeat visit with the service worker blocked (the browser's
HTTP cache only), as the reference.

Not run by ``make test``. Usage::

    .venv/bin/python bench/bench_web.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))
# the plugin's QGIS-side packages (core, gui) from this checkout; the model
# and the endpoint are installed distributions (make setup)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BUDGET_BYTES = 100 * 1024  # JS + CSS, brotli
BUDGET_SECONDS = 4.0  # first features drawn on Slow-3G
GOAL_FIRST_VIEW = 0.02  # first view bytes / default GeoJSON export of the large layers, gzipped
REPEAT_BUDGET_SECONDS = 1.0  # a repeat visit draws from the cache
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


def cold_load(browser, url: str, tiles_url: str = "") -> dict:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        service_workers="block",
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    sizes: dict = {}
    types: dict = {}
    cdp.on(
        "Network.responseReceived",
        lambda e: types.__setitem__(
            e["requestId"], (e["type"], e["response"]["url"], e["response"].get("headers", {}))
        ),
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(url, wait_until="commit", timeout=120000)
    page.wait_for_function(
        "() => performance.getEntriesByName('features-drawn').length > 0", timeout=120000
    )
    drawn_ms = page.evaluate("performance.getEntriesByName('features-drawn')[0].startTime")
    page.wait_for_selector("html[data-ready='1']", timeout=120000)
    ready_ms = page.evaluate("performance.now()")
    basemap_ms = None
    if tiles_url:
        page.wait_for_function(
            "() => document.querySelector('img.leaflet-tile-loaded')", timeout=120000
        )
        basemap_ms = page.evaluate("performance.now()")
    page.wait_for_timeout(500)
    context.close()
    tile_ids = {rid for rid, t in types.items() if tiles_url and t[1].startswith(tiles_url)}
    js_css = sum(
        size for rid, size in sizes.items() if types.get(rid, ("",))[0] in ("Script", "Stylesheet")
    )
    encodings = {
        types[rid][1].rsplit("/", 1)[-1]: {k.lower(): v for k, v in types[rid][2].items()}.get(
            "content-encoding", "identity"
        )
        for rid in sizes
        if rid in types and types[rid][0] in ("Script", "Stylesheet")
    }
    return {
        "drawn_s": drawn_ms / 1000,
        "ready_s": ready_ms / 1000,
        "basemap_s": basemap_ms / 1000 if basemap_ms else None,
        "total_bytes": sum(v for rid, v in sizes.items() if rid not in tile_ids),
        "tile_bytes": sum(v for rid, v in sizes.items() if rid in tile_ids),
        "js_css_wire_bytes": js_css,
        "requests": len(set(sizes) - tile_ids),
        "encodings": encodings,
    }


TILES_LOADED = """() => { const app = window.covidmapsApp;
    return [...app.layers.values()].every((e) => !e.tileLayer || !app.map.hasLayer(e.tileLayer)
                                          || !e.tileLayer.isLoading()); }"""
DRAWN_JS = """() => {
  const out = {};
  for (const [id, e] of window.covidmapsApp.layers) {
    if (e.tileLayer) {
      let painted = false;
      for (const c of e.tileLayer.getContainer().querySelectorAll('canvas')) {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length && !painted; i += 16) painted = d[i] > 0;
      }
      out[id] = painted;
    } else {
      out[id] = Boolean(e.group && e.group.getLayers().length > 0);
    }
  }
  return out;
}"""


def first_view(browser, url: str) -> dict:
    """A cold phone load of the province view: what is drawn once its tiles
    have settled, and the bytes it took (all, and under /data/)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="vi-VN", service_workers="block")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    urls: dict = {}
    sizes: dict = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url, wait_until="commit", timeout=180000)
    page.wait_for_function(
        "() => performance.getEntriesByName('features-drawn').length > 0", timeout=180000)
    drawn_ms = page.evaluate("performance.getEntriesByName('features-drawn')[0].startTime")
    page.wait_for_selector("html[data-ready='1']", timeout=180000)
    for _ in range(2):  # every tile of the view drawn (tiles.js layers are Leaflet GridLayers)
        page.wait_for_timeout(500)
        page.wait_for_function(TILES_LOADED, timeout=180000)
    all_ms = page.evaluate("performance.now()") - 500  # less the last wait
    drawn = page.evaluate(DRAWN_JS)
    zoom = page.evaluate("() => window.covidmapsApp.map.getZoom()")
    context.close()
    data = sum(v for rid, v in sizes.items() if "/data/" in urls.get(rid, ""))
    ranges = sum(1 for rid in sizes if urls.get(rid, "").endswith(".pmtiles"))
    return {"drawn_s": drawn_ms / 1000, "all_s": all_ms / 1000, "layers": drawn, "zoom": zoom,
            "total_bytes": sum(sizes.values()), "data_bytes": data, "range_requests": ranges}


def default_export_gzip(layers: dict, names: tuple, work: Path) -> int:
    """QGIS's default GeoJSON export of ``names`` (from their blobs), gzipped
    (level 6, as bench_publish.py measures it)."""
    import gzip

    from qgis.core import QgsCoordinateTransformContext, QgsVectorFileWriter, QgsVectorLayer
    from webmap_data import blob_bytes

    total = 0
    for name in names:
        src = work / f"{name}-blob.geojson"
        src.write_bytes(blob_bytes(layers[name]))
        layer = QgsVectorLayer(str(src), name, "ogr")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GeoJSON"
        target = work / f"{name}-default.geojson"
        error = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, str(target), QgsCoordinateTransformContext(), options)
        assert error[0] == QgsVectorFileWriter.NoError, error
        total += len(gzip.compress(target.read_bytes(), 6))
    return total


def run_large(browser, plain_web: Path, work: Path, points: int, zones: int, runs: int,
              reference: dict) -> None:
    from webmap_data import UPDATED_AT
    from webmap_pmtiles import LARGE, ZONES, large_layers, publish, tiled_endpoint

    layers = large_layers(points, zones=zones)
    default_gz = default_export_gzip(layers, (LARGE, ZONES), work)
    with tiled_endpoint(work / "large-endpoint", plain_web) as ep:
        manifest = publish(ep["base"], ep["token"], layers, reference, UPDATED_AT)
        results = [first_view(browser, ep["base"] + "/") for _ in range(runs)]
    tiled = {e["id"]: e["tiles"] for e in manifest["layers"] if e.get("tiles")}
    first = results[0]
    drawn = statistics.median(r["drawn_s"] for r in results)
    missing = [layer for layer, ok in first["layers"].items() if not ok]
    print(f" large province: {points:,} risk points + {zones:,} zones, phone, Slow-3G, "
          f"{runs} runs (median):")
    print("  tiled layers         : " + ", ".join(
        f"{k} {v['size'] / 1e6:.1f} MB z{v['minzoom']}-{v['maxzoom']}" for k, v in tiled.items()))
    print(f"  first province view  : zoom {first['zoom']:.2f}; every layer drawn: "
          f"{'yes' if not missing else 'NO, missing ' + ', '.join(missing)} "
          f"({len(first['layers'])} layers)")
    print(f"  /data/ bytes         : {first['data_bytes'] / 1024:6.1f} KiB "
          f"({first['range_requests']} range requests); default export gzipped "
          f"{default_gz / 1024:.0f} KiB; ratio {first['data_bytes'] / default_gz:.4f} "
          f"(goal <= {GOAL_FIRST_VIEW})")
    print(f"  all bytes (with app) : {first['total_bytes'] / 1024:6.1f} KiB; ratio "
          f"{first['total_bytes'] / default_gz:.4f}")
    print(f"  first features drawn : {drawn:6.2f} s   budget {BUDGET_SECONDS:.0f} s    "
          f"ratio {drawn / BUDGET_SECONDS:.2f}")
    every = statistics.median(r["all_s"] for r in results)
    print(f"  view's tiles all drawn: {every:5.2f} s (at most; the tiled layers' last tile)")
    print("  runs (drawn s):", ", ".join(f"{r['drawn_s']:.2f}" for r in results))


def repeat_visit(browser, url: str, workers: str) -> dict:
    """Second visit of a phone that has seen the map once (``workers``:
    "allow" — the service worker — or "block": the HTTP cache only)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="vi-VN", service_workers=workers)
    first = context.new_page()
    first.goto(url, timeout=120000)
    first.wait_for_selector("html[data-ready='1']", timeout=120000)
    if workers == "allow":
        first.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
        # the worker's install keeps the release's files: wait until they are in
        first.wait_for_function(
            "() => caches.open('covidmaps-data').then(c => c.keys()).then(k => k.length >= 3)",
            timeout=60000)
    first.close()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    served: dict = {"worker": 0, "network": 0}
    page.on("response", lambda r: served.__setitem__(
        "worker" if r.from_service_worker else "network",
        served["worker" if r.from_service_worker else "network"] + 1))
    page.goto(url, wait_until="commit", timeout=120000)
    page.wait_for_function(
        "() => performance.getEntriesByName('features-drawn').length > 0", timeout=120000)
    drawn_ms = page.evaluate("performance.getEntriesByName('features-drawn')[0].startTime")
    page.wait_for_selector("html[data-ready='1']", timeout=120000)
    release = page.evaluate("window.covidmapsApp.manifest.release_id")
    context.close()
    return {"drawn_s": drawn_ms / 1000, "served": served, "release": release}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--points", type=int, default=100_000, help="large province: risk points")
    parser.add_argument("--zones", type=int, default=2_000, help="large province: zones")
    parser.add_argument("--no-large", action="store_true", help="skip the large province")
    parser.add_argument("--large-only", action="store_true", help="only the large province")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from qgis.core import QgsApplication
    from webmap_browser import CHROMIUM, CHROMIUM_ARGS
    from webmap_data import UPDATED_AT, plugin_sample_layers, profile_reference
    from webmap_publish import endpoint
    from webmap_tiles import tile_server, web_with_basemap

    from covidmaps_plugin.model import default_profile

    subprocess.run(["make", "-s", "-C", str(ROOT / "publish" / "web"), "build"], check=True)
    dist = ROOT / "publish" / "web" / "dist"
    info = json.loads((dist / "build-info.json").read_text())
    qgs = QgsApplication([], False)
    qgs.initQgis()
    reference = profile_reference(default_profile())
    layers = plugin_sample_layers()
    results = {}
    repeats: dict = {}
    with tempfile.TemporaryDirectory() as tmp, tile_server() as tiles:
        plain = Path(tmp) / "plain"
        shutil.copytree(dist, plain)
        (plain / "config.json").write_text('{"basemap": {"enabled": false}}', encoding="utf-8")
        with_tiles = web_with_basemap(dist, Path(tmp) / "tiles", tiles["url"])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for label, web, url in (("with basemap", with_tiles, tiles["url"]),
                                    ("no basemap (reference)", plain, "")
                                    )[:0 if args.large_only else 2]:
                with endpoint(Path(tmp) / label.split()[0], web) as ep:
                    ep.publish(layers, reference, UPDATED_AT)
                    results[label] = [cold_load(browser, ep.base + "/", url)
                                      for _ in range(args.runs)]
                    if not url:
                        repeats = {workers: [repeat_visit(browser, ep.base + "/", workers)
                                             for _ in range(args.runs)]
                                   for workers in ("allow", "block")}
            report(results, info, args.runs, repeats)
            if not args.no_large:
                run_large(browser, plain, Path(tmp), args.points, args.zones, args.runs,
                          reference)
            browser.close()
    qgs.exitQgis()
    return 0


def report(results: dict, info: dict, runs: int, repeats: dict) -> None:
    shipped = info["js_css_brotli"]
    print(f"web map cold load, Slow-3G (400 kbit/s, 400 ms RTT), phone, {runs} runs, median:")
    print(
        f"  JS+CSS brotli (build): {shipped / 1024:6.1f} KiB budget 100 KiB "
        f"ratio {shipped / BUDGET_BYTES:.2f}"
    )
    for label, measured in results.items():
        drawn = statistics.median(r["drawn_s"] for r in measured)
        ready = statistics.median(r["ready_s"] for r in measured)
        first = measured[0]
        print(f" {label}:")
        print(
            f"  first features drawn : {drawn:6.2f} s   budget {BUDGET_SECONDS:.0f} s    "
            f"ratio {drawn / BUDGET_SECONDS:.2f}"
        )
        print(f"  all layers ready     : {ready:6.2f} s")
        if first["basemap_s"] is not None:
            tiles_at = statistics.median(r["basemap_s"] for r in measured)
            print(f"  first basemap tile   : {tiles_at:6.2f} s   (after the features: "
                  f"{'yes' if tiles_at >= drawn else 'NO'})")
            print(f"  basemap tiles        : {first['tile_bytes'] / 1024:6.1f} KiB (not counted)")
        print(
            f"  JS+CSS on the wire   : {first['js_css_wire_bytes'] / 1024:6.1f} KiB "
            f"encodings {first['encodings']}"
        )
        print(
            f"  total transfer       : {first['total_bytes'] / 1024:6.1f} KiB "
            f"in {first['requests']} requests"
        )
        print("  runs (drawn s):", ", ".join(f"{r['drawn_s']:.2f}" for r in measured))
    if repeats:
        print(" repeat visit, Slow-3G, no basemap:")
        for workers, label in (("allow", "service worker"),
                               ("block", "HTTP cache only (reference)")):
            runs_of = repeats[workers]
            drawn = statistics.median(r["drawn_s"] for r in runs_of)
            print(f"  {label:28s}: {drawn:6.2f} s   budget {REPEAT_BUDGET_SECONDS:.0f} s    "
                  f"ratio {drawn / REPEAT_BUDGET_SECONDS:.2f}   responses {runs_of[0]['served']}")


if __name__ == "__main__":
    sys.exit(main())
