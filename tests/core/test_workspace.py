"""Creating a workspace: layers, fields, forms, constraints, defaults, styles,
project settings (all derived from the model)."""

import datetime as dt
import re
import uuid

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsFieldConstraints,
    QgsGeometry,
    QgsPointXY,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)
from qgis.PyQt.QtCore import QDate

from covidmaps_plugin.compat import FieldKind, field_kind
from covidmaps_plugin.core import current_language
from covidmaps_plugin.core.fields import qgs_field
from covidmaps_plugin.core.forms import INTERNAL_MARK, TAB_INTERNAL, TAB_PUBLIC
from covidmaps_plugin.core.gpkg import read_meta, write_meta
from covidmaps_plugin.core.profile_data import APPROXIMATE_SOURCE, default_reference_features
from covidmaps_plugin.core.project_setup import drawing_order
from covidmaps_plugin.model import (
    APPROVE_NEW_META,
    MODEL,
    FieldType,
    ValueSource,
    default_profile,
    levels,
    palette,
)
from covidmaps_plugin.model.visibility import PROVINCE_TZ

STORED_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
HARD = QgsFieldConstraints.ConstraintStrengthHard


def test_layers_fields_and_types(workspace):
    for layer_def in MODEL.layers:
        layer = workspace.layer(layer_def.name)
        assert layer.isValid() and layer.crs().authid() == "EPSG:4326"
        assert layer.fields().names() == ["fid", *layer_def.field_names]
        for fld in layer_def.fields:
            stored = layer.fields().field(fld.name)
            assert field_kind(stored) is field_kind(qgs_field(fld)), fld.name
    # by hand: datetimes are text (with offset), dates are dates, flags booleans
    rp = workspace.layer("risk_points").fields()
    assert field_kind(rp.field("exposure_start")) is FieldKind.STRING
    assert field_kind(rp.field("announced_on")) is FieldKind.DATE
    assert field_kind(rp.field("disinfected")) is FieldKind.BOOL
    assert workspace.layer("isolation_zones").geometryType() == 2  # polygon


def test_reference_layers_of_the_default_profile(workspace):
    province = list(workspace.reference_layer("province").getFeatures())
    assert len(province) == 1
    box = province[0].geometry().boundingBox()
    assert abs(box.xMinimum() - 105.49) < 0.02 and abs(box.yMaximum() - 22.72) < 0.02
    districts = {f["code"]: f for f in workspace.reference_layer("districts").getFeatures()}
    assert tuple(sorted(districts)) == default_profile().district_codes
    outline = province[0].geometry()
    union = QgsGeometry.unaryUnion([f.geometry() for f in districts.values()])
    assert abs(union.area() - outline.area()) < 1e-4 * outline.area()  # clipped in the local CRS
    assert all(f["source"] == APPROXIMATE_SOURCE for f in districts.values())
    seeds = default_profile().extra["approximate_district_seeds"]
    for code, (lon, lat) in seeds.items():
        point = QgsGeometry.fromPointXY(QgsPointXY(lon, lat))
        assert districts[code].geometry().contains(point), code


def test_approximate_districts_are_deterministic(workspace):
    again = default_reference_features(default_profile())["districts"]
    stored = {f["code"]: f.geometry().asWkt(6)
              for f in workspace.reference_layer("districts").getFeatures()}
    assert {code: geometry.asWkt(6) for code, _, _, _, geometry in again} == stored


def test_widgets_follow_the_model(workspace):
    lang = current_language()
    for layer_def in MODEL.layers:
        layer = workspace.layer(layer_def.name)
        for fld in layer_def.fields:
            idx = layer.fields().indexOf(fld.name)
            setup = layer.editorWidgetSetup(idx)
            if fld.value_list is not None:
                assert setup.type() == "ValueMap"
                entries = {k: v for e in setup.config()["map"] for k, v in e.items()}
                for choice in fld.value_list:
                    assert entries[choice.label(lang)] == choice.value
            elif fld.value_source is ValueSource.ADMIN_UNITS:
                # written by the levels tool from the profile, never typed
                assert layer_def.name == "epidemic_levels", fld.name
            elif fld.value_source is not None:
                assert setup.type() == "ValueRelation", fld.name
            elif fld.type in (FieldType.DATE, FieldType.DATETIME):
                assert setup.type() == "DateTime" and setup.config()["calendar_popup"]
            elif fld.type is FieldType.BOOLEAN:
                assert setup.type() == "CheckBox"
            elif fld.multiline:
                assert setup.type() == "TextEdit" and setup.config()["IsMultiline"]
            alias = layer.attributeAlias(idx)
            assert alias == fld.label(lang) + ("" if fld.public else INTERNAL_MARK[lang])
            assert all(ord(ch) < 0x2000 for ch in alias), alias  # no emoji or symbol font
    rp = workspace.layer("risk_points")
    district = rp.editorWidgetSetup(rp.fields().indexOf("district_code")).config()
    assert district["Layer"] == workspace.reference_layer("districts").id()
    assert (district["Key"], district["Value"]) == ("code", "name")
    cp = workspace.layer("checkpoints")
    zone = cp.editorWidgetSetup(cp.fields().indexOf("zone_uid")).config()
    assert zone["Layer"] == workspace.layer("isolation_zones").id() and zone["Key"] == "uid"
    assert rp.editFormConfig().readOnly(rp.fields().indexOf("uid"))


