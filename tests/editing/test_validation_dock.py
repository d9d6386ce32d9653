"""The validation dock on real layers: findings grouped by severity,
click-to-zoom and select, re-check after edits, the QgsTask path."""

from __future__ import annotations

import pytest
from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform
from qgis.PyQt.QtCore import QEvent, Qt
from qgis.PyQt.QtTest import QTest

from covidmaps_plugin.core.editing.session import EditingSession
from covidmaps_plugin.core.validation import Severity
from covidmaps_plugin.gui.validation_dock import FINDING_ROLE, ValidationDock

from .editing_helpers import NOW, add_feature, model_name, point


def _imperfect_features(workspace):
    risk = workspace.layer("risk_points")
    bad_point = add_feature(risk, point(105.84, 22.15), place_type="market",  # no name
                            exposure_start=NOW, exposure_end=NOW, visible_until=NOW)
    facilities = workspace.layer("quarantine_facilities")
    too_full = add_feature(facilities, point(106.05, 22.45), name="Trường bắn Nà Rì",
                           facility_type="military", capacity=50, occupancy=80)
    return (risk, bad_point), (facilities, too_full)


def _show_province(workspace, canvas):
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem(workspace.profile.crs))
    districts = workspace.reference_layer("districts")
    to_map = QgsCoordinateTransform(districts.crs(), canvas.mapSettings().destinationCrs(),
                                    workspace.project)
    canvas.setExtent(to_map.transformBoundingBox(districts.extent()))


@pytest.fixture()
def make_dock(workspace, qgis_canvas, provider):  # the dock runs covidmaps:validate
    docks = []

    def make(**kwargs):
        _show_province(workspace, qgis_canvas)
        session = EditingSession.from_workspace(workspace)
        dock = ValidationDock(qgis_canvas, lambda: session, **kwargs)
        dock.show()
        docks.append(dock)
        return dock

    yield make
    for dock in docks:  # before the workspace's layers go away
        if dock.task is not None:
            dock.task.cancel()
            dock.task.waitForFinished(30_000)
        for form in list(dock.forms):
            form.reject()
        dock.unwatch()
        dock.close()
        dock.deleteLater()
    QgsApplication.processEvents()


def _finding_items(dock):
    items = []
    for i in range(dock.tree.topLevelItemCount()):
        group = dock.tree.topLevelItem(i)
        items.extend(group.child(j) for j in range(group.childCount()))
    return items


def test_findings_are_grouped_by_severity_with_counts(workspace, qgis_canvas, make_dock):
    _imperfect_features(workspace)
    dock = make_dock()
    dock.check()
    report = dock.report
    assert report is not None and report.blocking, dock.summary.text()
    groups = [dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())]
    for group, severity in zip(groups, [s for s in Severity if report.counts[s]]):
        assert group.text(0).endswith(f"({report.counts[severity]})")
        assert group.childCount() == report.counts[severity]
    assert len(_finding_items(dock)) == len(report.findings)
    assert "lỗi" in dock.summary.text() or "errors" in dock.summary.text()


