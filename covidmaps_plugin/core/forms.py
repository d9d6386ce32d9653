"""Attribute forms of the layers, derived from the model.

Applied when a workspace is created and again each time it is opened, so
labels and messages follow the QGIS language of whoever opens it.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional

from qgis.core import (
    QgsAttributeEditorContainer,
    QgsAttributeEditorElement,
    QgsAttributeEditorField,
    QgsDefaultValue,
    QgsEditFormConfig,
    QgsEditorWidgetSetup,
    QgsFieldConstraints,
    QgsVectorLayer,
)

from ..compat import show_as_tab
from ..model import FieldDef, FieldType, LayerDef, ProvinceProfile, ValueList, ValueSource
from .expressions import (
    ON_UPDATE_FIELDS,
    applies_on_update,
    combined,
    default_expression,
    field_checks,
)
from .fields import qt_datetime_format

# Internal fields say so in words after their label: a lock emoji before it
# showed as a missing-glyph box with the fonts of a stock Debian desktop.
INTERNAL_MARK = {"vi": " (nội bộ)", "en": " (internal)"}
TAB_PUBLIC = {"vi": "Thông tin công bố", "en": "Public information"}
TAB_INTERNAL = {"vi": "Nội bộ — không công bố", "en": "Internal — never published"}

# reference layers: key/value fields of the value relations
_RELATION_TARGETS = {
    ValueSource.DISTRICTS: ("code", "name", ""),
    ValueSource.COMMUNES: ("code", "name", "\"parent_code\" = current_value('district_code')"),
    ValueSource.ISOLATION_ZONES: ("uid", "name", ""),
}


def field_alias(fld: FieldDef, lang: str) -> str:
    return fld.label(lang) + ("" if fld.public else INTERNAL_MARK[lang])


def _value_map(fld: FieldDef, values: ValueList, lang: str) -> QgsEditorWidgetSetup:
    entries = [{c.label(lang): c.value} for c in values.choices]
    if not fld.required:
        # QGIS's own marker for "no value" in a value map
        entries.insert(0, {"—": "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"})
    return QgsEditorWidgetSetup("ValueMap", {"map": entries})


def _value_relation(fld: FieldDef, source: ValueSource,
                    target: QgsVectorLayer) -> QgsEditorWidgetSetup:
    key, value, filter_expr = _RELATION_TARGETS[source]
    return QgsEditorWidgetSetup("ValueRelation", {
        "Layer": target.id(),
        "LayerName": target.name(),
        "LayerSource": target.source(),
        "LayerProviderName": target.providerType(),
        "Key": key,
        "Value": value,
        "FilterExpression": filter_expr,
        "AllowNull": not fld.required,
        "OrderByValue": True,
        "AllowMulti": False,
        "UseCompleter": False,
        "NofColumns": 1,
    })


def widget_setup(fld: FieldDef, lang: str,
                 targets: Mapping[ValueSource, QgsVectorLayer]) -> QgsEditorWidgetSetup:
    """The editor widget of a model field."""
    if fld.value_list is not None:
        return _value_map(fld, fld.value_list, lang)
    if fld.value_source is not None and fld.value_source in targets:
        return _value_relation(fld, fld.value_source, targets[fld.value_source])
    if fld.type is FieldType.DATETIME:
        return QgsEditorWidgetSetup("DateTime", {
            "field_format": qt_datetime_format(),
            "display_format": "dd/MM/yyyy HH:mm",
            "calendar_popup": True,
            "allow_null": True,
            "field_iso_format": False,
        })
    if fld.type is FieldType.DATE:
        return QgsEditorWidgetSetup("DateTime", {
            "field_format": "yyyy-MM-dd",
            "display_format": "dd/MM/yyyy",
            "calendar_popup": True,
            "allow_null": True,
            "field_iso_format": False,
        })
    if fld.type is FieldType.BOOLEAN:
        return QgsEditorWidgetSetup("CheckBox", {"CheckedState": "", "UncheckedState": "",
                                                 "TextDisplayMethod": 0})
    if fld.type in (FieldType.INTEGER, FieldType.REAL):
        config: Dict[str, object] = {"AllowNull": not fld.required, "Style": "SpinBox"}
        if fld.min_value is not None:
            config["Min"] = fld.min_value
        if fld.max_value is not None:
            config["Max"] = fld.max_value
        if fld.type is FieldType.INTEGER:
            config["Step"] = 1
            config["Precision"] = 0
        return QgsEditorWidgetSetup("Range", config)
    return QgsEditorWidgetSetup("TextEdit", {"IsMultiline": fld.multiline, "UseHtml": False})


def _set_constraints(vlayer: QgsVectorLayer, layer: LayerDef, fld: FieldDef, idx: int,
                     lang: str, profile: Optional[ProvinceProfile]) -> None:
    hard = QgsFieldConstraints.ConstraintStrength.ConstraintStrengthHard
    # clear what a previous apply (or another version) left behind
    for constraint in (QgsFieldConstraints.Constraint.ConstraintNotNull,
                       QgsFieldConstraints.Constraint.ConstraintUnique,
                       QgsFieldConstraints.Constraint.ConstraintExpression):
        vlayer.removeFieldConstraint(idx, constraint)
    vlayer.setConstraintExpression(idx, "")
    if fld.required:
        vlayer.setFieldConstraint(idx, QgsFieldConstraints.Constraint.ConstraintNotNull, hard)
    if fld.type is FieldType.UUID and fld.name == "uid":
        vlayer.setFieldConstraint(idx, QgsFieldConstraints.Constraint.ConstraintUnique, hard)
    check = combined(field_checks(layer, fld, profile))
    if check is not None:
        vlayer.setConstraintExpression(idx, check.expression, check.message(lang))
        vlayer.setFieldConstraint(idx, QgsFieldConstraints.Constraint.ConstraintExpression, hard)


def _container(title: str, parent: Optional[QgsAttributeEditorElement],
               vlayer: QgsVectorLayer, fields) -> QgsAttributeEditorContainer:
    box = QgsAttributeEditorContainer(title, parent)
    show_as_tab(box)
    for fld in fields:
        box.addChildElement(QgsAttributeEditorField(fld.name, vlayer.fields().indexOf(fld.name),
                                                    box))
    return box


# Kept up to date by QGIS itself (and the id never changes): shown read-only,
# last on the first tab, so the cursor starts in the first field to type.
READ_ONLY_FIELDS = ("uid",) + ON_UPDATE_FIELDS
# Internal, but decides whether the feature is published at all: on the
# first tab, right after the status (the other thing that decides it).
FIRST_TAB_INTERNAL = ("approved",)


def first_tab_fields(layer: LayerDef) -> List[FieldDef]:
    """The first tab, top to bottom: what the officer types (the layer's
    ``typed_first`` fields, the other public fields, the approval box after
    the status), then the automatic fields."""
    typed = [f for f in layer.public_fields if f.name not in READ_ONLY_FIELDS]
    # what an announcement gives, in its order, first: Tab goes from one to the next
    first = [layer.field(name) for name in layer.typed_first]
    typed = first + [f for f in typed if f.name not in layer.typed_first]
    after = next((i + 1 for i, f in enumerate(typed) if f.name == "status"), len(typed))
    typed[after:after] = [layer.field(name) for name in FIRST_TAB_INTERNAL
                          if name in layer.field_names]
    automatic = [f for f in layer.fields if f.name in READ_ONLY_FIELDS and f.public]
    return typed + automatic


def internal_tab_fields(layer: LayerDef) -> List[FieldDef]:
    return [f for f in layer.internal_fields if f.name not in FIRST_TAB_INTERNAL]


def _set_layout(vlayer: QgsVectorLayer, layer: LayerDef, lang: str) -> None:
    config: QgsEditFormConfig = vlayer.editFormConfig()
    config.clearTabs()
    root = config.invisibleRootContainer()
    config.addTab(_container(TAB_PUBLIC[lang], root, vlayer, first_tab_fields(layer)))
    internal = internal_tab_fields(layer)
    if internal:
        config.addTab(_container(TAB_INTERNAL[lang], root, vlayer, internal))
    drag_and_drop = getattr(QgsEditFormConfig, "EditorLayout", QgsEditFormConfig).TabLayout
    config.setLayout(drag_and_drop)
    for name in READ_ONLY_FIELDS:
        index = vlayer.fields().indexOf(name)
        if index >= 0:
            config.setReadOnly(index, True)
    vlayer.setEditFormConfig(config)


def apply_form(vlayer: QgsVectorLayer, layer: LayerDef, lang: str,
               targets: Mapping[ValueSource, QgsVectorLayer],
               profile: Optional[ProvinceProfile] = None, approve_new: bool = True) -> None:
    """Aliases, widgets, constraints, defaults and the tab layout of one layer.

    ``targets`` are the layers value relations point at (districts,
    communes, isolation zones) in the same project; ``approve_new`` is the
    workspace's approval policy (``model.approves_new``).
    """
    fields = vlayer.fields()
    for fld in layer.fields:
        idx = fields.indexOf(fld.name)
        if idx < 0:
            continue  # an older workspace being upgraded
        vlayer.setFieldAlias(idx, field_alias(fld, lang))
        vlayer.setEditorWidgetSetup(idx, widget_setup(fld, lang, targets))
        expression = default_expression(fld, approve_new=approve_new)
        vlayer.setDefaultValueDefinition(
            idx, QgsDefaultValue(expression or "", bool(expression) and applies_on_update(fld)))
        _set_constraints(vlayer, layer, fld, idx, lang, profile)
    fid = fields.indexOf("fid")
    if fid >= 0:
        vlayer.setEditorWidgetSetup(fid, QgsEditorWidgetSetup("Hidden", {}))
    _set_layout(vlayer, layer, lang)
