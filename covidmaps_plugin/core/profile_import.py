"""Importing a province's official boundaries (any OGR source, any CRS) into
a workspace's reference layers and its stored profile.

Everything is checked before anything is written: codes against the
profile, geometry type and validity (never auto-repaired), duplicates. The
reference table is then replaced in one SQLite transaction (QGIS 3.22 offers
no OGR transaction to Python), so it holds the old rows or the new ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Dict, List, Optional, Tuple

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsVectorLayer,
)

from ..model import ProvinceProfile
from ..model.profile import AdminUnit
from .errors import WorkspaceError
from .fields import STORAGE_CRS
from .gpkg import replace_rows, write_meta
from .profile_data import REFERENCE_LAYERS, is_polygonal
from .workspace import Workspace

CODE_WIDTH = {"province": 2, "districts": 3, "communes": 5}
LEVEL_LABEL = {"province": ("tỉnh", "province"), "districts": ("huyện", "district"),
               "communes": ("xã", "commune")}

ImportedUnit = Tuple[str, str, str, QgsGeometry]  # code, name, parent code, geometry (WGS 84)


def normalize_code(value: object, width: int) -> str:
    """GSO codes are zero-padded digits; sources often store them as numbers."""
    text = "" if value is None else str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(width) if text.isdigit() else text


def _open_source(source_uri: str) -> QgsVectorLayer:
    layer = QgsVectorLayer(source_uri, "import", "ogr")
    if not layer.isValid():
        raise WorkspaceError(f"Không mở được nguồn dữ liệu ranh giới: {source_uri}",
                             f"Cannot open the boundary source: {source_uri}")
    if not layer.crs().isValid():
        raise WorkspaceError("Nguồn dữ liệu ranh giới không có hệ tọa độ.",
                             "The boundary source has no coordinate reference system.")
    return layer


def _check_fields(layer: QgsVectorLayer, wanted: List[str]) -> None:
    names = layer.fields().names()
    missing = [name for name in wanted if name and name not in names]
    if missing:
        raise WorkspaceError(
            f"Nguồn dữ liệu không có trường {', '.join(missing)} (có: {', '.join(names)}).",
            f"The source has no field {', '.join(missing)} (it has: {', '.join(names)}).")


def read_units(workspace: Workspace, layer: QgsVectorLayer, level: str, code_field: str,
               name_field: str, parent_code_field: Optional[str]) -> List[ImportedUnit]:
    """The source's features as checked units in WGS 84."""
    _check_fields(layer, [code_field, name_field, parent_code_field or ""])
    transform = QgsCoordinateTransform(layer.crs(), QgsCoordinateReferenceSystem(STORAGE_CRS),
                                       workspace.project.transformContext())
    units: List[ImportedUnit] = []
    problems: List[Tuple[str, str]] = []
    for feature in layer.getFeatures():
        code = normalize_code(feature[code_field], CODE_WIDTH[level])
        name = str(feature[name_field] or "").strip()
        parent = normalize_code(feature[parent_code_field], 3) if parent_code_field else ""
        label = f"{code} {name}".strip() or f"#{feature.id()}"
        geometry = QgsGeometry(feature.geometry())
        if geometry.isNull() or geometry.isEmpty():
            problems.append((f"{label}: không có hình", f"{label}: no geometry"))
            continue
        if not is_polygonal(geometry):
            problems.append((f"{label}: không phải vùng", f"{label}: not a polygon"))
            continue
        if not geometry.isGeosValid():
            reason = geometry.validateGeometry()[0].what() if geometry.validateGeometry() else ""
            problems.append((f"{label}: hình không hợp lệ ({reason})",
                             f"{label}: invalid geometry ({reason})"))
            continue
        geometry.transform(transform)
        geometry.convertToMultiType()
        units.append((code, name, parent, geometry))
    if problems:
        raise WorkspaceError(
            "Dữ liệu ranh giới bị từ chối: " + "; ".join(p[0] for p in problems),
            "Boundaries rejected: " + "; ".join(p[1] for p in problems))
    if not units:
        raise WorkspaceError("Nguồn dữ liệu ranh giới không có đối tượng nào.",
                             "The boundary source has no features.")
    return units


def _duplicates(codes: List[str]) -> List[str]:
    return sorted({c for c in codes if codes.count(c) > 1})


