"""``covidmaps:validate``: the validator in the toolbox, the model builder and
``qgis_process``.

Input: a workspace GeoPackage (read-only: opening it as a project could
upgrade or save it) or the four layers, or both (the layers given win: the
validation dock passes the project's layers, unsaved edits included, and the
workspace file for the profile), and optionally the province outline and
district polygons; outputs: a findings layer (points where the problems
are), a report file (HTML or JSON by extension; the JSON holds every finding
as ``Finding.to_dict`` writes it, read back with ``ValidationReport.from_dict``)
and the counts. With FAIL_ON_ERRORS the algorithm fails when an error blocks
publishing, so a model stops before a publish step.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Dict, Optional, Set, Tuple

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
    QgsWkbTypes,
)

from ..compat import FieldKind, new_field
from ..i18n import tr, tr_later
from ..model import MODEL, PROVINCE_TZ, ProvinceProfile, parse_instant
from ..model.profile import DEFAULT_PROFILE_ID
from .base import CovidMapsAlgorithm, processing_error

WORKSPACE, PROFILE, NOW, FAIL_ON_ERRORS = "WORKSPACE", "PROFILE", "NOW", "FAIL_ON_ERRORS"
PROVINCE, DISTRICTS = "PROVINCE", "DISTRICTS"
FINDINGS, REPORT = "FINDINGS", "REPORT"
ERRORS, WARNINGS, INFOS, BLOCKING = "ERRORS", "WARNINGS", "INFOS", "BLOCKING"
MAX_LOGGED_ERRORS = 50  # the log lists the first ones; the layer and report hold all


def layer_parameter(layer_name: str) -> str:
    """``risk_points`` -> ``RISK_POINTS``."""
    return layer_name.upper()


def finding_fields() -> QgsFields:
    fields = QgsFields()
    for name, kind, length in (("code", FieldKind.STRING, 40), ("severity", FieldKind.STRING, 10),
                               ("layer", FieldKind.STRING, 40),
                               # not "fid": a GeoPackage sink owns that column
                               ("feature_id", FieldKind.LONGLONG, 0),
                               ("uid", FieldKind.STRING, 40), ("field", FieldKind.STRING, 40),
                               ("message_vi", FieldKind.STRING, 0),
                               ("message_en", FieldKind.STRING, 0)):
        fields.append(new_field(name, kind, "", length))
    return fields


class ValidateAlgorithm(CovidMapsAlgorithm):
    algorithm_name = "validate"
    display_name = tr_later("Validate workspace")
    group_name = tr_later("Workspace")
    group_key = "workspace"

    def shortHelpString(self) -> str:  # noqa: N802 - Qt API
        return tr(
            "Checks a CovidMaps workspace before publishing: geometry (GEOS validity, "
            "coordinates, province, areas, overlaps), attributes (required values, lists, "
            "ranges, dates, identifiers, duplicates), dates that hide features, and "
            "personal data in public fields.\n\n"
            "Give the workspace file, or the layers. Now: an ISO 8601 time such as "
            "2021-06-10T10:00:00+07:00 (default: the current time).\n"
            "Errors block publishing; warnings need a confirmation. With \u201cFail when "
            "errors are found\u201d the algorithm fails on errors, so a model stops there."
        )


    def initAlgorithm(self, config: Optional[Dict[str, Any]] = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            WORKSPACE, tr("Workspace file"), extension="gpkg", optional=True))
        for layer_def in MODEL.layers:
            source = QgsProcessing.SourceType
            kind = (source.TypeVectorPoint if layer_def.geometry_type.value == "Point"
                    else source.TypeVectorPolygon)
            self.addParameter(QgsProcessingParameterVectorLayer(
                layer_parameter(layer_def.name), layer_def.title_en, [kind], optional=True))
        for name, title in ((PROVINCE, tr("Province outline (default: the workspace's)")),
                            (DISTRICTS, tr("District polygons (default: the workspace's)"))):
            self.addParameter(QgsProcessingParameterVectorLayer(
                name, title, [QgsProcessing.SourceType.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterString(
            PROFILE, tr("Province profile (when no workspace is given)"),
            defaultValue=DEFAULT_PROFILE_ID, optional=True))
        self.addParameter(QgsProcessingParameterString(
            NOW, tr("Now (ISO 8601, default: the current time)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            FAIL_ON_ERRORS, tr("Fail when errors are found"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            FINDINGS, tr("Findings"), QgsProcessing.SourceType.TypeVectorPoint, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            REPORT, tr("Report"), fileFilter="HTML (*.html);;JSON (*.json)", optional=True))
        self.addOutput(QgsProcessingOutputNumber(ERRORS, tr("Errors")))
        self.addOutput(QgsProcessingOutputNumber(WARNINGS, tr("Warnings")))
        self.addOutput(QgsProcessingOutputNumber(INFOS, tr("Information")))
        self.addOutput(QgsProcessingOutputBoolean(BLOCKING, tr("Publishing is blocked")))

    # ------------------------------------------------------------- inputs

    def _now(self, parameters: Dict[str, Any], context: QgsProcessingContext) -> dt.datetime:
        text = (self.parameterAsString(parameters, NOW, context) or "").strip()
        if not text:
            return dt.datetime.now(PROVINCE_TZ)
        when = parse_instant(text)
        if when is None:
            raise QgsProcessingException(
                tr("Cannot read the time \u201c{0}\u201d; use ISO 8601, for example "
                   "2021-06-10T10:00:00+07:00.").format(text))
        return when

    def _inputs(self, parameters: Dict[str, Any], context: QgsProcessingContext
                ) -> Tuple[Dict[str, QgsVectorLayer], ProvinceProfile,
                           Optional[QgsVectorLayer], Optional[QgsVectorLayer], str]:
        path = (self.parameterAsFile(parameters, WORKSPACE, context) or "").strip()
        given: Dict[str, QgsVectorLayer] = {}
        for name in [*MODEL.layer_names, "province", "districts"]:
            layer = self.parameterAsVectorLayer(parameters, layer_parameter(name), context)
            if layer is not None:
                given[name] = layer
        layers: Dict[str, QgsVectorLayer] = {}
        province = districts = None
        if path:  # what was given is not opened again from the file
            layers, profile, province, districts = _open_read_only(Path(path), set(given))
        else:
            profile = self.parameterAsProfile(parameters, PROFILE, context)
        province = given.pop("province", province)
        districts = given.pop("districts", districts)
        layers.update(given)
        if not layers:
            raise QgsProcessingException(
                tr("Give a workspace file or at least one layer to validate."))
        return layers, profile, province, districts, path

    # ---------------------------------------------------------------- run

    def processAlgorithm(  # noqa: N802 - Qt API
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Dict[str, Any]:
        results, failure = self._validate(parameters, context, feedback)
        # Raised here, not inside _validate: the exception's traceback keeps
        # the frame's locals alive, and layers and sinks that outlive QGIS's
        # shutdown crash the process on exit.
        if failure:
            raise QgsProcessingException(failure)
        return results

    def _validate(
        self,
        parameters: Dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> Tuple[Dict[str, Any], str]:
        from ..core.validation import Severity, ValidationCancelledError, ValidationOptions
        from ..core.validation.engine import validate_references
        from ..core.validation.report_file import write_report

        now = self._now(parameters, context)
        layers, profile, province, districts, path = self._inputs(parameters, context)
        # single layers: check what was given; a workspace must hold all four
        options = ValidationOptions(require_all_layers=bool(path))
        try:
            report = validate_references(layers, profile, province, districts, now, feedback,
                                         options)
        except ValidationCancelledError:
            return {}, ""
        counts = report.counts
        results: Dict[str, Any] = {
            ERRORS: counts[Severity.ERROR], WARNINGS: counts[Severity.WARNING],
            INFOS: counts[Severity.INFO], BLOCKING: report.blocking,
        }
        sink, sink_id = self.parameterAsSink(
            parameters, FINDINGS, context, finding_fields(), QgsWkbTypes.Type.Point,
            _wgs84())
        if sink is not None:
            for finding in report.findings:
                feature = QgsFeature(finding_fields())
                feature.setAttributes([
                    finding.code.value, finding.severity.value, finding.layer, finding.fid,
                    finding.uid, finding.field, finding.message_vi, finding.message_en])
                if finding.location is not None:
                    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*finding.location)))
                sink.addFeature(feature, QgsFeatureSink.Flag.FastInsert)
            results[FINDINGS] = sink_id
        report_path = self.parameterAsFileOutput(parameters, REPORT, context)
        if report_path:
            meta = {"workspace": path, "profile": profile.id, "now": now.isoformat(),
                    "generated_at": dt.datetime.now(PROVINCE_TZ).isoformat(timespec="seconds")}
            write_report(report, report_path, meta)
            results[REPORT] = report_path
        errors = [f for f in report.findings if f.severity is Severity.ERROR]
        for finding in errors[:MAX_LOGGED_ERRORS]:
            feedback.reportError(f"{finding.code.value} {finding.layer} "
                                 f"{finding.uid or finding.fid or ''}: "
                                 f"{finding.message(_language())}")
        if len(errors) > MAX_LOGGED_ERRORS:
            feedback.reportError(tr("… and {0} more errors: see the findings and the "
                                    "report.").format(len(errors) - MAX_LOGGED_ERRORS))
        feedback.pushInfo(json.dumps({k: v for k, v in results.items() if k != FINDINGS}))
        if report.blocking and self.parameterAsBoolean(parameters, FAIL_ON_ERRORS, context):
            return results, tr(
                "{0} errors block publishing; see the findings and the report.").format(
                counts[Severity.ERROR])
        return results, ""


def _language() -> str:
    from ..core.i18n import current_language

    return current_language()


def _wgs84():
    from ..core.validation.spatial import WGS84

    return WGS84


def _open_read_only(path: Path, skip: Set[str] = frozenset()):
    """Layers, profile and reference layers of a workspace file, without
    opening it as a project (which could upgrade or save it); the tables
    named in ``skip`` are not opened (given otherwise)."""
    from ..core.gpkg import read_meta
    from ..core.workspace import WorkspaceError, check_existing_workspace

    try:
        check_existing_workspace(path)
        meta = read_meta(path) or {}
        profile = ProvinceProfile.from_dict(json.loads(meta["profile"]))
    except WorkspaceError as exc:
        raise processing_error(exc) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise QgsProcessingException(tr(
            "{0} is not a CovidMaps workspace (no province profile): {1}").format(
            path, exc)) from exc

    def layer(table: str) -> Optional[QgsVectorLayer]:
        if table in skip:
            return None
        candidate = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
        return candidate if candidate.isValid() else None

    layers = {n: lyr for n in MODEL.layer_names if (lyr := layer(n)) is not None}
    return layers, profile, layer("province"), layer("districts")
