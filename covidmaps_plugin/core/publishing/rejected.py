"""The endpoint's refusal as findings on the workspace's features: each
problem's uid is looked up in the workspace, so the Publish dialog lists
the feature by name and a double-click shows it, as the dock does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from qgis.core import QgsFeatureRequest, QgsVectorLayer

from ..expressions import quote_field, quote_text
from ..validation.findings import Finding, ValidationReport
from .errors import RejectedError, rejected_findings


class WorkspaceFeatures:
    """(layer, uid) -> (feature id, name) in a workspace GeoPackage, each
    layer opened once."""

    def __init__(self, gpkg_path: str) -> None:
        self.gpkg_path = str(gpkg_path)
        self.layers: Dict[str, Optional[QgsVectorLayer]] = {}

    def __call__(self, layer_name: str, uid: str) -> Optional[Tuple[int, Optional[str]]]:
        layer = self.layers.get(layer_name)
        if layer_name not in self.layers:
            layer = QgsVectorLayer(f"{self.gpkg_path}|layername={layer_name}", layer_name, "ogr")
            layer = self.layers[layer_name] = layer if layer.isValid() else None
        if layer is None or layer.fields().indexOf("uid") < 0:
            return None
        request = QgsFeatureRequest().setFilterExpression(
            f"{quote_field('uid')} = {quote_text(uid)}")
        request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
        for feature in layer.getFeatures(request):
            name = feature["name"] if layer.fields().indexOf("name") >= 0 else None
            return feature.id(), name if isinstance(name, str) and name.strip() else None
        return None


def workspace_findings(error: RejectedError, gpkg_path: str) -> List[Finding]:
    return rejected_findings(error.problems, WorkspaceFeatures(gpkg_path))


def write_rejected(path: str, error: RejectedError, gpkg_path: str) -> None:
    """The findings as the validator's JSON report (``ValidationReport``)."""
    report = ValidationReport(workspace_findings(error, gpkg_path))
    Path(path).write_text(json.dumps(report.to_dict(), ensure_ascii=False), encoding="utf-8")


def read_rejected(path: str) -> List[Finding]:
    """What :func:`write_rejected` wrote; nothing when there is no file."""
    try:
        with open(path, encoding="utf-8") as fh:
            return ValidationReport.from_dict(json.load(fh)).findings
    except (OSError, ValueError, KeyError):
        return []
