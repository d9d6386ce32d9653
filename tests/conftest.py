"""Fixtures shared by every test area."""

import gc
import time

import pytest

TASKS_SETTLE_S = 30  # a cancelled task's run() returns at its next progress check


@pytest.fixture(autouse=True, scope="session")
def _qgis_released_before_exit(qgis_app):
    """Layers and tasks go before QGIS does.

    pytest-qgis calls ``exitQgis()`` when the session ends; a layer still
    referenced then (a cycle not yet collected, a project layer, a task's
    copy) is released by Python afterwards, at interpreter exit, when its
    OGR data source is already gone: QGIS 3.40 then crashes (signal 11,
    QgsOgrProviderUtils::release) after every test has passed. This
    teardown runs before pytest-qgis's (it depends on ``qgis_app``).
    """
    yield
    if qgis_app is None:
        return
    from qgis.core import QgsApplication, QgsProject

    manager = QgsApplication.taskManager()
    manager.cancelAll()
    deadline = time.monotonic() + TASKS_SETTLE_S
    while manager.countActiveTasks() and time.monotonic() < deadline:
        qgis_app.processEvents()
        time.sleep(0.05)
    QgsProject.instance().clear()
    gc.collect()
    qgis_app.processEvents()  # deleteLater()s of what was just released


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
