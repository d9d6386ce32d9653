"""The QGIS style of the epidemic levels layer: the records in force today
in their level's official colour (model/levels.py), the legend saying what
each level means. History and withdrawn records stay in the table but are
not drawn. (No number label in QGIS yet: a label font missing on the
officer's machine makes QGIS push a warning that moves the map under the
officer's click; the public map draws the number.)"""

from __future__ import annotations

from qgis.core import QgsFillSymbol, QgsRuleBasedRenderer, QgsUnitTypes, QgsVectorLayer
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
    vlayer.setLabelsEnabled(False)
