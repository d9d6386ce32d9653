"""The Publish dialog's steps as Processing algorithms run through the one
task wrapper (``gui/processing_tasks``) in the real task manager: preview,
then publish exactly what was previewed (or nothing), history, rollback;
a failure comes back as the officer's message, a cancel publishes nothing."""

from __future__ import annotations

import gc
import json
import time

import pytest
from qgis.core import QgsApplication, QgsVectorLayer

from covidmaps_plugin.core.publishing.preview_report import PreviewReport
from covidmaps_plugin.gui.processing_tasks import run_algorithm_task


def run(algorithm_id, parameters, cancel=False, timeout_s=60):
    done, progress = [], []
    task = run_algorithm_task(None, algorithm_id, parameters, done.append)
    task.progressChanged.connect(progress.append)
    if cancel:
        task.cancel()
    deadline = time.monotonic() + timeout_s
    while not done and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.01)
    assert done, "the task did not finish"
    return done[0], progress


@pytest.fixture
def token_env(endpoint, monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)  # no auth database here
    return endpoint


def preview(endpoint, gpkg, tmp_path):
    path = tmp_path / "preview.json"
    outcome, _ = run("covidmaps:previewpublish", {
        "WORKSPACE": str(gpkg), "ENDPOINT": endpoint.url, "REPORT": str(path)})
    assert outcome.ok, outcome.errors
    return PreviewReport.from_dict(json.loads(path.read_text(encoding="utf-8")), "vi")


def publish_parameters(endpoint, gpkg, report):
    return {"WORKSPACE": str(gpkg), "ENDPOINT": endpoint.url, "CONFIRM_WARNINGS": True,
            "MESSAGE": "thử", "BASE_RELEASE": report.base_release,
            "EXPECTED_BLOBS": json.dumps(report.blobs)}


def test_preview_then_publish_what_was_previewed(provider, token_env, workspace_copy,
                                                 tmp_path):
    endpoint = token_env
    report = preview(endpoint, workspace_copy, tmp_path)
    assert report.base_release == endpoint.manifest()["release_id"]
    assert any("điểm nguy cơ mới" in s for s in report.changes.sentences("vi"))
    assert report.validation.findings  # Finding objects, read back from the JSON

    outcome, progress = run("covidmaps:publish",
                            publish_parameters(endpoint, workspace_copy, report))
    assert outcome.ok, outcome.errors
    manifest = endpoint.manifest()
    assert outcome.results["RELEASE_ID"] == manifest["release_id"]
    assert manifest["parent_id"] == report.base_release and manifest["message"] == "thử"
    assert max(progress) == 100 and any(50 < p < 100 for p in progress)

    history = tmp_path / "history.json"
    outcome, _ = run("covidmaps:history", {"ENDPOINT": endpoint.url, "REPORT": str(history)})
    releases = json.loads(history.read_text(encoding="utf-8"))["releases"]
    assert outcome.ok and releases[0]["release_id"] == manifest["release_id"]

    outcome, _ = run("covidmaps:rollback", {
        "ENDPOINT": endpoint.url, "CURRENT": manifest["release_id"],
        "TARGET": report.base_release})
    assert outcome.ok, outcome.errors
    assert endpoint.manifest()["release_id"] == outcome.results["RELEASE_ID"]


def test_a_stale_preview_publishes_nothing(provider, token_env, workspace_copy, tmp_path):
    """Someone published after the check: If-Match on the previewed release."""
    endpoint = token_env
    report = preview(endpoint, workspace_copy, tmp_path)
    first, _ = run("covidmaps:publish", publish_parameters(endpoint, workspace_copy, report))
    assert first.ok, first.errors
    before = endpoint.manifest()
    again, _ = run("covidmaps:publish", publish_parameters(endpoint, workspace_copy, report))
    said = " ".join(again.errors)  # in the interface language
    assert not again.ok and ("Người khác vừa công bố" in said or "Someone else" in said)
    assert endpoint.manifest() == before


def test_a_changed_export_publishes_nothing(provider, token_env, workspace_copy, tmp_path):
    endpoint = token_env
    report = preview(endpoint, workspace_copy, tmp_path)
    parameters = publish_parameters(endpoint, workspace_copy, report)
    blobs = dict(report.blobs)
    blobs["risk_points"] = "0" * 64  # what the officer saw is not what would go
    parameters["EXPECTED_BLOBS"] = json.dumps(blobs)
    before = endpoint.manifest()
    outcome, _ = run("covidmaps:publish", parameters)
    said = " ".join(outcome.errors)
    assert not outcome.ok and ("Dữ liệu đã thay đổi" in said or "The data changed" in said)
    assert endpoint.manifest() == before
    assert not layers_open_on(workspace_copy)


def layers_open_on(gpkg) -> list:
    """Layers still alive that read ``gpkg``."""
    gc.collect()
    return [o.name() for o in gc.get_objects()
            if isinstance(o, QgsVectorLayer) and str(gpkg) in o.source()]


def test_a_failed_publish_keeps_no_layer_of_the_workspace_open(provider, endpoint,
                                                               workspace_copy, monkeypatch):
    """QGIS keeps the exception a failed algorithm raised (sys.last_value);
    it must not keep the workspace's layers with it (their GeoPackage open:
    on Windows a file the officer cannot replace; at exit, a crash)."""
    monkeypatch.setenv("COVIDMAPS_TOKEN", "cmp_revoked")
    outcome, _ = run("covidmaps:publish", {
        "WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url, "CONFIRM_WARNINGS": True})
    assert not outcome.ok
    assert not layers_open_on(workspace_copy)


def test_a_failure_comes_back_as_the_officers_message(provider, endpoint, workspace_copy,
                                                      monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", "cmp_revoked")
    before = endpoint.manifest()
    outcome, _ = run("covidmaps:publish", {
        "WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url, "CONFIRM_WARNINGS": True})
    assert not outcome.ok and outcome.errors
    assert endpoint.manifest() == before


def test_cancel_publishes_nothing(provider, token_env, workspace_copy):
    endpoint = token_env
    before = endpoint.manifest()
    outcome, _ = run("covidmaps:publish", {
        "WORKSPACE": str(workspace_copy), "ENDPOINT": endpoint.url, "CONFIRM_WARNINGS": True},
        cancel=True)
    assert not outcome.ok and outcome.cancelled
    assert endpoint.manifest() == before
