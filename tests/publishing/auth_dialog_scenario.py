"""Run by test_auth.py in a fresh QGIS (own auth DB and settings): the
first-time token set-up of the Publish dialog. The officer pastes the token
and clicks Save token; the plugin makes the authentication configuration,
chooses it, and a publish with it works. Prints one JSON report."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# run as a script: the plugin's packages from this checkout (the model is installed)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    endpoint, token, gpkg, artifacts = sys.argv[1:5]
    from qgis.core import QgsApplication, QgsSettings

    app = QgsApplication([], True)
    app.initQgis()
    from covidmaps_plugin.core.publishing import auth
    from covidmaps_plugin.gui.publish_dialog import PublishDialog
    from covidmaps_plugin.processing_provider.provider import CovidMapsProvider

    # the dialog runs the covidmaps algorithms, as in QGIS with the plugin loaded
    provider = CovidMapsProvider()  # a Python reference while it is registered
    assert QgsApplication.processingRegistry().addProvider(provider)

    report = {}
    dialog = PublishDialog(gpkg_path=gpkg)
    dialog.endpoint.setText(endpoint)
    dialog.show()
    report["help_visible"] = dialog.token_help.isVisible()
    report["help_text"] = dialog.token_help.text()
    report["warning_before"] = dialog.auth_warning.text() if dialog.auth_warning.isVisible() \
        else None
    dialog.start_preview()  # no token at all: the dialog says what to do
    report["no_token_status"] = dialog.status.text()
    # the officer sets the master password (QGIS asks for it on Save token)
    manager = QgsApplication.authManager()
    report["master_set"] = manager.setMasterPassword("officer master password", True)
    app.processEvents()
    report["warning_after"] = dialog.auth_warning.text() if dialog.auth_warning.isVisible() \
        else None
    dialog.token_paste.setText("  two words ")
    dialog.token_save.click()
    report["bad_paste_status"] = dialog.status.text()
    dialog.token_paste.setText(f"  {token}\n")
    dialog.token_save.click()
    report["saved_status"] = dialog.status.text()
    report["authcfg"] = dialog.authcfg.configId()
    report["paste_cleared"] = dialog.token_paste.text() == ""
    report["help_after"] = dialog.token_help.isVisible()
    report["headers"] = auth.auth_headers(authcfg=dialog.authcfg.configId())
    app.processEvents()  # the layout closes the gap of the hidden help
    dialog.grab().save(str(Path(artifacts) / "publish_dialog_token_saved.png"))

    QgsSettings().sync()
    settings_text = Path(QgsSettings().fileName()).read_text(encoding="utf-8")
    report["settings_has_token"] = token in settings_text
    report["settings_has_authcfg"] = report["authcfg"] in settings_text
    report["db_has_token"] = token.encode() in Path(
        manager.authenticationDatabasePath()).read_bytes()

    dialog.start_preview()
    deadline = time.monotonic() + 120
    while dialog.tasks and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    report["previewed"] = dialog.prepared is not None
    report["preview_status"] = dialog.status.text()
    dialog.confirm.setChecked(True)
    dialog.publish_button.click()
    deadline = time.monotonic() + 120
    while dialog.tasks and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    report["result"] = dialog.result.text()
    print("REPORT " + json.dumps(report, ensure_ascii=False), flush=True)
    dialog.close()
    del dialog
    app.exitQgis()


if __name__ == "__main__":
    main()
