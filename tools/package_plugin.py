"""Build the installable QGIS plugin zip (``make package``).

The zip holds one top folder, ``covidmaps_plugin/``, with the package
sources, ``metadata.txt`` and ``LICENSE`` (copied from the repository root),
the compiled translations (``i18n/*.qm``, from the ``.ts`` files) and the
compiled Qt resources (``resources_rc.py``, from ``resources.qrc``). The data
model ``covidmaps_plugin/model/`` is in it: it is also its own distribution,
``covidmaps-model``, for the endpoint, but QGIS installs plugins from zips
only, so the plugin carries it (without its distribution metadata).
Generated files exist only inside the zip, never in the source tree. Tests,
caches and editor files are left out. The zip is reproducible: entries are
sorted and carry a fixed timestamp.

    .venv/bin/python tools/package_plugin.py --out dist
"""

from __future__ import annotations

import argparse
import configparser
import os
import shutil
import subprocess  # nosec B404
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator, List

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "covidmaps_plugin"
ROOT_FILES = ("metadata.txt", "LICENSE")
EXCLUDED_DIRS = {"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                 "build"}  # setuptools' in-tree build of the model distribution
# the model's own distribution metadata (model/pyproject.toml, and the
# .egg-info an editable install leaves beside it): QGIS has no use for them
EXCLUDED_NAMES = {"pyproject.toml"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo", ".qm", ".ts", ".orig", ".rej", ".swp"}
GENERATED = {"resources_rc.py"}  # built below, a stale copy in the tree is ignored
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class PackagingError(RuntimeError):
    pass


def source_files(package_dir: Path) -> Iterator[Path]:
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if any(part in EXCLUDED_DIRS or part.startswith(".") or part.endswith(".egg-info")
               for part in relative.parts):
            continue
        if (path.is_file() and path.suffix not in EXCLUDED_SUFFIXES
                and path.name not in GENERATED | EXCLUDED_NAMES):
            yield path


def plugin_version(metadata: Path) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(metadata, encoding="utf-8")
    return parser["general"]["version"]


def run(command: List[str], cwd: Path) -> None:
    # pyrcc5 orders resources by Qt's randomised QHash: fix the seed
    env = dict(os.environ, QT_HASH_SEED="0")
    # fixed tool names (lrelease, pyrcc5) and our own paths, never shell
    result = subprocess.run(  # nosec B603
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise PackagingError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def stage(stage_dir: Path) -> Path:
    """Copy and compile everything the plugin needs into ``stage_dir/covidmaps_plugin``."""
    target = stage_dir / PACKAGE
    for path in source_files(ROOT / PACKAGE):
        destination = target / path.relative_to(ROOT / PACKAGE)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    for name in ROOT_FILES:
        shutil.copy2(ROOT / name, target / name)
    for ts in sorted((ROOT / PACKAGE / "i18n").glob("*.ts")):
        run(["lrelease", "-silent", str(ts), "-qm", str(target / "i18n" / f"{ts.stem}.qm")], ROOT)
    # pyrcc5 resolves the paths in resources.qrc from the repository root
    run(["pyrcc5", "-o", str(target / "resources_rc.py"), "resources.qrc"], ROOT)
    return target


def write_zip(plugin_dir: Path, zip_path: Path) -> None:
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in plugin_dir.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{PACKAGE}/{path.relative_to(plugin_dir).as_posix()}", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    partial.replace(zip_path)  # never leave a half-written zip under the final name


def build_package(out_dir: Path) -> Path:
    """Build ``out_dir/covidmaps_plugin.zip`` (+ a copy named with the version)."""
    with tempfile.TemporaryDirectory(prefix="covidmaps-package-") as tmp:
        plugin_dir = stage(Path(tmp))
        zip_path = out_dir / f"{PACKAGE}.zip"
        write_zip(plugin_dir, zip_path)
    versioned = out_dir / f"{PACKAGE}-{plugin_version(ROOT / 'metadata.txt')}.zip"
    shutil.copy2(zip_path, versioned)
    return zip_path


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory")
    args = parser.parse_args(argv)
    try:
        zip_path = build_package(args.out.resolve())
    except PackagingError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(zip_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
