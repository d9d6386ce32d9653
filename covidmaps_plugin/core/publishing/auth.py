"""Where the publishing token lives: the QGIS authentication database.

QgsSettings holds only the endpoint URL and the id of an authentication
configuration (``authcfg``); the token itself is encrypted in QGIS's auth DB
under the master password. QGIS 3.22 has no "API header" method, so these
methods are accepted, newest first:

- ``APIHeader`` (QGIS >= 3.26): its header/value pairs are sent as they are;
- ``Basic``: the password is the token (the user name is for the officer's
  own bookkeeping), sent as ``Authorization: Bearer <token>``;
- ``EsriToken``: its ``token`` is sent as a Bearer token.

Headless runs (``qgis_process``, CI) may pass the token in the environment
variable ``COVIDMAPS_TOKEN`` instead: nothing is written anywhere.
"""

from __future__ import annotations

import os
from typing import Dict, Optional

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

from .errors import MissingTokenError

# the environment variable's name, not a secret
TOKEN_ENV = "COVIDMAPS_TOKEN"  # noqa: S105  # nosec B105
SETTINGS_ENDPOINT = "covidmaps/publish/endpoint"
SETTINGS_AUTHCFG = "covidmaps/publish/authcfg"
SUPPORTED_METHODS = ("APIHeader", "Basic", "EsriToken")


def saved_endpoint(settings: Optional[QgsSettings] = None) -> str:
    return str((settings or QgsSettings()).value(SETTINGS_ENDPOINT, "") or "")


def saved_authcfg(settings: Optional[QgsSettings] = None) -> str:
    return str((settings or QgsSettings()).value(SETTINGS_AUTHCFG, "") or "")


def save_connection(endpoint: str, authcfg: str, settings: Optional[QgsSettings] = None) -> None:
    """Remember the endpoint and the authcfg id (never the token)."""
    s = settings or QgsSettings()
    s.setValue(SETTINGS_ENDPOINT, endpoint)
    s.setValue(SETTINGS_AUTHCFG, authcfg)


def master_password_warning() -> Optional[MissingTokenError]:
    """A warning to show when the auth DB has no master password yet (the
    token cannot be stored encrypted until the officer sets one)."""
    manager = QgsApplication.authManager()
    if manager.isDisabled():
        return MissingTokenError(
            "QGIS này không lưu được mã truy cập: cơ sở dữ liệu xác thực bị tắt (thiếu thư "
            "viện mã hoá Qt Cryptographic Architecture). Hãy nhờ bộ phận CNTT cài đặt lại QGIS.",
            "This QGIS cannot store the access token: its authentication database is disabled "
            "(the Qt Cryptographic Architecture library is missing). Ask the ICT staff to "
            "reinstall QGIS.",
        )
    if not manager.masterPasswordHashInDatabase():
        return MissingTokenError(
            "QGIS chưa có mật khẩu chính. Khi bấm «Lưu mã», QGIS sẽ hỏi đặt mật khẩu chính: "
            "mã truy cập được lưu mã hoá bằng mật khẩu đó. Hãy ghi nhớ mật khẩu này.",
            "QGIS has no master password yet. When you click «Save token», QGIS asks you to "
            "set one: the access token is stored encrypted with it. Remember that password.",
        )
    return None


# the name of the auth configurations the plugin makes, not a secret
TOKEN_CONFIG_NAME = "CovidMaps"  # noqa: S105  # nosec B105


def save_pasted_token(token: str, endpoint: str = "") -> str:
    """Store a token the officer pasted; its authcfg id.

    The token goes into the QGIS authentication database only (encrypted
    under the master password; QGIS asks the officer to set or enter it
    when needed), never into the settings.
    """
    token = (token or "").strip()
    if not token or any(ch.isspace() for ch in token):
        raise MissingTokenError(
            "Hãy dán đúng mã truy cập do bộ phận CNTT cấp (một dãy ký tự liền, không có "
            "khoảng trắng).",
            "Paste the access token the ICT staff gave you (one run of characters, without "
            "spaces).",
        )
    manager = QgsApplication.authManager()
    disabled = manager.isDisabled()
    if disabled or not manager.masterPasswordIsSet():
        # QGIS desktop asks the officer here (to set it, the first time)
        if disabled or not manager.setMasterPassword(True):
            raise master_password_warning() or MissingTokenError(
                "Chưa nhập mật khẩu chính của QGIS nên chưa lưu được mã truy cập.",
                "The QGIS master password was not entered, so the token was not stored.")
    host = endpoint.split("://", 1)[-1].strip("/")
    return store_token(f"{TOKEN_CONFIG_NAME} — {host}" if host else TOKEN_CONFIG_NAME,
                       token, username=TOKEN_CONFIG_NAME)