def test_form_has_public_and_internal_tabs(workspace):
    lang = current_language()
    layer_def = MODEL.layer("checkpoints")
    tabs = workspace.layer("checkpoints").editFormConfig().tabs()
    assert [t.name() for t in tabs] == [TAB_PUBLIC[lang], TAB_INTERNAL[lang]]
    first = [c.name() for c in tabs[0].children()]
    internal = [c.name() for c in tabs[1].children()]
    # the approval box decides publication: first tab, right after the status
    assert first.index("approved") == first.index("status") + 1
    assert internal == [f.name for f in layer_def.internal_fields if f.name != "approved"]
    assert "commander" not in first


def test_constraints_follow_the_model(workspace):
    for layer_def in MODEL.layers:
        layer = workspace.layer(layer_def.name)
        for fld in layer_def.fields:
            constraints = layer.fields().field(fld.name).constraints()
            has_not_null = bool(constraints.constraints() & QgsFieldConstraints.ConstraintNotNull)
            assert has_not_null == fld.required, fld.name
            if fld.value_list is not None or fld.max_length:
                assert constraints.constraintExpression(), fld.name
                assert constraints.constraintStrength(
                    QgsFieldConstraints.ConstraintExpression) == HARD
    facilities = workspace.layer("quarantine_facilities").fields()
    occupancy = facilities.field("occupancy").constraints()
    assert '"occupancy" <= "capacity"' in occupancy.constraintExpression()
    rule = MODEL.layer("quarantine_facilities").rules[0]
    assert rule.message_en in occupancy.constraintDescription() or \
        rule.message_vi in occupancy.constraintDescription()


def _validate(layer, feature):
    errors = {}
    for idx, fld in enumerate(layer.fields()):
        ok, messages = QgsVectorLayerUtils.validateAttribute(layer, feature, idx, HARD)
        if not ok:
            errors[fld.name()] = messages
    return errors


def _new_facility(layer, **values):
    feature = QgsVectorLayerUtils.createFeature(
        layer, QgsGeometry.fromPointXY(QgsPointXY(105.83, 22.15)), {},
        layer.createExpressionContext())
    base = {"name": "Khu cách ly thử", "facility_type": "school", "capacity": 100,
            "occupancy": 10, "district_code": "058", "status": "operating"}
    for name, value in {**base, **values}.items():
        feature[name] = value
    return feature


def test_defaults_and_constraints_in_the_editing_buffer(workspace):
    layer = workspace.layer("quarantine_facilities")
    feature = _new_facility(layer)
    assert _validate(layer, feature) == {}
    assert uuid.UUID(feature["uid"]).version == 4 and "{" not in feature["uid"]
    assert STORED_DATETIME.match(feature["updated_at"])
    # the workspace's own officer's features are approved by default
    assert feature["approved"] is True
    assert feature["updated_by"]
    assert "occupancy" in _validate(layer, _new_facility(layer, occupancy=101))
    assert "facility_type" in _validate(layer, _new_facility(layer, facility_type="castle"))
    assert "district_code" in _validate(layer, _new_facility(layer, district_code="999"))
    assert "closed_on" in _validate(layer, _new_facility(layer, status="closed"))
    missing = _validate(layer, _new_facility(layer, name=None))
    assert "name" in missing


def test_a_workspace_can_make_new_features_wait_for_review(workspace):
    """The approval policy is the workspace's (covidmaps_meta approve_new)."""
    meta = read_meta(workspace.gpkg_path) or {}
    write_meta(workspace.gpkg_path, {**meta, APPROVE_NEW_META: "false"})
    workspace.refresh()
    layer = workspace.layer("checkpoints")
    feature = QgsVectorLayerUtils.createFeature(
        layer, QgsGeometry.fromPointXY(QgsPointXY(105.83, 22.15)), {},
        layer.createExpressionContext())
    assert feature["approved"] is False


def test_visible_until_defaults_to_exposure_end_plus_14_days(workspace):
    layer = workspace.layer("risk_points")
    end_idx = layer.fields().indexOf("exposure_end")
    feature = QgsVectorLayerUtils.createFeature(
        layer, QgsGeometry.fromPointXY(QgsPointXY(105.83, 22.15)),
        {end_idx: "2021-06-10T18:30:00+07:00"}, layer.createExpressionContext())
    assert feature["visible_until"] == "2021-06-24T18:30:00+07:00"
    assert feature["announced_on"] == QDate.fromString(
        dt.datetime.now(PROVINCE_TZ).date().isoformat(), "yyyy-MM-dd")
    by_hand = QgsVectorLayerUtils.createFeature(
        layer, QgsGeometry(), {end_idx: "2021-06-10T18:30:00+07:00",
                               layer.fields().indexOf("visible_until"):
                                   "2021-06-30T00:00:00+07:00"},
        layer.createExpressionContext())
    assert by_hand["visible_until"] == "2021-06-30T00:00:00+07:00"
    assert layer.startEditing()
    assert layer.addFeature(feature)
    assert layer.commitChanges(), layer.commitErrors()
    stored = next(layer.getFeatures())
    assert stored["visible_until"] == "2021-06-24T18:30:00+07:00"


