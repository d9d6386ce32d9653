"""Every validator test needs a QGIS application."""

import pytest


@pytest.fixture(autouse=True)
def _qgis(qgis_app):
    yield
