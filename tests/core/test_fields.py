"""How values are stored: datetimes as ISO text with the province offset."""

import datetime as dt

from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from covidmaps_plugin.core.fields import (
    qt_datetime_format,
    to_python_value,
    to_stored_datetime,
    to_stored_value,
)
from covidmaps_plugin.model import MODEL


def test_instants_are_stored_in_province_time_with_offset():
    assert to_stored_datetime("2021-06-01T01:30:00Z") == "2021-06-01T08:30:00+07:00"
    assert to_stored_datetime("2021-06-01T08:30:00") == "2021-06-01T08:30:00+07:00"
    aware = dt.datetime(2021, 6, 1, 8, 30, 15, 999, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert to_stored_datetime(aware) == "2021-06-01T08:30:15+07:00"
    qt_value = QDateTime.fromString("2021-06-01T03:30:00+02:00", Qt.DateFormat.ISODate)
    assert to_stored_datetime(qt_value) == "2021-06-01T08:30:00+07:00"
    assert to_stored_datetime("") is None and to_stored_datetime("not a time") is None


def test_the_form_widget_reads_the_stored_text():
    parsed = QDateTime.fromString("2021-06-01T08:30:00+07:00", qt_datetime_format())
    assert parsed.isValid() and parsed.time().hour() == 8
    assert parsed.toString(qt_datetime_format()) == "2021-06-01T08:30:00+07:00"


def test_values_from_json():
    rp = MODEL.layer("risk_points")
    assert to_stored_value(rp.field("announced_on"), "2021-06-02") == QDate(2021, 6, 2)
    assert to_stored_value(rp.field("related_cases"), "3") == 3
    assert to_stored_value(rp.field("disinfected"), 1) is True
    assert to_stored_value(rp.field("name"), "") is None
    assert to_python_value(QDate(2021, 6, 2)) == dt.date(2021, 6, 2)
