"""QGIS's network settings (proxy, timeout) translated for ``requests``.

The publish runs in a worker thread with ``requests`` (streamed uploads,
retries, plain headers), not through QGIS's network manager, so it must read
the same settings QGIS uses (Options › Network) and apply them itself:

- ``proxy/proxyEnabled``, ``proxy/proxyType``, ``proxy/proxyHost``,
  ``proxy/proxyPort``, ``proxy/proxyUser``, ``proxy/proxyPassword`` (or the
  proxy's ``proxy/authcfg``), ``proxy/proxyExcludedUrls`` and
  ``proxy/noProxyUrls`` (URL prefixes that bypass the proxy);
- ``qgis/networkAndProxy/networkTimeout`` (milliseconds).

Read them in the main thread and hand the frozen result to the task.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

TIMEOUT_KEY = "qgis/networkAndProxy/networkTimeout"
DEFAULT_TIMEOUT_MS = 60_000
# The endpoint answers an upload only once it has checked the layer, and the
# check takes time in proportion to the layer's size (about 7 MiB/s on an idle
# 2-core server, several times less under load). QGIS's network timeout is
# meant for an answer that needs no such work, so an upload's wait for its
# answer adds one second per MiB of the layer as the server reads it
# (uncompressed): a 1 GB national layer waits up to ~17 minutes more, a
# daily 1 MB layer one second. A fixed timeout made every big upload fail
# while the server was still working on it (and its retries redo that work).
UPLOAD_CHECK_BYTES_PER_S = 1024 * 1024

# QNetworkProxy type names as QGIS stores them -> the URL scheme requests wants
_PROXY_SCHEMES = {
    "HttpProxy": "http",
    "HttpCachingProxy": "http",
    "Socks5Proxy": "socks5h",  # needs PySocks; requests says so if it is missing
}


@dataclass(frozen=True)
class NetworkSettings:
    timeout_s: float = DEFAULT_TIMEOUT_MS / 1000
    # "http://user:pass@host:port", None for a direct connection
    proxy_url: Optional[str] = None
    # QGIS "DefaultProxy": the system's proxy (the environment, for requests)
    system_proxy: bool = False
    # URL prefixes that go direct even with a proxy configured
    excluded: Tuple[str, ...] = ()

    def upload_timeout(self, checked_bytes: int) -> Tuple[float, float]:
        """``requests``' (connect, read) timeout of an upload whose answer
        waits for the server to check ``checked_bytes`` (the layer as the
        server reads it, uncompressed): connecting and every send still fail
        after the network timeout, the answer may take longer by the size."""
        return (self.timeout_s,
                self.timeout_s + max(0, checked_bytes) / UPLOAD_CHECK_BYTES_PER_S)

    def proxy_for(self, url: str) -> Optional[str]:
        """The proxy URL that ``url`` goes through, None when direct."""
        if self.proxy_url is None or any(url.startswith(p) for p in self.excluded):
            return None
        return self.proxy_url

    def proxy_display(self) -> str:
        """The proxy without its credentials, for messages."""
        if not self.proxy_url:
            return "system" if self.system_proxy else "-"
        parts = urllib.parse.urlsplit(self.proxy_url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port}"

    def requests_options(self, url: str) -> Dict[str, Any]:
        """``proxies`` for a request to ``url`` (the session's ``trust_env`` is
        set from :attr:`system_proxy`)."""
        proxy = self.proxy_for(url)
        if proxy is None:
            return {"proxies": {}}
        return {"proxies": {"http": proxy, "https": proxy}}


def _as_list(value: Any) -> Tuple[str, ...]:
    """QGIS wrote the exclusion list as "a|b" before 3.16, a string list since."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items = value.split("|")
    else:
        items = [str(v) for v in value]
    return tuple(i.strip() for i in items if i and i.strip())


def _proxy_credentials(settings: Any) -> Tuple[str, str]:
    user = str(settings.value("proxy/proxyUser", "") or "")
    password = str(settings.value("proxy/proxyPassword", "") or "")
    authcfg = str(settings.value("proxy/authcfg", "") or "")
    if authcfg:
        from qgis.core import QgsApplication, QgsAuthMethodConfig

        config = QgsAuthMethodConfig()
        ok = QgsApplication.authManager().loadAuthenticationConfig(authcfg, config, True)
        if ok:
            user = config.config("username", user)
            password = config.config("password", password)
    return user, password


def network_settings(settings: Any = None) -> NetworkSettings:
    """QGIS's proxy and timeout settings (``settings``: a QgsSettings, default
    the user's)."""
    if settings is None:
        from qgis.core import QgsSettings

        settings = QgsSettings()
    try:
        timeout_ms = int(settings.value(TIMEOUT_KEY, DEFAULT_TIMEOUT_MS) or DEFAULT_TIMEOUT_MS)
    except (TypeError, ValueError):
        timeout_ms = DEFAULT_TIMEOUT_MS
    timeout_s = max(timeout_ms, 1000) / 1000
    enabled = str(settings.value("proxy/proxyEnabled", False)).lower() in ("true", "1")
    excluded = _as_list(settings.value("proxy/proxyExcludedUrls", "")) + _as_list(
        settings.value("proxy/noProxyUrls", "")
    )
    if not enabled:
        return NetworkSettings(timeout_s=timeout_s)
    kind = str(settings.value("proxy/proxyType", "DefaultProxy") or "DefaultProxy")
    if kind == "DefaultProxy":
        return NetworkSettings(timeout_s=timeout_s, system_proxy=True, excluded=excluded)
    scheme = _PROXY_SCHEMES.get(kind)
    host = str(settings.value("proxy/proxyHost", "") or "").strip()
    if scheme is None or not host:
        # FtpCachingProxy or no host: QGIS itself would not proxy HTTP either
        return NetworkSettings(timeout_s=timeout_s, excluded=excluded)
    port = str(settings.value("proxy/proxyPort", "") or "").strip()
    user, password = _proxy_credentials(settings)
    auth = ""
    if user:
        auth = urllib.parse.quote(user, safe="") + ":" + urllib.parse.quote(password, safe="")
        auth += "@"
    netloc = f"{auth}{host}:{port}" if port else f"{auth}{host}"
    return NetworkSettings(timeout_s=timeout_s, proxy_url=f"{scheme}://{netloc}",
                           excluded=excluded)
