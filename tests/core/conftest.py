"""Shared fixtures of the workspace tests (real PyQGIS, files in tmp_path)."""

import pytest
from qgis.core import QgsProject

from covidmaps_plugin.core import create_workspace


@pytest.fixture()
def project():
    project = QgsProject()
    yield project
    project.clear()


@pytest.fixture()
def workspace(tmp_path, project):
    return create_workspace(tmp_path / "ws.gpkg", project=project)


@pytest.fixture(scope="module")
def sample_workspace(tmp_path_factory):
    project = QgsProject()
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    yield create_workspace(path, with_sample=True, project=project)
    project.clear()
