"""Fixtures of the plugin-side publishing tests: a real endpoint on
127.0.0.1 (``covidmaps_publish`` in a thread of this process, embedded
storage in tmp_path), a token, and copies of one sample workspace."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List

import pytest
import requests
from covidmaps_publish.config import Config, Limits
from covidmaps_publish.server import ServerThread
from covidmaps_publish.tokens import TokenStore
from qgis.core import QgsProject

from covidmaps_plugin.core.publishing.auth import auth_headers
from covidmaps_plugin.core.publishing.pipeline import PublishRequest


@dataclass
class Endpoint:
    url: str  # with a trailing slash
    token: str
    data_dir: Path
    server: ServerThread

    def headers(self) -> dict:
        return auth_headers(token=self.token)

    def manifest(self) -> dict:
        return requests.get(self.url + "data/manifest.json", timeout=10).json()

    def request(self, gpkg: Path, **kwargs) -> PublishRequest:
        kwargs.setdefault("validate", False)
        return PublishRequest(gpkg, self.url, self.headers(), **kwargs)


@pytest.fixture
def start_endpoint(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Callable[..., Endpoint]]:
    """``start_endpoint(limits=None)``: a new endpoint with its own storage."""
    started: List[ServerThread] = []

    def start(limits: Limits = None) -> Endpoint:
        data_dir = tmp_path_factory.mktemp("endpoint")
        config = Config(data_dir=data_dir, fsync=False, limits=limits or Limits())
        token = TokenStore(config.state_dir).create("officer-1")
        server = ServerThread(config).start()
        started.append(server)
        return Endpoint(server.url + "/", token, data_dir, server)

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def endpoint(start_endpoint) -> Endpoint:
    return start_endpoint()


@pytest.fixture(scope="session")
def sample_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample workspace, made once (copy it before changing it)."""
    from covidmaps_plugin.core.workspace import create_workspace

    project = QgsProject()
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    create_workspace(path, with_sample=True, project=project)
    project.clear()
    return path


@pytest.fixture
def workspace_copy(sample_gpkg: Path, tmp_path: Path) -> Path:
    target = tmp_path / "workspace.gpkg"
    shutil.copyfile(sample_gpkg, target)
    return target
