"""Opening the attribute form of a new feature, pre-filled.

The form is QGIS's own attribute dialog (widgets, constraints and tabs come
from the workspace's form configuration). In add mode, accepting it adds the
feature to the layer's edit buffer; cancelling adds nothing.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from qgis.core import QgsApplication, QgsFeature, QgsGeometry, QgsVectorLayer
from qgis.gui import QgsAttributeDialog, QgsAttributeEditorContext
from qgis.PyQt import sip
from qgis.PyQt.QtWidgets import QWidget

from ...core.editing import EditRefusedError, initial_attributes, new_feature
from ...core.editing.admin_lookup import AdminLocation
from ...core.editing.derived import DerivedDefaults
from ...core.i18n import current_language
from ...model import LayerDef
from .form_polish import focus_first_field, polish_form

FeatureAdded = Callable[[QgsFeature], None]


def start_editing(layer: QgsVectorLayer) -> None:
    if not layer.isEditable() and not layer.startEditing():
        raise EditRefusedError(
            f"Không mở được lớp «{layer.name()}» để chỉnh sửa (chỉ đọc?).",
            f"Cannot start editing «{layer.name()}» (read-only?).",
        )


def prefilled_feature(
    layer: QgsVectorLayer,
    layer_def: LayerDef,
    geometry: QgsGeometry,
    location: Optional[AdminLocation],
    extra: Optional[Dict[str, Any]] = None,
) -> QgsFeature:
    attrs = {**initial_attributes(layer_def, location), **(extra or {})}
    return new_feature(layer, layer_def, geometry, attrs)


def bind_to_layer(dialog: QgsAttributeDialog, layer: QgsVectorLayer) -> None:
    """Delete ``dialog`` at once when ``layer`` is about to be deleted (a
    project closed or replaced): a form that outlives its layer crashes QGIS
    when it is finally destroyed."""

    def drop() -> None:
        if not sip.isdeleted(dialog):
            sip.delete(dialog)

    layer.willBeDeleted.connect(drop)


def follow_derived_defaults(dialog: QgsAttributeDialog, layer_def: LayerDef) -> DerivedDefaults:
    """Let derived defaults (visible until = exposure end + 14 days) follow
    their source while the officer has not entered a value of their own."""
    form = dialog.attributeForm()
    feature = dialog.feature()
    names = feature.fields().names()
    derived = DerivedDefaults(layer_def, {n: feature[n] for n in names})
    sources = set(derived.sources)

    def changed(name: str, value: Any, _attribute_changed: bool) -> None:
        if name not in sources:
            return
        current = form.currentFormFeature()
        values = {n: current[n] for n in current.fields().names()}
        for target, new_value in derived.updates(name, value, values).items():
            form.changeAttribute(target, new_value)

    form.widgetValueChanged.connect(changed)

    def stop(_result: int = 0) -> None:
        # widgets torn down with the closed form emit changes of their own
        try:
            form.widgetValueChanged.disconnect(changed)
        except (TypeError, RuntimeError):
            pass

    dialog.finished.connect(stop)
    return derived


# forms showing empty fields blank, and the officer's own NULL text to restore
_BLANK: Dict[str, Any] = {"open": 0, "previous": None}


def show_empty_as_blank() -> Callable[..., None]:
    """Empty fields of the form show blank instead of the literal "NULL"
    while it is open (the widgets read QGIS's representation of NULL as
    they are built and when they report their value, so both agree); the
    returned function lets go (once). The officer's setting comes back
    when the last such form closes, whatever order they close in."""
    if _BLANK["open"] == 0:
        _BLANK["previous"] = QgsApplication.nullRepresentation()
        QgsApplication.setNullRepresentation("")
    _BLANK["open"] += 1
    done = []

    def restore(*_args: Any) -> None:
        if done:
            return
        done.append(True)
        _BLANK["open"] -= 1
        if _BLANK["open"] == 0:
            QgsApplication.setNullRepresentation(_BLANK["previous"])

    return restore


def open_new_feature_form(
    layer: QgsVectorLayer,
    feature: QgsFeature,
    parent: Optional[QWidget],
    *,
    modal: bool = True,
    on_added: Optional[FeatureAdded] = None,
    layer_def: Optional[LayerDef] = None,
) -> QgsAttributeDialog:
    """Show the add-feature form for ``feature``; ``on_added`` runs when it is
    accepted and the feature is in the edit buffer.

    ``modal=False`` returns at once with the dialog shown (tests accept it
    programmatically; QGIS desktop uses the modal form).
    """
    start_editing(layer)
    restore = show_empty_as_blank()
    try:
        dialog = QgsAttributeDialog(layer, feature, False, parent, True)
    except BaseException:
        restore()
        raise
    dialog.finished.connect(restore)
    dialog.destroyed.connect(restore)
    dialog.setMode(QgsAttributeEditorContext.Mode.AddFeatureMode)
    dialog.setObjectName("CovidMapsNewFeatureForm")
    bind_to_layer(dialog, layer)
    if layer_def is not None:
        dialog.covidmaps_derived = follow_derived_defaults(dialog, layer_def)
    polish_form(dialog, current_language())
    focus_first_field(dialog)

    def accepted() -> None:
        if on_added is not None:
            on_added(dialog.feature())

    dialog.accepted.connect(accepted)
    if modal:
        dialog.exec()
    else:
        dialog.show()
    return dialog