def test_updated_at_is_refreshed_on_update(workspace):
    layer = workspace.layer("quarantine_facilities")
    feature = _new_facility(layer)
    feature["updated_at"] = "2021-01-01T00:00:00+07:00"
    assert layer.startEditing() and layer.addFeature(feature)
    assert layer.commitChanges(), layer.commitErrors()
    fid = next(layer.getFeatures()).id()
    assert layer.startEditing()
    layer.changeAttributeValue(fid, layer.fields().indexOf("occupancy"), 20)
    assert layer.commitChanges(), layer.commitErrors()
    changed = layer.getFeature(fid)
    assert changed["occupancy"] == 20
    assert changed["updated_at"] != "2021-01-01T00:00:00+07:00"
    assert STORED_DATETIME.match(changed["updated_at"])


def test_attribute_dialog_refuses_a_broken_feature(workspace, qgis_bot):
    layer = workspace.layer("quarantine_facilities")
    point = QgsGeometry.fromPointXY(QgsPointXY(105.83, 22.15))
    base = {"name": "Khu cách ly thử", "facility_type": "school", "capacity": 100,
            "occupancy": 10, "district_code": "058", "status": "operating"}
    assert layer.startEditing()
    try:
        created = qgis_bot.create_feature_with_attribute_dialog(layer, point, base)
        assert created["occupancy"] == 10
        for broken in ({"occupancy": 150}, {"status": "open"}, {"name": None}):
            try:
                qgis_bot.create_feature_with_attribute_dialog(layer, point, {**base, **broken})
            except ValueError as exc:
                assert "constraint" in str(exc)
            else:
                raise AssertionError(f"accepted {broken}")
    finally:
        layer.rollBack()


def test_styles_follow_the_palette(workspace):
    lang = current_language()
    # epidemic levels: the records in force, by level, in the official colours
    rules = workspace.layer("epidemic_levels").renderer().rootRule().children()
    assert [r.label() for r in rules] == [lvl.label(lang) for lvl in levels.NQ128.levels]
    assert [r.symbol().symbolLayer(0).fillColor().name().upper() for r in rules] == [
        lvl.color.upper() for lvl in levels.NQ128.levels]
    assert all("effective_until" in r.filterExpression() for r in rules)
    for layer_def in (d for d in MODEL.layers if d.name != "epidemic_levels"):
        renderer = workspace.layer(layer_def.name).renderer()
        assert isinstance(renderer, QgsCategorizedSymbolRenderer)
        assert renderer.classAttribute() == "status"
        categories = {c.value(): c for c in renderer.categories()}
        assert list(categories) == list(layer_def.status_list.values)
        for choice in layer_def.status_list:
            category = categories[choice.value]
            assert category.label() == choice.label(lang)
            colour = category.symbol().symbolLayer(0).color().name().upper()
            assert colour == layer_def.style.color_for(choice.value).upper()
    zones = workspace.layer("isolation_zones").renderer()
    dashed = {c.value() for c in zones.categories()
              if c.symbol().symbolLayer(0).strokeStyle() != 1}  # 1 = solid
    assert dashed == {s for s, d in MODEL.layer("isolation_zones").style.status_strokes
                      if d == "dash"}
    districts = workspace.reference_layer("districts")
    assert districts.labelsEnabled() and districts.labeling().settings().fieldName == "name"
    # no district name over a feature shown at street scale (1:5,000)
    labels = districts.labeling().settings()
    assert labels.scaleVisibility and labels.maximumScale >= 10_000
    assert districts.renderer().symbol().symbolLayer(0).strokeColor().name().upper() == \
        palette.DISTRICT_OUTLINE.upper()


def test_default_styles_are_stored_in_the_geopackage(workspace):
    alone = QgsVectorLayer(f"{workspace.gpkg_path}|layername=risk_points", "alone", "ogr")
    assert isinstance(alone.renderer(), QgsCategorizedSymbolRenderer)
    assert alone.editorWidgetSetup(alone.fields().indexOf("place_type")).type() == "ValueMap"


def test_project_crs_extent_transformation_and_order(workspace, project):
    assert project.crs() == QgsCoordinateReferenceSystem("EPSG:9213")
    extent = project.viewSettings().defaultViewExtent()
    assert extent.crs().authid() == "EPSG:4326"
    assert [round(v, 2) for v in (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(),
                                  extent.yMaximum())] == list(default_profile().bbox)
    operations = project.transformContext().coordinateOperations()
    assert "helmert" in operations[("EPSG:9213", "EPSG:4326")]
    order = [node.layer().customProperty("covidmaps/layer") or
             node.layer().customProperty("covidmaps/reference")
             for node in project.layerTreeRoot().findLayers()]
    assert order == drawing_order()
    assert order.index("risk_points") < order.index("isolation_zones") < order.index("province")
