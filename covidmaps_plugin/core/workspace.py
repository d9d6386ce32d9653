"""A CovidMaps workspace: one GeoPackage with the four model layers, the
province's reference layers, a ``covidmaps_meta`` table (model version,
profile) and the QGIS project itself (QGIS project storage ``geopackage:``),
so one file is the whole workspace.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Union

from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsFeedback,
    QgsPathResolver,
    QgsProject,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QUrl, QUrlQuery

from ..model import MODEL, MODEL_VERSION, ProvinceProfile, default_profile
from .errors import WorkspaceError
from .fields import STORAGE_CRS, WKB_TYPES, qgs_fields
from .gpkg import (
    PROJECT_NAME,
    is_geopackage,
    read_meta,
    write_default_styles,
    write_layer,
    write_meta,
)
from .i18n import current_language
from .profile_data import (
    REFERENCE_LAYERS,
    RefFeature,
    default_reference_features,
    reference_fields,
)
from .project_setup import (
    LAYER_PROPERTY,
    REFERENCE_PROPERTY,
    assemble_project,
    find_layer,
    source_path,
)
from .styles import STYLE_NAME, style_qml

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class Workspace:
    gpkg_path: Path
    project: QgsProject
    profile: ProvinceProfile
    language: str = "vi"
    meta: Dict[str, str] = field(default_factory=dict)

    def layer(self, name: str) -> QgsVectorLayer:
        """One of ``MODEL.layer_names`` as loaded in the project."""
        layer = find_layer(self.project, LAYER_PROPERTY, name)
        if layer is None:
            raise KeyError(f"workspace has no layer {name!r}")
        return layer

    def reference_layer(self, name: str) -> QgsVectorLayer:
        """``"province"``, ``"districts"`` or ``"communes"``."""
        layer = find_layer(self.project, REFERENCE_PROPERTY, name)
        if layer is None:
            raise KeyError(f"workspace has no reference layer {name!r}")
        return layer

    def layers(self) -> Dict[str, QgsVectorLayer]:
        """The four model layers by name, in model order."""
        return {name: self.layer(name) for name in MODEL.layer_names}

    @property
    def model_version(self) -> int:
        return int(self.meta.get("model_version", MODEL_VERSION))

    @property
    def project_uri(self) -> str:
        return project_uri(self.gpkg_path)

    def refresh(self, lang: Optional[str] = None) -> None:
        """Re-apply forms, styles, CRS and order (e.g. after a profile change)."""
        self.language = current_language(lang)
        assemble_project(self.project, self.gpkg_path, self.profile, self.language)

    def save_project(self) -> None:
        """Store the QGIS project inside the GeoPackage."""
        if not self.project.write(self.project_uri):
            raise WorkspaceError(
                f"Không lưu được dự án QGIS vào {self.gpkg_path.name}: {self.project.error()}",
                f"Cannot save the QGIS project into {self.gpkg_path.name}: "
                f"{self.project.error()}")


def project_uri(gpkg_path: Path) -> str:
    """``geopackage:`` project storage URI, encoded the way QGIS encodes it."""
    url = QUrl()
    url.setScheme("geopackage")
    url.setPath(str(gpkg_path))
    query = QUrlQuery()
    query.addQueryItem("projectName", PROJECT_NAME)
    url.setQuery(query)
    return bytes(url.toEncoded()).decode("utf-8")


# ------------------------------------------------------------------ checks

def _absolute(gpkg_path: PathLike) -> Path:
    return Path(os.path.abspath(os.fspath(gpkg_path)))


def _is_read_only(path: Path) -> bool:
    # root passes os.access, so the permission bits the user set count too
    mode = path.stat().st_mode
    return not os.access(path, os.W_OK) or not mode & stat.S_IWUSR


def check_new_path(path: Path) -> None:
    """Raise unless a new workspace can be created at ``path`` (absolute)."""
    if path.suffix.lower() != ".gpkg":
        raise WorkspaceError(f"Tên tệp phải có đuôi .gpkg: {path.name}",
                             f"The file name must end in .gpkg: {path.name}")
    if path.exists():
        raise WorkspaceError(
            f"Tệp {path} đã tồn tại; hãy chọn tên khác hoặc mở tệp đó.",
            f"{path} already exists; choose another name or open it instead.")
    if not path.parent.is_dir():
        raise WorkspaceError(f"Thư mục {path.parent} không tồn tại.",
                             f"The folder {path.parent} does not exist.")
    if _is_read_only(path.parent):
        raise WorkspaceError(f"Không có quyền ghi vào thư mục {path.parent}.",
                             f"The folder {path.parent} is read-only.")


_check_new_path = check_new_path  # the name the GUI and Processing import


def check_existing_workspace(path: Path) -> None:
    """Raise unless ``path`` is a writable GeoPackage."""
    if not path.is_file():
        raise WorkspaceError(f"Không tìm thấy tệp {path}.", f"{path} does not exist.")
    if not is_geopackage(path):
        raise WorkspaceError(f"{path.name} không phải tệp GeoPackage.",
                             f"{path.name} is not a GeoPackage.")
    if _is_read_only(path) or _is_read_only(path.parent):
        raise WorkspaceError(
            f"{path.name} (hoặc thư mục chứa nó) chỉ cho phép đọc; cần quyền ghi để biên tập.",
            f"{path.name} (or its folder) is read-only; editing needs write access.")


def _cancelled(feedback: Optional[QgsFeedback]) -> None:
    if feedback is not None and feedback.isCanceled():
        raise WorkspaceError("Đã hủy.", "Cancelled.")


def _progress(feedback: Optional[QgsFeedback], percent: float) -> None:
    _cancelled(feedback)
    if feedback is not None:
        feedback.setProgress(percent)


def _report(feedback: Optional[QgsFeedback], text: str) -> None:
    push = getattr(feedback, "pushWarning", None) or getattr(feedback, "pushInfo", None)
    if push is not None:
        push(text)


def remove_gpkg_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def temp_sibling(path: Path, purpose: str) -> Path:
    """A hidden file next to ``path`` (same file system, so rename is atomic)."""
    return path.with_name(f".{path.stem}.{purpose}-{uuid.uuid4().hex[:8]}.gpkg")


# ---------------------------------------------------------------- creation

def write_reference_layer(path: Path, table: str, items: List[RefFeature]) -> None:
    fields = reference_fields()
    features = []
    for code, name, parent, source, geometry in items:
        feature = QgsFeature(fields)
        feature.setAttributes([code, name, parent, source])
        feature.setGeometry(geometry)
        features.append(feature)
    write_layer(path, table, fields, QgsWkbTypes.Type.MultiPolygon, STORAGE_CRS, features)


def _build(path: Path, profile: ProvinceProfile, with_sample: bool, lang: str,
           feedback: Optional[QgsFeedback]) -> Dict[str, str]:
    """Write a complete workspace into ``path`` (a temp file). Returns the meta."""
    from .sample_data import sample_features  # sample data is optional

    try:
        references = default_reference_features(profile)
    except WorkspaceError as exc:
        # a province QGIS's world map does not know: it imports its boundaries
        references = {table: [] for table in REFERENCE_LAYERS}
        _report(feedback, exc.message(lang))
    _progress(feedback, 10)
    sample: Dict[str, List[QgsFeature]] = {}
    meta = {"model_version": str(MODEL_VERSION),
            "profile": json.dumps(profile.to_dict(), ensure_ascii=False),
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "created_by": "covidmaps_plugin.core"}
    if with_sample:
        units = {code: geometry for code, _n, _p, _s, geometry in references["districts"]}
        sample, sample_day = sample_features(units=units)
        meta["sample_day"] = sample_day.isoformat()
    for index, layer_def in enumerate(MODEL.layers):
        write_layer(path, layer_def.name, qgs_fields(layer_def),
                    WKB_TYPES[layer_def.geometry_type], STORAGE_CRS,
                    sample.get(layer_def.name, ()), new_file=index == 0,
                    title=layer_def.title_en, description=layer_def.description_en)
    for table in REFERENCE_LAYERS:
        write_reference_layer(path, table, references[table])
    _progress(feedback, 40)
    write_meta(path, meta)
    return meta


def save_default_styles(workspace: Workspace) -> None:
    """Store every layer's style (symbology and form) as its default in the
    GeoPackage, so the file opened alone in QGIS looks and edits right."""
    styles = {}
    for layer in workspace.project.mapLayers().values():
        if Path(source_path(layer)) == workspace.gpkg_path:
            table = layer.customProperty(LAYER_PROPERTY) or layer.customProperty(
                REFERENCE_PROPERTY)
            styles[str(table)] = style_qml(layer)
    write_default_styles(workspace.gpkg_path, styles, STYLE_NAME)


def create_workspace(gpkg_path: PathLike, profile: Optional[ProvinceProfile] = None, *,
                     with_sample: bool = False, project: Optional[QgsProject] = None,
                     feedback: Optional[QgsFeedback] = None) -> Workspace:
    """Create a new workspace at ``gpkg_path`` and open it in ``project``
    (default: the current QGIS project).

    Built in a temp file next to the target and renamed at the end: a failure
    or a cancel leaves nothing behind.
    """
    path = _absolute(gpkg_path)
    check_new_path(path)
    profile = profile or default_profile()
    lang = current_language()
    temp = temp_sibling(path, "new")
    renamed = False
    try:
        # data and metadata first, written by file writers that close the file
        _build(temp, profile, with_sample, lang, feedback)
        _cancelled(feedback)
        if path.exists():
            raise WorkspaceError(f"Tệp {path} vừa được tạo bởi người khác.",
                                 f"{path} was created by someone else meanwhile.")
        os.replace(temp, path)
        renamed = True
        # then styles and project, through QGIS layers that keep the file open
        return _open(path, project, feedback, store_styles=True)
    except Exception as exc:
        if renamed:  # the project may already show the file being removed
            (project if project is not None else QgsProject.instance()).clear()
        remove_gpkg_files(path if renamed else temp)
        if isinstance(exc, WorkspaceError):
            raise
        raise WorkspaceError(f"Không tạo được vùng làm việc: {exc}",
                             f"Cannot create the workspace: {exc}") from exc


# ------------------------------------------------------------------ opening

def open_workspace(gpkg_path: PathLike, project: Optional[QgsProject] = None,
                   feedback: Optional[QgsFeedback] = None) -> Workspace:
    """Open a workspace into ``project`` (default: the current QGIS project),
    upgrading a workspace made by an older plugin version first."""
    return _open(_absolute(gpkg_path), project, feedback, store_styles=False)


def _open(path: Path, project: Optional[QgsProject], feedback: Optional[QgsFeedback],
          store_styles: bool) -> Workspace:
    from .upgrade import detect_version, upgrade_workspace

    check_existing_workspace(path)
    version = detect_version(path)
    if version > MODEL_VERSION:
        raise WorkspaceError(
            f"{path.name} được tạo bởi phiên bản plugin mới hơn (mô hình {version}); "
            "hãy cập nhật plugin.",
            f"{path.name} was made by a newer plugin (model {version}); update the plugin.")
    if version < MODEL_VERSION:
        upgrade_workspace(path, version, feedback)
    _progress(feedback, 80)
    meta = read_meta(path) or {}
    try:
        profile = ProvinceProfile.from_dict(json.loads(meta["profile"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkspaceError(f"Hồ sơ tỉnh lưu trong {path.name} bị hỏng ({exc}).",
                             f"The province profile stored in {path.name} is damaged ({exc})."
                             ) from exc
    lang = current_language()
    project = project if project is not None else QgsProject.instance()
    uri = project_uri(path)
    storage = QgsApplication.projectStorageRegistry().projectStorageFromType("geopackage")
    stored = PROJECT_NAME in storage.listProjects(str(path))
    if stored:
        _read_project(project, uri, path)
    else:
        project.clear()
    workspace = Workspace(path, project, profile, lang, meta)
    changed = assemble_project(project, path, profile, lang)
    project.setFileName(uri)
    if store_styles or version < MODEL_VERSION:
        save_default_styles(workspace)
    if changed or not stored or store_styles or version < MODEL_VERSION:
        workspace.save_project()
    if not stored:
        # Read back what was just stored, as opening does: in the desktop the
        # layer tree's canvas bridge treats layers added to an empty project
        # as "the first layers" and, one event-loop turn later, resets the
        # project CRS to theirs (EPSG:4326); a project that was read keeps
        # its own CRS (EPSG:9213 for Bắc Kạn).
        _read_project(project, uri, path)
    project.setDirty(False)
    _progress(feedback, 100)
    return workspace


def _read_project(project: QgsProject, uri: str, path: Path) -> None:
    """Read the stored project; layers stored with another location of this
    workspace (built under a temp name, or the file was moved) are read
    from ``path`` instead, so no layer starts broken."""
    tables = set(MODEL.layer_names) | set(REFERENCE_LAYERS)

    def relocate(source: str) -> str:
        file_part, sep, rest = source.partition("|")
        if not sep or not rest.startswith("layername="):
            return source
        table = rest[len("layername="):].split("|")[0]
        candidate = Path(file_part) if os.path.isabs(file_part) else path.parent / file_part
        if table in tables and candidate.suffix == ".gpkg" and not candidate.exists():
            return f"{path}{sep}{rest}"
        return source

    handle = QgsPathResolver.setPathPreprocessor(relocate)
    try:
        if not project.read(uri):
            raise WorkspaceError(f"Không đọc được dự án QGIS trong {path.name}: {project.error()}",
                                 f"Cannot read the QGIS project in {path.name}: "
                                 f"{project.error()}")
    finally:
        QgsPathResolver.removePathPreprocessor(handle)


def is_workspace(gpkg_path: PathLike) -> bool:
    """Whether the file looks like a CovidMaps workspace (any model version)."""
    from .upgrade import detect_version

    path = _absolute(gpkg_path)
    if not path.is_file() or not is_geopackage(path):
        return False
    try:
        detect_version(path)
    except WorkspaceError:
        return False
    return True


__all__ = ["Workspace", "WorkspaceError", "check_existing_workspace", "check_new_path",
           "create_workspace", "is_workspace", "open_workspace", "project_uri"]
