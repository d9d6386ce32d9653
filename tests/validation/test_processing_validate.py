"""``covidmaps:validate`` through the Processing API, a model and qgis_process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProject,
    QgsVectorLayer,
)
from validation_helpers import copy_into, point, sound_attributes, sound_layers

from covidmaps_plugin.core.workspace import create_workspace

ALGORITHM = "covidmaps:validate"
NOW = "2021-06-10T10:00:00+07:00"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # /usr/bin/qgis_process fails on Debian 12
HOSTILE = "<img src=x onerror=alert(1)> & «chợ»"


def _workspace(path: Path, **extra_rows) -> Path:
    project = QgsProject()
    workspace = create_workspace(path, project=project)
    copy_into(workspace, sound_layers(**extra_rows))
    project.clear()
    return path


@pytest.fixture()
def dirty_workspace(tmp_path):
    return _workspace(tmp_path / "dirty.gpkg", risk_points=[
        (point(), sound_attributes("risk_points", place_type=HOSTILE, name="Quán Hà")),
        (point(105.85, 21.03), sound_attributes("risk_points", name="Hà Nội",
                                                visible_until="2021-06-09T00:00:00+07:00")),
    ])


def run(parameters):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    context = QgsProcessingContext()
    context.setProject(QgsProject())
    results, ok = algorithm.run(parameters, context, QgsProcessingFeedback())
    return results, ok, context


def test_findings_layer_report_and_counts(provider, dirty_workspace, tmp_path):
    findings_path = tmp_path / "findings.gpkg"
    report_path = tmp_path / "report.json"
    results, ok, _ = run({"WORKSPACE": str(dirty_workspace), "NOW": NOW,
                          "FINDINGS": str(findings_path), "REPORT": str(report_path)})
    assert ok, results
    assert results["BLOCKING"] is True and results["ERRORS"] == 2  # not in list, outside
    assert results["WARNINGS"] == 1  # expired: will be hidden
    layer = QgsVectorLayer(str(findings_path), "findings", "ogr")
    features = list(layer.getFeatures())
    assert sorted(f["code"] for f in features) == [
        "ATTR_NOT_IN_LIST", "GEOM_OUTSIDE_PROVINCE", "TIME_EXPIRED_HIDDEN"]
    listed = next(f for f in features if f["code"] == "ATTR_NOT_IN_LIST")
    assert listed["severity"] == "error" and listed["layer"] == "risk_points"
    assert listed["feature_id"] == 2 and listed["field"] == "place_type"
    assert HOSTILE in listed["message_en"]
    assert listed.geometry().asPoint().x() == pytest.approx(105.834)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["blocking"] is True and report["counts"]["error"] == 2
    assert report["now"] == NOW and report["profile"] == "bac_kan_2020"
    assert {f["code"] for f in report["findings"]} == {f["code"] for f in features}


def test_html_report_escapes_attribute_text(provider, dirty_workspace, tmp_path):
    report_path = tmp_path / "report.html"
    results, ok, _ = run({"WORKSPACE": str(dirty_workspace), "NOW": NOW,
                          "REPORT": str(report_path)})
    assert ok
    text = report_path.read_text(encoding="utf-8")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt; &amp;" in text
    assert "ATTR_NOT_IN_LIST" in text and "Tiếng Việt" in text


def test_fail_on_errors(provider, dirty_workspace, tmp_path):
    _, ok, _ = run({"WORKSPACE": str(dirty_workspace), "NOW": NOW, "FAIL_ON_ERRORS": True})
    assert not ok
    clean = _workspace(tmp_path / "clean.gpkg")
    results, ok, _ = run({"WORKSPACE": str(clean), "NOW": NOW, "FAIL_ON_ERRORS": True})
    assert ok and results["BLOCKING"] is False and results["ERRORS"] == 0


def test_layers_instead_of_a_workspace(provider):
    layers = sound_layers(checkpoints=[(point(), sound_attributes("checkpoints", uid="x"))])
    results, ok, _ = run({"CHECKPOINTS": layers["checkpoints"],
                          "ISOLATION_ZONES": layers["isolation_zones"], "NOW": NOW})
    assert ok and results["ERRORS"] == 1  # UID_MALFORMED: layers not given are not checked


def test_bad_inputs_are_refused_clearly(provider, tmp_path):
    _, ok, _ = run({"NOW": NOW})
    assert not ok
    not_a_workspace = tmp_path / "plain.gpkg"
    not_a_workspace.write_bytes(b"not a geopackage")
    _, ok, _ = run({"WORKSPACE": str(not_a_workspace)})
    assert not ok
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    with pytest.raises(Exception, match="ISO 8601"):
        algorithm._now({"NOW": "tomorrow"}, QgsProcessingContext())


def test_runs_inside_a_processing_model(provider, dirty_workspace, tmp_path):
    model = QgsProcessingModelAlgorithm("covidmaps validate model", "tests")
    child = QgsProcessingModelChildAlgorithm(ALGORITHM)
    child.setChildId("validate")
    report_path = tmp_path / "from_model.json"
    for name, value in (("WORKSPACE", str(dirty_workspace)), ("NOW", NOW),
                        ("REPORT", str(report_path))):
        child.addParameterSources(
            name, [QgsProcessingModelChildParameterSource.fromStaticValue(value)])
    model.addChildAlgorithm(child)
    context = QgsProcessingContext()
    context.setProject(QgsProject())
    results, ok = model.run({}, context, QgsProcessingFeedback())
    assert ok, results
    assert json.loads(report_path.read_text(encoding="utf-8"))["counts"]["error"] == 2


def test_qgis_process_runs_the_installed_plugin(dirty_workspace, tmp_path):
    from tests.plugin.installed_plugin import build_zip, install

    config = tmp_path / "config"
    install(build_zip(tmp_path / "dist"), config)
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(config))

    def qgis_process(*arguments):
        return subprocess.run([QGIS_PROCESS, "--json", "run", ALGORITHM, "--", *arguments],
                              env=env, capture_output=True, text=True, timeout=180,
                              check=False)

    # errors: the run fails (FAIL_ON_ERRORS) but the report is written first
    report_path = tmp_path / "report.json"
    failing = qgis_process(f"WORKSPACE={dirty_workspace}", f"NOW={NOW}",
                           f"REPORT={report_path}", "FAIL_ON_ERRORS=true")
    assert failing.returncode != 0
    assert "errors block publishing" in failing.stdout + failing.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert sorted(f["code"] for f in report["findings"]) == [
        "ATTR_NOT_IN_LIST", "GEOM_OUTSIDE_PROVINCE", "TIME_EXPIRED_HIDDEN"]

    # the sample workspace (helper A's sample day) has nothing that blocks publishing
    sample = tmp_path / "sample.gpkg"
    create_workspace(sample, with_sample=True, project=QgsProject())
    done = qgis_process(f"WORKSPACE={sample}", "FAIL_ON_ERRORS=true",
                        f"FINDINGS={tmp_path / 'findings.gpkg'}")
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(done.stdout)["results"]
    assert results["ERRORS"] == 0 and results["BLOCKING"] is False


def test_the_log_lists_the_first_errors_only(provider):
    from covidmaps_plugin.processing_provider.validate_algorithm import MAX_LOGGED_ERRORS

    class Feedback(QgsProcessingFeedback):
        def __init__(self):
            super().__init__()
            self.errors = []

        def reportError(self, error, fatalError=False):  # noqa: N802, N803 - Qt API
            self.errors.append(error)

    rows = [(point(), sound_attributes("checkpoints", uid=f"bad-{i}", name=f"Chốt {i}"))
            for i in range(MAX_LOGGED_ERRORS + 10)]
    layers = sound_layers(checkpoints=rows)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    feedback = Feedback()
    results, ok = algorithm.run({"CHECKPOINTS": layers["checkpoints"], "NOW": NOW},
                                QgsProcessingContext(), feedback)
    # + 1: the fixture's own checkpoint guards a zone that was not given
    assert ok and results["ERRORS"] == MAX_LOGGED_ERRORS + 11
    assert len(feedback.errors) == MAX_LOGGED_ERRORS + 1
    assert "11 more errors" in feedback.errors[-1]
