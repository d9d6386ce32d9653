"""The QGIS style of the epidemic levels layer: the records in force today
in their level's official colour (model/levels.py), the level number on
each unit, so the officer's map reads like the public one. History and
withdrawn records stay in the table but are not drawn."""

from __future__ import annotations

from qgis.core import (
    QgsFillSymbol,
    QgsPalLayerSettings,
    QgsRuleBasedRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

from ..model import levels as lv

# "in force today", in the layer's own terms (dates are calendar days)
IN_FORCE = ("\"status\" = 'announced' AND \"effective_from\" <= to_date(now()) AND "
            "(\"effective_until\" IS NULL OR \"effective_until\" >= to_date(now()))")


def _fill(colour: str) -> QgsFillSymbol:
    symbol = QgsFillSymbol.createSimple({})
    layer = symbol.symbolLayer(0)
    fill = QColor(colour)
    fill.setAlphaF(0.55)
    layer.setFillColor(fill)
    layer.setStrokeColor(QColor("#FFFFFF"))
    layer.setStrokeWidth(1)
    layer.setStrokeWidthUnit(QgsUnitTypes.RenderUnit.RenderPixels)
    return symbol


def apply_levels_style(vlayer: QgsVectorLayer, lang: str) -> None:
    root = QgsRuleBasedRenderer.Rule(None)
    scheme = lv.NQ128
    for level in scheme.levels:
        rule = QgsRuleBasedRenderer.Rule(
            _fill(level.color), 0, 0, f"{IN_FORCE} AND \"level\" = {level.number}",
            level.label(lang))
        root.appendChild(rule)
    vlayer.setRenderer(QgsRuleBasedRenderer(root))
    text = QgsTextFormat()
    text.setSize(11)
    text.setColor(QColor("#111111"))
    halo = QgsTextBufferSettings()
    halo.setEnabled(True)
    halo.setColor(QColor("#FFFFFF"))
    halo.setSize(1.0)
    text.setBuffer(halo)
    settings = QgsPalLayerSettings()
    # the number on the unit: colour is not the only signal
    settings.fieldName = f"CASE WHEN {IN_FORCE} THEN to_string(\"level\") END"
    settings.isExpression = True
    settings.setFormat(text)
    vlayer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    vlayer.setLabelsEnabled(True)
