from pathlib import Path

import pytest

from .installed_plugin import build_zip


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installable zip, built once per test session by tools/package_plugin.py."""
    return build_zip(tmp_path_factory.mktemp("dist"))

