"""The zone tools: from admin units, around a point, and QGIS's own drawing
prepared with defaults and snapping."""

from __future__ import annotations

import math

import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsSnappingConfig,
    QgsVectorLayerUtils,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import Qt

from covidmaps_plugin.core.editing.session import EditingSession
from covidmaps_plugin.gui.tools import zone_tools

from .editing_helpers import NOW


def _area_m2(workspace, geometry, crs):
    copy = QgsGeometry(geometry)
    copy.transform(QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem(
        workspace.profile.crs), workspace.project))
    return copy.area()


def _fill_and_accept(form):
    editor = form.attributeForm()
    editor.changeAttribute("name", "Vùng thử nghiệm")
    editor.changeAttribute("measure", "area_isolation")
    editor.changeAttribute("effective_from", NOW.isoformat())
    form.accept()


def test_zone_from_two_ticked_districts(workspace):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("isolation_zones")
    districts = workspace.reference_layer("districts")
    dialog = zone_tools.units_dialog(session, modal=False)
    dialog.accept()  # nothing ticked: refused inside the dialog
    assert not dialog.problem.isHidden() and dialog.created is None
    codes = ["058", "063"]
    dialog.set_checked(codes)
    dialog.accept()
    form = dialog.created
    assert form is not None
    feature = form.feature()
    assert feature["geometry_source"] == "admin_boundary" and feature["scale"] == "district"
    assert feature["district_code"] in codes
    expected = sum(_area_m2(workspace, f.geometry(), districts.crs())
                   for f in districts.getFeatures() if f["code"] in codes)
    assert _area_m2(workspace, feature.geometry(), layer.crs()) == pytest.approx(expected,
                                                                                  rel=1e-3)
    _fill_and_accept(form)
    (added,) = list(layer.getFeatures())
    assert QgsWkbTypes.flatType(added.geometry().wkbType()) == QgsWkbTypes.MultiPolygon
    assert added["geometry_source"] == "admin_boundary"


def test_zone_around_a_point_given_in_the_map_crs(workspace):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("isolation_zones")
    metric = QgsCoordinateReferenceSystem(workspace.profile.crs)
    centre = QgsCoordinateTransform(layer.crs(), metric, workspace.project).transform(
        QgsPointXY(105.834, 22.147))
    dialog = zone_tools.radius_dialog(session, centre, metric, modal=False)
    dialog.radius.setValue(0)
    dialog.accept()
    assert not dialog.problem.isHidden() and dialog.created is None
    dialog.radius.setValue(500)
    dialog.accept()
    feature = dialog.created.feature()
    assert feature["geometry_source"] == "buffer" and feature["district_code"] == "058"
    assert _area_m2(workspace, feature.geometry(), layer.crs()) == pytest.approx(
        math.pi * 500**2, rel=0.01)
    _fill_and_accept(dialog.created)
    assert layer.featureCount() == 1


def test_selected_point_is_a_centre_only_when_one_point_is_selected(workspace):
    from .editing_helpers import add_feature, point

    risk = workspace.layer("risk_points")
    a = add_feature(risk, point(105.8, 22.1), name="A", place_type="market")
    add_feature(risk, point(105.9, 22.2), name="B", place_type="market")
    assert zone_tools.selected_point(risk) is None
    risk.selectByIds([a])
    assert zone_tools.selected_point(risk) == QgsPointXY(105.8, 22.1)
    assert zone_tools.selected_point(workspace.layer("isolation_zones")) is None


def test_drawing_defaults_give_the_district_and_source(workspace):
    session = EditingSession.from_workspace(workspace)
    layer = workspace.layer("isolation_zones")
    zone_tools.set_drawing_defaults(session)
    districts = workspace.reference_layer("districts")
    for target in list(districts.getFeatures())[:3]:
        inner = target.geometry().pointOnSurface().buffer(0.005, 4)
        feature = QgsVectorLayerUtils.createFeature(layer, inner, {},
                                                    layer.createExpressionContext())
        assert feature["district_code"] == target["code"]
        assert feature["geometry_source"] == "digitized"


def test_snapping_follows_the_admin_boundaries(workspace):
    session = EditingSession.from_workspace(workspace)
    config = session.snapping_config()
    assert config.enabled()
    assert config.mode() == QgsSnappingConfig.SnappingMode.AdvancedConfiguration
    districts = workspace.reference_layer("districts")
    settings = config.individualLayerSettings(districts)
    assert settings.enabled() and settings.tolerance() > 0
    assert settings.typeFlag() & QgsSnappingConfig.SnappingTypes.SegmentFlag
    assert config.individualLayerSettings(workspace.layer("isolation_zones")).enabled()
    assert not config.individualLayerSettings(workspace.layer("risk_points")).enabled()


def test_pick_point_tool_reports_one_click_and_lets_go(workspace, qgis_canvas):
    from qgis.PyQt.QtCore import QPoint
    from qgis.PyQt.QtTest import QTest

    tool = zone_tools.PickPointTool(qgis_canvas)
    qgis_canvas.setMapTool(tool)
    picked = []
    tool.picked.connect(picked.append)
    QTest.mouseClick(qgis_canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(50, 60))
    expected = qgis_canvas.getCoordinateTransform().toMapCoordinates(50, 60)
    assert len(picked) == 1 and picked[0].distance(expected) < 1e-6 * max(
        1.0, abs(expected.x()))
    assert qgis_canvas.mapTool() is not tool
