"""The tools find the open workspace in the project; the toolbar handlers
switch the canvas to the right map tool."""

from __future__ import annotations

import pytest
from qgis.core import QgsProject

from covidmaps_plugin.core.editing import EditRefusedError
from covidmaps_plugin.core.editing.session import EditingSession
from covidmaps_plugin.gui.context import PluginContext
from covidmaps_plugin.gui.tools import handlers
from covidmaps_plugin.gui.tools.place_tool import PlaceFeatureTool
from covidmaps_plugin.gui.tools.zone_tools import PickPointTool
from covidmaps_plugin.model import MODEL


def test_session_from_the_project_finds_layers_references_and_stored_profile(workspace):
    session = EditingSession.from_project(workspace.project)
    assert set(session.layers) == set(MODEL.layer_names)
    for name in MODEL.layer_names:
        assert session.layers[name].id() == workspace.layer(name).id()
        assert session.layer_def_of(workspace.layer(name)).name == name
    assert session.references["districts"].id() == workspace.reference_layer("districts").id()
    assert session.profile == workspace.profile and session.metric_crs.authid() == "EPSG:9213"
    assert session.layer_def_of(workspace.reference_layer("districts")) is None


def test_no_workspace_is_refused_with_a_message(qgis_app):
    with pytest.raises(EditRefusedError) as refused:
        EditingSession.from_project(QgsProject())
    assert "vùng làm việc" in refused.value.message_vi


def test_place_handlers_arm_the_place_tool_on_the_right_layer(workspace, qgis_iface):
    ctx = PluginContext(qgis_iface)
    canvas = qgis_iface.mapCanvas()
    for factory, layer_name in ((handlers.place_risk_point_handler, "risk_points"),
                                (handlers.place_facility_handler, "quarantine_facilities"),
                                (handlers.place_checkpoint_handler, "checkpoints")):
        factory(ctx)(False)
        tool = canvas.mapTool()
        assert isinstance(tool, PlaceFeatureTool) and tool.layer_def.name == layer_name
        assert qgis_iface.activeLayer().id() == workspace.layer(layer_name).id()
    handlers.zone_around_point_handler(ctx)(False)  # nothing selected: click the centre
    assert isinstance(canvas.mapTool(), PickPointTool)
    ctx.unload()
    assert canvas.mapTool() is None or not isinstance(canvas.mapTool(), PlaceFeatureTool)
