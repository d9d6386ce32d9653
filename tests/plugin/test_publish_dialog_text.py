"""What the Publish dialog says, in the English interface (the desktop test
covers Vietnamese): findings named by layer and feature with dd/mm/yyyy
dates, the freshness line, history lines; a double-click on a finding
selects the feature and moves the map to it, as the validation dock does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from qgis.core import QgsProject

from covidmaps_plugin.core.i18n import current_language
from covidmaps_plugin.core.publishing.pipeline import Prepared, validate_source
from covidmaps_plugin.core.publishing.source import open_source
from covidmaps_plugin.core.workspace import create_workspace
from covidmaps_plugin.gui.publish_dialog import FINDING_ROLE, PublishDialog, history_line
from covidmaps_plugin.model import MODEL, PROVINCE_TZ

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def english():
    if current_language() != "en":
        pytest.skip("QGIS of this run is not in English")


@pytest.fixture
def workspace(qgis_app, tmp_path):
    project = QgsProject.instance()
    create_workspace(tmp_path / "ws.gpkg", with_sample=True, project=project)
    yield tmp_path / "ws.gpkg"
    project.clear()


def test_findings_name_their_feature_and_double_click_shows_it(english, workspace, qgis_canvas):
    now = dt.datetime.now(PROVINCE_TZ)
    validation = validate_source(open_source(workspace), now, "en")
    assert validation.warnings, "the sample has expired features"
    prepared = Prepared(validation, {}, {}, {
        "release_id": "000001-0a1b2c3d", "kind": "publish",
        "created_at": "2026-11-26T07:20:00+07:00"},
        data_updated_at="2026-11-25T07:30:00+07:00")
    dialog = PublishDialog(gpkg_path=str(workspace), canvas=qgis_canvas)
    try:
        dialog.show_preview(prepared)
        items = [dialog.findings.item(i) for i in range(dialog.findings.count())]
        assert [i.text() for i in items] == list(validation.errors + validation.warnings)
        first = items[0].data(FINDING_ROLE)
        title = MODEL.layer(first.layer).title_en
        assert items[0].text().startswith(f"{title} «{first.feature_label()}»: ")
        assert not any(ISO_DATE.search(i.text()) for i in items)
        assert dialog.status.text() == (
            "The public map shows release 000001-0a1b2c3d (published 26/11/2026 07:20). "
            "Once published, the map will say “Updated 25/11/2026 07:30”.")

        layer = next(lyr for lyr in QgsProject.instance().mapLayers().values()
                     if lyr.customProperty("covidmaps/layer") == first.layer)
        qgis_canvas.setLayers([layer])
        qgis_canvas.zoomToFullExtent()
        before = qgis_canvas.extent()
        dialog.findings.itemDoubleClicked.emit(items[0])
        assert layer.selectedFeatureIds() == [first.fid]
        assert qgis_canvas.extent() != before
    finally:
        dialog.deleteLater()


def test_history_lines_read_dd_mm_yyyy_and_say_what_happened(english):
    published = {"release_id": "000002-bb", "created_at": "2026-11-26T00:20:00Z",
                 "publisher": "officer-1", "kind": "publish", "message": "morning update"}
    rollback = {"release_id": "000003-cc", "created_at": "2026-11-26T07:25:00+07:00",
                "publisher": "admin", "kind": "rollback", "rolled_back_to": "000001-aa",
                "message": "Quay lại bản 000001-aa"}
    assert history_line(published) == (
        "000002-bb  ·  26/11/2026 07:20  ·  officer-1  ·  published  ·  morning update")
    assert history_line(rollback) == (
        "000003-cc  ·  26/11/2026 07:25  ·  admin  ·  rollback → 000001-aa")
