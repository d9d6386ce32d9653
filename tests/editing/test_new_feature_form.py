"""The new-feature form never replaces what the officer entered, starts in
the first field to type and shows the approval box on its first tab."""

from __future__ import annotations

from qgis.core import QgsGeometry, QgsPointXY
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
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


def test_the_place_type_comes_from_the_name_until_the_officer_chooses(workspace):
    dialog = _form(workspace)
    editor = dialog.attributeForm()
    assert _value(dialog, "place_type") in (None, "") or not _value(dialog, "place_type")
    editor.changeAttribute("name", "Chợ phiên xã Bằng Vân")
    assert _value(dialog, "place_type") == "market"
    # still the guess: it follows a corrected name
    editor.changeAttribute("name", "Quán phở Bằng Vân")
    assert _value(dialog, "place_type") == "restaurant"
    # a name that tells nothing leaves the field as it is
    editor.changeAttribute("name", "Nhà ông A")
    assert _value(dialog, "place_type") == "restaurant"
    # the officer's choice is never replaced
    editor.changeAttribute("place_type", "event")
    editor.changeAttribute("name", "Chợ đêm Bắc Kạn")
    assert _value(dialog, "place_type") == "event"
    dialog.reject()


def test_a_place_type_chosen_first_is_kept(workspace):
    dialog = _form(workspace)
    editor = dialog.attributeForm()
    editor.changeAttribute("place_type", "school")
    editor.changeAttribute("name", "Chợ Phủ Thông")
    assert _value(dialog, "place_type") == "school"
    dialog.reject()


def _address(widget):
    return sip.unwrapinstance(widget)  # PyQt wraps one widget as several classes


def test_tab_goes_from_the_name_to_the_exposure_times_and_enter_adds(workspace):
    """The order of an announcement: name, from, until; then Enter."""
    assert [f.name for f in first_tab_fields(RISK)][:3] == \
        ["name", "exposure_start", "exposure_end"]
    dialog = _form(workspace)
    dialog.show()
    dialog.activateWindow()
    QApplication.processEvents()
    dialog.attributeForm().changeAttribute("name", "Chợ Phủ Thông")
    start, end = [e for e in date_edits(dialog) if e.isVisibleTo(dialog)][:2]
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert _address(dialog.focusWidget()) in (_address(start), _address(start.lineEdit()))
    QTest.keyClicks(dialog.focusWidget(), "010620210800")
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert _address(dialog.focusWidget()) in (_address(end), _address(end.lineEdit()))
    QTest.keyClicks(dialog.focusWidget(), "010620211130")
    QApplication.processEvents()
    assert read_instant(_value(dialog, "exposure_start")).isoformat() == \
        "2021-06-01T08:00:00+07:00"
    assert read_instant(_value(dialog, "exposure_end")).isoformat() == \
        "2021-06-01T11:30:00+07:00"
    QTest.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    QApplication.processEvents()
    added = list(workspace.layer("risk_points").getFeatures())
    assert [(f["name"], f["place_type"]) for f in added] == [("Chợ Phủ Thông", "market")]
