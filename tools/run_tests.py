"""Run the whole test suite the way CI does (``make test``).

Sets the environment PyQGIS needs headless, then runs pytest over tests/.
Extra arguments go to pytest, e.g. ``.venv/bin/python tools/run_tests.py -k model``.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QGIS_NO_OVERRIDE_IMPORT", "1")
    (ROOT / "tests" / "artifacts").mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    return int(pytest.main(["tests", *sys.argv[1:]]))


if __name__ == "__main__":
    sys.exit(main())
