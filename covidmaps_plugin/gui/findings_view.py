"""How findings are shown, in one place for the validation dock and the
publish dialog: severity colours, icons and titles, a finding's row (tree
row in the dock, list row in the dialog) with its tooltip and the Finding
behind it, the summary chips, and "show on the map" (select, zoom to
street scale, flash, keep dialogs off the feature)."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsMapCanvas
from qgis.PyQt.QtCore import QPoint, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont, QIcon
from qgis.PyQt.QtWidgets import QListWidget, QListWidgetItem, QTreeWidgetItem, QWidget

from ..core.validation import Finding, Severity
from ..i18n import tr

# where a row keeps the Finding it shows (dock tree and dialog list alike)
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1

# zooming to a feature never goes closer than this: the street block around
# it stays in view (a point, or a one-building zone, alone says little)
MIN_ZOOM_SCALE = 5_000.0

SEVERITY_STYLE = {
    # icon, text colour, chip background (readable, colour-blind safe pairs)
    Severity.ERROR: ("/mIconCritical.svg", "#B00020", "#FDECEE"),
    Severity.WARNING: ("/mIconWarning.svg", "#8A5A00", "#FFF4DB"),
    Severity.INFO: ("/mIconInfo.svg", "#0B5394", "#E8F1FB"),
}


def severity_title(severity: Severity) -> str:
    return {
        Severity.ERROR: tr("Errors"),
        Severity.WARNING: tr("Warnings"),
        Severity.INFO: tr("Notes"),
    }[severity]


def severity_icon(severity: Severity) -> QIcon:
    return QgsApplication.getThemeIcon(SEVERITY_STYLE[severity][0])


def severity_brush(severity: Severity) -> QBrush:
    return QBrush(QColor(SEVERITY_STYLE[severity][1]))


def severity_group_item(severity: Severity, count: int, font: QFont) -> QTreeWidgetItem:
    """The dock's heading of one severity: "Warnings (9)", bold, coloured."""
    bold = QFont(font)
    bold.setBold(True)
    group = QTreeWidgetItem([f"{severity_title(severity)} ({count})", ""])
    group.setIcon(0, severity_icon(severity))
    group.setFont(0, bold)
    group.setForeground(0, severity_brush(severity))
    return group


def finding_tree_item(finding: Finding, lang: str) -> QTreeWidgetItem:
    """The dock's row: the message, then the feature and its layer."""
    title = finding.layer_title(lang)
    feature = finding.feature_label()
    item = QTreeWidgetItem([finding.message(lang), f"{feature}\n{title}" if title else feature])
    item.setData(0, FINDING_ROLE, finding)
    item.setToolTip(0, finding_tooltip(finding, lang))
    item.setToolTip(1, f"{feature} — {title}")
    item.setForeground(1, QBrush(QColor("#333333")))
    return item


def finding_list_item(listing: QListWidget, text: str, severity: Severity,
                      finding: Optional[Finding], lang: str) -> QListWidgetItem:
    """The publish dialog's row (``text`` names layer and feature)."""
    item = QListWidgetItem(severity_icon(severity), text, listing)
    item.setForeground(severity_brush(severity))
    item.setToolTip(text if finding is None else finding_tooltip(finding, lang))
    item.setData(FINDING_ROLE, finding)
    return item


def summary_chips(counts: Any, severities: Sequence[Severity] = tuple(Severity)) -> str:
    """Rich text: a coloured chip per severity ("0 errors  9 warnings");
    notes only when there are some."""
    chips = []
    for severity in severities:
        count = counts[severity]
        if count or severity is not Severity.INFO:
            _, colour, background = SEVERITY_STYLE[severity]
            chips.append(
                f"<span style='background:{background}; color:{colour}; font-weight:600'>"
                f"&nbsp;{count} {severity_title(severity).lower()}&nbsp;</span>")
    return "&nbsp;&nbsp;".join(chips)




def finding_tooltip(finding: Finding, lang: str) -> str:
    """The whole message, and what the code in brackets is for."""
    return (finding.message(lang) + "\n\n"
            + tr("Reference code: {0} (the same in saved reports and in Processing).")
            .format(finding.code.value))


def keep_clear_of(window: QWidget, point: QPoint, margin: int = 80) -> None:
    """Move ``window`` aside when it covers ``point`` (global), e.g. the
    feature just shown at the map's centre."""
    frame = window.frameGeometry()
    if not window.isVisible() or not frame.adjusted(-margin, -margin, margin, margin
                                                     ).contains(point):
        return
    screen = window.screen().availableGeometry()
    left = point.x() - margin - frame.width()
    if left < screen.left():
        left = min(point.x() + margin, screen.right() - frame.width())
    window.move(left, frame.y())


def show_finding_on_canvas(canvas: QgsMapCanvas, layer: Optional[QgsVectorLayer],
                           finding: Finding, project: QgsProject) -> bool:
    """Select the finding's feature in ``layer`` and zoom the canvas to it
    (else centre on the finding's location). Shared by the dock and the
    publish dialog. False when there is nothing to show."""
    if layer is not None and finding.fid is not None:
        feature = layer.getFeature(finding.fid)
        if feature.isValid() and feature.hasGeometry():
            layer.selectByIds([finding.fid])
            _zoom_to(canvas, layer, feature.geometry(), project)
            canvas.flashFeatureIds(layer, [finding.fid])
            return True
    if finding.location is not None:
        wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
        to_map = QgsCoordinateTransform(wgs84, canvas.mapSettings().destinationCrs(), project)
        canvas.setCenter(to_map.transform(QgsPointXY(*finding.location)))
        canvas.refresh()
        return True
    return False


def _zoom_to(canvas: QgsMapCanvas, layer: QgsVectorLayer, geometry: Any,
             project: QgsProject) -> None:
    to_map = QgsCoordinateTransform(layer.crs(), canvas.mapSettings().destinationCrs(), project)
    box = to_map.transformBoundingBox(geometry.boundingBox())
    if box.width() == 0 and box.height() == 0:  # a point
        canvas.setCenter(box.center())
        canvas.zoomScale(MIN_ZOOM_SCALE)
    else:
        box.scale(1.5)
        canvas.setExtent(box)
        if canvas.scale() < MIN_ZOOM_SCALE:
            canvas.zoomScale(MIN_ZOOM_SCALE)
    canvas.refresh()
