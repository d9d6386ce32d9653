"""Fixtures of the editing tests: a real CovidMaps workspace per test.

One workspace GeoPackage is created per session; each test opens its own
copy in the QGIS project (opening a copy takes a fraction of creating one).
"""

from __future__ import annotations

import shutil

import pytest
from qgis.core import QgsProject

from covidmaps_plugin.core.workspace import create_workspace, open_workspace


@pytest.fixture(autouse=True, scope="session")
def _project_wrapper_alive(qgis_app):
    """Hold one Python wrapper of the project singleton for the session.

    Without it the wrapper is created and freed with each test's workspace,
    and pytest-qgis's teardown then fails to disconnect its
    ``legendLayersAdded`` slot ("object is not connected").
    """
    project = QgsProject.instance()
    yield project


@pytest.fixture(scope="session")
def workspace_template(qgis_app, tmp_path_factory):
    path = tmp_path_factory.mktemp("editing_template") / "template.gpkg"
    project = QgsProject()
    create_workspace(path, project=project)
    project.clear()  # closes the file before the tests copy it
    return path


@pytest.fixture()
def workspace(workspace_template, tmp_path):
    path = tmp_path / "workspace.gpkg"
    shutil.copy(workspace_template, path)
    opened = open_workspace(path, project=QgsProject.instance())
    yield opened
    for layer in opened.project.mapLayers().values():
        if layer.isEditable():
            layer.rollBack()
    opened.project.clear()
