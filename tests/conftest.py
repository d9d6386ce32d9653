"""Fixtures shared by every test area."""

import pytest


@pytest.fixture(scope="module")
def provider(qgis_app):
    """The ``covidmaps`` Processing provider, registered for the module's tests."""
    from qgis.core import QgsApplication

    from covidmaps_plugin.processing_provider.provider import PROVIDER_ID, CovidMapsProvider

    registry = QgsApplication.processingRegistry()
    existing = registry.providerById(PROVIDER_ID)
    if existing is not None:  # another test module registered it
        yield existing
        return
    provider = CovidMapsProvider()
    assert registry.addProvider(provider)
    yield provider
    registry.removeProvider(provider)
