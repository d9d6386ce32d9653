"""The CovidMaps validator: rules with stable codes over the four model
layers, run headless (Processing ``covidmaps:validate``) and in the dock.

    report = validate(layers, profile, now)
    report.blocking           # an error forbids publishing
    report.findings[0].message("vi")
"""

from .context import ValidationCancelledError, ValidationOptions
from .engine import validate, validate_workspace
from .findings import CATALOG, Finding, FindingCode, Severity, ValidationReport
from .registry import RULES

__all__ = [
    "CATALOG", "RULES", "Finding", "FindingCode", "Severity", "ValidationCancelledError",
    "ValidationOptions", "ValidationReport", "validate", "validate_workspace",
]
