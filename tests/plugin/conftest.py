from pathlib import Path

import pytest
from qgis.core import QgsApplication

from covidmaps_plugin.processing_provider.provider import PROVIDER_ID, CovidMapsProvider

from .installed_plugin import build_zip


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installable zip, built once per test session by tools/package_plugin.py."""
    return build_zip(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def provider(qgis_app):
    """The ``covidmaps`` Processing provider, registered for the module's tests."""
    registry = QgsApplication.processingRegistry()
    existing = registry.providerById(PROVIDER_ID)
    if existing is not None:  # another test module registered it
        yield existing
        return
    provider = CovidMapsProvider()
    assert registry.addProvider(provider)
    yield provider
    registry.removeProvider(provider)
