"""The validator: read each model layer once, run every registered rule,
collect the findings. Headless (Processing, qgis_process) and the GUI dock
call the same :func:`validate`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Dict, Mapping, Optional, Tuple

from qgis.core import (
    QgsFeatureRequest,
    QgsFeedback,
    QgsGeometry,
    QgsVectorLayer,
)

from ...model import MODEL, PROVINCE_TZ, ProvinceProfile
from ..profile_data import APPROXIMATE_SOURCE
from . import (  # noqa: F401 - register
    rules_attributes,
    rules_geometry,
    rules_levels,
    rules_privacy,
    rules_publication,
    rules_time,
)
from .context import ValidationCancelledError, ValidationContext, ValidationOptions
from .findings import ValidationReport
from .registry import RULES
from .reuse import RowFindings
from .spatial import WGS84, transform, transformed
from .table import LayerTable, read_layer

APPROXIMATE_PREFIX = APPROXIMATE_SOURCE.split(":")[0]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_READ_SHARE = 40.0  # percent of the progress bar spent reading layers


def validate(
    layers: Mapping[str, QgsVectorLayer],
    profile: ProvinceProfile,
    now: Optional[dt.datetime] = None,
    *,
    feedback: Optional[QgsFeedback] = None,
    province_geometry: Optional[QgsGeometry] = None,
    options: Optional[ValidationOptions] = None,
) -> ValidationReport:
    """Check the model layers in ``layers`` (by model name).

    ``now`` is an aware datetime (default: the current time);
    ``province_geometry`` is the province outline in WGS 84 (default: the
    profile's bbox). Raises :class:`ValidationCancelledError` when
    ``feedback`` is cancelled.
    """
    options = options or ValidationOptions()
    when = now or dt.datetime.now(PROVINCE_TZ)
    if when.tzinfo is None:
        when = when.replace(tzinfo=PROVINCE_TZ)
    tables: Dict[str, LayerTable] = {}
    for index, layer_def in enumerate(MODEL.layers):
        _cancel(feedback)
        layer = layers.get(layer_def.name)
        if layer is None or not layer.isValid():
            tables[layer_def.name] = LayerTable(layer_def, WGS84, present=False)
        else:
            tables[layer_def.name] = read_layer(layer_def, layer,
                                                allow_arrow=options.allow_arrow)
        _progress(feedback, _READ_SHARE * (index + 1) / len(MODEL.layers))
    ctx = ValidationContext(tables, profile, when, options, province_geometry, feedback)
    report = ValidationReport(checked={n: len(t) for n, t in tables.items() if t.present})
    steps = [(r, t) for r in RULES for t in tables.values() if r.applies_to(t)
             and (t.present or r.name == "layer_structure")]
    # rows unchanged since the last check keep their row-local findings
    reuse = RowFindings(ctx)
    for done, (registered, table) in enumerate(steps):
        _cancel(feedback)
        report.extend(reuse.check(registered, table))
        _progress(feedback, _READ_SHARE + (100 - _READ_SHARE) * (done + 1) / len(steps))
    order = {name: i for i, name in enumerate(MODEL.layer_names)}
    report.findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity.value],
                                        order.get(f.layer, -1), f.fid or 0, f.code.value))
    return report


def _cancel(feedback: Optional[QgsFeedback]) -> None:
    if feedback is not None and feedback.isCanceled():
        raise ValidationCancelledError()


def _progress(feedback: Optional[QgsFeedback], percent: float) -> None:
    if feedback is not None:
        feedback.setProgress(percent)


def union_wgs84(layer: QgsVectorLayer) -> Optional[QgsGeometry]:
    """All polygons of a reference layer as one WGS 84 geometry."""
    geometries = [f.geometry() for f in layer.getFeatures(
        QgsFeatureRequest().setNoAttributes()) if f.hasGeometry()]
    if not geometries:
        return None
    return transformed(QgsGeometry.unaryUnion(geometries), transform(layer.crs(), WGS84))


def district_geometries(layer: QgsVectorLayer) -> Dict[str, QgsGeometry]:
    """District polygons by GSO code (reference layer field ``code``), WGS 84.

    Approximate polygons (built from seed points until the province imports
    its official boundaries) are left out: they would raise false warnings.
    """
    xform = transform(layer.crs(), WGS84)
    has_source = layer.fields().indexOf("source") >= 0
    result: Dict[str, QgsGeometry] = {}
    for feature in layer.getFeatures():
        if has_source and str(feature["source"] or "").startswith(APPROXIMATE_PREFIX):
            continue
        code = feature["code"]
        geometry = transformed(feature.geometry(), xform) if feature.hasGeometry() else None
        if code and geometry is not None:
            result[str(code)] = geometry
    return result


def reference_inputs(province: Optional[QgsVectorLayer], districts: Optional[QgsVectorLayer]
                     ) -> Tuple[Optional[QgsGeometry], Dict[str, QgsGeometry]]:
    """The province outline and district polygons (WGS 84) of reference layers."""
    outline = union_wgs84(province) if province is not None and province.isValid() else None
    polygons = (district_geometries(districts)
                if districts is not None and districts.isValid() else {})
    return outline, polygons


def validate_references(
    layers: Mapping[str, QgsVectorLayer],
    profile: ProvinceProfile,
    province: Optional[QgsVectorLayer],
    districts: Optional[QgsVectorLayer],
    now: Optional[dt.datetime] = None,
    feedback: Optional[QgsFeedback] = None,
    options: Optional[ValidationOptions] = None,
) -> ValidationReport:
    """:func:`validate` with the outline and districts taken from reference layers."""
    outline, polygons = reference_inputs(province, districts)
    options = options or ValidationOptions()
    if polygons and options.district_geometries is None:
        options = replace(options, district_geometries=polygons)
    return validate(layers, profile, now, feedback=feedback, province_geometry=outline,
                    options=options)


def validate_workspace(
    workspace: Any,
    now: Optional[dt.datetime] = None,
    feedback: Optional[QgsFeedback] = None,
    options: Optional[ValidationOptions] = None,
) -> ValidationReport:
    """Validate an open ``core.workspace.Workspace`` (its layers as edited,
    profile, province outline and district polygons)."""
    layers = {}
    for name in MODEL.layer_names:
        try:
            layers[name] = workspace.layer(name)
        except KeyError:
            continue
    references = {}
    for name in ("province", "districts"):
        try:
            references[name] = workspace.reference_layer(name)
        except KeyError:
            references[name] = None
    return validate_references(layers, workspace.profile, references["province"],
                               references["districts"], now, feedback, options)
