"""The fictional sample day of Bắc Kạn: realistic, inside the province, in the
right districts, valid against the forms' constraints, partly published."""

import datetime as dt

from qgis.core import QgsFieldConstraints, QgsVectorLayerUtils

from covidmaps_plugin.core.fields import to_python_value
from covidmaps_plugin.core.sample_data import province_today, sample_rows
from covidmaps_plugin.model import MODEL, hidden_reason
from covidmaps_plugin.model.visibility import PROVINCE_TZ

HARD = QgsFieldConstraints.ConstraintStrengthHard


def _attributes(layer, feature):
    return {name: to_python_value(feature[name]) for name in layer.fields().names()}


def test_counts_and_sample_day(sample_workspace):
    counts = {n: sample_workspace.layer(n).featureCount() for n in MODEL.layer_names}
    assert counts["risk_points"] >= 35
    assert 5 <= counts["quarantine_facilities"] <= 8
    assert 8 <= counts["isolation_zones"] <= 12
    assert counts["checkpoints"] >= 6
    assert sample_workspace.meta["sample_day"] == province_today().isoformat()


def test_every_feature_inside_the_outline_and_its_district(sample_workspace):
    outline = next(sample_workspace.reference_layer("province").getFeatures()).geometry()
    districts = {f["code"]: f.geometry()
                 for f in sample_workspace.reference_layer("districts").getFeatures()}
    for feature in sample_workspace.layer("epidemic_levels").getFeatures():
        # a level's polygon is its district's, exactly
        assert feature.geometry().equals(districts[feature["unit_code"]]), feature["name"]
    for name in (n for n in MODEL.layer_names if n != "epidemic_levels"):
        for feature in sample_workspace.layer(name).getFeatures():
            geometry = feature.geometry()
            assert outline.contains(geometry), (name, feature["name"])
            inside = [c for c, g in districts.items() if g.contains(geometry.pointOnSurface())]
            assert inside == [feature["district_code"]], (name, feature["name"])


def test_every_feature_passes_the_form_constraints(sample_workspace):
    for name in MODEL.layer_names:
        layer = sample_workspace.layer(name)
        for feature in layer.getFeatures():
            for idx in range(layer.fields().count()):
                ok, errors = QgsVectorLayerUtils.validateAttribute(layer, feature, idx, HARD)
                assert ok, (name, feature["name"], errors)


def test_published_subset_is_non_trivial(sample_workspace):
    now = dt.datetime.now(PROVINCE_TZ)
    reasons = set()
    for layer_def in MODEL.layers:
        layer = sample_workspace.layer(layer_def.name)
        hidden = [hidden_reason(layer_def, _attributes(layer, f), now)
                  for f in layer.getFeatures()]
        assert None in hidden, layer_def.name  # something is published
        assert any(hidden), layer_def.name  # and something is not
        reasons.update(hidden)
    assert {"not_approved", "status", "expired"} <= reasons


def test_relations_and_privacy(sample_workspace):
    zones = {f["uid"]: f for f in sample_workspace.layer("isolation_zones").getFeatures()}
    assert {f["status"] for f in zones.values()} >= {"in_force", "upcoming", "lifted"}
    assert {f["scale"] for f in zones.values()} >= {"building", "cluster", "hamlet", "commune"}
    gates = [f for f in sample_workspace.layer("checkpoints").getFeatures()
             if to_python_value(f["zone_uid"])]
    assert gates and all(f["zone_uid"] in zones for f in gates)
    for gate in gates:
        assert zones[gate["zone_uid"]].geometry().buffer(0.001, 4).contains(gate.geometry())
    roads = {f["road"] for f in sample_workspace.layer("checkpoints").getFeatures()}
    assert {"QL3", "QL279", "QL3B"} <= roads
    for feature in sample_workspace.layer("quarantine_facilities").getFeatures():
        assert feature["occupancy"] <= feature["capacity"]
    risk = sample_workspace.layer("risk_points")
    assert "residence" not in {f["place_type"] for f in risk.getFeatures()}


def test_deterministic_for_a_given_day():
    day = dt.date(2021, 7, 15)
    first, second = sample_rows(day), sample_rows(day)
    assert first == second
    uids = [r["attributes"]["uid"] for rows in first.values() for r in rows]
    assert len(uids) == len(set(uids))
    later = sample_rows(day + dt.timedelta(days=1))
    assert [r["attributes"]["uid"] for r in later["risk_points"]] == \
        [r["attributes"]["uid"] for r in first["risk_points"]]
    shifted = later["risk_points"][0]["attributes"]["exposure_start"]
    assert shifted - first["risk_points"][0]["attributes"]["exposure_start"] == \
        dt.timedelta(days=1)


def test_no_sample_record_is_updated_in_the_future():
    from covidmaps_plugin.model import parse_instant

    now = dt.datetime.now(PROVINCE_TZ)
    stamps = [parse_instant(row["attributes"]["updated_at"])
              for rows in sample_rows().values() for row in rows]
    assert stamps and max(stamps) <= now
