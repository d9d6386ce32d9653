"""The province's official boundaries as a first-class Processing step
(``covidmaps:importboundaries``), with a fixture of polygons that are NOT
the shipped Voronoi cells; and ``covidmaps:setnotice``, the hotline and
advice the public map shows, sent with the next publish."""

from __future__ import annotations

import json

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
    QgsRectangle,
    QgsWkbTypes,
)

from covidmaps_plugin.compat import FieldKind, new_field
from covidmaps_plugin.core.export import export_reference
from covidmaps_plugin.core.gpkg import read_meta, write_layer
from covidmaps_plugin.core.workspace import open_workspace
from covidmaps_plugin.model import ProvinceProfile, default_profile


class Feedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatalError=False):  # noqa: N802, N803 - Qt API
        self.errors.append(error)


def _run(algorithm_id, parameters):
    """(results, ok, the errors the step reported)."""
    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    assert algorithm is not None, algorithm_id
    context = QgsProcessingContext()
    context.setProject(QgsProject())
    feedback = Feedback()
    results, ok = algorithm.run(parameters, context, feedback)
    return results, ok, feedback.errors


def _districts(path):
    project = QgsProject()
    workspace = open_workspace(path, project=project)
    layer = workspace.reference_layer("districts")
    out = {f["code"]: (QgsGeometry(f.geometry()), f["source"]) for f in layer.getFeatures()}
    exported = json.loads(export_reference("districts", layer).data)
    project.clear()
    return out, exported


def _strips(workspace, path, codes, skip=()):
    """The province's bbox cut into one vertical strip per district, in
    VN-2000 (EPSG:9213), numeric codes: an official-looking source that is
    far from the Voronoi cells."""
    x0, y0, x1, y1 = workspace.profile.bbox
    to_local = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"),
        QgsCoordinateReferenceSystem("EPSG:9213"),
        QgsProject.instance().transformContext(),
    )
    fields = QgsFields()
    fields.append(new_field("MA_HUYEN", FieldKind.INT))
    fields.append(new_field("TEN", FieldKind.STRING))
    width = (x1 - x0) / len(codes)
    strips, features = {}, []
    for i, code in enumerate(codes):
        strip = QgsGeometry.fromRect(QgsRectangle(x0 + i * width, y0, x0 + (i + 1) * width, y1))
        strips[code] = QgsGeometry(strip)
        if code in skip:
            continue
        local = QgsGeometry(strip)
        local.transform(to_local)
        feature = QgsFeature(fields)
        feature.setAttributes([int(code), f"Huyện {code}"])
        feature.setGeometry(local)
        features.append(feature)
    write_layer(
        path, "ranh_gioi", fields, QgsWkbTypes.Polygon, "EPSG:9213", features, new_file=True
    )
    return f"{path}|layername=ranh_gioi", strips


def test_official_districts_replace_the_voronoi_cells(provider, workspace, tmp_path):
    path = workspace.gpkg_path
    before, exported_before = _districts(path)
    assert {f["properties"]["accuracy"] for f in exported_before["features"]} == {"approximate"}
    codes = sorted(before)
    source, strips = _strips(workspace, tmp_path / "official.gpkg", codes)
    for code in codes:  # the fixture really differs from what ships
        assert before[code][0].symDifference(strips[code]).area() > 0.2 * strips[code].area()

    results, ok, _errors = _run(
        "covidmaps:importboundaries",
        {
            "WORKSPACE": str(path),
            "SOURCE": source,
            "LEVEL": 0,
            "CODE_FIELD": "MA_HUYEN",
            "NAME_FIELD": "TEN",
        },
    )

    assert ok and results["COUNT"] == len(codes)
    after, exported = _districts(path)
    assert sorted(after) == codes
    for code, (geometry, origin) in after.items():
        assert origin.startswith("imported from ")
        # the strip, back from VN-2000 (to within a few metres)
        assert geometry.symDifference(strips[code]).area() < 1e-4 * strips[code].area()
    # the release will say so: the public map drops its "approximate" note
    assert {f["properties"]["accuracy"] for f in exported["features"]} == {"official"}
    profile = json.loads(read_meta(path)["profile"])
    assert profile["extra"]["boundary_sources"]["districts"]["source"] == source


def test_a_source_missing_a_district_changes_nothing(provider, workspace, tmp_path):
    path = workspace.gpkg_path
    before, _ = _districts(path)
    codes = sorted(before)
    source, _strips_ = _strips(workspace, tmp_path / "partial.gpkg", codes, skip=(codes[-1],))
    _results, ok, errors = _run(
        "covidmaps:importboundaries",
        {
            "WORKSPACE": str(path),
            "SOURCE": source,
            "LEVEL": 0,
            "CODE_FIELD": "MA_HUYEN",
            "NAME_FIELD": "TEN",
        },
    )
    assert not ok
    assert any(codes[-1] in e for e in errors), errors  # the message names the missing code
    after, _ = _districts(path)
    assert {c: s for c, (_g, s) in after.items()} == {c: s for c, (_g, s) in before.items()}


def test_set_notice_stores_hotline_and_advice_for_the_next_publish(provider, workspace):
    path = workspace.gpkg_path
    _results, ok, _errors = _run(
        "covidmaps:setnotice",
        {
            "WORKSPACE": str(path),
            "HOTLINE": "0209 3870 115 (trực 24/24)",
            "ADVICE_VI": "  Ở nhà,\n hạn chế ra ngoài. ",
            "ADVICE_EN": "",
        },
    )
    assert ok
    profile = ProvinceProfile.from_dict(json.loads(read_meta(path)["profile"]))
    assert profile.hotline == "0209 3870 115 (trực 24/24)"
    assert profile.advice_vi == "Ở nhà, hạn chế ra ngoài."
    assert profile.advice_en == default_profile().advice_en  # left empty: kept
    assert profile.notice() == {
        "hotline": "0209 3870 115 (trực 24/24)",
        "advice": {"vi": "Ở nhà, hạn chế ra ngoài.", "en": profile.advice_en},
    }
    _results, ok, errors = _run(
        "covidmaps:setnotice", {"WORKSPACE": str(path), "ADVICE_VI": "x" * 401}
    )
    assert not ok and any("400" in e for e in errors), errors
    stored = ProvinceProfile.from_dict(json.loads(read_meta(path)["profile"]))
    assert stored.advice_vi == "Ở nhà, hạn chế ra ngoài."  # unchanged
