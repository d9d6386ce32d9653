"""Benchmark of the public web map: a cold load and a repeat visit under Slow-3G emulation.

Publishes the plugin's sample province through the real endpoint, opens the map in
Debian's Chromium with the network throttled through CDP (400 kbit/s down
and up, 400 ms latency, cache disabled) and prints, beside the budgets:

- time to first features drawn (the app's performance mark 'features-drawn'),
- JS + CSS bytes as shipped (brotli), and the whole transfer of the load,

with the basemap configured (config.json naming a tile server on 127.0.0.1,
throttled like the rest; its tiles are not counted in the budgets, but the
first features must not wait for them) and, as the reference, without it.

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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BUDGET_BYTES = 100 * 1024  # JS + CSS, brotli
BUDGET_SECONDS = 4.0  # first features drawn on Slow-3G
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
    with tempfile.TemporaryDirectory() as tmp, tile_server() as tiles:
        plain = Path(tmp) / "plain"
        shutil.copytree(dist, plain)
        (plain / "config.json").write_text('{"basemap": {"enabled": false}}', encoding="utf-8")
        with_tiles = web_with_basemap(dist, Path(tmp) / "tiles", tiles["url"])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for label, web, url in (("with basemap", with_tiles, tiles["url"]),
                                    ("no basemap (reference)", plain, "")):
                with endpoint(Path(tmp) / label.split()[0], web) as ep:
                    ep.publish(layers, reference, UPDATED_AT)
                    results[label] = [cold_load(browser, ep.base + "/", url)
                                      for _ in range(args.runs)]
                    if not url:
                        repeats = {workers: [repeat_visit(browser, ep.base + "/", workers)
                                             for _ in range(args.runs)]
                                   for workers in ("allow", "block")}
            browser.close()
    shipped = info["js_css_brotli"]
    print(f"web map cold load, Slow-3G (400 kbit/s, 400 ms RTT), phone, {args.runs} runs, median:")
    print(
        f"  JS+CSS brotli (build): {shipped / 1024:6.1f} KiB budget 100 KiB "
        f"ratio {shipped / BUDGET_BYTES:.2f}"
    )
    for label, runs in results.items():
        drawn = statistics.median(r["drawn_s"] for r in runs)
        ready = statistics.median(r["ready_s"] for r in runs)
        first = runs[0]
        print(f" {label}:")
        print(
            f"  first features drawn : {drawn:6.2f} s   budget {BUDGET_SECONDS:.0f} s    "
            f"ratio {drawn / BUDGET_SECONDS:.2f}"
        )
        print(f"  all layers ready     : {ready:6.2f} s")
        if first["basemap_s"] is not None:
            tiles_at = statistics.median(r["basemap_s"] for r in runs)
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
        print("  runs (drawn s):", ", ".join(f"{r['drawn_s']:.2f}" for r in runs))
    print(" repeat visit, Slow-3G, no basemap:")
    for workers, label in (("allow", "service worker"), ("block", "HTTP cache only (reference)")):
        runs = repeats[workers]
        drawn = statistics.median(r["drawn_s"] for r in runs)
        print(f"  {label:28s}: {drawn:6.2f} s   budget {REPEAT_BUDGET_SECONDS:.0f} s    "
              f"ratio {drawn / REPEAT_BUDGET_SECONDS:.2f}   responses {runs[0]['served']}")
    qgs.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
