"""The part of a release manifest that describes a layer (titles, style,
field labels, value labels), derived from the model so the web map needs no
second copy of it. The server adds counts, bbox and blob references.
"""

from __future__ import annotations

from typing import Any, Dict

from . import levels
from .display_hints import display_hints, level_fields
from .schema import FieldDef, LayerDef


def _field_meta(fld: FieldDef) -> Dict[str, Any]:
    meta: Dict[str, Any] = {
        "name": fld.name,
        "type": fld.type.value,
        "label": {"vi": fld.label_vi, "en": fld.label_en},
    }
    if fld.value_list is not None:
        meta["values"] = {
            c.value: {"vi": c.label_vi, "en": c.label_en} for c in fld.value_list.choices
        }
    if fld.value_source is not None:
        meta["value_source"] = fld.value_source.value
    return meta


def layer_meta(layer: LayerDef) -> Dict[str, Any]:
    meta = _layer_meta(layer)
    if layer.name == levels.LAYER_NAME:
        # colours, text colours and meanings per scheme and level: the web
        # map draws the choropleth and its legend from these alone
        meta["levels"] = {"default_scheme": levels.DEFAULT_SCHEME,
                          "schemes": levels.schemes_meta(),
                          # which field holds what, and the unit kind of a commune
                          "fields": level_fields(),
                          "commune_kind": levels.UNIT_COMMUNE}
    return meta


def _layer_meta(layer: LayerDef) -> Dict[str, Any]:
    style = layer.style
    return {
        "id": layer.name,
        "title": {"vi": layer.title_vi, "en": layer.title_en},
        "description": {"vi": layer.description_vi, "en": layer.description_en},
        "geometry_type": layer.geometry_type.value,
        "style": {
            "symbol": style.symbol,
            "size": style.size_px,
            "stroke": style.stroke_color,
            "fill_opacity": style.fill_opacity,
            "status_colors": dict(style.status_colors),
            "status_strokes": dict(style.status_strokes),
        },
        "status": {
            c.value: {"vi": c.label_vi, "en": c.label_en} for c in layer.status_list.choices
        },
        "fields": [_field_meta(f) for f in layer.public_fields],
        "summary_fields": list(layer.summary_fields),
        # what the web map does with the fields (model/display_hints.py)
        "display": display_hints(layer),
    }
