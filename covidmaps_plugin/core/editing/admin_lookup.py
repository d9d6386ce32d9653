"""Which district (and commune) a location lies in, from the workspace's
reference polygons.

The reference layers hold one feature per administrative unit with its GSO
``code`` (communes also name their district). Geometries are prepared once,
so placing a point costs a bounding-box filter and one or two prepared
``contains`` tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsSpatialIndex,
    QgsVectorLayer,
)

CODE_FIELD = "code"
NAME_FIELD = "name"
# how a commune layer may name its district (first one present wins)
PARENT_FIELDS = ("district_code", "district", "parent_code")


@dataclass(frozen=True)
class AdminLocation:
    district_code: Optional[str]
    commune_code: Optional[str] = None


@dataclass
class _Unit:
    code: str
    name: str
    parent: str
    geometry: QgsGeometry


def _field(layer: QgsVectorLayer, candidates: Sequence[str]) -> Optional[str]:
    names = layer.fields().names()
    return next((c for c in candidates if c in names), None)


class AdminUnits:
    """The units of one reference layer, with prepared geometries."""

    def __init__(self, layer: QgsVectorLayer) -> None:
        self.crs: QgsCoordinateReferenceSystem = layer.crs()
        code_field = _field(layer, (CODE_FIELD,))
        if code_field is None:
            raise ValueError(f"reference layer {layer.name()!r} has no {CODE_FIELD!r} field")
        name_field = _field(layer, (NAME_FIELD,))
        parent_field = _field(layer, PARENT_FIELDS)
        self._units: Dict[int, _Unit] = {}
        self._index = QgsSpatialIndex()
        for feat in layer.getFeatures():
            geom = QgsGeometry(feat.geometry())
            if geom.isNull() or geom.isEmpty():
                continue
            unit = _Unit(
                code=str(feat[code_field]),
                name=str(feat[name_field]) if name_field else str(feat[code_field]),
                parent=str(feat[parent_field] or "") if parent_field else "",
                geometry=geom,
            )
            self._units[feat.id()] = unit
            self._index.addFeature(feat.id(), geom.boundingBox())
        # the engines point into the geometries kept in self._units
        self._engines = {
            fid: QgsGeometry.createGeometryEngine(unit.geometry.constGet())
            for fid, unit in self._units.items()
        }
        for engine in self._engines.values():
            engine.prepareGeometry()

    def __len__(self) -> int:
        return len(self._units)

    @property
    def codes(self) -> Tuple[str, ...]:
        return tuple(sorted(u.code for u in self._units.values()))

    def units(self) -> List[Tuple[str, str, str]]:
        """(code, name, parent code) of every unit, sorted by code."""
        return sorted((u.code, u.name, u.parent) for u in self._units.values())

    def unit_at(self, point: QgsPointXY) -> Optional[Tuple[str, str]]:
        """(code, parent code) of the unit containing ``point`` (layer CRS)."""
        probe = QgsGeometry.fromPointXY(point)
        for fid in sorted(self._index.intersects(QgsRectangle(point, point))):
            if self._engines[fid].intersects(probe.constGet()):
                unit = self._units[fid]
                return unit.code, unit.parent
        return None

    def geometries(self, codes: Iterable[str]) -> List[QgsGeometry]:
        wanted = set(codes)
        return [QgsGeometry(u.geometry) for u in self._units.values() if u.code in wanted]


class AdminLookup:
    """District and commune of a location, in any CRS."""

    def __init__(
        self,
        districts: QgsVectorLayer,
        communes: Optional[QgsVectorLayer] = None,
        project: Optional[QgsProject] = None,
    ) -> None:
        self.districts = AdminUnits(districts)
        has_communes = communes is not None and communes.featureCount() > 0
        self.communes = AdminUnits(communes) if has_communes else None
        self._context = (project or QgsProject.instance()).transformContext()

    def _to(
        self, units: AdminUnits, point: QgsPointXY, crs: QgsCoordinateReferenceSystem
    ) -> QgsPointXY:
        if crs == units.crs:
            return QgsPointXY(point)
        return QgsCoordinateTransform(crs, units.crs, self._context).transform(point)

    def locate(self, point: QgsPointXY, crs: QgsCoordinateReferenceSystem) -> AdminLocation:
        """The district/commune codes at ``point`` (None where it lies outside)."""
        commune_code = None
        district_code = None
        if self.communes is not None:
            hit = self.communes.unit_at(self._to(self.communes, point, crs))
            if hit is not None:
                commune_code, district_code = hit[0], hit[1] or None
        if district_code is None:
            hit = self.districts.unit_at(self._to(self.districts, point, crs))
            district_code = hit[0] if hit else None
        return AdminLocation(district_code, commune_code)
