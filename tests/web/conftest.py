"""Fixtures of the web map tests: the built map, published releases, a
loopback server and one Chromium for the whole session."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from webmap_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DIST, WEB, new_context
from webmap_data import UPDATED_AT, earlier_of, plugin_sample_layers, profile_reference, shift
from webmap_publish import endpoint
from webmap_tiles import tile_server, web_with_basemap

from covidmaps_plugin.model import default_profile


def pytest_collection_modifyitems(items: list) -> None:
    for item in items:
        if "tests/web" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_dist() -> Path:
    """publish/web/dist, built (a no-op when it is up to date), as shipped:
    its config.json names OpenStreetMap's tiles."""
    subprocess.run(["make", "-s", "-C", str(WEB), "build"], check=True)
    assert (DIST / "index.html").is_file()
    return DIST


@pytest.fixture(scope="session")
def tiles():
    """The basemap's tile server, on 127.0.0.1."""
    with tile_server() as server:
        yield server


@pytest.fixture(scope="session")
def web_dist(built_dist, tiles, tmp_path_factory) -> Path:
    """The built map with its basemap served from 127.0.0.1: every test runs
    with a basemap as a deployment does, and none reaches the internet."""
    return web_with_basemap(built_dist, tmp_path_factory.mktemp("web") / "dist", tiles["url"])


@pytest.fixture(scope="session")
def profile():
    return default_profile()


@pytest.fixture(scope="session")
def reference(qgis_app, profile) -> Dict[str, Any]:
    return profile_reference(profile)


@pytest.fixture(scope="session")
def site(tmp_path_factory, web_dist, reference) -> Iterator[Dict[str, Any]]:
    """The real endpoint (covidmaps-publish serve) with two releases of the
    plugin's sample province published through its write API: an earlier one
    and the current one."""
    data = tmp_path_factory.mktemp("webmap-endpoint")
    current_layers = plugin_sample_layers()
    with endpoint(data, web_dist) as ep:
        earlier = ep.publish(
            earlier_of(current_layers), reference, shift("2026-11-24T09:00:00+07:00")
        )
        current = ep.publish(current_layers, {}, UPDATED_AT)
        yield {"endpoint": ep, "earlier": earlier, "current": current, "layers": current_layers}


@pytest.fixture(scope="session")
def releases(site) -> Dict[str, Any]:
    return site


@pytest.fixture(scope="session")
def base_url(site) -> str:
    return site["endpoint"].base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def desktop(browser):
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture()
def page(desktop):
    page = desktop.new_page()
    page.set_default_timeout(10000)
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # anything the Content-Security-Policy blocked is a bug of the map
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    page.close()
    assert not errors, f"JavaScript errors or CSP violations: {errors}"


@pytest.fixture(scope="session", autouse=True)
def _artifacts_dir() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
