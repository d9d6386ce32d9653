"""The new-feature form never replaces what the officer entered, starts in
the first field to type and shows the approval box on its first tab."""

from __future__ import annotations

from qgis.core import QgsGeometry, QgsPointXY
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication, QLabel, QTabWidget

from covidmaps_plugin.core.editing.values import read_instant
from covidmaps_plugin.core.forms import first_tab_fields
from covidmaps_plugin.gui.tools.feature_form import open_new_feature_form, prefilled_feature
from covidmaps_plugin.gui.tools.form_polish import date_edits
from covidmaps_plugin.model import MODEL

RISK = MODEL.layer("risk_points")


def _form(workspace, layer_name="risk_points"):
    layer = workspace.layer(layer_name)
    layer_def = MODEL.layer(layer_name)
    feature = prefilled_feature(layer, layer_def,
                                QgsGeometry.fromPointXY(QgsPointXY(105.834, 22.147)), None)
    return open_new_feature_form(layer, feature, None, modal=False, layer_def=layer_def)


def _value(form, name):
    return form.attributeForm().currentFormFeature()[name]


def test_visible_until_follows_exposure_end_until_the_officer_sets_it(workspace):
    dialog = _form(workspace)
    editor = dialog.attributeForm()
    editor.changeAttribute("exposure_end", "2021-06-05T11:00:00+07:00")
    assert read_instant(_value(dialog, "visible_until")).isoformat() == \
        "2021-06-19T11:00:00+07:00"
    # a derived value still follows its source
    editor.changeAttribute("exposure_end", "2021-06-06T11:00:00+07:00")
    assert read_instant(_value(dialog, "visible_until")).isoformat() == \
        "2021-06-20T11:00:00+07:00"
    # the officer's own value survives typing elsewhere and a new exposure end
    editor.changeAttribute("visible_until", "2021-07-01T08:00:00+07:00")
    editor.changeAttribute("name", "Chợ Phủ Thông")
    editor.changeAttribute("address", "Thị trấn Phủ Thông")
    editor.changeAttribute("exposure_end", "2021-06-07T11:00:00+07:00")
    editor.changeAttribute("related_cases", 2)
    assert read_instant(_value(dialog, "visible_until")).isoformat() == \
        "2021-07-01T08:00:00+07:00"
    editor.changeAttribute("place_type", "market")
    assert dialog.accept() is None
    added = next(workspace.layer("risk_points").getFeatures())
    assert read_instant(added["visible_until"]).isoformat() == "2021-07-01T08:00:00+07:00"
    assert added["name"] == "Chợ Phủ Thông"


def test_no_default_overwrites_a_value_typed_by_hand(workspace):
    dialog = _form(workspace)
    editor = dialog.attributeForm()
    editor.changeAttribute("announced_on", "2021-06-01")
    editor.changeAttribute("approved", False)
    for name, value in (("name", "A"), ("address", "B"), ("advice", "C")):
        editor.changeAttribute(name, value)
    assert _value(dialog, "approved") is False or _value(dialog, "approved") in (0, "false")
    assert str(_value(dialog, "announced_on").toString("yyyy-MM-dd")) == "2021-06-01"
    dialog.reject()


def test_new_features_are_approved_and_the_box_is_on_the_first_tab(workspace):
    for layer_def in MODEL.layers:
        names = [f.name for f in first_tab_fields(layer_def)]
        assert "approved" in names and names.index("approved") == names.index("status") + 1
        assert names[0] not in ("uid", "updated_at")  # the first field is one to type
        assert names[-2:] == ["uid", "updated_at"]
    dialog = _form(workspace)
    assert bool(_value(dialog, "approved")) is True
    tabs = dialog.findChild(QTabWidget)
    first = tabs.widget(0)
    labels = [w.text() for w in first.findChildren(QLabel)]
    assert any("Đã duyệt công bố" in text or "Approved" in text for text in labels)
    dialog.reject()


def test_the_cursor_starts_in_the_name(workspace):
    dialog = _form(workspace)
    dialog.show()
    dialog.activateWindow()
    QApplication.processEvents()
    focused = dialog.focusWidget()
    assert focused is not None and focused.isEnabled()
    assert not getattr(focused, "isReadOnly", lambda: False)()
    QTest.keyClicks(focused, "Cho Phu Thong")  # QTest types ASCII only
    QApplication.processEvents()
    assert _value(dialog, "name") == "Cho Phu Thong"
    dialog.reject()


def test_typing_a_date_into_an_empty_date_field(workspace):
    dialog = _form(workspace)
    dialog.show()
    QApplication.processEvents()
    index = workspace.layer("risk_points").fields().indexOf("exposure_start")
    edits = date_edits(dialog)
    assert edits
    edit = next(e for e in edits if e.isNull() and e.isEnabled() and e.isVisibleTo(dialog))
    assert edit.calendarWidget().locale().name() in ("vi_VN", "en_GB")
    assert "qt_calendar_navigationbar" in edit.calendarWidget().styleSheet()
    edit.setFocus()
    QApplication.processEvents()
    QTest.keyClicks(edit, "051120210830")
    QApplication.processEvents()
    assert not edit.isNull()
    assert edit.dateTime().toString("yyyy-MM-dd HH:mm") == "2021-11-05 08:30"
    assert index >= 0
    dialog.reject()


def test_empty_fields_are_blank_not_null_and_stay_null(workspace):
    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QLineEdit

    before = QgsApplication.nullRepresentation()
    dialog = _form(workspace)
    dialog.show()
    QApplication.processEvents()
    shown = [e.text() for e in dialog.findChildren(QLineEdit) if e.isVisibleTo(dialog)]
    assert shown and "NULL" not in shown and before not in shown
    editor = dialog.attributeForm()
    editor.changeAttribute("name", "Chợ Phủ Thông")
    editor.changeAttribute("place_type", "market")
    editor.changeAttribute("exposure_start", "2021-06-05T08:00:00+07:00")
    editor.changeAttribute("exposure_end", "2021-06-05T11:00:00+07:00")
    dialog.accept()
    QApplication.processEvents()
    assert QgsApplication.nullRepresentation() == before  # the officer's setting is back
    added = next(workspace.layer("risk_points").getFeatures())
    for name in ("address", "advice", "source_doc", "internal_note"):
        value = added[name]  # NULL, never an empty string
        assert value is None or (hasattr(value, "isNull") and value.isNull()), (name, value)


def test_the_null_text_comes_back_whatever_order_forms_close_in(qgis_app):
    from qgis.core import QgsApplication

    from covidmaps_plugin.gui.tools.feature_form import show_empty_as_blank

    before = QgsApplication.nullRepresentation()
    first, second = show_empty_as_blank(), show_empty_as_blank()
    assert QgsApplication.nullRepresentation() == ""
    first()
    first()  # twice: once counts
    assert QgsApplication.nullRepresentation() == ""  # the second form is still open
    second()
    assert QgsApplication.nullRepresentation() == before
