"""QGIS's proxy and timeout settings reach the publish: read from QgsSettings
(as QGIS writes them), then used against a real tinyproxy on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QSettings

from covidmaps_plugin.core.publishing.client import PublishClient
from covidmaps_plugin.core.publishing.errors import ProxyRefusedError
from covidmaps_plugin.core.publishing.network import NetworkSettings, network_settings
from covidmaps_plugin.core.publishing.pipeline import publish

from .tinyproxy import Tinyproxy, free_port


def settings_file(tmp_path: Path, name: str = "qgis", **values) -> QgsSettings:
    """QgsSettings in a file of their own (the session's settings stay untouched)."""
    settings = QgsSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(key.replace("__", "/"), value)
    settings.sync()
    return settings


def proxy_settings(tmp_path: Path, address: str, **extra) -> NetworkSettings:
    host, port = address.split(":")
    return network_settings(settings_file(
        tmp_path, proxy__proxyEnabled=True, proxy__proxyType="HttpProxy",
        proxy__proxyHost=host, proxy__proxyPort=port, **extra))


@pytest.fixture
def proxy(tmp_path: Path):
    running = Tinyproxy(tmp_path)
    yield running
    running.stop()


def test_no_proxy_and_the_qgis_timeout(tmp_path):
    net = network_settings(settings_file(
        tmp_path, qgis__networkAndProxy__networkTimeout=12500, proxy__proxyEnabled=False,
        proxy__proxyHost="proxy.invalid", proxy__proxyPort="3128"))
    assert net.timeout_s == 12.5
    assert net.proxy_for("http://127.0.0.1:8765/") is None and not net.system_proxy


def test_http_proxy_with_credentials_and_exclusions(tmp_path):
    net = proxy_settings(tmp_path, "proxy.example:3128", proxy__proxyUser="sở y tế",
                         proxy__proxyPassword="p@ss:w/rd",  # pragma: allowlist secret
                         proxy__proxyExcludedUrls=["http://intranet/", "http://10.0.0.5"])
    quoted = "s%E1%BB%9F%20y%20t%E1%BA%BF:p%40ss%3Aw%2Frd"  # pragma: allowlist secret
    assert net.proxy_url == f"http://{quoted}@proxy.example:3128"
    assert net.proxy_for("https://covidmaps.example/") == net.proxy_url
    assert net.proxy_for("http://intranet/api/v1/") is None
    assert net.proxy_for("http://10.0.0.5:8765/") is None
    assert net.proxy_display() == "http://proxy.example:3128"  # no password in messages
    junk = settings_file(tmp_path, "junk", qgis__networkAndProxy__networkTimeout="junk")
    assert network_settings(junk).timeout_s == 60


def test_old_style_exclusions_system_and_socks_proxies(tmp_path):
    old = proxy_settings(tmp_path, "p:1", proxy__proxyExcludedUrls="http://a|http://b")
    assert old.excluded == ("http://a", "http://b")
    system = network_settings(settings_file(tmp_path, "system", proxy__proxyEnabled=True,
                                            proxy__proxyType="DefaultProxy"))
    assert system.system_proxy and system.proxy_url is None
    socks = network_settings(settings_file(tmp_path, "socks", proxy__proxyEnabled=True,
                                           proxy__proxyType="Socks5Proxy",
                                           proxy__proxyHost="s", proxy__proxyPort="1080"))
    assert socks.proxy_url == "socks5h://s:1080"


def test_publish_goes_through_the_qgis_proxy(tmp_path, proxy, endpoint, workspace_copy):
    net = proxy_settings(tmp_path, proxy.address)
    result = publish(endpoint.request(workspace_copy, network=net))
    assert endpoint.manifest()["release_id"] == result.release_id
    log = proxy.log_text()
    port = endpoint.server.port
    assert f"PUT http://127.0.0.1:{port}/api/v1/layers/risk_points/blobs/" in log
    assert f"POST http://127.0.0.1:{port}/api/v1/releases" in log


def test_excluded_endpoint_bypasses_the_proxy(tmp_path, proxy, endpoint):
    net = proxy_settings(tmp_path, proxy.address, proxy__proxyExcludedUrls=[endpoint.url])
    with PublishClient(endpoint.url, endpoint.headers(), net) as client:
        assert client.current_manifest()["release_id"]
    assert str(endpoint.server.port) not in proxy.log_text()


def test_proxy_refusing_gives_the_proxy_message(tmp_path, endpoint, workspace_copy):
    refusing = Tinyproxy(tmp_path, allow="10.255.255.1")  # not us: its 403 page
    try:
        net = proxy_settings(tmp_path, refusing.address)
        before = endpoint.manifest()
        with pytest.raises(ProxyRefusedError) as caught:
            publish(endpoint.request(workspace_copy, network=net))
    finally:
        refusing.stop()
    vi, en = caught.value.message("vi"), caught.value.message("en")
    assert refusing.address in vi and "proxy" in vi and "QGIS" in en
    assert "403" in en
    assert endpoint.manifest() == before


def test_proxy_down_gives_the_proxy_message(tmp_path, endpoint):
    net = proxy_settings(tmp_path, f"127.0.0.1:{free_port()}")
    with PublishClient(endpoint.url, endpoint.headers(), net) as client:
        client.retry = client.retry.__class__(attempts=2, backoff_s=0.01)
        with pytest.raises(ProxyRefusedError) as caught:
            client.current_manifest()
    assert "Máy chủ proxy" in caught.value.message("vi")