def test_clicking_a_finding_zooms_to_the_feature_and_selects_it(
    workspace, qgis_canvas, make_dock
):
    (risk, bad_point), (facilities, too_full) = _imperfect_features(workspace)
    dock = make_dock()
    dock.check()
    for layer, fid in ((facilities, too_full), (risk, bad_point)):
        item = next(i for i in _finding_items(dock)
                    if i.data(0, FINDING_ROLE).fid == fid
                    and i.data(0, FINDING_ROLE).layer == model_name(layer))
        _show_province(workspace, qgis_canvas)
        before = qgis_canvas.extent()
        dock.tree.scrollToItem(item)
        rect = dock.tree.visualItemRect(item)
        QTest.mouseClick(dock.tree.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, rect.center())
        assert layer.selectedFeatureIds() == [fid]
        where = QgsCoordinateTransform(layer.crs(), qgis_canvas.mapSettings().destinationCrs(),
                                       workspace.project).transform(
            layer.getFeature(fid).geometry().asPoint())
        assert qgis_canvas.extent() != before
        assert qgis_canvas.extent().contains(where)
        assert qgis_canvas.extent().width() < before.width() / 5  # zoomed in, not just panned
        assert dock.form_button.isEnabled()
        QTest.mouseDClick(dock.tree.viewport(), Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier, rect.center())
        (form,) = dock.forms  # the feature's form, editable so it can be fixed
        assert form.isVisible() and layer.isEditable()
        assert form.feature().id() == fid
        form.reject()
        QgsApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_an_edit_triggers_a_debounced_recheck(workspace, qgis_canvas, make_dock):
    (_, _), (facilities, too_full) = _imperfect_features(workspace)
    dock = make_dock()
    dock.check()
    errors_before = dock.report.counts[Severity.ERROR]
    shown = []
    dock.reportShown.connect(shown.append)
    facilities.startEditing()
    facilities.changeAttributeValue(too_full, facilities.fields().indexOf("occupancy"), 10)
    facilities.changeAttributeValue(too_full, facilities.fields().indexOf("occupancy"), 20)
    assert dock._timer.isActive() and not shown  # waits for edits to pause
    dock._timer.timeout.emit()  # the debounce interval elapsing
    assert len(shown) == 1
    assert dock.report.counts[Severity.ERROR] == errors_before - 1


def test_large_layers_are_checked_in_a_qgs_task(workspace, qgis_canvas, make_dock):
    _imperfect_features(workspace)
    dock = make_dock(task_threshold=0)
    shown = []
    dock.reportShown.connect(shown.append)
    dock.check()
    assert dock.task is not None and not shown
    dock.task.waitForFinished(30_000)
    for _ in range(200):
        QgsApplication.processEvents()
        if shown:
            break
        QTest.qWait(20)
    assert shown and shown[0].blocking and dock.task is None


def test_the_tooltip_explains_the_code(workspace, qgis_canvas, make_dock):
    _imperfect_features(workspace)
    dock = make_dock()
    dock.check()
    item = _finding_items(dock)[0]
    finding = item.data(0, FINDING_ROLE)
    tip = item.toolTip(0)
    assert tip.startswith(finding.message("vi")) or tip.startswith(finding.message("en"))
    assert f"[{finding.code.value}]" not in tip  # no bare code
    assert finding.code.value in tip and ("Reference code" in tip or "Mã tham chiếu" in tip)


def test_a_window_steps_off_the_feature_it_would_hide(qgis_app):
    from qgis.PyQt.QtWidgets import QWidget

    from covidmaps_plugin.gui.findings_view import keep_clear_of

    window = QWidget()
    window.resize(300, 200)
    window.move(400, 300)
    window.show()
    QgsApplication.processEvents()
    feature_at = window.frameGeometry().center()
    keep_clear_of(window, feature_at)
    QgsApplication.processEvents()
    assert not window.frameGeometry().adjusted(-40, -40, 40, 40).contains(feature_at)
    window.close()


def test_long_findings_are_never_cut_off_in_a_narrow_dock(workspace, qgis_canvas, make_dock):
    """Each row is as tall as its whole message laid out in the width the
    style really paints it (no "…" on the last line)."""
    from qgis.PyQt.QtWidgets import QStyle

    from covidmaps_plugin.gui.validation_dock import wrapped_height

    _imperfect_features(workspace)
    dock = make_dock()
    dock.resize(380, 700)
    dock.check()
    QgsApplication.processEvents()
    tree = dock.tree
    checked = 0
    for item in _finding_items(dock):
        rect = tree.visualRect(tree.indexFromItem(item, 0))
        # the text rect a QCommonStyle view paints into: the cell minus its margins
        margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
        painted = rect.adjusted(margin, 0, -margin, 0)
        needed = wrapped_height(item.text(0), tree.font(), painted.width())
        assert rect.height() >= needed, (item.text(0), rect.height(), needed)
        checked += 1
    assert checked
