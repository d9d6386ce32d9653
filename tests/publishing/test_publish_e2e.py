"""End to end with real QGIS and a real endpoint: sample workspace →
validate → publish → the public map shows exactly the approved, visible
features without internal fields → edit one feature → republish uploads
that layer only → a stale publisher gets the conflict → rollback restores
the earlier public state. The workspace file is never modified."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Dict, Set

import pytest
import requests
from qgis.core import QgsFeatureRequest, QgsFeedback, QgsVectorLayer

from covidmaps_plugin.core.gpkg import read_meta
from covidmaps_plugin.core.publishing.client import PublishClient, new_idempotency_key
from covidmaps_plugin.core.publishing.errors import (
    PublishCancelledError,
    StaleReleaseError,
    ValidationBlockedError,
)
from covidmaps_plugin.core.publishing.pipeline import (
    make_client,
    prepare,
    publish,
    upload_and_commit,
)
from covidmaps_plugin.model import MODEL, PROVINCE_TZ, ProvinceProfile, parse_instant

NOW = dt.datetime.now(PROVINCE_TZ).replace(microsecond=0)


def file_state(path: Path):
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def read_profile(gpkg: Path) -> ProvinceProfile:
    return ProvinceProfile.from_dict(json.loads(read_meta(gpkg)["profile"]))


def expected_public_uids(gpkg: Path, layer: str) -> Set[str]:
    """Straight from the file with SQL: approved, a published status, not past
    its hide-after time (independent of the exporter's QGIS code)."""
    layer_def = MODEL.layer(layer)
    hide = layer_def.hide_after_field
    columns = "uid, approved, status" + (f", {hide}" if hide else "")
    with closing(sqlite3.connect(gpkg)) as db, db:
        rows = db.execute(f"SELECT {columns} FROM {layer}").fetchall()  # noqa: S608
    out = set()
    for row in rows:
        until = parse_instant(row[3]) if hide else None
        if row[1] and row[2] in layer_def.published_statuses and (until is None or until >= NOW):
            out.add(row[0])
    return out


def public_blobs(url: str) -> Dict[str, dict]:
    manifest = requests.get(url + "data/manifest.json", timeout=10).json()
    return {entry["id"]: requests.get(url + "data/" + entry["blob"]["href"], timeout=10).json()
            for entry in manifest["layers"]}


def set_names(gpkg: Path, where: str, name) -> None:
    """Set ``name`` of the risk points matching the expression ``where`` (as QGIS does)."""
    layer = QgsVectorLayer(f"{gpkg}|layername=risk_points", "rp", "ogr")
    assert layer.startEditing()
    for feature in layer.getFeatures(QgsFeatureRequest().setFilterExpression(where)):
        layer.changeAttributeValue(feature.id(), layer.fields().indexOf("name"), name)
    assert layer.commitChanges(), layer.commitErrors()


def edit_one_name(gpkg: Path, uid: str, name: str) -> None:
    set_names(gpkg, f"uid = '{uid}'", name)


def test_publish_republish_conflict_and_rollback(endpoint, workspace_copy):
    before_file = file_state(workspace_copy)
    first = publish(endpoint.request(workspace_copy, validate=True, confirm_warnings=True,
                                     now=NOW))
    assert file_state(workspace_copy) == before_file  # publishing never writes the source
    assert endpoint.manifest()["release_id"] == first.release_id
    assert set(first.uploaded) == set(MODEL.layer_names) | {"province", "districts"}
    # the map's first screen: the workspace's hotline and advice, and outlines
    # flagged approximate (no official boundaries imported yet)
    manifest = endpoint.manifest()
    assert manifest["notice"] == read_profile(workspace_copy).notice()
    assert manifest["notice"]["hotline"]
    assert {r["id"]: r["accuracy"] for r in manifest["reference"]} == {
        "province": "approximate", "districts": "approximate"}

    # exactly the approved, visible features, public fields only
    blobs = public_blobs(endpoint.url)
    for layer_def in MODEL.layers:
        features = blobs[layer_def.name]["features"]
        assert {f["id"] for f in features} == expected_public_uids(workspace_copy,
                                                                   layer_def.name)
        public = [f.name for f in layer_def.public_fields]
        for feat in features:
            assert list(feat["properties"]) == public
    # the sample hides some: the filter matters
    with closing(sqlite3.connect(workspace_copy)) as db, db:
        stored = db.execute("SELECT COUNT(*) FROM risk_points").fetchone()[0]
    assert 0 < len(blobs["risk_points"]["features"]) < stored
    ogc = requests.get(endpoint.url + "ogcapi/collections/risk_points/items?limit=1000",
                       timeout=10).json()
    assert {f["id"] for f in ogc["features"]} == expected_public_uids(workspace_copy,
                                                                      "risk_points")
    assert "internal_note" not in json.dumps(ogc) and "case_refs" not in json.dumps(ogc)

    # edit one published feature: the preview says so, only its layer is uploaded
    uid = sorted(expected_public_uids(workspace_copy, "risk_points"))[0]
    edit_one_name(workspace_copy, uid, "Chợ Đức Xuân (đã sửa)")
    request = endpoint.request(workspace_copy, now=NOW)
    with make_client(request) as client:
        prepared = prepare(request, client)
        assert prepared.base_release == first.release_id
        assert prepared.changes.sentences("vi") == ["1 điểm nguy cơ thay đổi"]
        second = upload_and_commit(request, prepared, client)
        puts = [path for method, path in client.log if method == "PUT"]
    assert second.uploaded == ("risk_points",) and len(puts) == 1
    assert second.parent_id == first.release_id
    renamed = {f["id"]: f for f in public_blobs(endpoint.url)["risk_points"]["features"]}
    assert renamed[uid]["properties"]["name"] == "Chợ Đức Xuân (đã sửa)"

    # a second publisher who started from the first release: conflict, nothing lost
    edit_one_name(workspace_copy, uid, "someone else's edit")
    stale = endpoint.request(workspace_copy, now=NOW, base_release=first.release_id)
    with pytest.raises(StaleReleaseError) as caught:
        publish(stale)
    assert caught.value.current_release == second.release_id
    assert endpoint.manifest()["release_id"] == second.release_id

    # rollback (through the API) brings the first public state back
    with PublishClient(endpoint.url, endpoint.headers()) as client:
        rolled = client.rollback(second.release_id, first.release_id, new_idempotency_key())
        history = client.history()
    assert history[0]["release_id"] == rolled["release_id"]
    assert history[0]["kind"] == "rollback"
    restored = public_blobs(endpoint.url)["risk_points"]["features"]
    assert {f["id"]: f for f in restored}[uid]["properties"]["name"] != (
        "Chợ Đức Xuân (đã sửa)")
    assert restored == blobs["risk_points"]["features"]


class CancelAt(QgsFeedback):
    """Cancels once the publish reaches ``percent`` (during the uploads)."""

    def __init__(self, percent: float) -> None:
        super().__init__()
        self.percent = percent

    def setProgress(self, progress: float) -> None:  # noqa: N802
        super().setProgress(progress)
        if progress >= self.percent:
            self.cancel()


def test_cancel_during_upload_leaves_the_map_as_it_was(endpoint, workspace_copy):
    before = endpoint.manifest()
    with pytest.raises(PublishCancelledError):
        publish(endpoint.request(workspace_copy), CancelAt(55))
    assert endpoint.manifest() == before


def test_validation_errors_block_the_publish(endpoint, workspace_copy):
    set_names(workspace_copy, "approved", None)  # approved points without their required name
    before = endpoint.manifest()
    with pytest.raises(ValidationBlockedError) as caught:
        publish(endpoint.request(workspace_copy, validate=True, confirm_warnings=True))
    assert "lỗi phải sửa" in caught.value.message("vi")
    assert endpoint.manifest() == before


def test_blobs_go_out_while_the_workspace_is_validated(endpoint, workspace_copy, monkeypatch):
    """Exported first, the blobs the server lacks are sent while the
    workspace is validated (the server checks and tiles them meanwhile);
    the commit still waits for the validation, and each blob goes out once."""
    from covidmaps_plugin.core.publishing import pipeline

    blobs = endpoint.data_dir / "public" / "data" / "blobs"
    before = set(blobs.glob("*.geojson")) if blobs.exists() else set()
    seen_during_validation = []
    validate = pipeline.validate_source

    def slow_validation(*args, **kwargs):
        start, releases = time.monotonic(), endpoint.manifest()["release_id"]
        # bounded: the blobs of a sample workspace take well under a second
        while time.monotonic() - start < 60 and not (set(blobs.glob("*.geojson")) - before):
            time.sleep(0.05)
        seen_during_validation.append(set(blobs.glob("*.geojson")) - before)
        assert endpoint.manifest()["release_id"] == releases  # nothing committed yet
        return validate(*args, **kwargs)

    monkeypatch.setattr(pipeline, "validate_source", slow_validation)
    result = publish(endpoint.request(workspace_copy, validate=True, confirm_warnings=True))
    assert seen_during_validation and seen_during_validation[0]
    assert endpoint.manifest()["release_id"] == result.release_id
    assert len(result.uploaded) == len(set(result.uploaded))  # once each
    sent = {p.name.split(".")[0] for p in set(blobs.glob("*.geojson")) - before}
    assert sent == {entry["blob"]["sha256"] for entry in endpoint.manifest()["layers"]
                    if entry["id"] in result.uploaded} | {
        entry["blob"]["sha256"] for entry in endpoint.manifest().get("reference", ())
        if entry["id"] in result.uploaded}


def test_validation_errors_stop_the_early_uploads(endpoint, workspace_copy):
    """A workspace with errors commits nothing, whatever went out early, and
    the next publish of the mended workspace publishes as usual."""
    set_names(workspace_copy, "approved", None)
    before = endpoint.manifest()
    with pytest.raises(ValidationBlockedError):
        publish(endpoint.request(workspace_copy, validate=True, confirm_warnings=True))
    assert endpoint.manifest() == before
    set_names(workspace_copy, "approved", "Chợ")
    result = publish(endpoint.request(workspace_copy, validate=True, confirm_warnings=True))
    assert endpoint.manifest()["release_id"] == result.release_id != before["release_id"]


def test_every_blob_goes_out_early_biggest_first():
    """A layer that goes as a patch of its base (a republish) goes out while
    the workspace is validated too (its diff is compared in C: no longer a
    walk over the layer beside the validation), like whole uploads; the
    biggest first: the server's longest work waits on it."""
    from covidmaps_plugin.core.export import LayerExport
    from covidmaps_plugin.core.publishing.early import EarlyUploads

    def export(layer: str, size: int) -> LayerExport:
        data = b"x" * size
        return LayerExport(layer, data, hashlib.sha256(data).hexdigest(), 1, ("u",))

    blobs = [export("checkpoints", 10), export("risk_points", 1000), export("province", 500),
             export("isolation_zones", 700)]
    early = EarlyUploads(None, blobs, {"risk_points": "0" * 64, "checkpoints": "1" * 64})
    assert [e.layer for e in early._blobs] == ["risk_points", "isolation_zones", "province",
                                               "checkpoints"]
