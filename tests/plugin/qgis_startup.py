"""Start-up script of the desktop tests (QGIS runs it first: ``PYQGIS_STARTUP``).

A deprecation raised from the plugin's modules is an error inside the real
QGIS window too, as ``filterwarnings`` in pyproject.toml makes it in the
pytest runs: the error reaches QGIS's Python error hook, which the desktop
scripts report and the tests assert empty.
"""

import warnings

# qgis.utils resets the warning filters when it is first imported; import it
# now, so that ours go in front of its "default" and are not overridden
import qgis.utils  # noqa: F401

for category in (DeprecationWarning, PendingDeprecationWarning):
    warnings.filterwarnings("error", category=category, module="covidmaps_plugin")
