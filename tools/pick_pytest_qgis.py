"""Print the pytest-qgis requirement that supports the installed QGIS.

pytest-qgis 2.1.0 supports QGIS 3.16–3.3x; 5.x needs QGIS >= 3.34.
Run with the venv's python (PyQGIS comes from the system site packages).
"""

from qgis.core import Qgis


def main() -> None:
    version = Qgis.QGIS_VERSION_INT  # e.g. 32216 for 3.22.16
    print("pytest-qgis==5.0.0" if version >= 33400 else "pytest-qgis==2.1.0")


if __name__ == "__main__":
    main()