def check_codes(profile: ProvinceProfile, level: str, units: List[ImportedUnit]) -> None:
    """Raise with every unknown, missing or duplicated code at once."""
    codes = [u[0] for u in units]
    vi_level, en_level = LEVEL_LABEL[level]
    errors: List[Tuple[str, str]] = []
    dup = _duplicates(codes)
    if dup:
        errors.append((f"mã {vi_level} trùng: {', '.join(dup)}",
                       f"duplicate {en_level} codes: {', '.join(dup)}"))
    if level == "province":
        expected = {profile.gso_code}
    elif level == "districts":
        expected = set(profile.district_codes)
    else:
        expected = set(profile.commune_codes) or set(codes)
        parents = sorted({u[2] for u in units} - set(profile.district_codes))
        if parents:
            errors.append((f"mã huyện không có trong hồ sơ: {', '.join(parents)}",
                           f"district codes not in the profile: {', '.join(parents)}"))
    unknown = sorted(set(codes) - expected)
    missing = sorted(expected - set(codes))
    if unknown:
        errors.append((f"mã {vi_level} không có trong hồ sơ tỉnh: {', '.join(unknown)}",
                       f"{en_level} codes not in the province profile: {', '.join(unknown)}"))
    if missing:
        errors.append((f"thiếu mã {vi_level}: {', '.join(missing)}",
                       f"missing {en_level} codes: {', '.join(missing)}"))
    if errors:
        raise WorkspaceError("Mã ranh giới không khớp hồ sơ tỉnh — " +
                             "; ".join(e[0] for e in errors),
                             "Boundary codes do not match the province profile — " +
                             "; ".join(e[1] for e in errors))


def updated_profile(profile: ProvinceProfile, level: str, units: List[ImportedUnit],
                    source_uri: str) -> ProvinceProfile:
    extra: Dict[str, object] = dict(profile.extra)
    sources = dict(extra.get("boundary_sources", {}))  # type: ignore[arg-type]
    sources[level] = {"source": source_uri,
                      "imported_at": dt.datetime.now(dt.timezone.utc).isoformat(
                          timespec="seconds")}
    extra["boundary_sources"] = sources
    changes: Dict[str, object] = {"extra": extra}
    if level == "province":
        box = units[0][3].boundingBox()
        changes["bbox"] = (round(box.xMinimum(), 4), round(box.yMinimum(), 4),
                           round(box.xMaximum(), 4), round(box.yMaximum(), 4))
    if level == "communes":
        changes["communes"] = tuple(AdminUnit(code, name, parent)
                                    for code, name, parent, _ in sorted(units))
    return dataclasses.replace(profile, **changes)


def _replace_features(workspace: Workspace, level: str, units: List[ImportedUnit],
                      source: str) -> None:
    """One SQLite transaction replaces the table; then the project's layer
    re-reads it."""
    rows = []
    for code, name, parent, geometry in units:
        box = geometry.boundingBox()
        envelope = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())
        rows.append(((code, name, parent, source), bytes(geometry.asWkb()), envelope))
    try:
        replace_rows(workspace.gpkg_path, level, ("code", "name", "parent_code", "source"), rows)
    except Exception as exc:
        raise WorkspaceError(f"Không ghi được ranh giới mới; ranh giới cũ được giữ nguyên: {exc}",
                             f"Cannot write the new boundaries; the old ones are kept: {exc}"
                             ) from exc
    layer = workspace.reference_layer(level)
    layer.dataProvider().reloadData()
    layer.reload()
    layer.updateExtents()
    layer.triggerRepaint()


def import_boundaries(workspace: Workspace, source_uri: str, level: str, code_field: str,
                      name_field: str, parent_code_field: Optional[str] = None) -> int:
    """Replace the ``level`` reference layer ("province", "districts" or
    "communes") with the source's polygons. Returns the number imported."""
    if level not in REFERENCE_LAYERS:
        raise WorkspaceError(f"Cấp ranh giới không hợp lệ: {level}",
                             f"Unknown boundary level: {level}")
    if level == "communes" and not parent_code_field:
        raise WorkspaceError("Ranh giới xã cần trường mã huyện.",
                             "Commune boundaries need the district code field.")
    if any(workspace.layer(n).isEditable() for n in _model_layers()):
        raise WorkspaceError("Hãy lưu hoặc hủy các chỉnh sửa đang mở trước khi nhập ranh giới.",
                             "Save or discard open edits before importing boundaries.")
    source = _open_source(source_uri)
    units = read_units(workspace, source, level, code_field, name_field, parent_code_field)
    check_codes(workspace.profile, level, units)
    profile = updated_profile(workspace.profile, level, units, source_uri)
    _replace_features(workspace, level, units, f"imported from {source_uri}")
    _rejoin_levels(workspace, level)
    write_meta(workspace.gpkg_path,
               {"profile": json.dumps(profile.to_dict(), ensure_ascii=False)})
    workspace.profile = profile
    workspace.meta["profile"] = json.dumps(profile.to_dict(), ensure_ascii=False)
    workspace.refresh(workspace.language)
    workspace.save_project()
    return len(units)


def _rejoin_levels(workspace: Workspace, level: str) -> None:
    """Epidemic levels carry their unit's polygon: the imported one from now on."""
    from .editing.levels import REFERENCE_TABLE, rejoin_geometries

    kinds = {table: kind for kind, table in REFERENCE_TABLE.items()}
    if level in kinds:
        rejoin_geometries(workspace.layer("epidemic_levels"),
                          workspace.reference_layer(level), kinds[level])


def _model_layers() -> Tuple[str, ...]:
    from ..model import MODEL

    return MODEL.layer_names
