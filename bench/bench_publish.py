"""Publishing benchmark (prints figures and ratios; not a test).

    .venv/bin/python bench/bench_publish.py [--points 100000] [--zones 2000]

1. Builds a workspace with N risk points and M isolation zones (copies of
   the sample's published features with new uids, moved a little).
2. Full publish to a real endpoint on 127.0.0.1 (limits raised for the
   size) vs QGIS's default GeoJSON export (QgsVectorFileWriter) of the same
   layers: time, and bytes on the wire (brotli, as served) vs the default
   export raw and gzipped.
3. Republish after changing one feature: bytes uploaded vs the full publish.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
    """Fill ``layer`` with ``count`` copies of its published features."""
    vl = QgsVectorLayer(f"{gpkg}|layername={layer}", layer, "ogr")
    templates = [f for f in vl.getFeatures() if f["approved"] and f["status"] in (
        "active", "in_force", "extended")]
    uid_index = vl.fields().indexOf("uid")
    batch = []
    side = max(1, int(math.sqrt(count)))
    for i in range(count):
        template = templates[i % len(templates)]
        feature = QgsFeature(template)
        attributes = template.attributes()
        attributes[uid_index] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{layer}/{i}"))
        attributes[0] = None  # fid: a new one
        feature.setAttributes(attributes)
        geometry = QgsGeometry(template.geometry())
        # a small, bounded shift keeps every copy inside the province
        geometry.translate(((i % side) / side - 0.5) * step_deg,
                           ((i // side) / side - 0.5) * step_deg)
        feature.setGeometry(geometry)
        batch.append(feature)
    provider = vl.dataProvider()
    provider.truncate()
    for start in range(0, len(batch), 20_000):
        ok, _ = provider.addFeatures(batch[start:start + 20_000])
        assert ok, provider.lastError()


def default_geojson(gpkg: Path, out: Path) -> tuple:
    """QGIS's default GeoJSON export of the two big layers: seconds, bytes."""
    start = time.perf_counter()
    size = 0
    gz = 0
    for layer in ("risk_points", "isolation_zones"):
        vl = QgsVectorLayer(f"{gpkg}|layername={layer}", layer, "ogr")
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GeoJSON"
        target = out / f"{layer}.geojson"
        error = QgsVectorFileWriter.writeAsVectorFormatV3(
            vl, str(target), QgsCoordinateTransformContext(), options)
        assert error[0] == QgsVectorFileWriter.NoError, error
        data = target.read_bytes()
        size += len(data)
        gz += len(gzip.compress(data, 6))
    return time.perf_counter() - start, size, gz


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--zones", type=int, default=2_000)
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    from covidmaps_publish.config import Config, Limits
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore

    from covidmaps_plugin.core.publishing.auth import auth_headers
    from covidmaps_plugin.core.publishing.pipeline import (
        PublishRequest,
        make_client,
        prepare,
        publish,
        upload_and_commit,
    )
    from covidmaps_plugin.core.workspace import create_workspace

    work = Path(tempfile.mkdtemp(prefix="bench_publish_"))
    try:
        gpkg = work / "bench.gpkg"
        project = QgsProject()
        create_workspace(gpkg, with_sample=True, project=project)
        project.clear()
        scale_layer(gpkg, "risk_points", args.points, 0.2)
        scale_layer(gpkg, "isolation_zones", args.zones, 0.1)
        limits = Limits(max_blob_bytes=1024 ** 3, max_features=10 * args.points,
                        max_vertices_total=10 ** 9)
        config = Config(data_dir=work / "endpoint", fsync=False, limits=limits)
        token = TokenStore(config.state_dir).create("bench")
        with ServerThread(config) as server:
            request = PublishRequest(gpkg, server.url, auth_headers(token=token),
                                     validate=False)
            start = time.perf_counter()
            with make_client(request) as client:
                prepared = prepare(request, client, with_changes=False)
                export_s = time.perf_counter() - start
                full = upload_and_commit(request, prepared, client)
            full_s = time.perf_counter() - start
            blobs = config.data_dir / "public" / "data" / "blobs"
            brotli = sum(p.stat().st_size for p in blobs.glob("*.geojson.br"))
            qgis_s, raw, gz = default_geojson(gpkg, work)

            vl = QgsVectorLayer(f"{gpkg}|layername=risk_points", "rp", "ogr")
            feature = next(vl.getFeatures())
            vl.startEditing()
            vl.changeAttributeValue(feature.id(), vl.fields().indexOf("name"), "Bench edit")
            assert vl.commitChanges()
            again = publish(PublishRequest(gpkg, server.url, auth_headers(token=token),
                                           validate=False))
        print(f"workspace: {args.points} risk points, {args.zones} isolation zones")
        print(f"full publish (validate off): {full_s:.1f} s (plugin export {export_s:.1f} s, "
              f"upload + server checks + commit {full_s - export_s:.1f} s), uploaded "
              f"{full.bytes_uploaded} B canonical; served brotli {brotli} B")
        print(f"QGIS default GeoJSON export of the two layers: {qgis_s:.1f} s, {raw} B raw, "
              f"{gz} B gzip")
        print(f"ratio publish time / default export time: {full_s / qgis_s:.2f}")
        print(f"ratio served brotli / default raw: {brotli / raw:.3f}; "
              f"/ default gzip: {brotli / gz:.3f}")
        print(f"republish after one edit: uploaded {again.bytes_uploaded} B "
              f"({', '.join(again.uploaded)}); ratio to full: "
              f"{again.bytes_uploaded / full.bytes_uploaded:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
