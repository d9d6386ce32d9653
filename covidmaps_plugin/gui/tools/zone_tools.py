"""Three ways to make an isolation zone.

* Draw it: QGIS's own polygon digitizing on the zone layer, with snapping to
  the province's administrative boundaries.
* From administrative units: tick districts/communes; the zone is their union.
* Around a point: a circle of a radius in metres around a clicked place or a
  selected point feature.

Each way ends in the zone's attribute form, pre-filled (district, geometry
source, new uid and the model's defaults).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDefaultValue,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.gui import (
    QgsAttributeDialog,
    QgsMapCanvas,
    QgsMapMouseEvent,
    QgsMapTool,
    QgsMapToolEmitPoint,
)
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtWidgets import QWidget

from ...core.editing import zone_around_point, zone_from_admin_units
from ...core.editing.admin_lookup import AdminLocation
from ...core.editing.session import EditingSession
from ...core.expressions import quote_text
from ...model import MODEL
from .dialogs import AdminUnitsDialog, RadiusDialog, ToolDialog
from .feature_form import open_new_feature_form, prefilled_feature, start_editing

ZONES = MODEL.layer("isolation_zones")


# ------------------------------------------------------------------- drawing

def district_default_expression(districts: QgsVectorLayer) -> str:
    """A default value: the code of the district under the new geometry's
    interior point (both layers are stored in the same CRS)."""
    return (
        f"aggregate(layer:={quote_text(districts.id())}, aggregate:='max', "
        "expression:=\"code\", "
        "filter:=contains($geometry, point_on_surface(geometry(@parent))))"
    )


def set_drawing_defaults(session: EditingSession) -> None:
    """Defaults for zones drawn with QGIS's own tool: geometry source
    ``digitized`` and the district under the zone. Fields that already have
    a default keep it."""
    layer = session.layers["isolation_zones"]
    defaults = {"geometry_source": quote_text("digitized")}
    districts = session.references.get("districts")
    if districts is not None and districts.crs() == layer.crs():
        defaults["district_code"] = district_default_expression(districts)
    for name, expression in defaults.items():
        index = layer.fields().indexOf(name)
        if index >= 0 and not layer.defaultValueDefinition(index).isValid():
            layer.setDefaultValueDefinition(index, QgsDefaultValue(expression))


def start_zone_drawing(iface: Any, session: EditingSession) -> QgsVectorLayer:
    """Make the zone layer active and editable, snap to the admin boundaries
    and switch on QGIS's add-polygon tool."""
    layer = session.layers["isolation_zones"]
    start_editing(layer)
    set_drawing_defaults(session)
    session.project.setSnappingConfig(session.snapping_config())
    iface.setActiveLayer(layer)
    iface.actionAddFeature().trigger()
    return layer


# ------------------------------------------------------- zone form helpers

def _zone_form(
    session: EditingSession,
    geometry: QgsGeometry,
    location: Optional[AdminLocation],
    extra: Dict[str, Any],
    parent: Optional[QWidget],
    modal: bool,
) -> QgsAttributeDialog:
    layer = session.layers["isolation_zones"]
    feature = prefilled_feature(layer, ZONES, geometry, location, extra)
    return open_new_feature_form(layer, feature, parent, modal=modal, layer_def=ZONES)


def zone_location(session: EditingSession, geometry: QgsGeometry) -> AdminLocation:
    """District (and commune) of a zone: where its interior point lies."""
    layer = session.layers["isolation_zones"]
    return session.lookup().locate(geometry.pointOnSurface().asPoint(), layer.crs())


def units_dialog(
    session: EditingSession, parent: Optional[QWidget] = None, *, modal: bool = True
) -> AdminUnitsDialog:
    """The dialog that makes a zone from ticked districts (or communes when
    the workspace has commune polygons)."""
    level = "communes" if session.admin_units("communes") is not None else "districts"
    units = session.admin_units(level)
    layer = session.layers["isolation_zones"]

    def apply(dialog: ToolDialog) -> None:
        codes = dialog.checked_codes()  # type: ignore[attr-defined]
        geometry = zone_from_admin_units(units, codes, layer.crs(), session.project)
        extra = {"geometry_source": "admin_boundary",
                 "scale": "commune" if level == "communes" else "district"}
        dialog.created = _zone_form(session, geometry, zone_location(session, geometry),
                                    extra, parent, modal)

    return AdminUnitsDialog([(code, name) for code, name, _ in units.units()], apply, parent)