def _headers_from_config(config: QgsAuthMethodConfig) -> Dict[str, str]:
    method = config.method()
    values = config.configMap()
    if method == "APIHeader":
        return {str(k): str(v) for k, v in values.items() if k and v}
    token = values.get("password" if method == "Basic" else "token", "")
    return {"Authorization": f"Bearer {token}"} if token else {}


def auth_headers(authcfg: str = "", token: str = "",  # nosec B107
                 interactive: bool = False) -> Dict[str, str]:
    """The headers that authenticate a publish.

    ``token`` (explicit) wins, then ``authcfg`` from the auth DB, then the
    ``COVIDMAPS_TOKEN`` environment variable. Raises MissingTokenError with an
    actionable message when none gives a token (``interactive``: the message
    speaks of the Publish dialog, not of headless runs).
    """
    if token:
        return {"Authorization": f"Bearer {token.strip()}"}
    if authcfg:
        manager = QgsApplication.authManager()
        config = QgsAuthMethodConfig()
        missing_master = master_password_warning()
        if missing_master is not None:  # no config can exist without one
            raise missing_master
        ok = manager.loadAuthenticationConfig(authcfg, config, True)
        if isinstance(ok, tuple):  # some PyQGIS builds return (ok, config)
            ok, config = ok
        if not ok or not config.isValid():
            raise MissingTokenError(
                f"Không đọc được cấu hình xác thực {authcfg!r}: cấu hình không tồn tại, hoặc "
                "mật khẩu chính chưa được nhập đúng.",
                f"Cannot read the authentication configuration {authcfg!r}: it does not exist, "
                "or the master password was not entered correctly.",
            )
        if config.method() not in SUPPORTED_METHODS:
            raise MissingTokenError(
                f"Cấu hình xác thực {authcfg!r} dùng phương thức {config.method()}; hãy dùng "
                "Basic (mật khẩu = mã truy cập) hoặc API Header.",
                f"The authentication configuration {authcfg!r} uses the {config.method()} method; "
                "use Basic (password = the access token) or API Header.",
            )
        headers = _headers_from_config(config)
        if headers:
            return headers
        raise MissingTokenError(
            f"Cấu hình xác thực {authcfg!r} không chứa mã truy cập.",
            f"The authentication configuration {authcfg!r} holds no access token.",
        )
    env_token = os.environ.get(TOKEN_ENV, "").strip()
    if env_token:
        return {"Authorization": f"Bearer {env_token}"}
    if interactive:
        raise MissingTokenError(
            "Chưa có mã truy cập: dán mã do bộ phận CNTT cấp vào ô «Mã truy cập mới» rồi bấm "
            "«Lưu mã».",
            "No access token yet: paste the token the ICT staff gave you into «New access "
            "token» and click «Save token».",
        )
    raise MissingTokenError(
        "Chưa có mã truy cập: chọn một cấu hình xác thực chứa mã do bộ phận CNTT cấp (hoặc "
        f"đặt biến môi trường {TOKEN_ENV} khi chạy không giao diện).",
        "No access token: choose an authentication configuration holding the token the ICT "
        f"staff gave you (or set the {TOKEN_ENV} environment variable for headless runs).",
    )


def environment_token_set() -> bool:
    """A token comes from the ``COVIDMAPS_TOKEN`` environment variable."""
    return bool(os.environ.get(TOKEN_ENV, "").strip())


def store_token(name: str, token: str, username: str = "") -> str:
    """Store ``token`` in the auth DB as a Basic configuration; its authcfg id.

    The master password must be set (the GUI asks for it; scripts call
    ``QgsApplication.authManager().setMasterPassword(...)`` first).
    """
    config = QgsAuthMethodConfig()
    config.setMethod("Basic")
    config.setName(name)
    config.setConfig("username", username or name)
    config.setConfig("password", token)
    if not QgsApplication.authManager().storeAuthenticationConfig(config):
        raise MissingTokenError(
            "Không lưu được mã truy cập vào cơ sở dữ liệu xác thực của QGIS (chưa nhập mật "
            "khẩu chính?).",
            "Could not store the access token in QGIS's authentication database (master "
            "password not entered?).",
        )
    return config.id()
