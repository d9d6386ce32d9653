"""Attributes a new feature starts with: the model's defaults (uid, today,
now, the QGIS user...), the first status, and the district/commune derived
from where the officer clicked."""

from __future__ import annotations

import datetime as dt
import getpass
import uuid
from typing import Any, Dict, Optional

from qgis.core import (
    QgsApplication,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsGeometry,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)

from ...model import PROVINCE_TZ, Default, LayerDef
from .admin_lookup import AdminLocation
from .values import stored


def current_user() -> str:
    """Who is editing: the QGIS user's full name, else the login name."""
    for name in (QgsApplication.userFullName(), QgsApplication.userLoginName()):
        if name:
            return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return ""


def now_in_province() -> dt.datetime:
    return dt.datetime.now(PROVINCE_TZ).replace(microsecond=0)


def model_default(default: Optional[Default], now: dt.datetime, user: str) -> Any:
    """The value of a model default that needs no other attribute."""
    if default is Default.NEW_UUID:
        return str(uuid.uuid4())
    if default is Default.NOW:
        return now
    if default is Default.TODAY:
        return now.astimezone(PROVINCE_TZ).date()
    if default is Default.CURRENT_USER:
        return user
    if default is Default.FALSE:
        return False
    # EXPOSURE_END_PLUS_DAYS needs exposure_end, APPROVAL_POLICY the
    # workspace: the layer's default expressions (core.forms) compute them
    return None


def initial_attributes(
    layer_def: LayerDef,
    location: Optional[AdminLocation] = None,
    now: Optional[dt.datetime] = None,
    user: Optional[str] = None,
) -> Dict[str, Any]:
    """Field name -> Python value for a new feature of ``layer_def``."""
    when = now or now_in_province()
    who = current_user() if user is None else user
    attrs: Dict[str, Any] = {}
    for fld in layer_def.fields:
        value = model_default(fld.default, when, who)
        if value is not None:
            attrs[fld.name] = value
    attrs["status"] = layer_def.status_list.values[0]
    if location is not None:
        if location.district_code:
            attrs["district_code"] = location.district_code
        if location.commune_code:
            attrs["commune_code"] = location.commune_code
    return attrs


def new_feature(
    layer: QgsVectorLayer, layer_def: LayerDef, geometry: QgsGeometry, attrs: Dict[str, Any]
) -> QgsFeature:
    """A feature of ``layer`` with ``attrs`` over the layer's own defaults
    and constraints (as QGIS's add-feature tool would make it)."""
    by_index = {}
    for name, value in attrs.items():
        index = layer.fields().indexOf(name)
        if index >= 0:
            by_index[index] = stored(layer_def, name, value)
    context = layer.createExpressionContext()
    context.appendScope(QgsExpressionContextUtils.layerScope(layer))
    return QgsVectorLayerUtils.createFeature(layer, geometry, by_index, context)
