"""Benchmark: the whole CovidMaps rule set against QGIS's own geometry check.

Builds a workspace GeoPackage with 100,000 points (80,000 risk points,
10,000 quarantine facilities, 10,000 checkpoints) and 2,000 isolation zones,
generated inside the province outline with a fixed seed (about 1 % of the
features carry a deliberate problem), then times, in one process:

* ``validate``: every rule (geometry, attributes, time, privacy) over all
  four layers, with the province outline and district polygons;
* QGIS's ``checkvalidity`` (``native:`` from QGIS 3.24 on, ``qgis:`` before)
  with the GEOS method over the same four layers.

Each is run ``--repeat`` times alternately; the best time of each counts.
Prints both times and the ratio (goal: ratio <= 1.0). Not part of make test:

    .venv/bin/python bench/bench_validator.py [--points 100000] [--zones 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the plugin's QGIS-side packages (core, gui) from this checkout; the model
# and the endpoint are installed distributions (make setup)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qgis.core import (  # noqa: E402 - after the platform is chosen
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)

NOW = "2021-06-10T10:00:00+07:00"
SPLIT = (("risk_points", 0.8), ("quarantine_facilities", 0.1), ("checkpoints", 0.1))


def start_qgis() -> QgsApplication:
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    return app


def _uid(rnd: random.Random) -> str:
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


def _iso(day: int, hour: int = 8) -> str:
    return (dt.datetime(2021, 6, 1, hour) + dt.timedelta(days=day)).strftime(
        "%Y-%m-%dT%H:%M:%S+07:00"
    )


def _date(day: int) -> str:
    return (dt.date(2021, 6, 1) + dt.timedelta(days=day)).isoformat()


def attributes(layer: str, i: int, rnd: random.Random, zone_uids: List[str]) -> Dict[str, Any]:
    """Plausible values; about 1 % get a deliberate problem."""
    day = rnd.randrange(0, 9)
    common = {
        "uid": _uid(rnd),
        "district_code": "058",
        "status": None,
        "updated_at": _iso(9),
        "approved": True,
        "source_doc": f"{i}/TB-SYT",
    }
    if layer == "risk_points":
        values = {
            **common,
            "name": f"Cửa hàng số {i}",
            "place_type": "shop",
            "address": f"Thôn {i % 97}, xã {i % 13}",
            "exposure_start": _iso(day),
            "exposure_end": _iso(day, 11),
            "announced_on": _date(day + 1),
            "visible_until": _iso(day + 14, 11),
            "advice": "Người đã đến địa điểm này cần khai báo y tế và theo dõi sức khỏe.",
            "related_cases": i % 4,
            "disinfected": i % 2 == 0,
            "disinfected_on": _date(day + 1) if i % 2 == 0 else None,
            "status": "active",
            "case_refs": f"BN{i}",
        }
        problem = i % 100
        if problem == 1:
            values["address"] = f"Số nhà {i % 50}, nhà ông Tư"
        elif problem == 2:
            values["advice"] = f"Liên hệ 09{i % 10}{i:07d}"[:30]
        elif problem == 3:
            values["exposure_end"] = _iso(day - 1)
    elif layer == "quarantine_facilities":
        values = {
            **common,
            "name": f"Cơ sở cách ly {i}",
            "address": f"Xã {i % 13}",
            "facility_type": "school",
            "decision_no": f"{i}/QĐ-UBND",
            "decision_date": _date(0),
            "capacity": 200,
            "occupancy": i % 250,
            "figures_as_of": _iso(9, 17),
            "target_group": "f1",
            "duty_phone": "0209 3870 123",
            "opened_on": _date(0),
            "status": "operating",
        }
    else:
        values = {
            **common,
            "name": f"Chốt {i}",
            "checkpoint_type": "zone_gate",
            "road": f"ĐT {i % 300}",
            "forces": "joint",
            "hours": "24/24",
            "requirements": "Khai báo y tế",
            "zone_uid": rnd.choice(zone_uids),
            "decision_no": f"{i}/QĐ-UBND",
            "opened_on": _date(2),
            "status": "operating",
            "duty_phone": "0209 3870 115",
            "commander": "Nguyễn Văn A",
        }
        if i % 100 == 5:
            values["zone_uid"] = _uid(rnd)
    return values


def zone_attributes(i: int, rnd: random.Random) -> Dict[str, Any]:
    return {
        "uid": _uid(rnd),
        "name": f"Vùng cách ly {i}",
        "district_code": "058",
        "measure": ("lockdown", "area_isolation", "social_distancing")[i % 3],
        "regime": "directive_16",
        "scale": "hamlet",
        "decision_no": f"{i}/QĐ-UBND",
        "signed_on": _date(2),
        "effective_from": _iso(3, 0),
        "effective_until": _iso(20, 0),
        "households": 40,
        "residents": 150,
        "status": "in_force",
        "approved": True,
        "updated_at": _iso(9),
    }


def zone_geometry(x: float, y: float, i: int, rnd: random.Random) -> QgsGeometry:
    """A 16-vertex blob of 150-600 m; every 100th is a bowtie."""
    radius = rnd.uniform(0.0015, 0.006)
    if i % 100 == 7:
        return QgsGeometry.fromWkt(
            f"MULTIPOLYGON((({x} {y}, {x + radius} {y + radius}, {x + radius} {y}, "
            f"{x} {y + radius}, {x} {y})))"
        )
    ring = [
        QgsPointXY(
            x + radius * math.cos(a) * rnd.uniform(0.7, 1.0),
            y + radius * math.sin(a) * rnd.uniform(0.7, 1.0),
        )
        for a in (2 * math.pi * k / 16 for k in range(16))
    ]
    ring.append(ring[0])
    return QgsGeometry.fromMultiPolygonXY([[ring]])


def random_points(
    outline: QgsGeometry, count: int, rnd: random.Random
) -> List[Tuple[float, float]]:
    engine = QgsGeometry.createGeometryEngine(outline.constGet())
    engine.prepareGeometry()
    box = outline.boundingBox()
    points: List[Tuple[float, float]] = []
    from qgis.core import QgsPoint

    while len(points) < count:
        x = rnd.uniform(box.xMinimum(), box.xMaximum())
        y = rnd.uniform(box.yMinimum(), box.yMaximum())
        if engine.contains(QgsPoint(x, y)):
            points.append((x, y))
    return points


def build_workspace(path: Path, n_points: int, n_zones: int, seed: int) -> None:
    from covidmaps_plugin.core.fields import to_stored_value
    from covidmaps_plugin.core.workspace import create_workspace
    from covidmaps_plugin.model import MODEL

    rnd = random.Random(seed)
    project = QgsProject()
    workspace = create_workspace(path, project=project)
    province = workspace.reference_layer("province")
    outline = QgsGeometry.unaryUnion([f.geometry() for f in province.getFeatures()])
    # keep zones well inside, so that they are not reported as partly outside
    zone_centres = random_points(outline.buffer(-0.02, 4), n_zones, rnd)
    points = random_points(outline, n_points, rnd)

    def write(name: str, rows: List[Tuple[QgsGeometry, Dict[str, Any]]]) -> None:
        layer = workspace.layer(name)
        layer_def = MODEL.layer(name)
        features = []
        for geometry, values in rows:
            feature = QgsFeature(layer.fields())
            feature.setGeometry(geometry)
            for key, value in values.items():
                feature[key] = to_stored_value(layer_def.field(key), value)
            features.append(feature)
        assert layer.dataProvider().addFeatures(features)

    district_layer = workspace.reference_layer("districts")
    # treat the default (approximate) districts as official, so that the
    # district rule runs too
    source = district_layer.fields().indexOf("source")
    district_layer.dataProvider().changeAttributeValues(
        {f.id(): {source: "benchmark"} for f in district_layer.getFeatures()})
    districts = [(f["code"], f.geometry()) for f in district_layer.getFeatures()]

    def district_of(x: float, y: float) -> str:
        here = QgsGeometry.fromPointXY(QgsPointXY(x, y))
        return next((code for code, polygon in districts if polygon.contains(here)), "058")

    zones = [
        (
            zone_geometry(x, y, i, rnd),
            {**zone_attributes(i, rnd), "district_code": district_of(x, y)},
        )
        for i, (x, y) in enumerate(zone_centres)
    ]
    write("isolation_zones", zones)
    zone_uids = [values["uid"] for _, values in zones]
    start = 0
    for name, share in SPLIT:
        count = int(n_points * share)
        rows = [
            (
                QgsGeometry.fromPointXY(QgsPointXY(x, y)),
                {**attributes(name, i, rnd, zone_uids), "district_code": district_of(x, y)},
            )
            for i, (x, y) in enumerate(points[start : start + count])
        ]
        write(name, rows)
        start += count
    project.clear()


def run_validator(path: Path, allow_arrow: bool = True) -> Tuple[float, float, Any]:
    from covidmaps_plugin.core.validation import validate_workspace  # noqa: F401 - same code
    from covidmaps_plugin.core.validation.engine import validate_references
    from covidmaps_plugin.model import parse_instant
    from covidmaps_plugin.processing_provider.validate_algorithm import _open_read_only

    began, cpu = time.perf_counter(), time.process_time()
    layers, profile, province, districts = _open_read_only(path)
    from covidmaps_plugin.core.validation import ValidationOptions

    options = ValidationOptions(allow_arrow=allow_arrow)
    report = validate_references(layers, profile, province, districts, parse_instant(NOW),
                                 options=options)
    return time.perf_counter() - began, time.process_time() - cpu, report


def run_checkvalidity(path: Path) -> Tuple[float, float]:
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    from covidmaps_plugin.model import MODEL

    registry = QgsApplication.processingRegistry()
    algorithm = (
        "native:checkvalidity"
        if registry.algorithmById("native:checkvalidity")
        else "qgis:checkvalidity"
    )
    began, cpu = time.perf_counter(), time.process_time()
    for name in MODEL.layer_names:
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        processing.run(
            algorithm,
            {
                "INPUT_LAYER": layer,
                "METHOD": 2,
                "IGNORE_RING_SELF_INTERSECTION": False,
                "VALID_OUTPUT": "TEMPORARY_OUTPUT",
                "INVALID_OUTPUT": "TEMPORARY_OUTPUT",
                "ERROR_OUTPUT": "TEMPORARY_OUTPUT",
            },
            context=QgsProcessingContext(),
            feedback=QgsProcessingFeedback(),
        )
    return time.perf_counter() - began, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--zones", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20210610)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-arrow", action="store_true",
                        help="time the feature-by-feature reader (layers with unsaved edits)")
    parser.add_argument("--no-shapely", action="store_true",
                        help="time the QGIS-only fallback (a QGIS without shapely)")
    args = parser.parse_args()
    app = start_qgis()
    from covidmaps_plugin.core.validation import spatial

    if args.no_shapely:
        spatial.HAVE_SHAPELY = False
    HAVE_SHAPELY = spatial.HAVE_SHAPELY  # noqa: N806 - mirrors the module flag

    registry = QgsApplication.processingRegistry()
    check_id = (
        "native:checkvalidity"
        if registry.algorithmById("native:checkvalidity")
        else "qgis:checkvalidity"
    )
    with tempfile.TemporaryDirectory(prefix="bench-validator-") as folder:
        path = Path(folder) / "bench.gpkg"
        began = time.perf_counter()
        build_workspace(path, args.points, args.zones, args.seed)
        print(
            f"workspace: {args.points} points + {args.zones} zones, built in "
            f"{time.perf_counter() - began:.1f} s"
        )
        validator_runs, check_runs = [], []
        report = None
        for _ in range(args.repeat):
            wall, cpu, report = run_validator(path, allow_arrow=not args.no_arrow)
            validator_runs.append((wall, cpu))
            check_runs.append(run_checkvalidity(path))
        assert report is not None
        by_code = sorted((c.value, n) for c, n in report.by_code().items())
        print(f"findings: {len(report.findings)} {dict(by_code)}")
        # best of the runs; CPU time is the fairer figure on a shared machine
        v_wall, v_cpu = min(w for w, _ in validator_runs), min(c for _, c in validator_runs)
        c_wall, c_cpu = min(w for w, _ in check_runs), min(c for _, c in check_runs)
        print(
            f"validator, all rules (shapely={'yes' if HAVE_SHAPELY else 'no'}, "
            f"reader={'features' if args.no_arrow else 'arrow'}): "
            f"wall {v_wall:.2f} s, cpu {v_cpu:.2f} s"
        )
        print(f"{check_id}, GEOS: wall {c_wall:.2f} s, cpu {c_cpu:.2f} s")
        print(
            f"ratio validator / checkvalidity: wall {v_wall / c_wall:.2f}, "
            f"cpu {v_cpu / c_cpu:.2f} (goal <= 1.0)"
        )
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
