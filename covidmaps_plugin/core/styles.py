"""Layer styles from the model's palette (the web map uses the same colours).

Status is never shown by colour alone: each layer has its own symbol shape,
and zone statuses also differ by outline dash pattern.
"""

from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsRendererCategory,
    QgsSimpleMarkerSymbolLayerBase,
    QgsSingleSymbolRenderer,
    QgsSymbol,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtXml import QDomDocument

from ..model import GeometryType, LayerDef, palette

_SHAPES = {
    "circle": QgsSimpleMarkerSymbolLayerBase.Shape.Circle,
    "square": QgsSimpleMarkerSymbolLayerBase.Shape.Square,
    "triangle": QgsSimpleMarkerSymbolLayerBase.Shape.Triangle,
    "diamond": QgsSimpleMarkerSymbolLayerBase.Shape.Diamond,
}
_PEN = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine}
STYLE_NAME = "covidmaps"


def status_symbol(layer: LayerDef, status: str) -> QgsSymbol:
    style = layer.style
    if layer.geometry_type is GeometryType.POINT:
        marker = QgsMarkerSymbol.createSimple({})
        symbol_layer = marker.symbolLayer(0)
        symbol_layer.setShape(_SHAPES[style.symbol])
        symbol_layer.setColor(QColor(style.color_for(status)))
        symbol_layer.setStrokeColor(QColor(style.stroke_color))
        symbol_layer.setStrokeWidth(1)
        symbol_layer.setStrokeWidthUnit(QgsUnitTypes.RenderUnit.RenderPixels)
        marker.setSize(style.size_px)
        marker.setSizeUnit(QgsUnitTypes.RenderUnit.RenderPixels)
        return marker
    fill = QgsFillSymbol.createSimple({})
    symbol_layer = fill.symbolLayer(0)
    colour = QColor(style.color_for(status))
    colour.setAlphaF(style.fill_opacity)
    symbol_layer.setFillColor(colour)
    symbol_layer.setStrokeColor(QColor(style.stroke_color))
    symbol_layer.setStrokeWidth(2)
    symbol_layer.setStrokeWidthUnit(QgsUnitTypes.RenderUnit.RenderPixels)
    symbol_layer.setStrokeStyle(_PEN[style.stroke_for(status)])
    return fill


def apply_style(vlayer: QgsVectorLayer, layer: LayerDef, lang: str) -> None:
    """Categorized by status, legend labels in ``lang`` (epidemic levels:
    by level, see ``levels_style.py``)."""
    if layer.name == "epidemic_levels":
        from .levels_style import apply_levels_style

        apply_levels_style(vlayer, lang)
        return
    categories = [
        QgsRendererCategory(choice.value, status_symbol(layer, choice.value),
                            choice.label(lang), True)
        for choice in layer.status_list.choices
    ]
    vlayer.setRenderer(QgsCategorizedSymbolRenderer("status", categories))


def apply_outline_style(vlayer: QgsVectorLayer, colour: str, width_px: float,
                        dashed: bool = False) -> None:
    """An outline without fill (province, districts, communes)."""
    symbol = QgsFillSymbol.createSimple({})
    symbol_layer = symbol.symbolLayer(0)
    symbol_layer.setBrushStyle(Qt.BrushStyle.NoBrush)
    symbol_layer.setStrokeColor(QColor(colour))
    symbol_layer.setStrokeWidth(width_px)
    symbol_layer.setStrokeWidthUnit(QgsUnitTypes.RenderUnit.RenderPixels)
    symbol_layer.setStrokeStyle(Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
    vlayer.setRenderer(QgsSingleSymbolRenderer(symbol))


UNIT_LABELS_CLOSEST_SCALE = 50_000.0  # 1:50,000: no unit names when zoomed in closer


def label_by_name(vlayer: QgsVectorLayer, colour: str, size_pt: float) -> None:
    """Unit names on the map (districts, communes), with a white halo."""
    text = QgsTextFormat()
    text.setColor(QColor(colour))
    text.setSize(size_pt)
    halo = QgsTextBufferSettings()
    halo.setEnabled(True)
    halo.setColor(QColor("#FFFFFF"))
    halo.setSize(0.8)
    text.setBuffer(halo)
    settings = QgsPalLayerSettings()
    settings.fieldName = "name"
    settings.setFormat(text)
    # Unit names orient the officer at province and district scale; closer
    # in (a finding shown at street scale) their halo would hide the very
    # feature being looked at.
    settings.scaleVisibility = True
    settings.maximumScale = UNIT_LABELS_CLOSEST_SCALE
    vlayer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    vlayer.setLabelsEnabled(True)


def apply_reference_style(vlayer: QgsVectorLayer, kind: str) -> None:
    if kind == "province":
        apply_outline_style(vlayer, palette.PROVINCE_OUTLINE, 2.5)
    elif kind == "districts":
        apply_outline_style(vlayer, palette.DISTRICT_OUTLINE, 1.2)
        label_by_name(vlayer, palette.DISTRICT_OUTLINE, 9)
    else:
        apply_outline_style(vlayer, palette.DISTRICT_OUTLINE, 0.6, dashed=True)


def style_qml(vlayer: QgsVectorLayer) -> str:
    """The layer's whole style (symbology, labels, forms) as a QML document."""
    document = QDomDocument()
    error = vlayer.exportNamedStyle(document)
    if error:
        raise ValueError(error)
    return document.toString()
