"""Place a risk point, quarantine facility or checkpoint with one click.

The click's location gives the district (and the commune, when the
workspace has commune polygons); the attribute form opens with those, a new
uid and the model's dates already filled in. The officer types the rest.
"""

from __future__ import annotations

from typing import Optional

from qgis.core import Qgis, QgsFeature, QgsGeometry, QgsPointXY
from qgis.gui import QgsAttributeDialog, QgsMapCanvas, QgsMapMouseEvent, QgsMapToolEmitPoint
from qgis.PyQt.QtCore import Qt, pyqtSignal

from ...core.editing import EditRefusedError
from ...core.editing.admin_lookup import AdminLocation
from ...core.editing.session import EditingSession
from ...i18n import error_text, tr
from ...model import MODEL
from .feature_form import open_new_feature_form, prefilled_feature


class PlaceFeatureTool(QgsMapToolEmitPoint):
    """Map tool: each left click opens the form of a new feature there."""

    # the feature after its form was accepted (it is in the edit buffer)
    featurePlaced = pyqtSignal(QgsFeature)  # noqa: N815 - Qt signal naming
    # text for the message bar, and its Qgis.MessageLevel
    message = pyqtSignal(str, int)

    def __init__(
        self,
        canvas: QgsMapCanvas,
        session: EditingSession,
        layer_name: str,
        *,
        modal_form: bool = True,
    ) -> None:
        super().__init__(canvas)
        self.session = session
        self.layer_def = MODEL.layer(layer_name)
        self.layer = session.layers[layer_name]
        self.modal_form = modal_form
        self.last_form: Optional[QgsAttributeDialog] = None
        self.setCursor(Qt.CursorShape.CrossCursor)

    def canvasReleaseEvent(self, event: QgsMapMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() != Qt.MouseButton.LeftButton:
            return
        # mapPoint() is already snapped when snapping is on
        self.place(self.toLayerCoordinates(self.layer, event.mapPoint()))

    def locate(self, point: QgsPointXY) -> Optional[AdminLocation]:
        try:
            location = self.session.lookup().locate(point, self.layer.crs())
        except EditRefusedError as exc:  # no boundaries: the officer picks the district
            self.message.emit(error_text(exc), int(Qgis.MessageLevel.Warning))
            return None
        if location.district_code is None:
            self.message.emit(
                tr("This place is outside the province's districts: check the location."),
                int(Qgis.MessageLevel.Warning),
            )
        return location

    def place(self, point: QgsPointXY) -> Optional[QgsAttributeDialog]:
        """Open the pre-filled form of a new feature at ``point`` (layer CRS)."""
        feature = prefilled_feature(
            self.layer, self.layer_def, QgsGeometry.fromPointXY(point), self.locate(point)
        )
        try:
            self.last_form = open_new_feature_form(
                self.layer, feature, self.canvas().window(),
                modal=self.modal_form, on_added=self.featurePlaced.emit, layer_def=self.layer_def,
            )
        except EditRefusedError as exc:
            self.message.emit(error_text(exc), int(Qgis.MessageLevel.Critical))
            return None
        return self.last_form