# --------------------------------------------------------- around a point

def radius_dialog(
    session: EditingSession,
    centre: QgsPointXY,
    centre_crs: QgsCoordinateReferenceSystem,
    parent: Optional[QWidget] = None,
    *,
    modal: bool = True,
) -> RadiusDialog:
    """The dialog that makes a circular zone around ``centre``."""
    layer = session.layers["isolation_zones"]

    def apply(dialog: ToolDialog) -> None:
        radius = dialog.radius.value()  # type: ignore[attr-defined]
        geometry = zone_around_point(centre, centre_crs, radius, session.metric_crs,
                                     layer.crs(), session.project)
        location = session.lookup().locate(centre, centre_crs)
        dialog.created = _zone_form(session, geometry, location,
                                    {"geometry_source": "buffer"}, parent, modal)

    return RadiusDialog(apply, parent)


def selected_point(layer: Any) -> Optional[QgsPointXY]:
    """The one selected point of a point layer, if that is what is selected."""
    if not isinstance(layer, QgsVectorLayer) or layer.selectedFeatureCount() != 1:
        return None
    if QgsWkbTypes.geometryType(layer.wkbType()) != QgsWkbTypes.GeometryType.PointGeometry:
        return None
    feature = layer.selectedFeatures()[0]
    return feature.geometry().asPoint() if feature.hasGeometry() else None


class PickPointTool(QgsMapToolEmitPoint):
    """Map tool that reports one left click (map CRS) and then lets go."""

    picked = pyqtSignal(QgsPointXY)

    def __init__(self, canvas: QgsMapCanvas) -> None:
        super().__init__(canvas)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.canvas().unsetMapTool(self)
            self.picked.emit(event.mapPoint())


def feature_at(layer: QgsVectorLayer, point: QgsPointXY, tolerance: float) -> Optional[int]:
    """The feature of ``layer`` under ``point`` (layer CRS): a polygon that
    contains it, else the nearest feature within ``tolerance`` (layer units)."""
    rect = QgsRectangle(point.x() - tolerance, point.y() - tolerance,
                        point.x() + tolerance, point.y() + tolerance)
    request = QgsFeatureRequest().setFilterRect(rect).setNoAttributes()
    spot = QgsGeometry.fromPointXY(point)
    best: Optional[int] = None
    best_distance = tolerance
    for feature in layer.getFeatures(request):
        geometry = feature.geometry()
        if geometry.isEmpty():
            continue
        distance = 0.0 if geometry.contains(spot) else geometry.distance(spot)
        if distance <= best_distance:
            best, best_distance = feature.id(), distance
    return best


class PickFeatureTool(QgsMapToolEmitPoint):
    """Map tool that reports the feature of one layer the officer clicks,
    whatever layer is active, then lets go."""

    picked = pyqtSignal(int)
    missed = pyqtSignal()

    def __init__(self, canvas: QgsMapCanvas, layer: QgsVectorLayer) -> None:
        super().__init__(canvas)
        self.layer = layer
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() != Qt.MouseButton.LeftButton:
            return
        canvas = self.canvas()
        to_layer = QgsCoordinateTransform(canvas.mapSettings().destinationCrs(),
                                          self.layer.crs(), QgsProject.instance())
        radius = QgsMapTool.searchRadiusMU(canvas)
        centre = event.mapPoint()
        box = to_layer.transformBoundingBox(QgsRectangle(
            centre.x() - radius, centre.y() - radius, centre.x() + radius, centre.y() + radius))
        fid = feature_at(self.layer, to_layer.transform(centre), max(box.width(), box.height()) / 2)
        if fid is None:
            self.missed.emit()
            return
        self.picked.emit(fid)


__all__ = [
    "PickFeatureTool", "PickPointTool", "feature_at", "radius_dialog", "selected_point",
    "set_drawing_defaults", "start_zone_drawing", "units_dialog", "zone_location",
]
