"""The Publish dialog against a real endpoint: preview (validation and the
change sentences), warnings need the checkbox, publish shows the release id
and a link to the map; the history tab lists releases and rolls back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt

from covidmaps_plugin.gui.publish_dialog import PublishDialog

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def wait_idle(dialog: PublishDialog, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while dialog.tasks and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.01)
    assert not dialog.tasks, "the dialog's task did not finish"


def texts(widget) -> list:
    return [widget.item(i).text() for i in range(widget.count())]


@pytest.fixture(autouse=True)
def _algorithms(provider):
    """The dialog runs the covidmaps algorithms, as in QGIS with the plugin."""


@pytest.fixture
def dialog(endpoint, workspace_copy, monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)  # no auth DB in this session
    dialog = PublishDialog(gpkg_path=str(workspace_copy))
    dialog.endpoint.setText(endpoint.url)
    dialog.show()
    yield dialog
    dialog.close()
    dialog.deleteLater()


def test_a_token_from_the_environment_is_named_without_first_time_help(dialog):
    """The token comes from COVIDMAPS_TOKEN (no auth configuration chosen):
    the dialog says so instead of the paste help and the master-password
    warning, which are about storing a token."""
    assert not dialog.authcfg.configId()
    assert dialog.auth_warning.isVisible() and "COVIDMAPS_TOKEN" in dialog.auth_warning.text()
    assert not dialog.token_help.isVisible()


def test_preview_confirm_publish_and_rollback(dialog, endpoint):
    first_release = endpoint.manifest()["release_id"]
    assert not dialog.publish_button.isEnabled()
    dialog.start_preview()
    wait_idle(dialog)
    assert dialog.prepared is not None, dialog.status.text()
    changes = texts(dialog.changes)
    assert any("điểm nguy cơ mới" in c for c in changes) or any(
        "new risk point" in c for c in changes)
    assert dialog.findings.count() > 0
    if dialog.prepared.validation.warnings:  # warnings need the officer's confirmation
        assert dialog.confirm.isVisible() and not dialog.publish_button.isEnabled()
        dialog.confirm.setChecked(True)
    assert dialog.publish_button.isEnabled()
    ARTIFACTS.mkdir(exist_ok=True)
    dialog.grab().save(str(ARTIFACTS / "publish_dialog_preview.png"))

    dialog.publish_button.click()
    wait_idle(dialog)
    release = endpoint.manifest()["release_id"]
    assert release != first_release
    assert release in dialog.result.text()
    assert f'href="{endpoint.url}"' in dialog.result.text()
    assert not dialog.publish_button.isEnabled()  # a new preview is needed for the next one
    dialog.grab().save(str(ARTIFACTS / "publish_dialog_done.png"))

    dialog.load_history()
    wait_idle(dialog)
    ids = [dialog.history.item(i).data(Qt.ItemDataRole.UserRole)
           for i in range(dialog.history.count())]
    assert ids[:2] == [release, first_release]
    dialog.history.setCurrentRow(1)
    dialog.start_rollback()
    wait_idle(dialog)
    manifest = endpoint.manifest()
    assert manifest["kind"] == "rollback" and manifest["rolled_back_to"] == first_release


def test_bad_endpoint_is_explained_before_anything_runs(dialog):
    dialog.endpoint.setText("covidmaps.example")
    dialog.start_preview()
    assert not dialog.tasks
    assert "http://" in dialog.status.text()


def test_unsaved_edits_are_refused_and_publishing_leaves_layers_alone(endpoint,
                                                                      workspace_copy):
    from qgis.core import QgsProject

    from covidmaps_plugin.core.publishing.pipeline import publish
    from covidmaps_plugin.core.workspace import open_workspace

    from .test_publish_e2e import file_state

    project = QgsProject.instance()
    workspace = open_workspace(workspace_copy, project=project)
    try:
        layer = workspace.layer("risk_points")
        assert layer.startEditing()
        first = next(layer.getFeatures())
        layer.changeAttributeValue(first.id(), layer.fields().indexOf("name"), "chưa lưu")
        dialog = PublishDialog()  # finds the workspace through the project's layers
        assert Path(dialog.gpkg_path) == workspace_copy.resolve()
        dialog.endpoint.setText(endpoint.url)
        dialog.start_preview()
        assert not dialog.tasks and layer.name() in dialog.status.text()
        dialog.deleteLater()

        layer.rollBack(False)  # still in edit mode, nothing pending
        before = file_state(workspace_copy), layer.featureCount()
        publish(endpoint.request(workspace_copy))
        assert layer.isEditable() and not layer.isModified()
        assert (file_state(workspace_copy), layer.featureCount()) == before
        layer.rollBack()
    finally:
        project.clear()


@pytest.fixture
def vietnamese_qgis(tmp_path, monkeypatch):
    """QGIS set to Vietnamese (as an officer's QGIS is) with the plugin's
    translations loaded, as the plugin loads them; restored afterwards."""
    import subprocess

    from qgis.core import QgsSettings

    from covidmaps_plugin import i18n

    settings = QgsSettings()
    keys = ("locale/overrideFlag", "locale/userLocale")
    saved = {k: settings.value(k) for k in keys}
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "vi")
    qm = tmp_path / "covidmaps_vi.qm"
    subprocess.run(["lrelease", "-silent", str(Path(i18n.__file__).with_name("covidmaps_vi.ts")),
                    "-qm", str(qm)], check=True)
    monkeypatch.setattr(i18n, "I18N_DIR", tmp_path)
    translator = i18n.install_translator("vi")
    yield
    i18n.remove_translator(translator)
    for key, value in saved.items():
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, value)


def test_the_dialog_speaks_vietnamese(vietnamese_qgis, endpoint, workspace_copy, monkeypatch):
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    dialog = PublishDialog(gpkg_path=str(workspace_copy))
    dialog.endpoint.setText(endpoint.url)
    dialog.show()
    try:
        assert dialog.publish_button.text() == "Công bố"
        dialog.start_preview()
        wait_idle(dialog)
        published = len(dialog.prepared.changes.layer("risk_points").added)  # an empty map
        assert any(t.startswith(f"{published} điểm nguy cơ mới: «")
                   for t in texts(dialog.changes))
        assert dialog.confirm.text().startswith("Tôi đã xem các cảnh báo")
        dialog.grab().save(str(ARTIFACTS / "publish_dialog_vi.png"))
    finally:
        dialog.close()
        dialog.deleteLater()


def test_someone_else_published_offers_a_refresh(dialog, endpoint, workspace_copy):
    from covidmaps_plugin.core.publishing.pipeline import publish

    dialog.start_preview()
    wait_idle(dialog)
    dialog.confirm.setChecked(True)
    other = publish(endpoint.request(workspace_copy))  # a colleague, meanwhile
    dialog.publish_button.click()
    wait_idle(dialog)
    assert endpoint.manifest()["release_id"] == other.release_id  # nothing overwritten
    assert other.release_id in dialog.status.text()
    assert dialog.check_button.text() in ("Làm mới và kiểm tra lại", "Refresh and check again")
    assert not dialog.publish_button.isEnabled()

    dialog.check_button.click()  # refresh: the preview now starts from the colleague's release
    wait_idle(dialog)
    assert dialog.prepared.base_release == other.release_id
    assert texts(dialog.changes)[-1] in ("Không có thay đổi nào trên bản đồ công khai.",
                                         "Nothing changes on the public map.")
    dialog.confirm.setChecked(True)
    dialog.publish_button.click()
    wait_idle(dialog)
    assert endpoint.manifest()["parent_id"] == other.release_id


def _not_approved_names(workspace_path: Path) -> set:
    """Names of the sample features only a missing approval keeps off the map."""
    from covidmaps_plugin.core.publishing.source import open_source
    from covidmaps_plugin.core.validation import FindingCode, validate_workspace

    report = validate_workspace(open_source(workspace_path))
    return {f.feature_name for f in report.findings
            if f.code is FindingCode.PUBLISH_NOT_APPROVED}


def test_the_preview_names_features_and_what_stays_unpublished(dialog, endpoint,
                                                               workspace_copy):
    expected = _not_approved_names(workspace_copy)
    assert expected, "the sample has unapproved features waiting for approval"
    dialog.start_preview()
    wait_idle(dialog)
    changes = texts(dialog.changes)
    added = next(t for t in changes if "điểm nguy cơ mới" in t or "new risk point" in t)
    assert "«" in added  # names, not only a count
    unpublished = [t for t in changes if t.startswith(("Sẽ KHÔNG công bố",
                                                       "Will NOT be published"))]
    assert unpublished and changes[0] == unpublished[0], changes  # first, not scrolled away
    assert all(f"«{name}»" in " ".join(unpublished) for name in expected)
    # the same features are findings of their own, before Publish is possible
    findings = " ".join(texts(dialog.findings))
    assert all(name in findings for name in expected)
    assert not dialog.publish_button.isEnabled()
    ARTIFACTS.mkdir(exist_ok=True)
    dialog.grab().save(str(ARTIFACTS / "publish_dialog_named_changes.png"))


def test_the_release_message_reaches_the_manifest_and_the_history(dialog, endpoint):
    assert dialog.message.text()  # a dated default the officer may keep
    dialog.message.setText("Cập nhật sáng 02/12: thêm 3 điểm nguy cơ")
    dialog.start_preview()
    wait_idle(dialog)
    dialog.confirm.setChecked(True)
    dialog.publish_button.click()
    wait_idle(dialog)
    assert endpoint.manifest()["message"] == "Cập nhật sáng 02/12: thêm 3 điểm nguy cơ"
    # the history loads by itself when its tab is shown, with each change summary
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    wait_idle(dialog)
    assert dialog.history.count() >= 2
    top = dialog.history.item(0).text()
    assert "Cập nhật sáng 02/12" in top
    assert "điểm nguy cơ: " in top or "risk points: " in top
    dialog.grab().save(str(ARTIFACTS / "publish_dialog_history.png"))


@pytest.fixture
def unsaved_name_edit(endpoint, workspace_copy, monkeypatch):
    """The workspace open in the project, a risk point renamed and not saved."""
    from qgis.core import QgsProject

    from covidmaps_plugin.core.workspace import open_workspace

    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    project = QgsProject.instance()
    workspace = open_workspace(workspace_copy, project=project)
    try:
        layer = workspace.layer("risk_points")
        assert layer.startEditing()
        first = next(layer.getFeatures())
        layer.changeAttributeValue(first.id(), layer.fields().indexOf("name"), "Chợ đã sửa")
        yield layer
        layer.rollBack()
    finally:
        project.clear()


def test_save_edits_and_check(endpoint, workspace_copy, unsaved_name_edit):
    from qgis.core import QgsVectorLayer

    layer = unsaved_name_edit
    dialog = PublishDialog()
    dialog.endpoint.setText(endpoint.url)
    dialog.restart()
    assert dialog.save_check_button.isVisibleTo(dialog)
    assert layer.name() in dialog.status.text()
    dialog.save_check_button.click()
    assert not layer.isModified() and layer.isEditable()  # saved, still editable
    wait_idle(dialog)
    assert dialog.prepared is not None, dialog.status.text()
    assert not dialog.save_check_button.isVisibleTo(dialog)
    on_disk = QgsVectorLayer(f"{workspace_copy}|layername=risk_points", "disk", "ogr")
    assert "Chợ đã sửa" in [f["name"] for f in on_disk.getFeatures()]
    dialog.deleteLater()


def test_opened_to_publish_it_checks_by_itself(endpoint, workspace_copy, monkeypatch):
    """Saved edits, yesterday's endpoint and token: the check starts as the
    dialog opens; the first time (no endpoint yet) it waits for the officer."""
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    first_time = PublishDialog(gpkg_path=str(workspace_copy))
    first_time.endpoint.setText("")
    assert first_time.check_on_open() is False and not first_time.tasks
    first_time.deleteLater()
    monkeypatch.delenv("COVIDMAPS_TOKEN")
    no_token = PublishDialog(gpkg_path=str(workspace_copy))
    no_token.endpoint.setText(endpoint.url)
    if not no_token.authcfg.configId():
        assert no_token.check_on_open() is False and not no_token.tasks
    no_token.deleteLater()
    monkeypatch.setenv("COVIDMAPS_TOKEN", endpoint.token)
    dialog = PublishDialog(gpkg_path=str(workspace_copy))
    dialog.endpoint.setText(endpoint.url)
    dialog.show()
    assert dialog.check_on_open() is True
    wait_idle(dialog)
    assert dialog.prepared is not None, dialog.status.text()
    assert dialog.findings.count() > 0 and dialog.changes.count() > 0
    dialog.close()
    dialog.deleteLater()


def test_opened_with_unsaved_edits_it_saves_and_checks(endpoint, workspace_copy,
                                                      unsaved_name_edit):
    """Opening Publish is asking to publish: the edits are saved (the status
    names the layer) and checked; the layers stay editable."""
    from qgis.core import QgsVectorLayer

    layer = unsaved_name_edit
    dialog = PublishDialog()
    dialog.endpoint.setText(endpoint.url)
    dialog.show()
    dialog.restart()
    assert dialog.check_on_open() is True
    assert not layer.isModified() and layer.isEditable()
    assert layer.name() in dialog.status.text()
    wait_idle(dialog)
    assert dialog.prepared is not None, dialog.status.text()
    on_disk = QgsVectorLayer(f"{workspace_copy}|layername=risk_points", "disk", "ogr")
    assert "Chợ đã sửa" in [f["name"] for f in on_disk.getFeatures()]
    dialog.close()
    dialog.deleteLater()


def test_the_first_time_nothing_is_saved_unasked(endpoint, unsaved_name_edit):
    """No endpoint yet: the officer fills it in; «Save edits and check» is
    the default button and the edits stay unsaved until then."""
    layer = unsaved_name_edit
    dialog = PublishDialog()
    dialog.endpoint.setText("")
    dialog.show()
    dialog.restart()
    assert dialog.check_on_open() is False and not dialog.tasks
    assert dialog.save_check_button.isDefault()
    assert layer.isModified()
    dialog.close()
    dialog.deleteLater()


@pytest.fixture
def stricter_endpoint(tmp_path_factory):
    """An endpoint whose province profile lists its communes: a commune code
    the officer's profile (no communes listed) accepts as well-formed is not
    one of them, so the endpoint refuses what the officer's check passed."""
    import dataclasses
    import json

    from covidmaps_publish.config import Config
    from covidmaps_publish.server import ServerThread
    from covidmaps_publish.tokens import TokenStore

    from covidmaps_plugin.model import default_profile
    from covidmaps_plugin.model.profile import AdminUnit

    from .conftest import Endpoint

    strict = dataclasses.replace(default_profile(), communes=(
        AdminUnit("01915", "Phường Phùng Chí Kiên", "058"),))
    data_dir = tmp_path_factory.mktemp("strict-endpoint")
    profile_path = data_dir.parent / "strict_profile.json"
    profile_path.write_text(json.dumps(strict.to_dict(), ensure_ascii=False), encoding="utf-8")
    config = Config(data_dir=data_dir, fsync=False, profile_id=str(profile_path))
    token = TokenStore(config.state_dir).create("officer-1")
    server = ServerThread(config).start()
    yield Endpoint(server.url + "/", token, data_dir, server)
    server.stop()


def _published_risk_point(workspace_path: Path, commune_code: str):
    """A risk point the public map shows, given ``commune_code`` in the file."""
    import datetime as dt

    from qgis.core import QgsVectorLayer

    from covidmaps_plugin.model import MODEL, is_published

    layer = QgsVectorLayer(f"{workspace_path}|layername=risk_points", "risk_points", "ogr")
    now = dt.datetime.now(dt.timezone.utc)
    names = layer.fields().names()
    feature = next(f for f in layer.getFeatures() if is_published(
        MODEL.layer("risk_points"), dict(zip(names, f.attributes())), now))
    assert layer.dataProvider().changeAttributeValues(
        {feature.id(): {layer.fields().indexOf("commune_code"): commune_code}})
    return feature.id(), feature["uid"], feature["name"]


def test_a_refusal_of_the_endpoint_lists_the_feature_like_the_dock(
        stricter_endpoint, workspace_copy, monkeypatch):
    """The officer's check passes (a well-formed commune code, the officer's
    profile lists no communes); the stricter endpoint refuses it with 422.
    The dialog lists the refusal as a finding with the validator's code and
    Vietnamese/English message, naming the feature, and a double-click on
    it selects the feature on the map."""
    from qgis.core import QgsProject
    from qgis.gui import QgsMapCanvas

    from covidmaps_plugin.core.validation import FindingCode
    from covidmaps_plugin.core.workspace import open_workspace
    from covidmaps_plugin.gui.findings_view import FINDING_ROLE

    fid, uid, name = _published_risk_point(workspace_copy, "01999")
    monkeypatch.setenv("COVIDMAPS_TOKEN", stricter_endpoint.token)
    project = QgsProject.instance()
    workspace = open_workspace(workspace_copy, project=project)
    canvas = QgsMapCanvas()
    canvas.setDestinationCrs(workspace.layer("risk_points").crs())
    dialog = PublishDialog(gpkg_path=str(workspace_copy), canvas=canvas)
    try:
        dialog.endpoint.setText(stricter_endpoint.url)
        dialog.show()
        dialog.start_preview()
        wait_idle(dialog)
        assert dialog.prepared is not None and not dialog.prepared.validation.errors, \
            texts(dialog.findings)
        assert not any("01999" in t for t in texts(dialog.findings))  # the check passed it
        dialog.confirm.setChecked(True)
        dialog.publish_button.click()
        wait_idle(dialog)
        assert stricter_endpoint.manifest().get("kind") == "init"  # nothing published
        rows = [dialog.findings.item(i) for i in range(dialog.findings.count())]
        refused = [(row, row.data(FINDING_ROLE)) for row in rows
                   if row.data(FINDING_ROLE) is not None
                   and row.data(FINDING_ROLE).code is FindingCode.ATTR_NOT_IN_PROFILE]
        assert len(refused) == 1, texts(dialog.findings)
        row, finding = refused[0]
        assert (finding.layer, finding.uid, finding.fid, finding.field) == (
            "risk_points", uid, fid, "commune_code")
        assert f"«{name}»" in row.text() and "01999" in row.text()
        assert finding.message_vi.startswith(
            "«Xã/phường/thị trấn» có mã «01999» không có trong hồ sơ")
        assert "not in the province profile" in finding.message_en
        assert dialog.findings_hint.isVisible()
        assert "did not change" in dialog.status.text() or "không thay đổi" in dialog.status.text()
        dialog._finding_double_clicked(row)  # as a double-click does
        assert workspace.layer("risk_points").selectedFeatureIds() == [fid]
        ARTIFACTS.mkdir(exist_ok=True)
        dialog.grab().save(str(ARTIFACTS / "publish_dialog_refused_by_endpoint.png"))
    finally:
        dialog.close()
        dialog.deleteLater()
        project.clear()
