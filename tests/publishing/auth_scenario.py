"""Run by test_auth.py in a fresh QGIS (own auth DB and settings): the
token lives in the QGIS authentication database, QgsSettings only hold the
authcfg id, and a publish with that id works. Prints one JSON report."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# run as a script: the plugin's packages from this checkout (the model is installed)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    endpoint, token, gpkg = sys.argv[1], sys.argv[2], sys.argv[3]
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

    app = QgsApplication([], False)
    app.initQgis()
    from covidmaps_plugin.core.publishing import auth
    from covidmaps_plugin.core.publishing.errors import MissingTokenError

    report = {}

    def error_of(call):
        try:
            call()
        except MissingTokenError as exc:
            return exc.message("vi") + " | " + exc.message("en")
        return None

    warning = auth.master_password_warning()
    report["warning_before"] = warning.message("vi") if warning else None
    report["authcfg_before_master"] = error_of(lambda: auth.auth_headers(authcfg="abcdefg"))
    os.environ.pop(auth.TOKEN_ENV, None)
    report["nothing"] = error_of(lambda: auth.auth_headers())
    os.environ[auth.TOKEN_ENV] = "cmp_from_env"
    report["env"] = auth.auth_headers()
    del os.environ[auth.TOKEN_ENV]

    manager = QgsApplication.authManager()
    report["master_set"] = manager.setMasterPassword("test master password", True)
    warning = auth.master_password_warning()
    report["warning_after"] = warning.message("vi") if warning else None
    authcfg = auth.store_token("Sở Y tế Bắc Kạn", token)
    auth.save_connection(endpoint, authcfg)
    report["basic"] = auth.auth_headers(authcfg=auth.saved_authcfg())
    esri = QgsAuthMethodConfig()
    esri.setMethod("EsriToken")
    esri.setName("esri")
    esri.setConfig("token", "cmp_esri")
    manager.storeAuthenticationConfig(esri)
    report["esri"] = auth.auth_headers(authcfg=esri.id())
    pki = QgsAuthMethodConfig()
    pki.setMethod("PKI-Paths")
    pki.setName("pki")
    pki.setConfig("certpath", "/nonexistent")
    manager.storeAuthenticationConfig(pki)
    report["unsupported"] = error_of(lambda: auth.auth_headers(authcfg=pki.id()))
    report["unknown"] = error_of(lambda: auth.auth_headers(authcfg="zzzzzzz"))

    QgsSettings().sync()
    settings_text = Path(QgsSettings().fileName()).read_text(encoding="utf-8")
    report["settings_has_authcfg"] = authcfg in settings_text
    report["settings_has_token"] = token in settings_text
    db = Path(manager.authenticationDatabasePath()).read_bytes()
    report["db_has_token"] = token.encode() in db

    # the Processing algorithm with the authcfg id (the secret never leaves the DB)
    from qgis.analysis import QgsNativeAlgorithms  # noqa: F401 - processing needs its registry
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    from covidmaps_plugin.processing_provider.provider import CovidMapsProvider

    provider = CovidMapsProvider()  # keep a Python reference while it is registered
    assert QgsApplication.processingRegistry().addProvider(provider)
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("covidmaps:publish")
    results, ok = algorithm.run(
        {"WORKSPACE": gpkg, "ENDPOINT": endpoint, "AUTHCFG": authcfg,
         "CONFIRM_WARNINGS": True, "MESSAGE": "authcfg"},
        QgsProcessingContext(), QgsProcessingFeedback())
    report["published"] = results.get("RELEASE_ID") if ok else None
    print("REPORT " + json.dumps(report, ensure_ascii=False), flush=True)
    app.exitQgis()


if __name__ == "__main__":
    main()
