"""The place tool driven by simulated clicks on a real QgsMapCanvas."""

from __future__ import annotations

import uuid

from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsPointXY
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtTest import QTest

from covidmaps_plugin.core.editing.session import EditingSession
from covidmaps_plugin.gui.tools.place_tool import PlaceFeatureTool


def _show_province(canvas, workspace):
    districts = workspace.reference_layer("districts")
    canvas.setDestinationCrs(QgsCoordinateReferenceSystem(workspace.profile.crs))
    canvas.setLayers([workspace.layer("risk_points"), districts])
    to_map = QgsCoordinateTransform(districts.crs(), canvas.mapSettings().destinationCrs(),
                                    workspace.project)
    canvas.setExtent(to_map.transformBoundingBox(districts.extent()))
    canvas.refresh()
    return to_map


def _click(canvas, map_point: QgsPointXY) -> None:
    pixel = canvas.getCoordinateTransform().transform(map_point)
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, QPoint(round(pixel.x()), round(pixel.y())))


def test_click_opens_a_prefilled_form_and_accepting_adds_the_feature(workspace, qgis_canvas):
    layer = workspace.layer("risk_points")
    districts = workspace.reference_layer("districts")
    to_map = _show_province(qgis_canvas, workspace)
    tool = PlaceFeatureTool(qgis_canvas, EditingSession.from_workspace(workspace),
                            "risk_points", modal_form=False)
    placed = []
    tool.featurePlaced.connect(placed.append)
    qgis_canvas.setMapTool(tool)
    targets = [f for f in districts.getFeatures()][:2]
    pixel_m = qgis_canvas.mapUnitsPerPixel()
    for target in targets:
        inside = target.geometry().pointOnSurface().asPoint()
        _click(qgis_canvas, to_map.transform(inside))
        form = tool.last_form
        assert form is not None and form.isVisible()
        assert form.feature()["district_code"] == target["code"]
        # the feature lies where the officer clicked (within a pixel), in the layer CRS
        placed_at = to_map.transform(form.feature().geometry().asPoint())
        assert placed_at.distance(to_map.transform(inside)) <= 1.5 * pixel_m
        editor = form.attributeForm()
        editor.changeAttribute("name", "Chợ trung tâm")
        editor.changeAttribute("place_type", "market")
        form.accept()
    assert len(placed) == 2
    added = list(layer.getFeatures())
    assert sorted(f["district_code"] for f in added) == sorted(t["code"] for t in targets)
    for feat in added:
        assert str(uuid.UUID(feat["uid"])) == feat["uid"]
        assert feat["status"] == "active" and feat["name"] == "Chợ trung tâm"
        assert layer.isEditable() and not feat.geometry().isNull()
    assert len({f["uid"] for f in added}) == 2
    qgis_canvas.unsetMapTool(tool)


def test_cancelling_the_form_adds_nothing(workspace, qgis_canvas):
    layer = workspace.layer("risk_points")
    to_map = _show_province(qgis_canvas, workspace)
    tool = PlaceFeatureTool(qgis_canvas, EditingSession.from_workspace(workspace),
                            "risk_points", modal_form=False)
    qgis_canvas.setMapTool(tool)
    _click(qgis_canvas, to_map.transform(QgsPointXY(105.83, 22.15)))
    tool.last_form.reject()
    assert layer.featureCount() == 0
    qgis_canvas.unsetMapTool(tool)
