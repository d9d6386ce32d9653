"""The Publish dialog in a real QGIS window (qgis.bin under Xvfb, not
offscreen), in Vietnamese, against a real endpoint on 127.0.0.1.

The sample province is published once (the "current" public map); then an
officer renames a risk point and withdraws a checkpoint's approval, and one
feature's display date has passed (the one warning). ``publish_dialog_script.py``
drives the installed plugin with the mouse and this test checks what the
dialog showed: the change sentences, the warning naming its feature with a
dd/mm/yyyy date, the double-click that shows the feature on the map, the
confirmation gating the Publish button, the release id and map link, and
history + rollback. Screenshots: tests/artifacts/publish_dialog_desktop_vi_*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
from qgis.core import QgsProject, QgsVectorLayer

from covidmaps_plugin.core.publishing.auth import auth_headers
from covidmaps_plugin.core.publishing.pipeline import PublishRequest, publish, validate_source
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.core.validation.table import instant_text
from covidmaps_plugin.core.workspace import create_workspace
from covidmaps_plugin.model import MODEL, PROVINCE_TZ

from .installed_plugin import ROOT, install
from .qgis_window import run_in_qgis_window
from .test_desktop import png_size

pytestmark = pytest.mark.gui

SCRIPT = Path(__file__).resolve().parent / "publish_dialog_script.py"
ARTIFACTS = ROOT / "tests" / "artifacts"
SHOTS = ARTIFACTS / "publish_dialog_desktop_vi"
SCREEN = "1440x900x24"
RENAMED = "Chợ Phủ Thông (đã khử khuẩn)"


def change_features(gpkg: Path, layer_name: str, changes: Dict[str, Dict[str, Any]]) -> None:
    """Saved edits (uid -> field -> value), written through the provider so
    the test controls every value (QGIS would stamp updated_at itself)."""
    layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
    assert layer.isValid()
    fids = {f["uid"]: f.id() for f in layer.getFeatures()}
    index = layer.fields().indexOf
    assert layer.dataProvider().changeAttributeValues({
        fids[uid]: {index(name): value for name, value in values.items()}
        for uid, values in changes.items()})


# how a feature the public map does not show is settled for good, per layer
# (the status that keeps it off the map, with the date that status requires)
def _off_the_map(layer_name: str, now: dt.datetime) -> Dict[str, Any]:
    from qgis.PyQt.QtCore import QDate

    today = QDate(now.year, now.month, now.day)
    return {
        "risk_points": {"status": "withdrawn"},
        "quarantine_facilities": {"status": "closed", "closed_on": today},
        "isolation_zones": {"status": "lifted",
                            "lifted_on": now.replace(microsecond=0).isoformat()},
        "checkpoints": {"status": "disbanded", "closed_on": today},
    }[layer_name]


def officer_edits(gpkg: Path) -> Dict[str, Any]:
    """After the first publish: one risk point renamed, one checkpoint no
    longer approved, every other warning settled but one expired feature
    (the sample's unapproved drafts are withdrawn or closed, expired ones
    lose their approval). Returns what the dialog must show."""
    now = dt.datetime.now(PROVINCE_TZ)
    source = open_source(gpkg)
    warnings = [f for f in validate_source(source, now).findings
                if f.severity.value == "warning"]
    kept = next(f for f in warnings if f.code.value == "TIME_EXPIRED_HIDDEN")
    for finding in warnings:
        if finding is kept:
            continue
        if finding.code.value == "PUBLISH_NOT_APPROVED":  # a draft never published
            change_features(gpkg, finding.layer, {finding.uid: _off_the_map(finding.layer, now)})
        else:
            change_features(gpkg, finding.layer, {finding.uid: {"approved": False}})
    from covidmaps_plugin.core.export import export_layers

    exports = export_layers(source.layers, now)
    risk_uid = next(uid for uid in exports["risk_points"].uids
                    if uid not in {f.uid for f in warnings})
    change_features(gpkg, "risk_points", {risk_uid: {"name": RENAMED}})
    checkpoint_uid = exports["checkpoints"].uids[0]
    change_features(gpkg, "checkpoints", {checkpoint_uid: {"approved": False}})
    checkpoint = QgsVectorLayer(f"{gpkg}|layername=checkpoints", "c", "ogr")
    name = next(f["name"] for f in checkpoint.getFeatures() if f["uid"] == checkpoint_uid)
    return {"warning": kept, "unapproved_checkpoint": name}


@pytest.fixture
def scene(qgis_app, tmp_path, monkeypatch):
    from covidmaps_publish.config import Config
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore

    config = Config(data_dir=tmp_path / "endpoint", fsync=False)
    token = TokenStore(config.state_dir).create("officer-1")
    server = ServerThread(config).start()
    url = server.url + "/"
    gpkg = tmp_path / "ws" / "bac_kan.gpkg"
    gpkg.parent.mkdir()
    project = QgsProject()
    create_workspace(gpkg, with_sample=True, project=project)
    project.clear()
    first = publish(PublishRequest(gpkg, url, auth_headers(token=token), validate=False))
    expected = officer_edits(gpkg)
    try:
        yield {"url": url, "token": token, "gpkg": gpkg, "first": first.release_id,
               **expected}
    finally:
        server.stop()


def run_qgis(tmp_path: Path, plugin_zip: Path, scene: Dict[str, Any]) -> Dict[str, Any]:
    profiles = tmp_path / "profiles"
    install(plugin_zip, profiles, "vi")
    result_path = tmp_path / "result.json"
    return run_in_qgis_window(
        SCRIPT, profiles, result_path, ARTIFACTS / "qgis_stuck_publish_dialog.png", SCREEN,
        COVIDMAPS_PUBLISH_RESULT=str(result_path),
        COVIDMAPS_PUBLISH_WORKSPACE=str(scene["gpkg"]),
        COVIDMAPS_PUBLISH_ENDPOINT=scene["url"],
        COVIDMAPS_PUBLISH_SHOTS=str(SHOTS),
        COVIDMAPS_TOKEN=scene["token"])  # no auth database in a fresh profile


def manifest(url: str, name: str = "manifest.json") -> Dict[str, Any]:
    return requests.get(url + "data/" + name, timeout=10).json()


def no_iso_dates(lines: List[str]) -> bool:
    return not any(re.search(r"\d{4}-\d{2}-\d{2}", line) for line in lines)


def test_publish_dialog_in_qgis_desktop(tmp_path, plugin_zip, scene):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = run_qgis(tmp_path, plugin_zip, scene)
    assert result["python_errors"] == [] and result["critical_messages"] == []
    assert result["action_found"] and result["dialog_found"]
    assert not result["dialog_modal"]  # the officer can look at the map meanwhile
    assert result["title"] == "Công bố bản đồ dịch tễ"
    assert "No Authentication" not in result["auth_choice"]  # QGIS's own text, in Vietnamese
    assert not result["publish_enabled_before_check"]

    # the preview: what changes, in sentences, and the one warning naming its feature
    # each change naming its features (the checkpoint leaves the map for want
    # of approval: said once, there)
    checkpoint = scene["unapproved_checkpoint"]
    assert result["changes"] == [
        f"1 điểm nguy cơ thay đổi: «{RENAMED}»",
        f"1 chốt kiểm soát chưa được duyệt nên sẽ bị ẩn: «{checkpoint}»"]
    warning = scene["warning"]
    title = MODEL.layer(warning.layer).title_vi
    finding, unapproved = result["findings"]
    assert unapproved.startswith(f"{MODEL.layer('checkpoints').title_vi} «{checkpoint}»: ")
    assert "KHÔNG" in unapproved
    assert finding.startswith(f"{title} «{warning.feature_name}»: ")
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", warning.params["value"])
    assert f"({warning.params['value']})" in finding  # «Hiển thị đến» (dd/mm/yyyy HH:MM)
    assert no_iso_dates(result["findings"] + result["changes"] + [result["status_preview"]])
    assert result["findings_hint_visible"]
    # double-click: the feature is selected and the map moved to it
    jump = result["jump"]
    assert (jump["finding_layer"], jump["feature_name"]) == (warning.layer, warning.feature_name)
    assert jump["selected"] == [jump["finding_fid"]]
    assert jump["extent_changed"] and jump["feature_in_view"] and jump["dialog_clear_of_feature"]

    # the warning must be confirmed before Publish can be clicked
    assert result["confirm_visible"] and result["confirm_text"].startswith("Tôi đã xem")
    assert not result["publish_enabled_unconfirmed"]
    assert result["publish_enabled_confirmed"]
    assert f"“Cập nhật {instant_text(result['data_updated_at'])}”" in result["status_preview"]

    # published: the release id and the map link, and the endpoint agrees
    published_id = result["history_ids"][0]  # the script rolled back afterwards
    published = manifest(scene["url"], f"releases/{published_id}.json")
    assert published["parent_id"] == scene["first"]
    assert published["release_id"] in result["result_text"]
    assert f'href="{scene["url"]}"' in result["result_text"]
    assert result["status_published"] == "Đã công bố."
    assert published["data_updated_at"] == result["data_updated_at"]
    assert not result["publish_enabled_after"]

    # history, newest first, in Vietnamese with dd/mm/yyyy dates; then the rollback
    assert result["history_ids"][:2] == [published["release_id"], scene["first"]]
    assert "công bố" in result["history"][0] and no_iso_dates(result["history"])
    # the button asks before it changes what every citizen sees
    assert scene["first"] in result["rollback_question"]
    assert result["rollback_question"].startswith("Đưa bản đồ công khai về dữ liệu của bản")
    assert result["rollback_buttons"] == ["Hủy", "Quay lại bản này"]
    rolled = manifest(scene["url"])
    assert rolled["kind"] == "rollback" and rolled["rolled_back_to"] == scene["first"]
    assert result["history_ids_after_rollback"][0] == rolled["release_id"]
    assert f"Đã quay lại bản {scene['first']}" in result["status_rollback"]

    assert result["unload_returned"] and result["left_after_unload"] == []

    for name in ("screen", "preview", "done", "history", "rollback"):
        path = Path(result["shots"][name])
        assert path.is_file() and path.parent == ARTIFACTS
    assert png_size(Path(result["shots"]["screen"])) == [1440, 900]
