"""The few spellings that differ between the QGIS and Qt versions we support.

The plugin runs on QGIS 3.22 (Debian 12) through 3.40 and 3.44 (the current
long-term releases), built with Qt5 today and with Qt6 in QGIS 4. Everything
else in the plugin uses one spelling that works on all of them (scoped enums,
``exec()``); what cannot be spelled once lives here, so a reader finds every
version switch in one file and ``tests/plugin/test_qt6_idioms.py`` can forbid
the old spellings everywhere else.
"""

from __future__ import annotations

import enum

from qgis.core import Qgis, QgsAttributeEditorContainer, QgsField
from qgis.PyQt.QtCore import QMetaType, QVariant

try:  # Qt6 moved QAction to QtGui; Qt5 has it in QtWidgets only
    from qgis.PyQt.QtGui import QAction
except ImportError:  # pragma: no cover - depends on the Qt of the QGIS build
    from qgis.PyQt.QtWidgets import QAction

__all__ = ["QAction", "FieldKind", "new_field", "field_kind", "show_as_tab", "QGIS_VERSION_INT"]

QGIS_VERSION_INT: int = Qgis.QGIS_VERSION_INT

# QGIS 3.38 types fields by QMetaType and deprecates the QVariant::Type
# constructor; 3.22 only knows QVariant::Type. Both enums share their numbers
# (QVariant::String == QMetaType::QString == 10), which field_kind relies on.
_FIELDS_USE_QMETATYPE = QGIS_VERSION_INT >= 33800


class FieldKind(enum.Enum):
    """A field's storage type, independent of QVariant/QMetaType."""

    STRING = "QString"
    INT = "Int"
    LONGLONG = "LongLong"
    DOUBLE = "Double"
    BOOL = "Bool"
    DATE = "QDate"
    DATETIME = "QDateTime"


def _qmetatype(kind: FieldKind):
    return getattr(QMetaType.Type, kind.value)


def _qvariant(kind: FieldKind):
    name = {"QString": "String", "QDate": "Date", "QDateTime": "DateTime"}.get(kind.value,
                                                                                kind.value)
    return getattr(QVariant.Type, name)


def _number(enum_value) -> int:
    # PyQt5 enum members are ints; PyQt6 ones are Python enums with .value
    return int(getattr(enum_value, "value", enum_value))


_KIND_BY_NUMBER = {_number(_qmetatype(kind)): kind for kind in FieldKind}


def new_field(name: str, kind: FieldKind, type_name: str = "", length: int = 0) -> QgsField:
    """A ``QgsField`` of ``kind``, built the way the running QGIS expects."""
    field_type = _qmetatype(kind) if _FIELDS_USE_QMETATYPE else _qvariant(kind)
    return QgsField(name, field_type, type_name, length)


def field_kind(field: QgsField) -> FieldKind | None:
    """The storage type of an existing field, or None for a type we never create."""
    return _KIND_BY_NUMBER.get(_number(field.type()))


def show_as_tab(container: QgsAttributeEditorContainer) -> None:
    """Make a form container a tab (QGIS 3.32 replaced ``setIsGroupBox``)."""
    if QGIS_VERSION_INT >= 33200:
        container.setType(Qgis.AttributeEditorContainerType.Tab)
    else:
        container.setIsGroupBox(False)
