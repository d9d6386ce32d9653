"""``covidmaps:createworkspace`` from qgis_process, a model and the API."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import List

from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProject,
)

from covidmaps_plugin.model import MODEL

from .installed_plugin import install

ALGORITHM = "covidmaps:createworkspace"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # /usr/bin/qgis_process fails on Debian 12


def gpkg_tables(path: Path) -> List[str]:
    with closing(sqlite3.connect(path)) as db, db:
        return [row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")]




class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.warnings: List[str] = []

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)


def run(parameters, project=None):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    context = QgsProcessingContext()
    context.setProject(project)
    feedback = Feedback()
    results, ok = algorithm.run(parameters, context, feedback)
    return results, ok, feedback


def test_creates_and_opens_a_workspace(provider, tmp_path: Path):
    project = QgsProject()
    target = tmp_path / "bac_kan.gpkg"
    results, ok, _ = run({"OUTPUT": str(target), "PROFILE": "bac_kan_2020"}, project)
    assert ok and results["OUTPUT"] == str(target)
    assert set(MODEL.layer_names) <= set(gpkg_tables(target))
    opened = {lyr.customProperty("covidmaps/layer") for lyr in project.mapLayers().values()}
    assert set(MODEL.layer_names) <= opened


def test_unsaved_project_is_not_replaced(provider, tmp_path: Path):
    project = QgsProject()
    project.setTitle("officer's unsaved work")
    project.setDirty(True)
    results, ok, feedback = run({"OUTPUT": str(tmp_path / "w.gpkg")}, project)
    assert ok and Path(results["OUTPUT"]).is_file()
    assert project.title() == "officer's unsaved work" and project.isDirty()
    assert feedback.warnings and "unsaved" in feedback.warnings[0]


def test_unknown_profile_is_refused_before_anything_is_written(provider, tmp_path: Path):
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(ALGORITHM)
    parameters = {"OUTPUT": str(tmp_path / "w.gpkg"), "PROFILE": "atlantis_2020"}
    ok, message = algorithm.checkParameterValues(parameters, QgsProcessingContext())
    assert not ok and "atlantis_2020" in message
    _, ok, _ = run(parameters)  # run() reports the QgsProcessingException as a failure
    assert not ok
    assert list(tmp_path.iterdir()) == []


def test_runs_inside_a_processing_model(provider, tmp_path: Path):
    target = tmp_path / "from_model.gpkg"
    model = QgsProcessingModelAlgorithm("covidmaps test model", "tests")
    child = QgsProcessingModelChildAlgorithm(ALGORITHM)
    child.setChildId("create")
    child.addParameterSources(
        "OUTPUT", [QgsProcessingModelChildParameterSource.fromStaticValue(str(target))])
    child.addParameterSources(
        "OPEN", [QgsProcessingModelChildParameterSource.fromStaticValue(False)])
    model.addChildAlgorithm(child)
    results, ok = model.run({}, QgsProcessingContext(), QgsProcessingFeedback())
    assert ok, results
    assert set(MODEL.layer_names) <= set(gpkg_tables(target))


def qgis_process(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(config), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(config))
    return subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_qgis_process_runs_the_installed_plugin(plugin_zip: Path, tmp_path: Path):
    config = tmp_path / "config"
    install(plugin_zip, config)  # unzipped into the profile and enabled in QGIS3.ini
    # a folder and file name as an officer's Windows desktop has them
    target = tmp_path / "Sở Y tế" / "vùng làm việc Bắc Kạn.gpkg"
    target.parent.mkdir()
    arguments = ["--json", "run", ALGORITHM, "--", f"OUTPUT={target}", "PROFILE=bac_kan_2020",
                 "WITH_SAMPLE=false"]
    done = qgis_process(config, *arguments)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["results"]["OUTPUT"] == str(target)
    assert set(MODEL.layer_names) <= set(gpkg_tables(target))

    before = hashlib.sha256(target.read_bytes()).hexdigest()
    again = qgis_process(config, *arguments)  # never overwrites a workspace
    assert again.returncode != 0
    assert "exists" in again.stdout + again.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
